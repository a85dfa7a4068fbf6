"""The rewriting service's sign-up, logins and sessions, in that API's words.

They share the user, session and code machinery of the portal; what differs is how the
rewriting document words its refusals, and that its logins carry a refresh token.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.lockout import (
    account_named,
    sign_in_failed,
    sign_in_refuse_if_locked,
    sign_in_succeeded,
)
from accounts.models import LoginSession, User, VerificationChannel, normalize_email
from accounts.services import password_resets
from accounts.services.password_resets import ResetAddress
from accounts.services.users import (
    InvalidCredentialsError,
    IssuedLogin,
    SamePasswordError,
    WrongPasswordError,
    login_session_answer,
    login_session_end,
    login_session_start,
    refresh_token_hash,
    refresh_token_successor,
    user_agent_of,
    user_authenticate,
    user_password_change,
    user_role_change,
    user_update_by_staff,
)
from accounts.verification import (
    sms_delivery,
    verification_code_consume,
    verification_code_send,
)
from csa.api.throttling import client_ip
from csa.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
)
from points.services import points_adjust, points_recharge

logger = logging.getLogger(__name__)

SIGNUP = "signup"
LOGIN = "login"
CODE_REFUSED = "验证码错误或已过期"
CODE_NOT_SENT = "验证码发送失败"
REFRESH_REFUSED = "刷新令牌无效或已过期"
ACCOUNT_DISABLED = "账号已被禁用"


# --- SMS codes ------------------------------------------------------------------------------


def phone_code_send(*, phone: str, purpose: str, client_ip: str) -> None:
    """Text a code for signing up with, or logging in with, `phone` (already normalized)."""
    registered = User.objects.filter(phone=phone).exists()
    if purpose == SIGNUP and registered:
        raise ConflictError("该手机号已注册，请直接登录")
    if purpose == LOGIN and not registered:
        raise NotFoundError("该手机号尚未注册")
    verification_code_send(
        channel=VerificationChannel.SMS,
        address=phone,
        purpose=purpose,
        client_ip=client_ip,
        ttl=settings.VERIFICATION_SMS_TTL,
        deliver=sms_delivery(phone, ttl=settings.VERIFICATION_SMS_TTL, failed=CODE_NOT_SENT),
    )


def _phone_code_consume(*, phone: str, purpose: str, code: str) -> bool:
    return verification_code_consume(
        channel=VerificationChannel.SMS, address=phone, purpose=purpose, code=code
    )


# --- sign-up --------------------------------------------------------------------------------


INVITE_REWARD = "注册邀请奖励"


def _inviter(invite_code: str | None) -> User | None:
    if not invite_code:
        return None
    inviter = User.objects.filter(invite_code=invite_code.strip().upper()).first()
    if inviter is None:
        raise NotFoundError("邀请码无效")
    return inviter


def _conflict(*, username: str, email: str, phone: str | None) -> str | None:
    """What is already taken, as the document words it; None when nothing is."""
    claims = Q(username__iexact=username) | Q(email__iexact=email)
    if phone:
        claims |= Q(phone=phone)
    taken = User.objects.filter(claims).values_list("username", "email", "phone")
    for other_username, other_email, other_phone in taken:
        if (other_username or "").lower() == username.lower():
            return "用户名已存在"
        if other_email.lower() == email:
            return "邮箱已被注册"
        if phone and other_phone == phone:
            return "手机号已被注册"
    return None


def user_register(
    *,
    username: str,
    email: str,
    password: str,
    phone: str | None = None,
    verification_code: str | None = None,
    invite_code: str | None = None,
) -> User:
    """A rewriting customer: unique username, e-mail and (verified) phone, maybe invited."""
    email = normalize_email(email)
    inviter = _inviter(invite_code)
    conflict = _conflict(username=username, email=email, phone=phone)
    if conflict:
        raise ConflictError(conflict)
    if phone and not _phone_code_consume(phone=phone, purpose=SIGNUP, code=verification_code):
        raise ApplicationError(CODE_REFUSED)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, username=username, phone=phone, invited_by=inviter
            )
            if inviter is not None and settings.INVITE_REWARD_POINTS > 0:
                points_recharge(
                    user=user, amount=settings.INVITE_REWARD_POINTS, description=INVITE_REWARD
                )
            return user
    except IntegrityError as exc:  # taken meanwhile by a concurrent sign-up
        conflict = _conflict(username=username, email=email, phone=phone)
        if conflict:
            raise ConflictError(conflict) from exc
        raise


# --- logins and sessions ----------------------------------------------------------------------


def _session_for(user: User, *, client_ip: str, user_agent: str) -> IssuedLogin:
    return login_session_start(
        user=user,
        client_ip=client_ip,
        user_agent=user_agent,
        lifetime=settings.REFRESH_TOKEN_LIFETIME,
        with_refresh_token=True,
    )


def user_login_with_password(*, request: HttpRequest, username: str, password: str) -> IssuedLogin:
    """Username and password; an e-mail in `username` works too, so portal customers get in."""
    try:
        user = user_authenticate(request=request, name=username, password=password)
    except InvalidCredentialsError as exc:
        raise UnauthorizedError("用户名或密码错误") from exc
    return _session_for(user, client_ip=client_ip(request), user_agent=user_agent_of(request))


def user_login_with_phone(
    *, request: HttpRequest, phone: str, verification_code: str
) -> IssuedLogin:
    """A login phone and its SMS code; a wrong code counts towards the same lockout as a wrong
    password does."""
    user = account_named(request, phone)  # the lockout asks after the same account
    if user is None:
        raise NotFoundError("手机号未注册")
    sign_in_refuse_if_locked(request=request, name=phone)
    if not _phone_code_consume(phone=phone, purpose=LOGIN, code=verification_code):
        sign_in_failed(request=request, name=phone)
        raise UnauthorizedError(CODE_REFUSED)
    if not user.is_active:
        raise ForbiddenError(ACCOUNT_DISABLED)
    sign_in_succeeded(request=request, user=user)
    return _session_for(user, client_ip=client_ip(request), user_agent=user_agent_of(request))


def login_session_refresh(*, refresh_token: str, client_ip: str, user_agent: str) -> IssuedLogin:
    """Trade a refresh token for its session's successor; the old session ends.

    Used again within REFRESH_TOKEN_REUSE_GRACE (two tabs refreshing at once), it answers the
    successor the first use made; used again later, it was stolen: the login's whole chain ends.
    """
    login = _refreshed(refresh_token=refresh_token, client_ip=client_ip, user_agent=user_agent)
    if login is None:
        raise UnauthorizedError(REFRESH_REFUSED)
    return login


@transaction.atomic
def _refreshed(*, refresh_token: str, client_ip: str, user_agent: str) -> IssuedLogin | None:
    """The refresh's answer, or None when refused (after ending a stolen chain: committed)."""
    session = (
        LoginSession.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(refresh_token_hash=refresh_token_hash(refresh_token))
        .first()
    )
    if session is None or not session.user.is_active:
        return None
    now = timezone.now()
    # The successor is read after the lock, not joined to it: a refresh that waited for the
    # lock would not see, in the join, the successor the one before it made.
    if session.replaced_by_id is not None:
        return _refreshed_again(session, refresh_token=refresh_token, now=now)
    if session.revoked_at is not None or session.expires_at <= now:
        return None
    session.revoked_at = now
    login = login_session_start(
        user=session.user,
        client_ip=client_ip,
        user_agent=user_agent,
        lifetime=settings.REFRESH_TOKEN_LIFETIME,
        replacing=(session, refresh_token),
    )
    session.replaced_by = login.session
    session.save(update_fields=["revoked_at", "replaced_by"])
    return login


def _refreshed_again(session: LoginSession, *, refresh_token: str, now) -> IssuedLogin | None:
    successor = session.replaced_by
    if now - session.revoked_at > settings.REFRESH_TOKEN_REUSE_GRACE:
        ended = LoginSession.objects.filter(
            chain_id=session.chain_id, revoked_at__isnull=True
        ).update(revoked_at=now)
        logger.warning(
            "A replaced refresh token of user %s was used again; its login's %d live "
            "session(s) ended",
            session.user_id,
            ended,
        )
        return None
    if successor.revoked_at is not None or successor.expires_at <= now:
        return None
    return login_session_answer(successor, refresh_token=refresh_token_successor(refresh_token))


def user_logout(*, session: LoginSession | None, refresh_token: str) -> None:
    """End the access token's session (None: it was no longer live) and, given a refresh
    token, that token's session too; with a known user, only that user's own."""
    if session is not None:
        login_session_end(session=session)
    if refresh_token:
        _login_session_end_by_refresh_token(
            user=session.user if session else None, refresh_token=refresh_token
        )


def _login_session_end_by_refresh_token(*, user: User | None, refresh_token: str) -> None:
    sessions = LoginSession.objects.filter(
        refresh_token_hash=refresh_token_hash(refresh_token), revoked_at__isnull=True
    )
    if user is not None:
        sessions = sessions.filter(user=user)
    sessions.update(revoked_at=timezone.now())


@transaction.atomic
def user_role_update(*, user: User, role: str) -> tuple[User, str]:
    """Set `user`'s role; returns the user and the role before. The same role changes nothing."""
    previous_role = user.role
    if role != previous_role:
        user = user_role_change(user=user, role=role)
    return user, previous_role


def user_password_replace(*, user: User, current_password: str, new_password: str) -> None:
    """The shared password change, refused in the rewriting document's words."""
    try:
        user_password_change(
            user=user, current_password=current_password, new_password=new_password
        )
    except WrongPasswordError as exc:
        raise UnauthorizedError("当前密码错误") from exc
    except SamePasswordError as exc:
        raise ApplicationError("新密码不能与当前密码相同") from exc


def _reset_address(*, phone: str | None, email: str | None) -> ResetAddress:
    return ResetAddress.phone(phone) if phone else ResetAddress.email(email)


def password_reset_code_send(*, phone: str | None, email: str | None, client_ip: str) -> None:
    """A reset code to a login phone or a proven address; the same answer for any other."""
    password_resets.password_reset_code_send(
        to=_reset_address(phone=phone, email=email), client_ip=client_ip
    )


def user_password_reset(
    *,
    request: HttpRequest,
    phone: str | None,
    email: str | None,
    verification_code: str,
    new_password: str,
) -> None:
    """The shared reset, refused in the rewriting document's words; sessions end."""
    try:
        password_resets.user_password_reset(
            request=request,
            to=_reset_address(phone=phone, email=email),
            code=verification_code,
            new_password=new_password,
        )
    except password_resets.ResetCodeRefusedError as exc:
        raise ApplicationError(CODE_REFUSED) from exc


def user_rate_update(*, user: User, rate: Decimal) -> tuple[User, Decimal]:
    """Set `user`'s rate (points per yuan); returns the user and the rate before."""
    previous_rate = user.rate
    if rate != previous_rate:
        user = user_update_by_staff(user=user, changes={"rate": rate})
    return user, previous_rate


def user_points_update(
    *, admin: User, user: User, amount: Decimal, description: str | None = None
) -> None:
    """An admin's signed change of `user`'s points: the console's adjustment, through the API."""
    points_adjust(
        user=user,
        amount=amount,
        description=description or f"管理员 {admin.username or admin.email} 手动调整积分",
        recorded_by=admin,
    )
