"""Users: registration, login and sessions, profile, password, role and status."""

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.lockout import sign_in_succeeded, sign_in_with_password
from accounts.models import (
    LoginSession,
    Role,
    User,
    VerificationChannel,
    normalize_email,
)
from accounts.selectors import user_by_email, user_is_last_active_admin
from accounts.tokens import access_token_expires_at, access_token_issue
from accounts.verification import (
    email_delivery,
    verification_code_consume,
    verification_code_send,
)
from csa.api.throttling import client_ip
from csa.errors import ApplicationError, ForbiddenError, UnauthorizedError
from oidc.services import user_oauth_tokens_revoke

logger = logging.getLogger(__name__)

REGISTER_PURPOSE = "register"
EMAIL_TAKEN = "该邮箱已被注册"
EMAIL_UNPROVEN = "该邮箱尚未验证，请先用邮箱验证码完成注册"


@dataclass(frozen=True)
class IssuedLogin:
    session: LoginSession
    access_token: str
    access_token_expires_at: int  # epoch seconds
    refresh_token: str | None = None


class InvalidCredentialsError(UnauthorizedError):
    """Unknown account or wrong password: one error for both, so neither is revealed."""

    def __init__(self, message: str = "邮箱或密码错误") -> None:
        super().__init__(message)


class WrongPasswordError(ApplicationError):
    def __init__(self, message: str = "当前密码不正确") -> None:
        super().__init__(message)


class SamePasswordError(ApplicationError):
    def __init__(self, message: str = "新密码不能与当前密码相同") -> None:
        super().__init__(message)


# --- registration -----------------------------------------------------------------------


def registration_code_send(*, email: str, client_ip: str) -> str:
    """Send a sign-up code to `email`; returns the address as it is kept."""
    email = normalize_email(email)
    verification_code_send(
        channel=VerificationChannel.EMAIL,
        address=email,
        purpose=REGISTER_PURPOSE,
        client_ip=client_ip,
        ttl=settings.VERIFICATION_EMAIL_TTL,
        deliver=email_delivery(
            email,
            subject="云梦镜像注册验证码",
            template="emails/verification_code.txt",
            ttl=settings.VERIFICATION_EMAIL_TTL,
        ),
    )
    return email


def user_register_with_email(*, email: str, password: str, verification_code: str) -> User:
    """A portal sign-up, which proves the address with the code sent to it.

    An address already proven is taken. One that an account holds without proof (the rewriting
    sign-up asks for none) goes to the person who proves it: with that account's own password
    the proof is that account's, so nothing new is made; with another, a new account gets the
    address and the old one keeps its username, phone and points under a placeholder address.
    """
    email = normalize_email(email)
    holder = user_by_email(email)
    if holder is not None and holder.email_verified:
        raise ApplicationError(EMAIL_TAKEN)
    if not verification_code_consume(
        channel=VerificationChannel.EMAIL,
        address=email,
        purpose=REGISTER_PURPOSE,
        code=verification_code,
    ):
        raise ApplicationError("验证码无效或已过期")
    if holder is None:
        return user_create(email=email, password=password, email_verified_at=timezone.now())
    return user_email_claim(holder=holder, password=password)


@transaction.atomic
def user_email_claim(*, holder: User, password: str) -> User:
    """The proven owner of `holder`'s unproven address signs up with it (see above)."""
    holder = User.objects.select_for_update().get(pk=holder.pk)
    if holder.email_verified:  # proven meanwhile by a concurrent sign-up
        raise ApplicationError(EMAIL_TAKEN)
    now = timezone.now()
    if holder.check_password(password):
        holder.email_verified_at = now
        holder.updated_at = now
        holder.save(update_fields=["email_verified_at", "updated_at"])
        return holder
    email = holder.email
    holder.email = f"{holder.uuid.hex}@{settings.PLACEHOLDER_EMAIL_DOMAIN}"
    holder.updated_at = now
    holder.save(update_fields=["email", "updated_at"])
    logger.info("User %s's unproven address went to the person who proved it", holder.pk)
    return user_create(email=email, password=password, email_verified_at=now)


def user_create(*, email: str, password: str, **fields) -> User:
    """A new user; a unique field taken meanwhile by a concurrent request is a clean refusal."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, **fields)
    except IntegrityError as exc:
        if user_by_email(email) is not None:
            raise ApplicationError(EMAIL_TAKEN) from exc
        raise


# --- login and sessions -----------------------------------------------------------------


def user_authenticate(*, request: HttpRequest, name: str, password: str) -> User:
    """The user whose name and password these are; one answer for an unknown name and a wrong
    password. Every failure counts towards the one lockout of every way in (accounts/lockout.py).
    """
    user = sign_in_with_password(request=request, name=name, password=password)
    if user is None:
        raise InvalidCredentialsError()
    if not user.is_active:
        raise ForbiddenError("账号已被禁用")
    sign_in_succeeded(request=request, user=user)
    return user


def user_agent_of(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def refresh_token_hash(token: str) -> str:
    # A plain digest is enough: the token is 256 random bits, nothing to guess or look up.
    return hashlib.sha256(token.encode()).hexdigest()


def refresh_token_successor(token: str) -> str:
    """The refresh token of the session that replaces `token`'s: derived, not drawn, so a
    second refresh with `token` in the grace window can answer the same session without the
    new token ever being stored. Only the server's key and `token` itself make it."""
    digest = salted_hmac("accounts.refresh-token-successor", token, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def login_session_start(
    *,
    user: User,
    client_ip: str | None,
    user_agent: str,
    lifetime: timedelta,
    with_refresh_token: bool = False,
    replacing: tuple[LoginSession, str] | None = None,
) -> IssuedLogin:
    """A new session; `lifetime` is the session's (a refresh token lives as long as it).

    `replacing` (a session and its refresh token) makes it that session's successor in the
    same chain, with the successor's refresh token.
    """
    refresh_token = secrets.token_urlsafe(32) if with_refresh_token else None
    chain = {}
    if replacing is not None:
        previous, previous_token = replacing
        refresh_token = refresh_token_successor(previous_token)
        chain = {"chain_id": previous.chain_id}
    session = LoginSession.objects.create(
        user=user,
        expires_at=timezone.now() + lifetime,
        ip_address=client_ip or None,
        user_agent=user_agent[:256],
        refresh_token_hash=refresh_token_hash(refresh_token) if refresh_token else None,
        **chain,
    )
    return login_session_answer(session, refresh_token=refresh_token)


def login_session_answer(session: LoginSession, *, refresh_token: str | None) -> IssuedLogin:
    """A live session as a login answers it, with a new access token."""
    access_token = access_token_issue(session)
    return IssuedLogin(
        session=session,
        access_token=access_token,
        access_token_expires_at=access_token_expires_at(access_token),
        refresh_token=refresh_token,
    )


def user_login_with_email(*, request: HttpRequest, email: str, password: str) -> IssuedLogin:
    """The portal's login, for proven addresses only."""
    user = user_authenticate(request=request, name=email, password=password)
    if not user.email_verified:
        raise ForbiddenError(EMAIL_UNPROVEN)
    return portal_login_start(request=request, user=user)


def portal_login_start(*, request: HttpRequest, user: User) -> IssuedLogin:
    """A portal login's session: an access token, no refresh token."""
    return login_session_start(
        user=user,
        client_ip=client_ip(request),
        user_agent=user_agent_of(request),
        lifetime=settings.ACCESS_TOKEN_LIFETIME,
    )


def user_sessions_revoke(*, user: User) -> int:
    """End every session of `user`, and every token they granted an OAuth client."""
    user_oauth_tokens_revoke(user=user)
    return LoginSession.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def login_session_end(*, session: LoginSession) -> None:
    """Log out: the session's access and refresh tokens stop working at once."""
    LoginSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- profile, password, account status ----------------------------------------------------

PROFILE_FIELDS = ("full_name", "phone_number", "avatar_url", "bio")
NOTHING_TO_UPDATE = "未提供任何需要更新的字段"


@transaction.atomic
def user_profile_update(*, user: User, changes: dict[str, str | None]) -> User:
    changes = {name: value for name, value in changes.items() if name in PROFILE_FIELDS}
    if not changes:
        raise ApplicationError(NOTHING_TO_UPDATE)
    for name, value in changes.items():
        setattr(user, name, value)
    user.updated_at = timezone.now()
    user.save(update_fields=[*changes, "updated_at"])
    return user


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every session of the user, the current one included."""
    if not user.check_password(current_password):
        raise WrongPasswordError()
    if current_password == new_password:
        raise SamePasswordError()
    user.set_password(new_password)
    user.password_change_required = False
    user.updated_at = timezone.now()
    user.save(update_fields=["password", "password_change_required", "updated_at"])
    user_sessions_revoke(user=user)


TEMPORARY_PASSWORD_BYTES = 9  # 12 URL-safe characters, 72 bits


@transaction.atomic
def user_temporary_password_set(*, user: User) -> str:
    """Staff give `user` a new random password to pass on, which must be changed at the next
    sign-in; every session ends. The password, to be shown once: it is stored only hashed."""
    password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    user.set_password(password)
    user.password_change_required = True
    user.updated_at = timezone.now()
    user.save(update_fields=["password", "password_change_required", "updated_at"])
    user_sessions_revoke(user=user)
    return password


LAST_ADMIN = "平台至少需要保留一位启用的管理员"


@transaction.atomic
def user_active_set(*, user: User, is_active: bool) -> User:
    """Disable or re-enable an account; disabling ends its sessions."""
    if not is_active and user_is_last_active_admin(user, lock=True):
        raise ApplicationError(LAST_ADMIN)
    user.is_active = is_active
    user.updated_at = timezone.now()
    user.save(update_fields=["is_active", "updated_at"])
    if not is_active:
        user_sessions_revoke(user=user)
    return user


@transaction.atomic
def user_role_change(*, user: User, role: Role) -> User:
    """Change a user's role; the platform always keeps at least one active admin."""
    if role != Role.ADMIN and user_is_last_active_admin(user, lock=True):
        raise ApplicationError(LAST_ADMIN)
    user.role = role
    user.updated_at = timezone.now()
    user.save(update_fields=["role", "updated_at"])
    return user


@transaction.atomic
def user_update_by_staff(*, user: User, changes: dict[str, object]) -> User:
    """Staff's edit of an account in the console; role and status go through their own rules."""
    changes = dict(changes)
    role = changes.pop("role", None)
    is_active = changes.pop("is_active", None)
    if changes:
        for name, value in changes.items():
            setattr(user, name, value)
        user.updated_at = timezone.now()
        user.save(update_fields=[*changes, "updated_at"])
    if role is not None:
        user_role_change(user=user, role=role)
    if is_active is not None:
        user_active_set(user=user, is_active=is_active)
    return user
