from django.utils import timezone

from accounts.models import LoginSession, Role, User
from accounts.tokens import AccessTokenClaims


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
