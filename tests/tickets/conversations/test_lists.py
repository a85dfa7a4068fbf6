"""GET /api/tickets?state_filter=open|closed: each list with its exact total from the tallies,
alone or with status_filter, for a customer and for staff."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from tests.factories import UserFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Ticket, TicketStatus, TicketTally
from tickets.selectors import TicketState, ticket_list, ticket_page, ticket_total
from tickets.serializers import ticket_data

pytestmark = pytest.mark.django_db

STATUSES = [None, TicketStatus.PENDING, TicketStatus.REPLIED]
STATES = [None, TicketState.OPEN, TicketState.CLOSED]


@pytest.fixture
def history(user, staff) -> None:
    """A customer's tickets in every status and state, some at the same moment, among others'."""
    now = timezone.now()
    for n in range(12):
        ticket = TicketFactory(creator=user, title=f"工单 {n}")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=n // 2))
        if n % 2:
            services.ticket_reply(ticket_id=ticket.pk, responder=staff, feedback=f"回复 {n}")
        if n % 3 == 0:
            services.ticket_close(ticket_id=ticket.pk, actor=user)
        if n == 9:
            services.ticket_close(ticket_id=ticket.pk, actor=staff, final=True)
    other = TicketFactory()
    services.ticket_close(ticket_id=other.pk, actor=other.creator)
    TicketFactory()


def listed(client, **params) -> dict:
    response = client.get("/api/tickets", {"limit": 100, **params})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("state", STATES)
def test_a_customers_list_and_total_by_state_and_status(history, auth_client, user, status, state):
    params = {"status_filter": status, "state_filter": state}
    body = listed(auth_client, **{k: v for k, v in params.items() if v})

    rows = Ticket.objects.filter(creator=user)
    rows = rows.filter(status=status) if status else rows
    rows = rows.filter(closed_at__isnull=state == TicketState.OPEN) if state else rows
    assert body["total"] == rows.count() == len(body["items"])
    assert [item["id"] for item in body["items"]] == [
        str(pk) for pk in rows.order_by("-created_at", "-id").values_list("pk", flat=True)
    ]


def test_the_closed_list_shows_when_and_how(history, auth_client):
    items = listed(auth_client, state_filter="closed")["items"]

    assert all(item["closed_at"] is not None for item in items)
    assert [item["title"] for item in items if item["closed_final"]] == ["工单 9"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("state", STATES)
def test_staff_totals_sum_the_tallies(history, client_for, staff, status, state):
    params = {"status_filter": status, "state_filter": state}
    body = listed(client_for(staff), **{k: v for k, v in params.items() if v})

    rows = Ticket.objects.all()
    rows = rows.filter(status=status) if status else rows
    rows = rows.filter(closed_at__isnull=state == TicketState.OPEN) if state else rows
    assert body["total"] == rows.count() == len(body["items"])


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("limit", [1, 5, 100])
def test_a_customers_first_page_by_hand_as_the_orm_reads_it(history, user, status, state, limit):
    orm = [ticket_data(t) for t in ticket_list(user=user, status=status, state=state)[:limit]]

    tickets, total = ticket_page(user=user, status=status, state=state, start=0, stop=limit)

    assert [ticket_data(t) for t in tickets] == orm
    assert total == ticket_list(user=user, status=status, state=state).count()


@pytest.mark.parametrize("state", [TicketState.OPEN, TicketState.CLOSED])
def test_later_pages_of_a_state_are_the_slices(history, auth_client, user, state):
    every = [item["id"] for item in listed(auth_client, state_filter=state)["items"]]

    pages = [
        listed(auth_client, state_filter=state, skip=skip, limit=2)["items"]
        for skip in range(0, len(every), 2)
    ]

    assert [item["id"] for page in pages for item in page] == every


def open_and_closed(user) -> tuple[int, int]:
    return ticket_total(user=user, state="open"), ticket_total(user=user, state="closed")


def test_closing_and_reopening_move_a_ticket_between_the_lists(auth_client, user):
    ticket = TicketFactory(creator=user)

    auth_client.post(f"/api/tickets/{ticket.pk}/close")
    assert open_and_closed(user) == (0, 1)

    auth_client.post(f"/api/tickets/{ticket.pk}/reopen")
    assert open_and_closed(user) == (1, 0)


def test_the_tallies_count_the_closed_tickets(history):
    closed = (
        Ticket.objects.filter(closed_at__isnull=False)
        .values("creator", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    expected = {(row["creator"], row["status"]): row["n"] for row in closed}

    for tally in TicketTally.objects.all():
        assert tally.pending_closed == expected.get((tally.creator_id, "pending"), 0)
        assert tally.replied_closed == expected.get((tally.creator_id, "replied"), 0)


def test_a_state_filter_of_another_value_is_422(auth_client):
    response = auth_client.get("/api/tickets", {"state_filter": "archived"})

    assert response.status_code == 422
    assert response.json() == {"detail": "state_filter 必须是 open 或 closed"}


def test_a_stranger_never_sees_anothers_closed_tickets(history, client_for):
    assert listed(client_for(UserFactory()), state_filter="closed") == {"total": 0, "items": []}


@pytest.mark.parametrize("state", ["open", "closed"])
def test_the_list_by_state_costs_what_the_plain_list_does(
    history, auth_client, state, django_assert_num_queries
):
    # session+user, the tally, the page (creator and responder joined)
    with django_assert_num_queries(3):
        listed(auth_client, state_filter=state, limit=10)
