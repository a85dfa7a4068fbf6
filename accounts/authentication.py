from rest_framework import authentication, exceptions

from accounts.selectors import login_session_for_claims
from accounts.tokens import access_token_read, bearer_token

INVALID_CREDENTIALS = "无效的认证凭据"
ACCOUNT_DISABLED = "账号已被禁用"
PASSWORD_CHANGE_REQUIRED = "请先修改临时密码"  # noqa: S105 (a message, not a secret)
# What a token of a user whose password is temporary may still reach.
WHILE_PASSWORD_IS_TEMPORARY = (
    "users-me-change-password",
    "rewriting-change-password",
    "rewriting-logout",
)


class SessionTokenAuthentication(authentication.BaseAuthentication):
    """Bearer JWT whose session must still be live; `request.auth` is that LoginSession."""

    keyword = "Bearer"

    def authenticate(self, request):
        raw = bearer_token(request.META.get("HTTP_AUTHORIZATION", ""))
        if raw is None:
            return None
        claims = access_token_read(raw)
        session = login_session_for_claims(claims) if claims else None
        if session is None:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
        if not session.user.is_active:
            raise exceptions.PermissionDenied(ACCOUNT_DISABLED)
        if session.user.password_change_required and not _changing_password(request):
            raise exceptions.PermissionDenied(PASSWORD_CHANGE_REQUIRED)
        return session.user, session

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


def _changing_password(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name in WHILE_PASSWORD_IS_TEMPORARY


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """A console session, for staff exploring the APIs in the browsable API.

    Customers sign in with tokens only: a session cookie of anyone but active staff (role
    admin) authenticates nothing here. Staff sessions end as the console's do: at logout, when
    the password changes (Django's session hash) and when the account is disabled or leaves
    the admin role.
    """

    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if user is None or not user.is_staff:
            return None
        return super().authenticate(request)
