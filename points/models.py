from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

POINTS_MAX_DIGITS = 14
POINTS_DECIMAL_PLACES = 3


class PointsAccount(models.Model):
    """A user's points balance: one row each, changed only by the ledger's services."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="points_account",
    )
    balance = models.DecimalField(
        "积分余额",
        max_digits=POINTS_MAX_DIGITS,
        decimal_places=POINTS_DECIMAL_PLACES,
        default=Decimal("0"),
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="points_balance_not_negative",
                violation_error_message="积分余额不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.balance}"
