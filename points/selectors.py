from decimal import Decimal

from accounts.models import User

ZERO = Decimal("0")


def points_balance_of(user: User) -> Decimal:
    """The user's balance; a user who never had points has no account row and holds zero.

    Lists load the account with `select_related("points_account")`, so this costs no query.
    """
    account = getattr(user, "points_account", None)
    return account.balance if account is not None else ZERO
