"""Pages read by their keys (csa.paging): every page, from either end or from a bookmark, is
exactly what slicing the ordered rows gives."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csa import paging
from csa.paging import rows_between
from points.models import PointsTransaction
from tests.points.factories import PointsTransactionFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Ticket
from tickets.selectors import ticket_list

pytestmark = pytest.mark.django_db

ROWS = 23


@pytest.fixture
def tickets(user) -> list[Ticket]:
    now = timezone.now()
    made = [TicketFactory(creator=user) for _ in range(ROWS)]
    for n, ticket in enumerate(made):
        # Ties in created_at, as a burst of tickets has: the id breaks them.
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=n // 3))
    return made


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.integers(min_value=0, max_value=ROWS + 5), size=st.integers(1, 12))
def test_any_page_is_the_slice_of_the_ordered_rows(tickets, user, start, size):
    rows = ticket_list(user=user)
    expected = [t.pk for t in list(rows)[start : start + size]]

    page = rows_between(rows, start, start + size, total=ROWS)

    assert [t.pk for t in page] == expected


def test_the_ledger_pages_from_both_ends(user):
    for n in range(7):
        PointsTransactionFactory(user=user, created_at=timezone.now() - timedelta(hours=n % 3))
    rows = PointsTransaction.objects.filter(user=user).order_by("-created_at", "-id")
    every = list(rows.values_list("pk", flat=True))

    for start in range(9):
        page = rows_between(rows, start, start + 2, total=len(every))
        assert [row.pk for row in page] == every[start : start + 2]


def test_the_portal_list_pages_deep_and_past_the_end(tickets, auth_client, user):
    every = [item["id"] for item in auth_client.get("/api/tickets", {"limit": 100}).json()["items"]]

    near_end = auth_client.get("/api/tickets", {"skip": ROWS - 3, "limit": 10}).json()
    past_end = auth_client.get("/api/tickets", {"skip": 10**20, "limit": 10})

    assert [item["id"] for item in near_end["items"]] == every[-3:]
    assert near_end["total"] == ROWS
    assert past_end.status_code == 200
    assert past_end.json() == {"total": ROWS, "items": []}


@pytest.fixture
def short_walks(monkeypatch):
    """Bookmarks every 3 rows and walks of at most 4, so 23 rows have pages of every kind."""
    monkeypatch.setattr(paging, "BOOKMARK_EVERY", 3)
    monkeypatch.setattr(paging, "WALK_MAX", 4)


def test_pages_walked_from_bookmarks_are_the_slices(tickets, user, short_walks):
    rows = ticket_list(user=user)
    every = [t.pk for t in rows]

    for start in range(ROWS + 2):
        for size in (1, 2, 5):
            page = rows_between(rows, start, start + size, total=ROWS, bookmarks="test-pages")
            assert [t.pk for t in page] == every[start : start + size], (start, size)


def test_new_tickets_leave_the_bookmarks_right_and_a_deletion_moves_to_new_ones(
    tickets, auth_client, user, short_walks
):
    def listed(skip: int) -> list[str]:
        answer = auth_client.get("/api/tickets", {"skip": skip, "limit": 3}).json()
        return [item["id"] for item in answer["items"]]

    def expected(skip: int) -> list[str]:
        return [str(t.pk) for t in ticket_list(user=user)[skip : skip + 3]]

    assert listed(10) == expected(10)  # makes the bookmarks
    TicketFactory(creator=user)
    TicketFactory(creator=user)
    assert listed(10) == expected(10)
    services.ticket_delete(ticket_id=tickets[20].pk, actor=user)  # an old one: places move
    assert listed(10) == expected(10)
    assert listed(11) == expected(11)
