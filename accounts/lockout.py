"""One count of failed sign-ins for every way in: both APIs' logins (password or SMS code), the
portal's OAuth2 password form, the staff console and the browsable API.

django-axes keeps it, in the database: every process sees the same count, and staff see and
clear it in the console. It counts per account (whichever of its names was typed) and per client
address, and refuses every sign-in of a locked account or address for AXES_COOLOFF_TIME, the
right password included. The form logins reach it through Django's `authenticate()`; the APIs
through the functions at the end, which feed the same handler.
"""

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import authenticate, user_login_failed
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import user_by_login_name
from csa.errors import RateLimitedError

LOCKED_OUT = "登录失败次数过多，请稍后再试"
# Form sign-ins for customers (the OpenID Connect sign-in page), whose lock page is not staff's.
CUSTOMER_SIGN_IN_PATHS = ("/oauth/",)

LAST_LOGIN_PRECISION = timedelta(minutes=1)


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT, read when asked, so that a changed setting counts at once."""
    return settings.LOGIN_FAILURE_LIMIT


def account_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the name an account's failures count under, its e-mail, whichever
    of its names (e-mail, username, login phone) was typed; a name that is no account counts
    under itself, in lower case."""
    typed = (credentials or {}).get("username")
    if not isinstance(typed, str) or not typed.strip():
        return None
    user = account_named(request, typed)
    return user.email if user is not None else typed.strip().lower()[:255]


def account_named(request: HttpRequest, name: str) -> User | None:
    """The account `name` names (selectors.user_by_login_name), looked up once per request:
    axes asks for it several times in one sign-in, and the password backend once more."""
    known = request.__dict__.setdefault("_accounts_named", {})
    if name not in known:
        known[name] = user_by_login_name(name)
    return known[name]


class LoginFailureHandler(AxesDatabaseHandler):
    """Axes's database handler with a limit of each kind: an account is locked after
    LOGIN_FAILURE_LIMIT failures, a client address (which a whole office may share behind one
    NAT) after LOGIN_FAILURE_LIMIT_PER_IP. A success clears its own account's failures only: one's
    own account must not wipe the count of guesses made at others' from the same address."""

    def _failures(self, request, credentials: dict | None) -> int:
        by_account, by_address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes holds one count against one limit: the address's count is scaled to reach the
        # account's limit exactly when it reaches its own.
        account_limit = settings.LOGIN_FAILURE_LIMIT
        scaled = by_address * account_limit // settings.LOGIN_FAILURE_LIMIT_PER_IP
        return max(by_account, scaled)

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        # Noted on the request: the APIs tell a locked account from a wrong password by it, and
        # a sign-in with no failures behind it has nothing to clear.
        request.sign_in_refused = not super().is_allowed(request, credentials)
        return not request.sign_in_refused

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = self._failures(request, credentials)
        request.sign_in_failures = failures
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        if getattr(request, "sign_in_failures", None) == 0:
            return
        super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: HttpResponse, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked form login sees. An API has already answered in its
    own shape, and that answer stands."""
    if isinstance(original_response, Response):
        return original_response
    if request.path.startswith(CUSTOMER_SIGN_IN_PATHS):
        message = f"{LOCKED_OUT}（约{lockout_seconds() // 60}分钟后可再试）"
        response = render(request, "oidc/message.html", {"message": message}, status=429)
        response["Retry-After"] = str(lockout_seconds())
        return response
    context = {
        **admin.site.each_context(request),
        "title": "登录已暂时锁定",
        "minutes": lockout_seconds() // 60,
    }
    response = render(request, "admin/login_locked.html", context, status=429)
    response["Retry-After"] = str(lockout_seconds())
    return response


# --- the APIs' way in ------------------------------------------------------------------------


def sign_in_refuse_if_locked(*, request: HttpRequest, name: str) -> None:
    """Refuse, whatever the credentials, while the account `name` names or the client's
    address is locked."""
    if not AxesProxyHandler.is_allowed(request, {"username": name}):
        raise RateLimitedError(LOCKED_OUT, retry_after=lockout_seconds())


def sign_in_with_password(*, request: HttpRequest, name: str, password: str) -> User | None:
    """The account `name` names if `password` is its own (a disabled one too: callers say why
    it may not sign in); None otherwise, counted as a failure. The failure that reaches a limit
    is answered as the failure it is; the lock refuses the next try."""
    user = authenticate(request, username=name, password=password)
    if getattr(request, "sign_in_refused", False):
        raise RateLimitedError(LOCKED_OUT, retry_after=lockout_seconds())
    return user


def sign_in_failed(*, request: HttpRequest, name: str) -> None:
    """Count a failed sign-in that was no password (a wrong SMS code)."""
    user_login_failed.send(sender=__name__, credentials={"username": name}, request=request)


def sign_in_succeeded(*, request: HttpRequest, user: User) -> None:
    """A sign-in the API let through: the account's failures are cleared, as a form login's are,
    and `last_login` says when (to the minute: logins in a burst write it once). Straight to axes,
    not through Django's user_logged_in, since an API login starts no session."""
    AxesProxyHandler.user_logged_in(sender=type(user), request=request, user=user)
    now = timezone.now()
    stale = Q(last_login__isnull=True) | Q(last_login__lt=now - LAST_LOGIN_PRECISION)
    User.objects.filter(stale, pk=user.pk).update(last_login=now)


def sign_in_locks_lift(*, account_names: set[str], addresses: set[str]) -> int:
    """Staff lift the lock of these accounts (by the name their failures count under) and
    client addresses: their failures are forgotten. How many rows went."""
    lifted = AccessAttempt.objects.filter(
        Q(username__in=account_names) | Q(ip_address__in=addresses)
    ).delete()
    return lifted[0]


def sign_in_failures_since() -> datetime:
    """Failures older than this no longer count."""
    return timezone.now() - settings.AXES_COOLOFF_TIME
