"""Ledger rows written directly, for tests about reading them (dates, types, paging).

Rows made here do not move any balance (tests of the balance go through the services), but they
are counted on the user's account, as the lists' totals read them there."""

from decimal import Decimal

import factory
from django.db.models import F

from points.models import PointsAccount, PointsTransaction, TransactionType
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

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> PointsTransaction:
        row = super()._create(model_class, *args, **kwargs)
        PointsAccount.objects.get_or_create(user=row.user)
        PointsAccount.objects.filter(user=row.user).update(
            transaction_count=F("transaction_count") + 1
        )
        return row
