"""Orders of points paid for online, and what the gateways said of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from points.models import PointsTransaction, points_field


class Gateway(models.TextChoices):
    ALIPAY = "alipay", "支付宝"
    WECHATPAY = "wechatpay", "微信支付"


class Channel(models.TextChoices):
    """How the customer pays: a gateway and one of its products."""

    ALIPAY_PAGE = "alipay_page", "支付宝电脑网站支付"
    ALIPAY_WAP = "alipay_wap", "支付宝手机网站支付"
    WECHAT_NATIVE = "wechat_native", "微信扫码支付"


GATEWAY_OF = {
    Channel.ALIPAY_PAGE: Gateway.ALIPAY,
    Channel.ALIPAY_WAP: Gateway.ALIPAY,
    Channel.WECHAT_NATIVE: Gateway.WECHATPAY,
}


class OrderStatus(models.TextChoices):
    PENDING = "pending", "待支付"
    PAID = "paid", "已支付"
    CLOSED = "closed", "已关闭"


SUBJECT_MAX_LENGTH = 128


def rate_field(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=3)


class Order(models.Model):
    """One attempt to buy points: paid once at most, credited once with it, or closed.

    The payer pays; the beneficiary receives the points (the payer, or an agent's invitee). The
    points were fixed when the order was made, at the payer's rate then.
    """

    out_trade_no = models.CharField("订单号", max_length=64, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="付款人",
        on_delete=models.PROTECT,
        related_name="payment_orders",
        db_index=False,  # the index below leads with it
    )
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受益人",
        on_delete=models.PROTECT,
        related_name="payment_orders_received",
    )
    channel = models.CharField("支付方式", max_length=16, choices=Channel)
    subject = models.CharField("商品名称", max_length=SUBJECT_MAX_LENGTH)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    points = points_field("积分")
    rate = rate_field("付款人费率")
    beneficiary_rate = rate_field("受益人费率")
    status = models.CharField(
        "状态", max_length=16, choices=OrderStatus, default=OrderStatus.PENDING
    )
    trade_no = models.CharField("支付平台交易号", max_length=64, blank=True)
    credit = models.OneToOneField(
        PointsTransaction,
        verbose_name="入账流水",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_order",
    )
    notification = models.JSONField("入账依据", null=True, blank=True)
    last_query = models.JSONField("最近一次查询结果", null=True, blank=True)
    queried_at = models.DateTimeField("最近查询时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("支付截止时间")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "充值订单"
        verbose_name_plural = "充值订单"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["payer", "-created_at", "-id"], name="order_payer_newest"),
            models.Index(fields=["-created_at", "-id"], name="order_newest"),
            # The background job's question: which pending orders to ask the gateway about.
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="order_pending_oldest",
            ),
            # The console's daily totals.
            models.Index(fields=["paid_at"], condition=Q(status="paid"), name="order_paid_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="order_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(points__gt=0),
                name="order_amounts_positive",
                violation_error_message="金额和积分必须大于0",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(beneficiary_rate__gte=0),
                name="order_rates_not_negative",
            ),
            # Paid means credited, with the gateway's trade number; nothing else is credited.
            models.CheckConstraint(
                condition=(
                    Q(
                        status=OrderStatus.PAID,
                        credit__isnull=False,
                        paid_at__isnull=False,
                        closed_at__isnull=True,
                    )
                    & ~Q(trade_no="")
                )
                | (~Q(status=OrderStatus.PAID) & Q(credit__isnull=True, paid_at__isnull=True)),
                name="order_paid_is_credited",
                violation_error_message="已支付的订单必须有交易号和入账流水",
            ),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=OrderStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="order_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="order_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return self.out_trade_no

    @property
    def gateway(self) -> str:
        return GATEWAY_OF[self.channel]

    @property
    def rate_difference(self):
        """What an agent's rate gives above the invitee's own (0 for one's own order)."""
        return self.rate - self.beneficiary_rate


class NotificationOutcome(models.TextChoices):
    CREDITED = "credited", "已入账"
    ALREADY_PAID = "already_paid", "重复通知（已入账）"
    NOT_PAID = "not_paid", "非支付成功状态，忽略"
    UNKNOWN_ORDER = "unknown_order", "订单不存在"
    ORDER_CLOSED = "order_closed", "订单已关闭，未入账"
    MISMATCH = "mismatch", "金额或商户不符，未入账"


# Outcomes a gateway is told to send again (it retries with back-off for about a day).
RETRIED_OUTCOMES = (NotificationOutcome.UNKNOWN_ORDER, NotificationOutcome.MISMATCH)
# Outcomes staff must look at: a gateway took money we did not credit.
ATTENTION_OUTCOMES = (NotificationOutcome.ORDER_CLOSED, NotificationOutcome.MISMATCH)


class PaymentNotification(models.Model):
    """A gateway's word on a trade whose signature held: a notification, or the answer to our
    query. Kept whatever became of it, so staff can reconcile what did not credit."""

    order = models.ForeignKey(
        Order,
        verbose_name="订单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    gateway = models.CharField("支付平台", max_length=16, choices=Gateway)
    source = models.CharField(
        "来源", max_length=16, choices=[("notify", "异步通知"), ("query", "主动查询")]
    )
    out_trade_no = models.CharField("订单号", max_length=64)
    trade_status = models.CharField("交易状态", max_length=32)
    outcome = models.CharField("处理结果", max_length=16, choices=NotificationOutcome)
    detail = models.CharField("说明", max_length=255, blank=True)
    payload = models.JSONField("原始内容")
    received_at = models.DateTimeField("接收时间", default=timezone.now)

    class Meta:
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"
        ordering = ("-received_at", "-id")
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="payment_note_newest"),
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(outcome__in=["order_closed", "mismatch"]),
                name="payment_note_attention",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=NotificationOutcome.values),
                name="payment_note_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.get_outcome_display()}"
