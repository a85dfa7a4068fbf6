"""Every route of the conversation refuses whoever is not the ticket's: a stranger is told the
ticket is not theirs, an unknown ticket is 404, no token is 401. Staff read and close any
ticket but write to a customer from the console only."""

import uuid

import pytest

from tests.tickets.conversations.conftest import download_url_of, messages_url, png, post_message
from tickets import services
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(user, ticket):
    message = services.ticket_message_post(
        ticket_id=ticket.pk, author=user, body="截图见附件", files=[png()]
    )
    return message.attachments.get()


# Each route, with the body it is sent and what a stranger is told.
ROUTES = [
    ("get", "/api/tickets/{ticket}/messages", {}, "无权访问此工单"),
    ("post", "/api/tickets/{ticket}/messages", {"body": "别人的工单"}, "无权访问此工单"),
    ("post", "/api/tickets/{ticket}/close", {}, "无权关闭此工单"),
    ("post", "/api/tickets/{ticket}/reopen", {}, "无权重新打开此工单"),
    ("post", "/api/tickets/{ticket}/attachments/{attachment}/download-url", {}, "无权访问此工单"),
]


def call(client, route: tuple, ticket_id, attachment_id):
    method, path, body, _ = route
    url = path.format(ticket=ticket_id, attachment=attachment_id)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_a_stranger_is_refused_on_every_route(client_for, stranger, ticket, attachment, route):
    services.ticket_close(ticket_id=ticket.pk, actor=ticket.creator)  # so reopening would do

    response = call(client_for(stranger), route, ticket.pk, attachment.pk)

    assert response.status_code == 403
    assert response.json() == {"detail": route[3]}
    saved = Ticket.objects.get(pk=ticket.pk)
    assert saved.closed_at is not None
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_an_unknown_ticket_is_404_on_every_route(auth_client, attachment, route):
    response = call(auth_client, route, uuid.uuid4(), attachment.pk)

    assert response.status_code == 404
    assert response.json() == {"detail": "工单不存在"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_every_route_needs_a_token(api_client, ticket, attachment, route):
    assert call(api_client, route, ticket.pk, attachment.pk).status_code == 401


def test_staff_do_not_write_to_a_customer_through_the_api(client_for, staff, ticket):
    response = post_message(client_for(staff), ticket.pk, "客服的消息")

    assert response.status_code == 403
    assert response.json() == {"detail": "无权回复此工单"}
    assert ticket.messages.count() == 1


def test_staff_close_and_reopen_any_ticket(client_for, staff, ticket):
    closed = client_for(staff).post(f"/api/tickets/{ticket.pk}/close")
    reopened = client_for(staff).post(f"/api/tickets/{ticket.pk}/reopen")

    assert (closed.status_code, reopened.status_code) == (200, 200)
    assert closed.json()["closed_at"] is not None


def test_an_attachment_of_another_ticket_is_404(auth_client, user, attachment):
    mine = services.ticket_create(
        creator=user, title="另一个工单", ticket_type="technical", content="另一个问题"
    )

    response = auth_client.post(download_url_of(mine.pk, attachment.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "附件不存在"}


@pytest.mark.parametrize("attachment_id", ["not-an-id", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_attachment_is_404(auth_client, ticket, attachment_id):
    response = auth_client.post(download_url_of(ticket.pk, attachment_id))

    assert response.status_code == 404
    assert response.json() == {"detail": "附件不存在"}


def test_messages_are_throttled_per_client(auth_client, ticket, throttle_rates):
    throttle_rates["ticket_message"] = "2/min"

    answers = [post_message(auth_client, ticket.pk).status_code for _ in range(3)]

    assert answers == [201, 201, 429]
    assert auth_client.get(messages_url(ticket.pk)).status_code == 200  # reading is not
