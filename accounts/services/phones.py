"""The portal's SMS: a code for any mainland mobile, which signs in (making the account of a
number nobody has yet), binds or changes the login phone, or resets the password.

The login phone is the one the rewriting service logs in with: one identity, whichever product
proved the number.
"""

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.lockout import (
    account_named,
    sign_in_failed,
    sign_in_refuse_if_locked,
    sign_in_succeeded,
)
from accounts.models import User, VerificationChannel
from accounts.services.password_resets import (
    ResetAddress,
    ResetCodeRefusedError,
    UnknownAccountError,
    user_password_reset,
)
from accounts.services.users import IssuedLogin, portal_login_start
from accounts.verification import sms_delivery, verification_code_consume, verification_code_send
from csa.errors import ApplicationError, ForbiddenError, NotFoundError

logger = logging.getLogger(__name__)

PORTAL_SMS_PURPOSE = "portal"
SMS_CODE_REFUSED = "短信验证码无效或已过期"
SMS_NOT_SENT = "短信发送失败"
PHONE_TAKEN = "该手机号已被其他账号绑定"
PHONE_ALREADY_BOUND = "当前账号已绑定手机号，如需更换请使用更换手机号"
PHONE_UNCHANGED = "新手机号与当前手机号相同"
PHONE_UNREGISTERED = "该手机号未注册"
ACCOUNT_DISABLED = "账号已被禁用"


def portal_sms_code_send(*, phone: str, client_ip: str) -> None:
    """Text a portal code to `phone` (E.164), registered or not: a sign-in makes its account."""
    ttl = settings.VERIFICATION_PORTAL_SMS_TTL
    verification_code_send(
        channel=VerificationChannel.SMS,
        address=phone,
        purpose=PORTAL_SMS_PURPOSE,
        client_ip=client_ip,
        ttl=ttl,
        deliver=sms_delivery(phone, ttl=ttl, failed=SMS_NOT_SENT),
    )


def _code_consume(*, phone: str, code: str) -> bool:
    return verification_code_consume(
        channel=VerificationChannel.SMS, address=phone, purpose=PORTAL_SMS_PURPOSE, code=code
    )


def user_login_with_sms(*, request: HttpRequest, phone: str, code: str) -> IssuedLogin:
    """Sign in with a portal code; a number nobody has yet becomes a new account's. A wrong
    code counts towards the one sign-in lockout, as a wrong password does."""
    sign_in_refuse_if_locked(request=request, name=phone)
    if not _code_consume(phone=phone, code=code):
        sign_in_failed(request=request, name=phone)
        raise ApplicationError(SMS_CODE_REFUSED)
    user = account_named(request, phone) or user_for_new_phone(phone=phone)
    if not user.is_active:
        raise ForbiddenError(ACCOUNT_DISABLED)
    sign_in_succeeded(request=request, user=user)
    return portal_login_start(request=request, user=user)


def user_for_new_phone(*, phone: str) -> User:
    """The account of a number just proven: made now, with no password and a placeholder
    address nobody has proven; or, made meanwhile by a concurrent sign-in, that one."""
    national = phone.removeprefix("+86")
    for email in (f"user{national}", None):
        try:
            with transaction.atomic():
                return User.objects.create_user(_placeholder(email), None, phone=phone)
        except IntegrityError:
            made = User.objects.filter(phone=phone).first()
            if made is not None:
                return made
    raise ApplicationError("账号创建失败，请重试", status_code=500)


def _placeholder(local_part: str | None) -> str:
    # v2.1's `user{phone}@…`; should someone hold that already, a random one.
    return f"{local_part or uuid.uuid4().hex}@{settings.PLACEHOLDER_EMAIL_DOMAIN}"


def user_phone_bind(*, user: User, phone: str, code: str) -> User:
    """A first login phone for an account that has none."""
    if user.phone:
        raise ApplicationError(PHONE_ALREADY_BOUND)
    return _phone_set(user=user, phone=phone, code=code)


def user_phone_change(*, user: User, phone: str, code: str) -> User:
    """A new login phone, proven by the code sent to it; the old number stops signing in."""
    if user.phone == phone:
        raise ApplicationError(PHONE_UNCHANGED)
    return _phone_set(user=user, phone=phone, code=code)


def _phone_set(*, user: User, phone: str, code: str) -> User:
    # Checked before the code is used, so a refusal leaves the code for another try.
    if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise ApplicationError(PHONE_TAKEN)
    if not _code_consume(phone=phone, code=code):
        raise ApplicationError(SMS_CODE_REFUSED)
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(phone=phone, updated_at=timezone.now())
    except IntegrityError as exc:  # bound meanwhile by a concurrent request
        raise ApplicationError(PHONE_TAKEN) from exc
    logger.info("User %s bound a new login phone", user.pk)
    user.refresh_from_db(fields=["phone", "updated_at"])
    return user


def user_password_reset_by_sms(
    *, request: HttpRequest, phone: str, code: str, new_password: str
) -> User:
    """The portal's SMS reset, with a code from portal_sms_code_send."""
    try:
        return user_password_reset(
            request=request,
            to=ResetAddress.phone(phone),
            code=code,
            new_password=new_password,
            purpose=PORTAL_SMS_PURPOSE,
        )
    except UnknownAccountError as exc:
        raise NotFoundError(PHONE_UNREGISTERED) from exc
    except ResetCodeRefusedError as exc:
        raise ApplicationError(SMS_CODE_REFUSED) from exc
