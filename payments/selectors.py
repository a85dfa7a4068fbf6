"""What of the orders each user may read, starting from the user who asks."""

from datetime import timedelta
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import TARGET_USER_NOT_FOUND
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import BEIJING
from payments.models import Channel, Order, OrderStatus

ORDER_NOT_FOUND = "订单不存在"
FOR_OTHERS_FORBIDDEN = "仅代理和管理员可以为下级充值"


def orders_of(*, user: User, status: str | None = None) -> QuerySet[Order]:
    """The orders `user` paid, newest first."""
    orders = user.payment_orders.select_related("beneficiary").order_by("-created_at", "-id")
    return orders.filter(status=status) if status else orders


def order_of(*, user: User, out_trade_no: str) -> Order:
    """One order `user` paid or receives the points of; 404 for anyone else's."""
    order = (
        Order.objects.select_related("beneficiary")
        .filter(Q(payer=user) | Q(beneficiary=user), out_trade_no=out_trade_no)
        .first()
    )
    if order is None:
        raise NotFoundError(ORDER_NOT_FOUND)
    return order


def order_for_return_page(*, out_trade_no: str) -> Order | None:
    """The order a gateway sent the customer's browser back about: its number is the key (it
    cannot be guessed), and the page shows no more than its amount and status."""
    return Order.objects.filter(out_trade_no=out_trade_no).first() if out_trade_no else None


def beneficiary_for(*, payer: User, user_uuid: UUID) -> User:
    """Whom `payer` may buy points for: anyone for an admin, a direct invitee for an agent."""
    if payer.role not in (Role.AGENT, Role.ADMIN):
        raise ForbiddenError(FOR_OTHERS_FORBIDDEN)
    target = User.objects.filter(uuid=user_uuid).first()
    if target is None:
        raise NotFoundError(TARGET_USER_NOT_FOUND)
    if payer.role == Role.AGENT and target.invited_by_id != payer.pk:
        raise ForbiddenError("目标用户不是您的下级，无权为其充值")
    return target


def daily_totals(*, days: int = 30) -> list[dict]:
    """Paid orders per Beijing day and channel over the last `days` days, newest first: count,
    yuan and points (for the console's reconciliation with the gateways' statements)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Order.objects.filter(status=OrderStatus.PAID, paid_at__gte=since)
        .annotate(day=TruncDate("paid_at", tzinfo=BEIJING))
        .values("day", "channel")
        .annotate(orders=Count("pk"), yuan=Sum("amount"), points=Sum("points"))
        .order_by("-day", "channel")
    )
    labels = dict(Channel.choices)
    return [{**row, "channel": labels[row["channel"]]} for row in rows]
