"""The ledger's writers, called directly: recharge, adjust, hold, spend, fail, refund."""

from decimal import Decimal

import pytest

from csa.errors import NotFoundError
from points import services
from points.models import PointsAccount, PointsTransaction
from tests.points.helpers import (
    ALREADY_REFUNDED,
    NOT_A_SPEND,
    NOT_FOUND,
    SUCCESSFUL,
    ZERO_SPEND,
    account_of,
    failed_spend,
    ledger_sum,
    recharge,
    refused,
    spend,
)

pytestmark = pytest.mark.django_db


# --- recharge ------------------------------------------------------------------------------------


def test_recharge_adds_a_row_with_the_new_balance(member, admin):
    recharge(member, "10")

    row = services.points_recharge(
        user=member,
        amount=Decimal("2.5"),
        description="订单充值",
        reference_id="order-7",
        recorded_by=admin,
    )

    row.refresh_from_db()
    assert (row.transaction_type, row.amount, row.balance_after) == (
        "recharge",
        Decimal("2.5"),
        Decimal("12.5"),
    )
    assert (row.description, row.reference_id, row.recorded_by) == ("订单充值", "order-7", admin)
    assert row.is_successful is True
    assert account_of(member).balance == Decimal("12.5")


def test_recharge_opens_the_account_on_first_use(member):
    assert not PointsAccount.objects.filter(user=member).exists()

    recharge(member, "3")

    assert account_of(member).balance == Decimal("3")


def test_recharge_without_description_says_admin_recharge(member):
    row = services.points_recharge(user=member, amount=Decimal("1"), description="  ")

    assert row.description == "管理员充值"
    assert row.reference_id is None


def test_recharge_truncates_to_three_places(member):
    row = recharge(member, "1.23456")

    assert row.amount == Decimal("1.234")
    assert account_of(member).balance == Decimal("1.234")


@pytest.mark.parametrize("amount", ["0", "-1", "0.0004"])
def test_recharge_refuses_nothing_or_less(member, amount):
    with refused("充值积分必须大于0"):
        recharge(member, amount)

    assert not member.points_transactions.exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e12"])
def test_recharge_refuses_amounts_no_balance_can_hold(member, amount):
    with refused("积分数额无效或过大"):
        recharge(member, amount)

    assert not member.points_transactions.exists()


def test_recharge_refuses_to_overflow_the_balance(member):
    recharge(member, "99999999999")

    with refused("积分余额超出上限"):
        recharge(member, "1")

    assert account_of(member).balance == Decimal("99999999999")


# --- adjust --------------------------------------------------------------------------------------


def test_adjust_adds_points(member, admin):
    row = services.points_adjust(
        user=member, amount=Decimal("5"), description="补偿", recorded_by=admin
    )

    assert (row.transaction_type, row.amount, row.balance_after) == (
        "recharge",
        Decimal("5"),
        Decimal("5"),
    )
    assert row.recorded_by == admin


def test_adjust_takes_points_back(member, admin):
    recharge(member, "10")

    row = services.points_adjust(
        user=member, amount=Decimal("-4"), description="误充扣回", recorded_by=admin
    )

    assert (row.amount, row.balance_after, row.description) == (
        Decimal("-4"),
        Decimal("6"),
        "误充扣回",
    )
    assert account_of(member).balance == Decimal("6")


def test_adjust_may_take_the_balance_to_zero(member, admin):
    recharge(member, "10")

    services.points_adjust(
        user=member, amount=Decimal("-10"), description="清零", recorded_by=admin
    )

    assert account_of(member).balance == 0


def test_adjust_refuses_going_below_the_available_balance(member, admin):
    recharge(member, "10")
    services.points_hold(user=member, amount=Decimal("6.4"))

    with refused("积分余额不足，当前余额: 3.6"):
        services.points_adjust(
            user=member, amount=Decimal("-4"), description="扣回", recorded_by=admin
        )

    assert account_of(member).balance == Decimal("10")
    assert member.points_transactions.count() == 1


def test_adjust_refuses_zero(member, admin):
    with refused("调整积分不能为0"):
        services.points_adjust(user=member, amount=Decimal("0"), description="x", recorded_by=admin)


@pytest.mark.parametrize("description", ["", "   "])
def test_adjust_refuses_a_missing_reason(member, admin, description):
    recharge(member, "10")

    with refused("请填写调整原因"):
        services.points_adjust(
            user=member, amount=Decimal("-1"), description=description, recorded_by=admin
        )

    assert account_of(member).balance == Decimal("10")


# --- hold, release, spend ------------------------------------------------------------------------


def test_hold_changes_neither_balance_nor_transactions(member):
    recharge(member, "10")

    services.points_hold(user=member, amount=Decimal("4"))

    account = account_of(member)
    assert (account.balance, account.held, account.available) == (
        Decimal("10"),
        Decimal("4"),
        Decimal("6"),
    )
    assert member.points_transactions.count() == 1


def test_hold_refuses_more_than_available(member):
    recharge(member, "2")

    with refused("积分不足，当前积分：2，需要积分：3.6"):
        services.points_hold(user=member, amount=Decimal("3.6"))

    assert account_of(member).held == 0


def test_release_gives_the_hold_back(member):
    recharge(member, "10")
    services.points_hold(user=member, amount=Decimal("4"))

    services.points_hold_release(user=member, amount=Decimal("4"))

    account = account_of(member)
    assert (account.balance, account.held) == (Decimal("10"), Decimal("0"))
    assert member.points_transactions.count() == 1


def test_held_points_cannot_be_spent_twice(member):
    recharge(member, "10")
    services.points_hold(user=member, amount=Decimal("6.4"))

    with refused("积分不足，当前积分：3.6，需要积分：4"):
        spend(member, "4")


def test_spend_of_held_points_records_the_spend(member):
    recharge(member, "10")
    services.points_hold(user=member, amount=Decimal("4"))

    row = services.points_spend(
        user=member, amount=Decimal("4"), description="AI降重任务消费", reference_id="t1", held=True
    )

    account = account_of(member)
    assert (account.balance, account.held) == (Decimal("6"), Decimal("0"))
    assert (row.transaction_type, row.amount, row.balance_after) == (
        "spend",
        Decimal("-4"),
        Decimal("6"),
    )
    assert (row.reference_id, row.is_successful) == ("t1", True)


def test_spend_takes_points_and_records_the_task(member):
    recharge(member, "150")

    row = services.points_spend(
        user=member,
        amount=Decimal("3.6"),
        description="AI降重任务消费",
        reference_id="onlyjc_1",
        user_input_file="rewriting/x/input.txt",
    )

    row.refresh_from_db()
    assert (row.amount, row.balance_after, row.user_input_file) == (
        Decimal("-3.6"),
        Decimal("146.4"),
        "rewriting/x/input.txt",
    )
    assert account_of(member).balance == Decimal("146.4")


def test_spend_may_take_everything(member):
    recharge(member, "3.6")

    spend(member, "3.6")

    assert account_of(member).balance == 0


@pytest.mark.parametrize(
    ("balance", "cost", "message"),
    [
        ("2", "3.6", "积分不足，当前积分：2，需要积分：3.6"),
        ("3.6", "5", "积分不足，当前积分：3.6，需要积分：5"),
        ("0.001", "0.002", "积分不足，当前积分：0.001，需要积分：0.002"),
    ],
)
def test_spend_refuses_more_than_available(member, balance, cost, message):
    recharge(member, balance)

    with refused(message):
        spend(member, cost)

    assert account_of(member).balance == Decimal(balance)
    assert member.points_transactions.count() == 1


def test_spend_without_an_account_says_zero(member):
    with refused("积分不足，当前积分：0，需要积分：3"):
        spend(member, "3")


def test_spend_of_more_than_three_places_keeps_balance_equal_to_the_sum(member):
    """Costs come truncated to three places, but the service does not make sure of it: an amount
    with a fourth place is rounded separately in the spend row and in the balance."""
    recharge(member, "10.001")

    spend(member, "1.0015")

    assert account_of(member).balance == ledger_sum(member)


# --- failing a spend -----------------------------------------------------------------------------


def test_spend_fail_marks_the_spend_once(member):
    recharge(member, "10")
    row = spend(member, "3")

    assert services.points_spend_fail(spend=row) is True
    assert services.points_spend_fail(spend=row) is False

    row.refresh_from_db()
    assert row.is_successful is False
    assert account_of(member).balance == Decimal("7")


def test_spend_fail_leaves_other_types_alone(member):
    row = recharge(member, "10")

    assert services.points_spend_fail(spend=row) is False

    row.refresh_from_db()
    assert row.is_successful is True


# --- refund --------------------------------------------------------------------------------------


def test_refund_returns_a_failed_spend(member):
    recharge(member, "10")
    failed = failed_spend(member, "3.6")

    refund = services.points_refund(user=member, transaction_id=failed.pk)

    refund.refresh_from_db()
    assert refund.transaction_type == "refund"
    assert refund.amount == Decimal("3.6") == -failed.amount
    assert refund.balance_after == Decimal("10")
    assert refund.reference_id == f"refund:{failed.pk}"
    assert refund.description == f"任务失败返还积分（原交易ID: {failed.pk}）"
    assert refund.refund_of == failed
    assert refund.is_successful is True
    assert account_of(member).balance == Decimal("10")


def test_refund_notes_it_on_the_spend(member):
    recharge(member, "10")
    failed = failed_spend(member, "3")

    services.points_refund(user=member, transaction_id=failed.pk)

    failed.refresh_from_db()
    assert failed.description == "AI降重任务消费（已返还积分）"
    assert (failed.amount, failed.is_successful) == (Decimal("-3"), False)


def test_refund_happens_once(member):
    recharge(member, "10")
    failed = failed_spend(member, "3")
    services.points_refund(user=member, transaction_id=failed.pk)

    with refused(ALREADY_REFUNDED):
        services.points_refund(user=member, transaction_id=failed.pk)

    assert account_of(member).balance == Decimal("10")
    failed.refresh_from_db()
    assert failed.description == "AI降重任务消费（已返还积分）"


def test_refund_refuses_a_successful_spend(member):
    recharge(member, "10")
    row = spend(member, "3")

    with refused(SUCCESSFUL):
        services.points_refund(user=member, transaction_id=row.pk)

    assert account_of(member).balance == Decimal("7")


def test_refund_refuses_a_recharge(member):
    row = recharge(member, "10")

    with refused(NOT_A_SPEND):
        services.points_refund(user=member, transaction_id=row.pk)


def test_refund_refuses_a_refund(member):
    recharge(member, "10")
    refund = services.points_refund(user=member, transaction_id=failed_spend(member, "3").pk)

    with refused(NOT_A_SPEND):
        services.points_refund(user=member, transaction_id=refund.pk)


def test_refund_refuses_a_spend_of_nothing(member):
    row = failed_spend(member, "0")

    with refused(ZERO_SPEND):
        services.points_refund(user=member, transaction_id=row.pk)

    assert member.points_transactions.count() == 1


def test_refund_of_someone_elses_spend_is_not_found(member, other):
    recharge(other, "10")
    theirs = failed_spend(other, "3")

    with refused(NOT_FOUND, NotFoundError):
        services.points_refund(user=member, transaction_id=theirs.pk)

    assert account_of(other).balance == Decimal("7")
    assert not PointsTransaction.objects.filter(refund_of=theirs).exists()


@pytest.mark.parametrize("transaction_id", [987654, 0, -1, 2**63 - 1, 2**63, 2**64 + 5])
def test_refund_of_a_missing_id_is_not_found(member, transaction_id):
    with refused(NOT_FOUND, NotFoundError):
        services.points_refund(user=member, transaction_id=transaction_id)
