"""Ledger rows written directly, for tests about reading them (dates, types, paging).

Rows made here do not move any balance; tests of the balance go through the services."""

from decimal import Decimal

import factory

from points.models import PointsTransaction, TransactionType
from tests.factories import UserFactory


class PointsTransactionFactory(factory.django.DjangoModelFactory[PointsTransaction]):
    class Meta:
        model = PointsTransaction

    user = factory.SubFactory(UserFactory)
    transaction_type = TransactionType.RECHARGE
    amount = Decimal("10")
    balance_after = Decimal("10")
    description = "管理员充值"
    reference_id = factory.Sequence(lambda n: f"ref-{n}")
