"""Orders: made, paid and credited exactly once, or closed. The only writers of payments' tables.

A notification and a query of the gateway meet in `order_settle`: it locks the order row, so
however many copies arrive at once, one finds the order pending and credits it in the same
transaction as its ledger row; the rest find it paid.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError, ServiceUnavailableError
from csa.ids import public_number
from payments.gateways import (
    CLOSED,
    MISSING,
    PAID,
    Checkout,
    Gateway,
    GatewayError,
    NotConfigured,
    Trade,
    gateway_for,
)
from payments.models import (
    GATEWAY_OF,
    SUBJECT_MAX_LENGTH,
    NotificationOutcome,
    Order,
    OrderStatus,
    PaymentNotification,
)
from payments.models import Gateway as GatewayName
from points.amounts import points_truncate
from points.services import points_recharge

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "支付配置缺失"
UNAVAILABLE = "支付服务暂时不可用，请稍后再试"
# A client polling a pending order asks the gateway through the background job at most this often.
ASK_GATEWAY_EVERY_SECONDS = 15
# Past its time-out a gateway takes no payment; a minute more allows for clocks that differ.
CLOSE_GRACE = timedelta(minutes=1)
CREDIT_DESCRIPTIONS = {
    GatewayName.ALIPAY: "支付宝充值 (订单号: {no})",
    GatewayName.WECHATPAY: "微信支付充值 (订单号: {no})",
}
FOR_DOWNLINE_DESCRIPTION = "代理充值 - {payer} 为 {beneficiary} 充值 (订单: {no})"


def order_number() -> str:
    """`PAY20261207215800…`: 27 characters, within both gateways' limits (Alipay 64, WeChat
    Pay 32)."""
    return public_number("PAY")


def order_create(
    *, payer: User, beneficiary: User, channel: str, amount: Decimal, subject: str = ""
) -> Order:
    """A pending order of `amount` yuan, buying points at the payer's rate for the beneficiary."""
    points = points_truncate(amount * payer.rate)
    if points <= 0:
        raise ApplicationError("当前费率下充值无法获得积分，请联系客服")
    now = timezone.now()
    default_subject = (
        f"积分充值 - {amount}元"
        if payer.pk == beneficiary.pk
        else f"为 {user_name(beneficiary)} 充值积分"
    )
    return Order.objects.create(
        out_trade_no=order_number(),
        payer=payer,
        beneficiary=beneficiary,
        channel=channel,
        subject=(subject.strip() or default_subject)[:SUBJECT_MAX_LENGTH],
        amount=amount,
        points=points,
        rate=payer.rate,
        beneficiary_rate=beneficiary.rate,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.PAYMENTS_ORDER_TIMEOUT_MINUTES),
    )


def order_checkout(
    *,
    payer: User,
    beneficiary: User,
    channel: str,
    amount: Decimal,
    subject: str = "",
    return_url: str = "",
) -> tuple[Order, Checkout]:
    """A new order and what the customer's client needs to pay it. Without the gateway's
    settings no order is made (500 支付配置缺失); a gateway that cannot start the payment leaves
    the order pending, for the background job to ask about and close (503)."""
    try:
        gateway = gateway_for(GATEWAY_OF[channel])
    except NotConfigured:
        raise ApplicationError(NOT_CONFIGURED, status_code=500) from None
    order = order_create(
        payer=payer, beneficiary=beneficiary, channel=channel, amount=amount, subject=subject
    )
    try:
        return order, gateway.checkout(order, return_url=return_url)
    except GatewayError as exc:
        logger.error("%s refused order %s: %s", gateway.name, order.out_trade_no, exc)
        raise ServiceUnavailableError(UNAVAILABLE) from exc


def user_name(user: User) -> str:
    return user.username or user.phone or user.email


# --- settling -------------------------------------------------------------------------------


@transaction.atomic
def order_settle(*, gateway: Gateway, trade: Trade, source: str) -> str:
    """Act on a gateway's signed word that `trade` stands as it says: credit its order if this is
    the payment it waited for. The outcome is kept with the word itself, whatever it is."""
    order = (
        Order.objects.select_for_update()
        .select_related("payer", "beneficiary")
        .filter(out_trade_no=trade.out_trade_no)
        .first()
    )
    outcome, detail = _outcome(gateway, trade, order)
    if outcome == NotificationOutcome.CREDITED:
        _credit(order, trade)
    elif outcome in (NotificationOutcome.MISMATCH, NotificationOutcome.ORDER_CLOSED):
        logger.error("%s: %s %s (%s)", gateway.name, trade.out_trade_no, outcome, detail)
    PaymentNotification.objects.create(
        order=order,
        gateway=gateway.name,
        source=source,
        out_trade_no=trade.out_trade_no[:64],
        trade_status=trade.status[:32],
        outcome=outcome,
        detail=detail[:255],
        payload=trade.raw,
    )
    return outcome


def _outcome(gateway: Gateway, trade: Trade, order: Order | None) -> tuple[str, str]:
    if trade.state != PAID:
        return NotificationOutcome.NOT_PAID, ""
    if order is None:
        return NotificationOutcome.UNKNOWN_ORDER, ""
    if order.status == OrderStatus.PAID:
        return NotificationOutcome.ALREADY_PAID, ""
    if order.gateway != gateway.name:
        return NotificationOutcome.MISMATCH, f"订单属于{order.get_channel_display()}"
    problem = gateway.mismatch(trade, order) or ("" if trade.trade_no else "缺少交易号")
    if problem:
        return NotificationOutcome.MISMATCH, problem
    if order.status == OrderStatus.CLOSED:
        return NotificationOutcome.ORDER_CLOSED, "订单已关闭后收到付款，需人工处理"
    return NotificationOutcome.CREDITED, ""


def _credit(order: Order, trade: Trade) -> None:
    template = (
        CREDIT_DESCRIPTIONS[order.gateway]
        if order.payer_id == order.beneficiary_id
        else FOR_DOWNLINE_DESCRIPTION
    )
    description = template.format(
        no=order.out_trade_no,
        payer=user_name(order.payer),
        beneficiary=user_name(order.beneficiary),
    )
    order.credit = points_recharge(
        user=order.beneficiary,
        amount=order.points,
        description=description,
        reference_id=order.out_trade_no,
    )
    order.status, order.trade_no, order.paid_at = OrderStatus.PAID, trade.trade_no, timezone.now()
    order.notification = trade.raw
    order.save(update_fields=["credit", "status", "trade_no", "paid_at", "notification"])


# --- asking the gateway -----------------------------------------------------------------------


def orders_due_for_query(*, limit: int = 500) -> list[int]:
    """Pending orders no notification settled in PAYMENTS_QUERY_AFTER_SECONDS, not asked about
    in as long: the oldest first."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAYMENTS_QUERY_AFTER_SECONDS)
    due = Order.objects.filter(status=OrderStatus.PENDING, created_at__lte=cutoff).exclude(
        queried_at__gt=cutoff
    )
    return list(due.order_by("created_at").values_list("pk", flat=True)[:limit])


def order_reconcile(*, order_id: int) -> str:
    """Ask the gateway about a pending order: credit it if it was paid, close it (at the gateway
    first) once its time-out has passed. What became of it: an outcome, `closed` or `pending`."""
    order = Order.objects.filter(pk=order_id, status=OrderStatus.PENDING).first()
    if order is None:
        return "settled"
    overdue = timezone.now() >= order.expires_at + CLOSE_GRACE
    try:
        gateway = gateway_for(order.gateway)
        trade = gateway.query(order)
        if trade.state not in (PAID, CLOSED) and overdue:
            trade = gateway.close(order)
    except (GatewayError, NotConfigured) as exc:
        logger.warning("Order %s could not be asked about: %s", order.out_trade_no, exc)
        _note_query(order, {"error": str(exc) or type(exc).__name__})
        return "pending"
    _note_query(order, trade.raw)
    if trade.state == PAID:
        return order_settle(gateway=gateway, trade=trade, source="query")
    if trade.state == CLOSED or (trade.state == MISSING and overdue):
        return "closed" if order_close(order=order) else "settled"
    return "pending"


def _note_query(order: Order, answer: dict) -> None:
    Order.objects.filter(pk=order.pk).update(last_query=answer, queried_at=timezone.now())


def order_close(*, order: Order) -> bool:
    """Mark a pending order closed (the gateway will take no payment for it); False if it was
    settled meanwhile."""
    closed = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
        status=OrderStatus.CLOSED, closed_at=timezone.now()
    )
    return bool(closed)


def order_query_soon(*, order: Order) -> None:
    """A client waiting on a pending order has the background job ask the gateway (a lost or
    late notification), at most every ASK_GATEWAY_EVERY_SECONDS; the request does not wait."""
    from payments.tasks import reconcile_order  # the job calls these services

    if timezone.now() - order.created_at < timedelta(seconds=ASK_GATEWAY_EVERY_SECONDS):
        return
    try:
        if cache.add(f"payments:ask:{order.pk}", 1, ASK_GATEWAY_EVERY_SECONDS):
            reconcile_order.delay(order.pk)
    except Exception as exc:  # the background job asks by itself anyway
        logger.warning("Order %s: asking the gateway could not be queued: %s", order.pk, exc)
