"""Whatever the sequence of recharges, spends, failures and refunds: balance = sum of the ledger,
never negative, the account counts its rows, and the only refusals are the ledger's own."""

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from csa.errors import ApplicationError
from points import services
from points.models import PointsAccount
from tests.factories import UserFactory

POINTS = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("recharge"), POINTS),
        st.tuples(st.just("spend"), POINTS | st.just(Decimal("0"))),
        st.tuples(st.just("fail"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("refund"), st.integers(min_value=0, max_value=20)),
    ),
    max_size=25,
)


@dataclass
class SpendModel:
    pk: int
    amount: Decimal
    failed: bool = False
    refunded: bool = False


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
@example(
    operations=[
        ("recharge", Decimal("10")),
        ("spend", Decimal("3.6")),
        ("fail", 0),
        ("refund", 0),
        ("refund", 0),
        ("spend", Decimal("10.001")),
        ("spend", Decimal("0")),
        ("fail", 1),
        ("refund", 1),
        ("spend", Decimal("10")),
    ]
)
def test_the_ledger_always_adds_up(db, operations):
    user = UserFactory()  # one per example: the database is not reset between examples
    balance = Decimal("0")
    spends: list[SpendModel] = []
    for name, argument in operations:
        balance = apply(user, name, argument, balance, spends)
        account = PointsAccount.objects.filter(user=user).first()
        stored = account.balance if account else Decimal("0")
        total = sum((row.amount for row in user.points_transactions.all()), Decimal("0"))
        assert stored == total == balance >= 0
        counted = account.transaction_count if account else 0
        assert counted == user.points_transactions.count()


def apply(user, name: str, argument, balance: Decimal, spends: list[SpendModel]) -> Decimal:
    """Run one operation and check it against the model; the model's new balance."""
    if name == "recharge":
        services.points_recharge(user=user, amount=argument)
        return balance + argument
    if name == "spend":
        return spend(user, argument, balance, spends)
    if not spends:
        return balance
    target = spends[argument % len(spends)]
    if name == "fail":
        assert services.points_spend_fail(spend=user.points_transactions.get(pk=target.pk)) is (
            not target.failed
        )
        target.failed = True
        return balance
    return refund(user, target, balance)


def spend(user, amount: Decimal, balance: Decimal, spends: list[SpendModel]) -> Decimal:
    try:
        row = services.points_spend(user=user, amount=amount, description="任务", reference_id="t")
    except ApplicationError:
        assert amount > balance
        return balance
    spends.append(SpendModel(row.pk, amount))
    return balance - amount


def refund(user, target: SpendModel, balance: Decimal) -> Decimal:
    refundable = target.failed and not target.refunded and target.amount > 0
    try:
        services.points_refund(user=user, transaction_id=target.pk)
    except ApplicationError:
        assert not refundable
        return balance
    assert refundable
    target.refunded = True
    return balance + target.amount
