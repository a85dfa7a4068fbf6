"""Many requests at once against one account, on real connections in real threads."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from csa.errors import ApplicationError
from points import services
from points.models import PointsAccount, PointsTransaction
from tests.factories import UserFactory
from tests.points.helpers import ALREADY_REFUNDED, failed_spend, ledger_sum, recharge, spend
from tests.threads import all_at_once as run_together
from tests.threads import races_need_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True),
    races_need_postgresql,
]

THREADS = 10


def all_at_once(call: Callable[[], object], threads: int = THREADS) -> list[object]:
    return run_together(call, threads)


def refusals(outcomes: list[object]) -> list[str]:
    return [o.message for o in outcomes if isinstance(o, ApplicationError)]


def successes(outcomes: list[object]) -> list[PointsTransaction]:
    return [o for o in outcomes if isinstance(o, PointsTransaction)]


def test_parallel_refunds_of_one_spend_return_it_once():
    user = UserFactory()
    recharge(user, "10")
    failed = failed_spend(user, "3.6")

    outcomes = all_at_once(lambda: services.points_refund(user=user, transaction_id=failed.pk))

    assert len(successes(outcomes)) == 1
    assert refusals(outcomes) == [ALREADY_REFUNDED] * (THREADS - 1)
    assert PointsAccount.objects.get(user=user).balance == Decimal("10") == ledger_sum(user)
    assert PointsTransaction.objects.filter(refund_of=failed).count() == 1
    failed.refresh_from_db()
    assert failed.description == "AI降重任务消费（已返还积分）"


def test_parallel_spends_take_exactly_what_there_is():
    user = UserFactory()
    recharge(user, "18")  # six spends of 3

    outcomes = all_at_once(lambda: spend(user, "3"))

    assert len(successes(outcomes)) == 6
    assert refusals(outcomes) == ["积分不足，当前积分：0，需要积分：3"] * (THREADS - 6)
    assert PointsAccount.objects.get(user=user).balance == 0 == ledger_sum(user)
    balances_after = sorted(
        row.balance_after for row in user.points_transactions.filter(transaction_type="spend")
    )
    assert balances_after == [Decimal(n) for n in (0, 3, 6, 9, 12, 15)]


def test_parallel_first_recharges_open_one_account():
    user = UserFactory()

    outcomes = all_at_once(lambda: recharge(user, "1.5"))

    assert len(successes(outcomes)) == THREADS
    assert PointsAccount.objects.filter(user=user).count() == 1
    assert PointsAccount.objects.get(user=user).balance == Decimal("15") == ledger_sum(user)


def test_parallel_holds_never_set_aside_more_than_the_balance():
    user = UserFactory()
    recharge(user, "10")

    outcomes = all_at_once(lambda: services.points_hold(user=user, amount=Decimal("4")))

    assert len([held for held in outcomes if isinstance(held, PointsAccount)]) == 2
    assert refusals(outcomes) == ["积分不足，当前积分：2，需要积分：4"] * (THREADS - 2)
    account = PointsAccount.objects.get(user=user)
    assert (account.balance, account.held) == (Decimal("10"), Decimal("8"))
