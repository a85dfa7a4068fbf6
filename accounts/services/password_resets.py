"""A forgotten password, reset with a code sent to the account's proven e-mail or login phone.

Both products use it, each in its own words. Asking for a code answers the same whether or not
the address belongs to an account: for one that does not, a code is made and kept all the same
(the cooldown and caps count it too), it just reaches nobody. Only a proven address gets one: an
address a rewriting sign-up typed without proof may be someone else's, and a reset through it
would hand them the account.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.lockout import sign_in_failed, sign_in_locks_lift, sign_in_refuse_if_locked
from accounts.models import User, VerificationChannel, normalize_email
from accounts.selectors import user_by_email
from accounts.services.users import user_sessions_revoke
from accounts.verification import (
    email_delivery,
    sms_delivery,
    verification_code_consume,
    verification_code_send,
)
from csa.errors import ApplicationError

logger = logging.getLogger(__name__)

RESET_PURPOSE = "reset"
SMS_FAILED = "短信发送失败"


class ResetCodeRefusedError(ApplicationError):
    """A wrong, used or expired code."""

    def __init__(self, message: str = "验证码无效或已过期") -> None:
        super().__init__(message)


class UnknownAccountError(ResetCodeRefusedError):
    """A right code for an address that resets no account: told apart only where the code
    was sent whether or not the address had an account (the portal's SMS codes)."""


@dataclass(frozen=True)
class ResetAddress:
    """Where a reset code goes: an e-mail address (lower-cased) or a login phone (E.164)."""

    channel: VerificationChannel
    address: str

    @classmethod
    def email(cls, email: str) -> "ResetAddress":
        return cls(VerificationChannel.EMAIL, normalize_email(email))

    @classmethod
    def phone(cls, phone: str) -> "ResetAddress":
        return cls(VerificationChannel.SMS, phone)

    def account(self) -> User | None:
        """The account this address may reset: its proven e-mail or its login phone."""
        if self.channel == VerificationChannel.SMS:
            return User.objects.filter(phone=self.address).first()
        user = user_by_email(self.address)
        return user if user is not None and user.email_verified else None


def password_reset_code_send(*, to: ResetAddress, client_ip: str) -> None:
    """Send a reset code to `to` if an account may be reset through it; answer alike if not."""
    if to.channel == VerificationChannel.SMS:
        ttl = settings.VERIFICATION_SMS_TTL
        deliver = sms_delivery(to.address, ttl=ttl, failed=SMS_FAILED)
    else:
        ttl = settings.VERIFICATION_EMAIL_TTL
        deliver = email_delivery(
            to.address,
            subject="云梦镜像密码重置验证码",
            template="emails/password_reset_code.txt",
            ttl=ttl,
        )
    verification_code_send(
        channel=to.channel,
        address=to.address,
        purpose=RESET_PURPOSE,
        client_ip=client_ip,
        ttl=ttl,
        deliver=deliver if to.account() is not None else _nobody,
    )


NOWHERE_TO_SEND = "该用户没有已验证的邮箱或登录手机号，无法发送重置验证码，可为其设置临时密码"


def password_reset_code_send_for(*, user: User, client_ip: str) -> ResetAddress:
    """Staff send `user` a reset code: to the proven address, else the login phone. Where it
    went."""
    if user.email_verified:
        to = ResetAddress.email(user.email)
    elif user.phone:
        to = ResetAddress.phone(user.phone)
    else:
        raise ApplicationError(NOWHERE_TO_SEND)
    password_reset_code_send(to=to, client_ip=client_ip)
    return to


def user_password_reset(
    *,
    request: HttpRequest,
    to: ResetAddress,
    code: str,
    new_password: str,
    purpose: str = RESET_PURPOSE,
) -> User:
    """Set a new password for the account `to` reaches, given the code sent there for
    `purpose`; every session of the account ends. A wrong code counts towards the one sign-in
    lockout, as a wrong password does: a reset is a way in."""
    sign_in_refuse_if_locked(request=request, name=to.address)
    if not verification_code_consume(
        channel=to.channel, address=to.address, purpose=purpose, code=code
    ):
        sign_in_failed(request=request, name=to.address)
        raise ResetCodeRefusedError()
    user = to.account()
    if user is None:
        raise UnknownAccountError()
    return user_password_set(user=user, new_password=new_password)


@transaction.atomic
def user_password_set(*, user: User, new_password: str) -> User:
    """A proven owner's new password: every session ends, and so does a lock of the account."""
    user.set_password(new_password)
    user.password_change_required = False
    user.updated_at = timezone.now()
    user.save(update_fields=["password", "password_change_required", "updated_at"])
    user_sessions_revoke(user=user)
    sign_in_locks_lift(account_names={user.email}, addresses=set())
    logger.info("User %s reset their password with a code", user.pk)
    return user


def _nobody(code: str) -> None:
    """The delivery of a code for an address that resets no account: none."""
