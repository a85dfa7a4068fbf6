from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Role, User
from csa.errors import ForbiddenError
from csa.paging import rows_between
from csa.statements import columns_of, fetch_all, fetch_one, instance_of
from points.models import CREDITS, PointsAccount, PointsTransaction, TransactionType

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
    """The user's own transactions, newest first, filtered as asked (`recharge` takes in the
    refunds, which are answered as recharges)."""
    transactions = user.points_transactions.order_by("-created_at", "-id")
    if transaction_type == TransactionType.RECHARGE:
        transactions = transactions.filter(transaction_type__in=CREDITS)
    elif transaction_type:
        transactions = transactions.filter(transaction_type=transaction_type)
    if start is not None:
        transactions = transactions.filter(created_at__gte=start)
    if end is not None:
        transactions = transactions.filter(created_at__lte=end)
    return transactions


_COUNT = f"SELECT transaction_count FROM {PointsAccount._meta.db_table} WHERE user_id = %s"  # noqa: S608
_FIRST_PAGE = (
    f"SELECT {columns_of(PointsTransaction, 't')} "  # noqa: S608 (names)
    f"FROM {PointsTransaction._meta.db_table} t "
    "WHERE t.user_id = %s ORDER BY t.created_at DESC, t.id DESC LIMIT %s"
)


def points_transaction_page(
    *, user: User, first: int, stop: int, **filters
) -> tuple[list[PointsTransaction], int]:
    """Transactions `first` to `stop` of `points_transactions_of(user, **filters)`, and how many
    there are. Unfiltered, the count is the account's and the first page is read by hand (the
    page every client opens); filtered, they are counted."""
    if any(filters.values()):
        rows = points_transactions_of(user=user, **filters)
        total = rows.count()
        return rows_between(rows, first, stop, total=total), total
    total = (fetch_one(_COUNT, [user.pk]) or (0,))[0]
    if first == 0:
        page = fetch_all(_FIRST_PAGE, [user.pk, stop])
        return [instance_of(PointsTransaction, row) for row in page], total
    # The ledger only grows: its bookmarks (csa.paging) never move.
    rows = points_transactions_of(user=user)
    page = rows_between(rows, first, stop, total=total, bookmarks=f"ledger-pages:{user.pk}")
    return page, total


def points_recharges_visible_to(*, user: User) -> tuple[QuerySet[PointsTransaction], str]:
    """Recharges (refunds among them) an admin (all of them) or an agent (their direct invitees')
    may see, newest first, with the scope's name."""
    recharges = (
        PointsTransaction.objects.filter(transaction_type__in=CREDITS)
        .select_related("user__invited_by")
        .order_by("-created_at", "-id")
    )
    if user.role == Role.ADMIN:
        return recharges, "all"
    if user.role == Role.AGENT:
        return recharges.filter(user__invited_by=user), "downline"
    raise ForbiddenError("无权访问充值记录")
