"""Section 2 of the portal document: /api/tickets."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from tests.factories import UserFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Ticket, TicketChange, TicketStatus

pytestmark = pytest.mark.django_db

TICKET_KEYS = {
    "id",
    "title",
    "ticket_type",
    "content",
    "status",
    "feedback",
    "creator_email",
    "responder_email",
    "created_at",
    "updated_at",
    "replied_at",
    # v2.1: additions only (tests/tickets/conversations).
    "closed_at",
    "closed_final",
}
NEW_TICKET = {"title": "无法导出财务报表", "ticket_type": "financial", "content": "导出失败"}


def url(ticket_id=None) -> str:
    return "/api/tickets" if ticket_id is None else f"/api/tickets/{ticket_id}"


def replied(ticket: Ticket, staff=None) -> Ticket:
    staff = staff or UserFactory(role=Role.ADMIN)
    return services.ticket_reply(ticket_id=ticket.pk, responder=staff, feedback="已处理")


@pytest.fixture
def client_for(api_client, make_token):
    def login(user):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
        return api_client

    return login


# --- 2.1 create ------------------------------------------------------------------------


def test_create_ticket(auth_client, user):
    response = auth_client.post(url(), NEW_TICKET, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == TICKET_KEYS
    assert body | {"id": None, "created_at": None} == {
        **NEW_TICKET,
        "id": None,
        "created_at": None,
        "status": "pending",
        "feedback": None,
        "creator_email": user.email,
        "responder_email": None,
        "updated_at": None,
        "replied_at": None,
        "closed_at": None,
        "closed_final": False,
    }
    assert Ticket.objects.get(pk=body["id"]).creator == user


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"title": "x" * 201}, "工单标题长度不能超过200个字符"),
        ({"title": ""}, "工单标题不能为空"),
        ({"ticket_type": "other"}, "工单类型必须是 financial、technical 或 business"),
        ({"content": ""}, "工单内容不能为空"),
        ({"content": None}, "工单内容不能为空"),
    ],
)
def test_create_ticket_validation_is_422(auth_client, change, detail):
    response = auth_client.post(url(), NEW_TICKET | change, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert not Ticket.objects.exists()


def test_create_ticket_missing_field_is_422(auth_client):
    response = auth_client.post(url(), {"title": "t", "content": "c"}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": "工单类型不能为空"}


def test_create_ticket_needs_a_token(api_client):
    assert api_client.post(url(), NEW_TICKET, format="json").status_code == 401


# --- 2.2 list --------------------------------------------------------------------------


def test_list_shows_only_my_tickets_newest_first(auth_client, user):
    now = timezone.now()
    mine = [TicketFactory(creator=user) for _ in range(3)]
    for age, ticket in enumerate(mine):
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(hours=age))
    TicketFactory()

    body = auth_client.get(url()).json()

    assert body["total"] == 3
    assert [item["id"] for item in body["items"]] == [str(t.pk) for t in mine]


def test_list_pages_with_skip_and_limit(auth_client, user):
    TicketFactory.create_batch(12, creator=user)

    first = auth_client.get(url()).json()
    second = auth_client.get(url(), {"skip": 10, "limit": 10}).json()

    assert first["total"] == second["total"] == 12
    assert len(first["items"]) == 10
    assert len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_list_filters_by_status(auth_client, user):
    pending = TicketFactory(creator=user)
    answered = replied(TicketFactory(creator=user))

    only_pending = auth_client.get(url(), {"status_filter": "pending"}).json()
    only_replied = auth_client.get(url(), {"status_filter": "replied"}).json()

    assert [i["id"] for i in only_pending["items"]] == [str(pending.pk)]
    assert [i["id"] for i in only_replied["items"]] == [str(answered.pk)]
    assert only_replied["items"][0]["responder_email"] == answered.responder.email


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"limit": 101}, "limit不能大于100"),
        ({"limit": 0}, "limit不能小于1"),
        ({"skip": -1}, "skip不能小于0"),
        ({"limit": "ten"}, "limit格式不正确"),
        ({"status_filter": "closed"}, "status_filter 必须是 pending 或 replied"),
    ],
)
def test_list_bad_parameters_are_422(auth_client, params, detail):
    response = auth_client.get(url(), params)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_list_needs_a_token(api_client):
    assert api_client.get(url()).status_code == 401


@pytest.mark.parametrize("rows", [3, 6])
def test_list_query_count_does_not_grow(auth_client, user, rows, django_assert_num_queries):
    for ticket in TicketFactory.create_batch(rows, creator=user):
        replied(ticket)

    # session+user, count, page (creator and responder joined)
    with django_assert_num_queries(3):
        body = auth_client.get(url()).json()
    assert len(body["items"]) == rows


def test_staff_list_every_ticket(client_for):
    TicketFactory.create_batch(2)
    staff = UserFactory(role=Role.ADMIN)

    assert client_for(staff).get(url()).json()["total"] == 2


# --- 2.3 detail ------------------------------------------------------------------------


def test_get_my_ticket(auth_client, user, django_assert_num_queries):
    ticket = replied(TicketFactory(creator=user))

    with django_assert_num_queries(2):
        response = auth_client.get(url(ticket.pk))

    assert response.status_code == 200
    assert response.json()["id"] == str(ticket.pk)
    assert response.json()["status"] == "replied"
    assert response.json()["feedback"] == "已处理"


def test_get_someone_elses_ticket_is_403(auth_client):
    response = auth_client.get(url(TicketFactory().pk))

    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问此工单"}


@pytest.mark.parametrize("ticket_id", ["00000000-0000-0000-0000-000000000000", "not-an-id"])
def test_get_missing_ticket_is_404(auth_client, ticket_id):
    response = auth_client.get(url(ticket_id))

    assert response.status_code == 404
    assert response.json() == {"detail": "工单不存在"}


# --- 2.4 update ------------------------------------------------------------------------


def test_update_title_only(auth_client, user):
    ticket = TicketFactory(creator=user, content="原内容")

    response = auth_client.put(url(ticket.pk), {"title": "新标题"}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "新标题"
    assert response.json()["content"] == "原内容"
    assert response.json()["updated_at"] is not None
    change = TicketChange.objects.get(ticket=ticket)
    assert (change.actor, change.field, change.new_value) == (user, "title", "新标题")


def test_update_both_fields(auth_client, user):
    ticket = TicketFactory(creator=user)

    body = auth_client.put(url(ticket.pk), {"title": "T", "content": "C"}, format="json").json()

    assert (body["title"], body["content"]) == ("T", "C")


def test_update_without_fields_is_422(auth_client, user):
    ticket = TicketFactory(creator=user)

    response = auth_client.put(url(ticket.pk), {"ticket_type": "business"}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": "至少提供一个需要更新的字段（title 或 content）"}


def test_update_too_long_title_is_422(auth_client, user):
    ticket = TicketFactory(creator=user)

    response = auth_client.put(url(ticket.pk), {"title": "x" * 201}, format="json")

    assert response.status_code == 422


def test_update_replied_ticket_is_400(auth_client, user):
    ticket = replied(TicketFactory(creator=user, title="原标题"))

    response = auth_client.put(url(ticket.pk), {"title": "改"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "工单已被回复，不能再更新"}
    assert Ticket.objects.get(pk=ticket.pk).title == "原标题"


def test_update_someone_elses_ticket_is_403(auth_client):
    ticket = TicketFactory(title="原标题")

    response = auth_client.put(url(ticket.pk), {"title": "改"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "无权更新此工单"}
    assert Ticket.objects.get(pk=ticket.pk).title == "原标题"


def test_staff_do_not_edit_customers_tickets(client_for):
    ticket = TicketFactory()

    response = client_for(UserFactory(role=Role.ADMIN)).put(
        url(ticket.pk), {"title": "改"}, format="json"
    )

    assert response.status_code == 403


def test_update_missing_ticket_is_404(auth_client):
    response = auth_client.put(url("not-an-id"), {"title": "改"}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "工单不存在"}


# --- 2.5 delete ------------------------------------------------------------------------


def test_delete_my_ticket(auth_client, user):
    ticket = TicketFactory(creator=user)

    response = auth_client.delete(url(ticket.pk))

    assert response.status_code == 204
    assert response.content == b""
    assert not Ticket.objects.filter(pk=ticket.pk).exists()


def test_delete_someone_elses_ticket_is_403(auth_client):
    ticket = TicketFactory()

    response = auth_client.delete(url(ticket.pk))

    assert response.status_code == 403
    assert response.json() == {"detail": "无权删除此工单"}
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_delete_missing_ticket_is_404(auth_client):
    response = auth_client.delete(url("00000000-0000-0000-0000-000000000000"))

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_ticket_routes_need_a_token(api_client, method):
    response = getattr(api_client, method)(url(TicketFactory().pk))

    assert response.status_code == 401


# --- reply (the staff side's one entry point) ----------------------------------------


def test_staff_reply_as_often_as_the_conversation_needs_and_feedback_is_the_latest():
    """Tickets are conversations (tests/tickets/conversations): no longer replied once."""
    ticket = replied(TicketFactory())

    again = services.ticket_reply(
        ticket_id=ticket.pk, responder=ticket.responder, feedback="再次回复"
    )

    assert again.status == TicketStatus.REPLIED
    assert again.feedback == "再次回复"


def test_reply_records_history_and_the_database_requires_feedback():
    staff = UserFactory(role=Role.ADMIN)
    ticket = replied(TicketFactory(), staff)

    fields = set(TicketChange.objects.filter(ticket=ticket).values_list("field", flat=True))
    assert fields == {"status", "feedback", "responder", "replied_at"}
    assert ticket.status == TicketStatus.REPLIED
    assert ticket.responder == staff

    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(feedback=None)
