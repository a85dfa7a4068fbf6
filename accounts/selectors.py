from django.utils import timezone

from accounts.models import BusinessAccount, LoginSession, Role, User
from accounts.tokens import AccessTokenClaims
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none


def login_session_for_claims(claims: AccessTokenClaims) -> LoginSession | None:
    """The session a token names, with its user, in one query; None when it cannot be used.

    A revoked or expired session is returned too when its user is disabled, so that the caller
    can answer "disabled" rather than "bad token".
    """
    session = (
        LoginSession.objects.select_related("user")
        .filter(pk=claims.session_id, user__uuid=claims.user_uuid)
        .first()
    )
    if session is None or not session.user.is_active:
        return session
    if session.revoked_at is not None or session.expires_at <= timezone.now():
        return None
    return session


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def user_is_last_active_admin(user: User, *, lock: bool = False) -> bool:
    """Whether `user` is, as stored, the only active admin (`lock` holds those rows)."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True)
    if lock:
        admins = admins.select_for_update()
    return list(admins.values_list("pk", flat=True)) == [user.pk]


# --- business accounts --------------------------------------------------------------------

BUSINESS_ACCOUNT_NOT_FOUND = "业务账号不存在"


def business_account_for_owner(*, user: User) -> BusinessAccount:
    account = BusinessAccount.objects.select_related("owner").filter(owner=user).first()
    if account is None:
        raise NotFoundError(BUSINESS_ACCOUNT_NOT_FOUND)
    return account


def business_account_get(*, user: User, account_id: str) -> BusinessAccount:
    """The account if `user` owns it or is an admin: 404 when there is none, 403 when not theirs."""
    pk = uuid_or_none(account_id)
    account = BusinessAccount.objects.select_related("owner").filter(pk=pk).first() if pk else None
    if account is None:
        raise NotFoundError(BUSINESS_ACCOUNT_NOT_FOUND)
    if account.owner_id != user.pk and user.role != Role.ADMIN:
        raise ForbiddenError("无权访问此业务账号")
    return account
