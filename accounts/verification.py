"""One-time verification codes for e-mail (portal sign-up) and SMS (rewriting sign-up and login).

Codes are 6 digits from the CSPRNG, stored only as a keyed hash, single use, and die after
VERIFICATION_MAX_ATTEMPTS wrong tries. The resend cooldown and the hourly caps live in the shared
cache so that they hold across every app process.
"""

import contextlib
import functools
import logging
import math
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import sms
from accounts.models import VerificationChannel, VerificationCode
from csa.cache import CACHE_ERRORS
from csa.errors import ApplicationError, RateLimitedError, ServiceUnavailableError

logger = logging.getLogger(__name__)

HOUR = 3600
CODE_SERVICE_UNAVAILABLE = "验证码服务暂不可用，请稍后再试"


def _code_hash(*, channel: str, address: str, purpose: str, code: str) -> str:
    # A keyed hash: a million possible codes are no secret against a plain digest.
    value = f"{channel}:{purpose}:{address}:{code}"
    return salted_hmac("accounts.verification", value, algorithm="sha256").hexdigest()


# The hourly caps count sends per minute and add up the last hour's minutes, so a cap holds over
# any 60 minutes, not per clock hour (which let twice the cap through across the hour's turn).
MINUTE = 60
WINDOW_MINUTES = HOUR // MINUTE


def _hourly_caps(*, channel: str, address: str, client_ip: str) -> list[tuple[str, int]]:
    return [
        (f"vc:sends:{channel}:addr:{address}", settings.VERIFICATION_HOURLY_CAP_PER_ADDRESS),
        (f"vc:sends:{channel}:ip:{client_ip}", settings.VERIFICATION_HOURLY_CAP_PER_IP),
    ]


def _minute_key(base: str, minute: int) -> str:
    return f"{base}:{minute}"


def _sends_in_window(base: str, minute: int) -> dict[int, int]:
    """Sends per minute over the window ending with `minute`: one more minute than an hour, so
    every send of the last 60 minutes is in it, whatever the second now."""
    minutes = range(minute - WINDOW_MINUTES, minute + 1)
    counts = cache.get_many([_minute_key(base, m) for m in minutes])
    return {m: counts.get(_minute_key(base, m), 0) for m in minutes}


def _seconds_until_below(sends: dict[int, int], cap: int) -> int:
    """How long until the window holds fewer than `cap` sends, as its oldest minutes leave it."""
    remaining = sum(sends.values())
    for minute in sorted(sends):
        remaining -= sends[minute]
        if remaining < cap:
            return (minute + WINDOW_MINUTES + 1) * MINUTE - int(time.time())
    return MINUTE


def _take_cooldown(key: str) -> None:
    """Claim the resend cooldown atomically, or say how long is left of it."""
    now = time.time()
    cooldown = settings.VERIFICATION_RESEND_COOLDOWN_SECONDS
    if cache.add(key, now + cooldown, cooldown):
        return
    until = cache.get(key) or now + 1
    retry_after = math.ceil(until - now)
    raise RateLimitedError(f"验证码发送过于频繁，请{retry_after}秒后重试", retry_after=retry_after)


def _count(caps: list[tuple[str, int]]) -> list[str]:
    """Count one send against every cap; refuse (and count nothing) past any of them.

    Counting comes first and checking second, so concurrent sends can only ever refuse each other
    too eagerly, never both pass the cap."""
    minute = int(time.time() // MINUTE)
    counted = []
    for base, cap in caps:
        key = _minute_key(base, minute)
        cache.add(key, 0, HOUR + 2 * MINUTE)
        cache.incr(key)
        counted.append(key)
        sends = _sends_in_window(base, minute)
        if sum(sends.values()) > cap:
            _uncount(counted)
            sends[minute] -= 1
            raise RateLimitedError(
                "验证码发送次数过多，请稍后再试", retry_after=_seconds_until_below(sends, cap)
            )
    return counted


def _uncount(keys: list[str]) -> None:
    for key in keys:
        with contextlib.suppress(ValueError):  # expired meanwhile
            cache.decr(key)


def _needs_the_cache(send: Callable[..., None]) -> Callable[..., None]:
    """Without the shared cache no limit can be kept, so no code is sent at all: a clear 503."""

    @functools.wraps(send)
    def guarded(**kwargs) -> None:
        try:
            send(**kwargs)
        except CACHE_ERRORS as exc:
            logger.error("Verification codes refused: the cache is unavailable: %s", exc)
            raise ServiceUnavailableError(CODE_SERVICE_UNAVAILABLE) from exc

    return guarded


@_needs_the_cache
def verification_code_send(
    *,
    channel: VerificationChannel,
    address: str,
    purpose: str,
    client_ip: str,
    ttl: timedelta,
    deliver: Callable[[str], None],
) -> None:
    """Make a new code for `address`, deliver it, and only then make it the live one.

    A failed delivery raises and leaves nothing behind that would block a retry: the cooldown
    and the hourly counts are given back and the previous code (if any) stays live.
    """
    cooldown_key = f"vc:cooldown:{channel}:{purpose}:{address}"
    _take_cooldown(cooldown_key)
    try:
        counted = _count(_hourly_caps(channel=channel, address=address, client_ip=client_ip))
    except RateLimitedError:
        cache.delete(cooldown_key)
        raise
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        deliver(code)
    except Exception:
        cache.delete(cooldown_key)
        _uncount(counted)
        raise
    VerificationCode.objects.update_or_create(
        channel=channel,
        address=address,
        purpose=purpose,
        defaults={
            "code_hash": _code_hash(channel=channel, address=address, purpose=purpose, code=code),
            "expires_at": timezone.now() + ttl,
            "failed_attempts": 0,
        },
    )


def verification_code_consume(
    *, channel: VerificationChannel, address: str, purpose: str, code: str
) -> bool:
    """Use up the live code if `code` matches it; count a wrong try otherwise.

    Call it outside the caller's own transaction: a wrong try must stay counted even when the
    caller's work is rolled back.
    """
    with transaction.atomic():
        record = (
            VerificationCode.objects.select_for_update()
            .filter(channel=channel, address=address, purpose=purpose)
            .first()
        )
        if record is None:
            return False
        if record.expires_at <= timezone.now():
            record.delete()
            return False
        expected = _code_hash(channel=channel, address=address, purpose=purpose, code=code)
        if constant_time_compare(record.code_hash, expected):
            record.delete()
            return True
        record.failed_attempts += 1
        if record.failed_attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
            record.delete()
        else:
            record.save(update_fields=["failed_attempts"])
        return False


# --- delivery ----------------------------------------------------------------------------------


def email_delivery(
    email: str, *, subject: str, template: str, ttl: timedelta, failed: str = "邮件发送失败"
) -> Callable[[str], None]:
    """Mailing a code to `email` in `template`; a failure is a 500 worded `failed`."""

    def deliver(code: str) -> None:
        body = render_to_string(template, {"code": code, "minutes": ttl_minutes(ttl)})
        try:
            send_mail(subject, body, None, [email])
        except Exception as exc:
            logger.warning("A code's e-mail failed: %s", type(exc).__name__)
            raise ApplicationError(failed, status_code=500) from exc

    return deliver


def sms_delivery(phone: str, *, ttl: timedelta, failed: str) -> Callable[[str], None]:
    """Texting a code to `phone`; the provider's failure is a 500 worded `failed`."""

    def deliver(code: str) -> None:
        try:
            sms.sms_backend().send_code(phone=phone, code=code, minutes=ttl_minutes(ttl))
        except sms.SmsDeliveryError as exc:
            raise ApplicationError(failed, status_code=500) from exc

    return deliver


def ttl_minutes(ttl: timedelta) -> int:
    return int(ttl.total_seconds() // 60)
