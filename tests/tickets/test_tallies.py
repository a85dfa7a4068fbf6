"""The tallies the ticket services keep: after anything a customer or staff member does, each
customer's counts are exactly what counting their tickets gives, and the lists' `total` reads
them."""

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from tests.factories import UserFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Ticket, TicketStatus, TicketTally
from tickets.selectors import ticket_total

pytestmark = pytest.mark.django_db


def counted() -> dict[int, tuple[int, int]]:
    rows = Ticket.objects.values("creator").annotate(
        pending=Count("pk", filter=Q(status=TicketStatus.PENDING)),
        replied=Count("pk", filter=Q(status=TicketStatus.REPLIED)),
    )
    return {row["creator"]: (row["pending"], row["replied"]) for row in rows.order_by()}


def tallied() -> dict[int, tuple[int, int]]:
    return {
        tally.creator_id: (tally.pending, tally.replied)
        for tally in TicketTally.objects.all()
        if tally.pending or tally.replied
    }


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["file", "reply", "delete", "staff_delete"]),
        st.integers(min_value=0, max_value=2),  # which customer
        st.integers(min_value=0, max_value=10),  # which of their tickets
    ),
    max_size=30,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_the_tallies_always_match_the_tickets(db, actions):
    customers = [UserFactory() for _ in range(3)]
    staff = UserFactory(role=Role.ADMIN)
    for action, who, which in actions:
        customer = customers[who]
        tickets = list(Ticket.objects.filter(creator=customer).order_by("created_at", "id"))
        ticket = tickets[which % len(tickets)] if tickets else None
        if action == "file" or ticket is None:
            TicketFactory(creator=customer)
        elif action == "reply" and ticket.status == TicketStatus.PENDING:
            services.ticket_reply(ticket_id=ticket.pk, responder=staff, feedback="已处理")
        elif action == "delete":
            services.ticket_delete(ticket_id=ticket.pk, actor=customer)
        elif action == "staff_delete":
            services.tickets_delete_by_staff(Ticket.objects.filter(pk=ticket.pk))
        mine = {c.pk for c in customers}
        assert {k: v for k, v in tallied().items() if k in mine} == {
            k: v for k, v in counted().items() if k in mine
        }
    for customer in customers:
        pending, replied = counted().get(customer.pk, (0, 0))
        assert ticket_total(user=customer) == pending + replied
        assert ticket_total(user=customer, status=TicketStatus.REPLIED) == replied


def test_staff_see_the_total_of_every_customer(admin, user):
    for _ in range(3):
        TicketFactory(creator=user)
    TicketFactory()

    assert ticket_total(user=admin) == Ticket.objects.count() == 4
    assert ticket_total(user=user) == 3


def test_the_console_deletes_through_the_tallies(console, user):
    tickets = [TicketFactory(creator=user) for _ in range(3)]
    url = reverse("admin:tickets_ticket_changelist")

    response = console.post(
        url,
        {
            "action": "delete_selected",
            "_selected_action": [t.pk for t in tickets[:2]],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert Ticket.objects.filter(creator=user).count() == 1
    assert TicketTally.objects.get(creator=user).pending == 1


def test_the_list_total_costs_no_count_of_the_tickets(auth_client, user, django_assert_num_queries):
    for _ in range(12):
        TicketFactory(creator=user)

    with django_assert_num_queries(3):  # the session, the tally, the page
        body = auth_client.get("/api/tickets", {"limit": 5}).json()

    assert body["total"] == 12
    assert len(body["items"]) == 5


def test_a_customer_without_tickets_has_none(auth_client):
    assert auth_client.get("/api/tickets").json() == {"total": 0, "items": []}
