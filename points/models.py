from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

POINTS_MAX_DIGITS = 14
POINTS_DECIMAL_PLACES = 3


def points_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=POINTS_MAX_DIGITS,
        decimal_places=POINTS_DECIMAL_PLACES,
        **kwargs,
    )


class PointsAccount(models.Model):
    """A user's points: one row each, changed only by the ledger's services.

    `balance` is the sum of the user's transactions, `transaction_count` their number. `held`
    is what tasks being handed to a vendor right now have set aside: it is not spent yet, but it
    cannot be spent twice either.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="points_account",
    )
    balance = points_field("积分余额", default=Decimal("0"))
    held = points_field("冻结积分", default=Decimal("0"))
    # Kept with the balance, so the ledger's exact `total` is this row, not a count of rows.
    transaction_count = models.PositiveIntegerField("交易笔数", default=0)
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
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(balance__gte=F("held")),
                name="points_held_within_balance",
                violation_error_message="冻结积分不能超过余额",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.balance}"

    @property
    def available(self) -> Decimal:
        return self.balance - self.held


class TransactionType(models.TextChoices):
    RECHARGE = "recharge", "充值"
    SPEND = "spend", "消费"
    TRANSFER = "transfer", "转账"
    REFUND = "refund", "返还"


REFUND = TransactionType.REFUND
# What the API answers for each kind: a refund is a recharge there (rewriting-api §14: it "adds a
# recharge transaction"), and is listed and filtered as one; inside it keeps its kind and its link
# to the spend it returns.
ANSWERED_TYPE = {kind: kind for kind in TransactionType.values} | {
    TransactionType.REFUND: TransactionType.RECHARGE
}
ANSWERED_TYPES = [
    (kind, label) for kind, label in TransactionType.choices if kind != TransactionType.REFUND
]
# The kinds answered as a recharge.
CREDITS = [kind for kind, answered in ANSWERED_TYPE.items() if answered == TransactionType.RECHARGE]


class PointsTransaction(models.Model):
    """One change of a user's balance. Rows are only ever added; a spend may later be marked
    failed, and gains a note when its points come back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.PROTECT,
        related_name="points_transactions",
        db_index=False,  # the indexes below lead with it
    )
    transaction_type = models.CharField("交易类型", max_length=16, choices=TransactionType)
    amount = points_field("积分变动")
    balance_after = points_field("交易后余额")
    description = models.CharField("说明", max_length=255)
    reference_id = models.CharField("关联ID", max_length=128, null=True, blank=True)
    is_successful = models.BooleanField("是否成功", default=True)
    # A staff member's change that puts a mistake right (either way, with the reason typed), as
    # opposed to points sold or given: both are recharges to the API, told apart in the console.
    is_correction = models.BooleanField("更正", default=False, db_default=False)
    refund_of = models.OneToOneField(
        "self",
        verbose_name="返还的消费",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作员工",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Storage keys of a rewriting task's text snapshots; answers carry URLs made from them.
    user_input_file = models.CharField("原文快照", max_length=512, blank=True)
    ai_response_file = models.CharField("结果快照", max_length=512, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "积分交易"
        verbose_name_plural = "积分交易"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="points_txn_user_newest"),
            models.Index(
                fields=["transaction_type", "-created_at", "-id"], name="points_txn_type_newest"
            ),
            # The console's list, its failed spends, and its search by reference.
            models.Index(fields=["-created_at", "-id"], name="points_txn_newest"),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(is_successful=False),
                name="points_txn_failed_newest",
            ),
            models.Index(fields=["reference_id"], name="points_txn_reference"),
            # The recharges staff and agents list: recharges and refunds, newest first.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(transaction_type__in=["recharge", "refund"]),
                name="points_txn_credits_newest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(transaction_type__in=TransactionType.values),
                name="points_txn_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="points_txn_balance_after_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(transaction_type=TransactionType.SPEND) | Q(amount__lte=0),
                name="points_txn_spend_not_positive",
                violation_error_message="消费的积分变动不能为正数",
            ),
            models.CheckConstraint(
                condition=Q(transaction_type=TransactionType.SPEND) | ~Q(amount=0),
                name="points_txn_amount_not_zero",
                violation_error_message="积分变动不能为0",
            ),
            models.CheckConstraint(
                condition=(
                    Q(transaction_type=REFUND, refund_of__isnull=False, amount__gt=0)
                    | (~Q(transaction_type=REFUND) & Q(refund_of__isnull=True))
                ),
                name="points_txn_refund_returns_a_spend",
                violation_error_message="返还必须指向一笔消费，且积分为正数",
            ),
            models.CheckConstraint(
                condition=Q(is_successful=True) | Q(transaction_type=TransactionType.SPEND),
                name="points_txn_only_spend_fails",
            ),
            models.CheckConstraint(
                condition=Q(is_correction=False) | Q(transaction_type=TransactionType.RECHARGE),
                name="points_txn_correction_is_a_recharge",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.amount}"

    @property
    def kind(self) -> str:
        """充值, 更正, 消费, 转账 or 返还: what staff call it."""
        return "更正" if self.is_correction else self.get_transaction_type_display()
