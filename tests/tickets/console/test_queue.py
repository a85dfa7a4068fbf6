"""The console's ticket list: it opens on the tickets awaiting their first answer, soonest due
first and the overdue in red, and filters by the clock, type, status, closing and assignee."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory
from tests.tickets.console.pages import LIST, page
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db


def titles(shown: str) -> list[str]:
    """The titles of the list's rows, in its order."""
    return re.findall(r'<th class="field-title"><a href="[^"]*">([^<]*)</a>', shown)


def due_in(ticket: Ticket, hours: float) -> Ticket:
    due = timezone.now() + timedelta(hours=hours)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)
    return ticket


@pytest.fixture
def tickets(staff, colleague, customer) -> dict[str, Ticket]:
    """Two overdue, two not yet due, one answered (then followed up), one closed unanswered;
    filed in this order, so the newest is the last."""
    made = {
        "工单甲": due_in(TicketFactory(title="工单甲", creator=customer), -1),
        "工单乙": due_in(TicketFactory(title="工单乙"), -5),
        "工单丙": due_in(TicketFactory(title="工单丙", ticket_type=TicketType.FINANCIAL), 3),
        "工单丁": due_in(TicketFactory(title="工单丁"), 1),
        "工单戊": TicketFactory(title="工单戊", creator=customer),
        "工单己": TicketFactory(title="工单己"),
    }
    services.ticket_reply(ticket_id=made["工单戊"].pk, responder=staff, feedback="已处理")
    services.ticket_message_post(ticket_id=made["工单戊"].pk, author=customer, body="还是不行")
    services.ticket_close(ticket_id=made["工单己"].pk, actor=staff)
    services.ticket_assign(ticket_id=made["工单甲"].pk, assignee=staff, actor=staff)
    services.ticket_assign(ticket_id=made["工单丙"].pk, assignee=colleague, actor=staff)
    return made


def test_the_list_opens_on_the_awaiting_soonest_due_first_the_overdue_in_red(console, tickets):
    shown = page(console, LIST)

    assert titles(shown) == ["工单乙", "工单甲", "工单丁", "工单丙"]
    overdue = re.findall(r'<span class="ticket-overdue">([^<]*)</span>', shown)
    assert len(overdue) == 2 and all(text.endswith("（已超时）") for text in overdue)
    # The red marks are on the overdue rows.
    assert shown.index("工单甲") < shown.index(overdue[1]) < shown.index("工单丁")
    # The 首次响应 filter shows the queue as 待响应.
    assert re.search(r'<li class="selected">\s*<a href="\?first_response=waiting"', shown)


def test_all_tickets_newest_first(console, tickets):
    shown = page(console, LIST, first_response="all")

    assert titles(shown) == ["工单己", "工单戊", "工单丁", "工单丙", "工单乙", "工单甲"]
    assert shown.count('class="ticket-overdue"') == 2
    assert "待回复（已关闭）" in shown  # 工单己


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"first_response": "overdue"}, ["工单乙", "工单甲"]),
        ({"first_response": "waiting"}, ["工单乙", "工单甲", "工单丁", "工单丙"]),
        ({"first_response": "answered"}, ["工单戊"]),
        ({"ticket_type__exact": "financial"}, ["工单丙"]),
        # Narrowed by another filter, the list is of every ticket: the follow-up is pending.
        (
            {"status__exact": "pending"},
            ["工单己", "工单戊", "工单丁", "工单丙", "工单乙", "工单甲"],
        ),
        ({"status__exact": "replied"}, []),
        ({"closed": "yes"}, ["工单己"]),
        ({"closed": "no"}, ["工单戊", "工单丁", "工单丙", "工单乙", "工单甲"]),
        ({"assignee": "me"}, ["工单甲"]),
        ({"assignee": "none"}, ["工单己", "工单戊", "工单丁", "工单乙"]),
        ({"assignee": "me", "first_response": "overdue"}, ["工单甲"]),
        (
            {"ticket_type__exact": "technical", "first_response": "waiting"},
            ["工单乙", "工单甲", "工单丁"],
        ),
        # A search looks among every ticket.
        ({"q": "customer@example.com"}, ["工单戊", "工单甲"]),
        ({"q": "工单戊"}, ["工单戊"]),
    ],
)
def test_the_filters(console, tickets, query, expected):
    assert titles(page(console, LIST, **query)) == expected


def test_the_assignee_filter_names_active_staff(console, tickets, colleague):
    UserFactory(email="former@example.com", role="admin", is_active=False)

    shown = page(console, LIST, assignee=str(colleague.pk))

    assert titles(shown) == ["工单丙"]
    for label in ("我负责的", "未指派", "colleague@example.com", "已超时", "待响应", "已响应"):
        assert label in shown
    assert "former@example.com" not in shown and "customer@example.com" not in shown


@pytest.mark.parametrize(
    "query", [{}, {"first_response": "all"}, {"assignee": "me"}, {"q": "example.com"}]
)
def test_the_list_queries_do_not_grow_with_rows(
    console, staff, django_assert_max_num_queries, query
):
    def more(count: int) -> None:
        for _ in range(count):
            ticket = TicketFactory()
            services.ticket_assign(ticket_id=ticket.pk, assignee=staff, actor=staff)

    more(3)
    with django_assert_max_num_queries(100) as few:
        page(console, LIST, **query)
    more(3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        shown = page(console, LIST, **query)

    assert shown.count('class="action-select"') == 6


# --- assigning from the list -----------------------------------------------------------------


def select(console, action: str, tickets: list[Ticket], **query):
    form = {"action": action, "_selected_action": [str(t.pk) for t in tickets], "index": 0}
    url = f"{LIST}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else LIST
    return console.post(url, form)


def test_assign_to_me_and_unassign_from_the_list(console, staff, tickets):
    chosen = [tickets["工单乙"], tickets["工单丙"]]

    assigned = select(console, "assign_to_me", chosen)

    assert assigned.status_code == 302
    assert {t.assignee_id for t in Ticket.objects.filter(pk__in=[t.pk for t in chosen])} == {
        staff.pk
    }
    assert "已将 2 个工单指派给你" in page(console, LIST)
    assert titles(page(console, LIST, assignee="me")) == ["工单丙", "工单乙", "工单甲"]

    select(console, "unassign", [tickets["工单甲"], tickets["工单乙"]])

    assert titles(page(console, LIST, assignee="me")) == ["工单丙"]
    history = tickets["工单乙"].changes.filter(field="assignee").order_by("created_at", "id")
    assert [(c.old_value, c.new_value) for c in history] == [
        (None, staff.email),
        (staff.email, None),
    ]


def test_assign_from_a_filtered_list(console, staff, tickets):
    select(console, "assign_to_me", [tickets["工单己"]], closed="yes")

    assert User.objects.get(pk=staff.pk) == Ticket.objects.get(pk=tickets["工单己"].pk).assignee
