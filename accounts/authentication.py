from rest_framework import authentication, exceptions

from accounts.selectors import application_key_usable, login_session_for_claims
from accounts.services.application_keys import (
    KEY_PREFIX,
    application_key_presented,
    application_key_used,
)
from accounts.tokens import access_token_read, bearer_token
from csa.errors import RateLimitedError

INVALID_CREDENTIALS = "无效的认证凭据"
ACCOUNT_DISABLED = "账号已被禁用"
PASSWORD_CHANGE_REQUIRED = "请先修改临时密码"  # noqa: S105 (a message, not a secret)
# What a token of a user whose password is temporary may still reach.
WHILE_PASSWORD_IS_TEMPORARY = (
    "users-me-change-password",
    "rewriting-change-password",
    "rewriting-logout",
)


class SignInLocked(RateLimitedError, exceptions.APIException):
    """The lockout's 429, raised while REST framework authenticates: as an APIException it
    leaves the request marked unauthenticated (anything else would authenticate it again when
    read once more), and the handlers answer it as the RateLimitedError it is."""


class ApplicationKeyAuthentication(authentication.BaseAuthentication):
    """`Bearer sk-…`, a customer's application key, on the portal's API only (the rewriting
    API's views leave this class out); `request.auth` is the ApplicationKey. Any other token is
    left to the classes after this one."""

    keyword = "Bearer"

    def authenticate(self, request):
        raw = bearer_token(request.META.get("HTTP_AUTHORIZATION", ""))
        if raw is None or not raw.startswith(KEY_PREFIX):
            return None
        try:
            record = application_key_presented(request=request, key=raw)
        except RateLimitedError as locked:
            raise SignInLocked(locked.message, retry_after=locked.retry_after) from locked
        if record is not None and not record.owner.is_active:
            raise exceptions.PermissionDenied(ACCOUNT_DISABLED)
        if not application_key_usable(record):
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
        if record.owner.password_change_required:
            # A key never reaches the password change itself (LoginSessionRequired).
            raise exceptions.PermissionDenied(PASSWORD_CHANGE_REQUIRED)
        application_key_used(record=record)
        return record.owner, record

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


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
