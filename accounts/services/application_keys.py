"""Application keys: a customer's programs call the portal's API with one (docs/api.md,
"Application keys"). The key is shown once, when made; only its digest is kept."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.lockout import sign_in_failed, sign_in_refuse_if_locked
from accounts.models import ApplicationKey, User
from accounts.selectors import APPLICATION_KEY_NOT_FOUND, application_key_by_hash
from csa.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError

KEY_PREFIX = "sk-"
PREFIX_LENGTH = len(KEY_PREFIX) + 8  # what the portal and the console show: `sk-AbCd1234`
KEY_EXISTS = "应用密钥已存在，如需新密钥请使用轮换"
KEY_ROTATED_MEANWHILE = "应用密钥正在轮换，请稍后重试"
KEY_DISABLED_BY_STAFF = "该应用密钥已被管理员停用，请轮换后使用新密钥"
# A key's last use is written at most this often: a burst of requests writes it once.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedApplicationKey:
    record: ApplicationKey
    key: str  # shown this once, never stored


def application_key_hash(key: str) -> str:
    # A plain digest is enough: the key is 256 random bits, nothing to guess or look up.
    return hashlib.sha256(key.encode()).hexdigest()


def _issue(*, owner: User, can_write: bool) -> IssuedApplicationKey:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApplicationKey.objects.create(
        owner=owner,
        prefix=key[:PREFIX_LENGTH],
        key_hash=application_key_hash(key),
        can_write=can_write,
    )
    return IssuedApplicationKey(record=record, key=key)


def application_key_create(*, owner: User, can_write: bool = False) -> IssuedApplicationKey:
    """The owner's key: one live key each, so a second is refused (a rotation replaces it)."""
    try:
        with transaction.atomic():
            return _issue(owner=owner, can_write=can_write)
    except IntegrityError as exc:
        # Only the one-live-key index can refuse this row (the hash of 256 random bits is new).
        raise ApplicationError(KEY_EXISTS) from exc


def _live_key_locked(owner: User) -> ApplicationKey:
    """The owner's live key, locked until the transaction ends."""
    live = ApplicationKey.objects.filter(owner=owner, revoked_at__isnull=True)
    record = live.select_for_update().first()
    if record is not None:
        return record
    # Waited on a rotation that then revoked the row we wanted: its new key is live now.
    if live.exists():
        raise ConflictError(KEY_ROTATED_MEANWHILE)
    raise NotFoundError(APPLICATION_KEY_NOT_FOUND)


def application_key_rotate(*, owner: User) -> IssuedApplicationKey:
    """A new live key with the old one's scope; the old one stops at once, everywhere (each
    request reads its key from the database). Of concurrent rotations one wins; the others wait
    on its row lock and answer 409 (the one-live-key index would refuse them otherwise)."""
    try:
        with transaction.atomic():
            old = _live_key_locked(owner)
            old.revoked_at = timezone.now()
            old.is_active = False
            old.save(update_fields=["revoked_at", "is_active"])
            return _issue(owner=owner, can_write=old.can_write)
    except IntegrityError as exc:
        raise ConflictError(KEY_ROTATED_MEANWHILE) from exc


@transaction.atomic
def application_key_active_set(*, owner: User, is_active: bool) -> ApplicationKey:
    """The customer stops or restarts their live key; one staff stopped stays stopped."""
    record = _live_key_locked(owner)
    if is_active and record.disabled_by_staff:
        raise ForbiddenError(KEY_DISABLED_BY_STAFF)
    if record.is_active != is_active:
        record.is_active = is_active
        record.save(update_fields=["is_active"])
    return record


@transaction.atomic
def application_key_disable_by_staff(*, record: ApplicationKey) -> ApplicationKey:
    """Staff stop a key for good: its owner may not restart it, only rotate to a new one."""
    record = ApplicationKey.objects.select_for_update().get(pk=record.pk)
    if not record.disabled_by_staff:
        record.is_active = False
        record.disabled_by_staff = True
        record.save(update_fields=["is_active", "disabled_by_staff"])
    return record


def application_key_presented(*, request: HttpRequest, key: str) -> ApplicationKey | None:
    """The row of the key a client presented, with its owner, in one query. A key nobody has
    is a failed sign-in of the client's address (accounts/lockout.py), refused with 429 once
    the address is locked; a known key is never held up by the lockout."""
    record = application_key_by_hash(application_key_hash(key))
    if record is None:
        # Counted under a name of its own, which no account has: the address's count is the
        # one that locks, and guesses at keys never lock anyone's account.
        name = f"应用密钥 {key[:PREFIX_LENGTH]}"
        sign_in_refuse_if_locked(request=request, name=name)
        sign_in_failed(request=request, name=name)
    return record


def application_key_used(*, record: ApplicationKey) -> None:
    """Note a use of the key, judged by the row already loaded: at most one write a minute, and
    none if another process wrote a newer time meanwhile."""
    now = timezone.now()
    stale_before = now - LAST_USED_PRECISION
    if record.last_used_at is not None and record.last_used_at >= stale_before:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before)
    ApplicationKey.objects.filter(stale, pk=record.pk).update(last_used_at=now)
    record.last_used_at = now
