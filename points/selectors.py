from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Role, User
from csa.errors import ForbiddenError
from points.models import PointsTransaction, TransactionType

ZERO = Decimal("0")


def points_balance_of(user: User) -> Decimal:
    """The user's balance; a user who never had points has no account row and holds zero.

    Lists load the account with `select_related("points_account")`, so this costs no query.
    """
    account = getattr(user, "points_account", None)
    return account.balance if account is not None else ZERO


def points_transactions_of(
    *,
    user: User,
    transaction_type: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[PointsTransaction]:
    """The user's own transactions, newest first, filtered as asked."""
    transactions = user.points_transactions.order_by("-created_at", "-id")
    if transaction_type:
        transactions = transactions.filter(transaction_type=transaction_type)
    if start is not None:
        transactions = transactions.filter(created_at__gte=start)
    if end is not None:
        transactions = transactions.filter(created_at__lte=end)
    return transactions


def points_recharges_visible_to(*, user: User) -> tuple[QuerySet[PointsTransaction], str]:
    """Recharges an admin (all of them) or an agent (their direct invitees') may see, newest first,
    with the scope's name."""
    recharges = (
        PointsTransaction.objects.filter(transaction_type=TransactionType.RECHARGE)
        .select_related("user__invited_by")
        .order_by("-created_at", "-id")
    )
    if user.role == Role.ADMIN:
        return recharges, "all"
    if user.role == Role.AGENT:
        return recharges.filter(user__invited_by=user), "downline"
    raise ForbiddenError("无权访问充值记录")
