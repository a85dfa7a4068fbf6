"""The database itself refuses a ledger that does not add up, whatever writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from points.models import PointsAccount, PointsTransaction
from tests.points.factories import PointsTransactionFactory
from tests.points.helpers import failed_spend, recharge

pytestmark = pytest.mark.django_db


def test_a_negative_balance_is_refused(member):
    recharge(member, "5")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(user=member).update(balance=Decimal("-0.001"))

    assert PointsAccount.objects.get(user=member).balance == Decimal("5")


def test_held_above_the_balance_is_refused(member):
    recharge(member, "5")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(user=member).update(held=Decimal("5.001"))


def test_a_negative_hold_is_refused(member):
    recharge(member, "5")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(user=member).update(held=Decimal("-1"))


def test_a_positive_spend_is_refused(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(user=member, transaction_type="spend", amount=Decimal("1"))


def test_a_zero_recharge_is_refused(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(user=member, amount=Decimal("0"))


def test_a_negative_balance_after_is_refused(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(user=member, balance_after=Decimal("-1"))


def test_an_unknown_type_is_refused(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(user=member, transaction_type="gift")


def test_a_refund_without_its_spend_is_refused(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(user=member, transaction_type="refund")


def test_a_negative_refund_is_refused(member):
    recharge(member, "5")
    spend = failed_spend(member, "3")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(
            user=member, transaction_type="refund", amount=Decimal("-3"), refund_of=spend
        )


def test_a_recharge_cannot_point_at_a_spend(member):
    recharge(member, "5")
    spend = failed_spend(member, "3")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(user=member, refund_of=spend)


def test_a_second_refund_of_one_spend_is_refused(member):
    recharge(member, "5")
    spend = failed_spend(member, "3")
    PointsTransactionFactory(
        user=member, transaction_type="refund", amount=Decimal("3"), refund_of=spend
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransactionFactory(
            user=member, transaction_type="refund", amount=Decimal("3"), refund_of=spend
        )

    assert PointsTransaction.objects.filter(refund_of=spend).count() == 1


def test_only_a_spend_can_fail(member):
    row = recharge(member, "5")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransaction.objects.filter(pk=row.pk).update(is_successful=False)
