"""The hand-written statements of the hot reads (csa.statements) give what the ORM queries they
replace give: the same rows, the same values, the same answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Model
from django.utils import timezone

from accounts.models import LoginSession, Role
from accounts.selectors import login_session_with_user
from points.models import PointsTransaction, TransactionType
from points.selectors import points_transaction_page, points_transactions_of
from points.serializers import transaction_data
from tests.factories import UserFactory
from tests.points.factories import PointsTransactionFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Ticket, TicketStatus
from tickets.selectors import ticket_list, ticket_page, ticket_total
from tickets.serializers import ticket_data

pytestmark = pytest.mark.django_db


def values_of(instance: Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_session_and_its_user_as_the_orm_reads_them(make_session, user):
    user.full_name = "张三"
    user.updated_at = timezone.now()
    user.save()
    live = make_session(user)
    ended = make_session(user, revoked_at=timezone.now())

    for session in (live, ended):
        orm = LoginSession.objects.select_related("user").get(pk=session.pk)
        by_hand = login_session_with_user(session_id=session.pk, user_uuid=user.uuid)
        assert values_of(by_hand) == values_of(orm)
        assert values_of(by_hand.user) == values_of(orm.user)
        assert by_hand.user.email_verified is True
    assert login_session_with_user(session_id=live.pk, user_uuid=UserFactory().uuid) is None


@pytest.fixture
def history(user) -> None:
    """A customer's tickets in both statuses, some at the same moment, among others'."""
    staff = UserFactory(role=Role.ADMIN, email="helper@example.com")
    now = timezone.now()
    for n in range(14):
        ticket = TicketFactory(creator=user, title=f"工单 {n}")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=n // 2))
        if n % 3 == 0:
            services.ticket_reply(ticket_id=ticket.pk, responder=staff, feedback=f"回复 {n}")
    TicketFactory()


@pytest.mark.parametrize("status", [None, TicketStatus.PENDING, TicketStatus.REPLIED])
@pytest.mark.parametrize("limit", [1, 5, 100])
def test_a_customers_first_page_as_the_orm_reads_it(history, user, status, limit):
    orm = [ticket_data(t) for t in ticket_list(user=user, status=status)[:limit]]

    tickets, total = ticket_page(user=user, status=status, start=0, stop=limit)

    assert [ticket_data(t) for t in tickets] == orm
    assert (
        total
        == ticket_list(user=user, status=status).count()
        == ticket_total(user=user, status=status)
    )


def test_a_customer_with_no_tickets_has_an_empty_first_page(user):
    assert ticket_page(user=user, status=None, start=0, stop=10) == ([], 0)


@pytest.fixture
def ledger(user) -> None:
    now = timezone.now() - timedelta(days=1)
    for n in range(9):
        PointsTransactionFactory(
            user=user,
            transaction_type=TransactionType.SPEND if n % 2 else TransactionType.RECHARGE,
            amount=Decimal("-1.5") if n % 2 else Decimal("10"),
            balance_after=Decimal("100.125"),
            user_input_file=f"rewriting/x/{n}/input.txt" if n % 2 else "",
            created_at=now - timedelta(hours=n // 3),
        )
    PointsTransactionFactory()


@pytest.mark.parametrize("limit", [1, 4, 20])
@time_machine.travel("2026-12-01 08:00", tick=False)  # the links sign the moment they are made
def test_the_first_ledger_page_as_the_orm_reads_it(ledger, user, rf, limit):
    request = rf.get("/points/transactions")
    orm = [transaction_data(row, request=request) for row in points_transactions_of(user=user)]

    rows, total = points_transaction_page(user=user, first=0, stop=limit)

    assert [transaction_data(row, request=request) for row in rows] == orm[:limit]
    assert total == PointsTransaction.objects.filter(user=user).count() == 9


def test_a_filtered_ledger_is_counted(ledger, user):
    rows, total = points_transaction_page(
        user=user, first=0, stop=2, transaction_type=TransactionType.SPEND
    )

    assert total == 4
    assert {row.transaction_type for row in rows} == {TransactionType.SPEND}
