"""manage.py recharge_points <e-mail|username> <amount>: the same recharge as the console's."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from points.models import PointsTransaction
from tests.points.helpers import account_of, recharge

pytestmark = pytest.mark.django_db


def recharge_points(*args: str) -> str:
    out = StringIO()
    call_command("recharge_points", *args, stdout=out)
    return out.getvalue()


def test_recharge_by_email(member):
    output = recharge_points("alice@example.com", "100")

    row = member.points_transactions.get()
    assert (row.transaction_type, row.amount, row.balance_after) == (
        "recharge",
        Decimal("100"),
        Decimal("100"),
    )
    assert (row.description, row.reference_id, row.recorded_by) == ("管理员充值", None, None)
    assert account_of(member).balance == Decimal("100")
    assert output == (
        f"Recharged 100.000 points to alice@example.com; balance 100.000 (transaction {row.pk})\n"
    )


def test_the_email_is_matched_whatever_its_case(member):
    recharge_points("Alice@EXAMPLE.com", "2.5")

    assert account_of(member).balance == Decimal("2.5")


def test_recharge_by_username(member):
    recharge(member, "1")

    recharge_points("alice", "0.125")

    assert account_of(member).balance == Decimal("1.125")
    assert member.points_transactions.latest("id").balance_after == Decimal("1.125")


def test_description_and_reference(member):
    recharge_points("alice", "50", "--description", "线下转账", "--reference", "order-42")

    row = member.points_transactions.get()
    assert (row.description, row.reference_id) == ("线下转账", "order-42")


def test_only_the_named_user_is_recharged(member, other):
    recharge_points("mallory", "3")

    assert not member.points_transactions.exists()
    assert account_of(other).balance == Decimal("3")


def test_an_unknown_user_is_refused(member):
    with pytest.raises(CommandError) as refused:
        recharge_points("nobody@example.com", "100")

    assert str(refused.value) == "No user with e-mail or username 'nobody@example.com'"

    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Not a number of at most three decimal places: 'abc'"),
        ("1.2345", "Not a number of at most three decimal places: '1.2345'"),
        ("NaN", "Not a number of at most three decimal places: 'NaN'"),
        ("Infinity", "Not a number of at most three decimal places: 'Infinity'"),
        ("-5", "充值积分必须大于0"),
        ("0", "充值积分必须大于0"),
        ("1e12", "积分数额无效或过大"),
    ],
)
def test_an_amount_that_is_no_recharge_is_refused(member, amount, message):
    with pytest.raises(CommandError) as refused:
        recharge_points("alice", amount)

    assert str(refused.value) == message
    assert not PointsTransaction.objects.exists()
