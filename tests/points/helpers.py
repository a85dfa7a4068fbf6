"""Paths, messages and ledger shortcuts shared by the points tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from accounts.models import User
from csa.errors import ApplicationError
from points import services
from points.models import PointsAccount, PointsTransaction

AI_POINTS = "/ai/points"
BALANCE = "/points/balance"
TRANSACTIONS = "/points/transactions"
RECHARGES = "/points/recharges"
REFUND = "/points/refund"

NOT_FOUND = "交易记录不存在"
NOT_A_SPEND = "仅消费记录支持返还"
SUCCESSFUL = "成功交易无需返还"
ZERO_SPEND = "无效的交易金额，无法返还"
ALREADY_REFUNDED = "该交易已返还积分，请勿重复操作"


def recharge(user: User, amount: str) -> PointsTransaction:
    return services.points_recharge(user=user, amount=Decimal(amount))


def spend(user: User, amount: str, reference_id: str = "task-1") -> PointsTransaction:
    return services.points_spend(
        user=user, amount=Decimal(amount), description="AI降重任务消费", reference_id=reference_id
    )


def failed_spend(user: User, amount: str, reference_id: str = "task-1") -> PointsTransaction:
    """A spend whose task failed: refundable."""
    row = spend(user, amount, reference_id)
    services.points_spend_fail(spend=row)
    return row


def account_of(user: User) -> PointsAccount:
    return PointsAccount.objects.get(user=user)


def ledger_sum(user: User) -> Decimal:
    return sum((row.amount for row in user.points_transactions.all()), Decimal("0"))


@contextmanager
def refused(message: str, error: type[ApplicationError] = ApplicationError) -> Iterator[None]:
    """The block raises `error` saying exactly `message`."""
    with pytest.raises(error) as caught:
        yield
    assert caught.value.message == message
