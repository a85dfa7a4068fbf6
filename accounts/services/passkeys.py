"""Passkeys (WebAuthn): a signed-in customer registers an authenticator's key, then signs in with
it, no password (docs/api.md, "Passkeys"). py_webauthn checks each ceremony; this module keeps
its challenge and the credentials.

A challenge lives in the shared cache under its own value, so that any process may finish a
ceremony another began, and is taken out by the first attempt to finish it, whatever that
attempt's outcome: a replayed answer finds nothing.
"""

import json
import logging
import re
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
    options_to_json_dict,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.lockout import sign_in_failed, sign_in_refuse_if_locked, sign_in_succeeded
from accounts.models import PasskeyCredential, User
from accounts.selectors import passkey_by_credential_id, passkeys_of
from accounts.services.users import EMAIL_UNPROVEN, IssuedLogin, portal_login_start
from csa.errors import ApplicationError, ForbiddenError

logger = logging.getLogger(__name__)

CHALLENGE_TTL = timedelta(minutes=5)
TIMEOUT_MS = 60_000  # the browser's wait for the authenticator, a hint
PASSKEYS_MAX = 20
VERIFICATION_FAILED = "通行密钥验证失败"
CHALLENGE_EXPIRED = "验证已过期，请重新开始"
CLONED = "通行密钥疑似被复制，已拒绝"
ACCOUNT_DISABLED = "账号已被禁用"
PASSKEY_LOGIN_OFF = "该账号未启用通行密钥登录"
PASSKEY_EXISTS = "该通行密钥已注册"
TOO_MANY = f"通行密钥数量已达上限（{PASSKEYS_MAX}个），请先删除不用的"
# py_webauthn refuses a malformed answer with its own errors, but a hostile authenticator's CBOR
# can still make the decoding under it raise these.
MALFORMED = (WebAuthnException, InvalidSignature, ValueError, TypeError, KeyError, IndexError)
# What `generate_*_options` draws (64 bytes), as base64url; anything else names no challenge.
CHALLENGE_PATTERN = re.compile(r"[A-Za-z0-9_-]{86}")


# --- challenges ----------------------------------------------------------------------------


def _challenge_key(purpose: str, challenge: str, user: User | None = None) -> str:
    owner = f"{user.pk}:" if user is not None else ""
    return f"passkey:{purpose}:{owner}{challenge}"


def _challenge_keep(key: str) -> None:
    # The deadline is kept too: the cache's own expiry may be another clock's (Redis's).
    deadline = (timezone.now() + CHALLENGE_TTL).timestamp()
    cache.add(key, deadline, timeout=int(CHALLENGE_TTL.total_seconds()))


def _challenge_consume(key: str) -> bool:
    """Whether the challenge was live; it is gone either way. Of concurrent attempts only the
    one whose delete removed the entry wins."""
    deadline = cache.get(key)
    if deadline is None or not cache.delete(key):
        return False
    return timezone.now().timestamp() < deadline


def _challenge_of(client_data_json: bytes) -> str | None:
    """The challenge the browser says it signed, as the key it was kept under."""
    try:
        challenge = json.loads(client_data_json).get("challenge")
    except (ValueError, AttributeError):  # not JSON (or not UTF-8), or not an object
        return None
    if not isinstance(challenge, str) or not CHALLENGE_PATTERN.fullmatch(challenge):
        return None
    return challenge


def _ceremony_challenge(
    *, purpose: str, client_data_json: bytes, user: User | None = None
) -> bytes:
    """The live challenge the answer names, taken out of the cache; or the refusal."""
    challenge = _challenge_of(client_data_json)
    if challenge is None:
        raise ApplicationError(VERIFICATION_FAILED)
    if not _challenge_consume(_challenge_key(purpose, challenge, user)):
        raise ApplicationError(CHALLENGE_EXPIRED)
    return base64url_to_bytes(challenge)


# --- registration --------------------------------------------------------------------------


def _account_name(user: User) -> str:
    """What the authenticator shows the passkey as: the address, or the phone of an account
    whose address is a placeholder nobody proved."""
    if user.email_verified or not user.phone:
        return user.email
    return user.phone


def passkey_registration_begin(*, user: User) -> dict[str, Any]:
    """The options for `navigator.credentials.create()`; the challenge is `user`'s alone."""
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=user.uuid.bytes,  # the user handle an assertion names its account by
        user_name=_account_name(user),
        user_display_name=user.full_name or _account_name(user),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(record.credential_id))
            for record in passkeys_of(user=user)
        ],
    )
    public = options_to_json_dict(options)
    _challenge_keep(_challenge_key("registration", public["challenge"], user))
    return public


def passkey_register(
    *,
    user: User,
    raw_id: bytes,
    client_data_json: bytes,
    attestation_object: bytes,
    transports: list[str],
    nickname: str | None = None,
) -> PasskeyCredential:
    """Keep the passkey a browser made for `user` from their registration options; their first
    becomes the primary one."""
    challenge = _ceremony_challenge(
        purpose="registration", client_data_json=client_data_json, user=user
    )
    credential = RegistrationCredential(
        id=bytes_to_base64url(raw_id),
        raw_id=raw_id,
        response=AuthenticatorAttestationResponse(
            client_data_json=client_data_json, attestation_object=attestation_object
        ),
    )
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGINS,
        )
        # A key that cannot verify a signature would refuse every sign-in: refused now instead.
        decoded_public_key_to_cryptography(
            decode_credential_public_key(verified.credential_public_key)
        )
    except MALFORMED as exc:
        logger.info("Passkey registration refused: %s", exc)
        raise ApplicationError(VERIFICATION_FAILED) from exc
    return _passkey_add(
        user=user,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=_known_transports(transports),
        nickname=nickname,
    )


def _known_transports(transports: list[str]) -> list[str]:
    known = {transport.value for transport in AuthenticatorTransport}
    return list(dict.fromkeys(name for name in transports if name in known))


def _owner_locked(user_id: int) -> None:
    """Lock the owner's row: the changes of who is primary take turns."""
    User.objects.select_for_update().filter(pk=user_id).values("pk").first()


def _passkey_add(*, user: User, nickname: str | None, **fields) -> PasskeyCredential:
    try:
        with transaction.atomic():
            _owner_locked(user.pk)
            count = PasskeyCredential.objects.filter(user=user).count()
            if count >= PASSKEYS_MAX:
                raise ApplicationError(TOO_MANY)
            return PasskeyCredential.objects.create(
                user=user,
                nickname=nickname or f"通行密钥 {count + 1}",
                is_primary=count == 0,
                **fields,
            )
    except IntegrityError as exc:
        # The owner's lock keeps the one-primary index quiet: only the credential id can clash.
        raise ApplicationError(PASSKEY_EXISTS) from exc


# --- signing in ----------------------------------------------------------------------------


def passkey_authentication_begin() -> dict[str, Any]:
    """The options for `navigator.credentials.get()`: no credentials listed, so the browser
    offers the passkeys it holds for this site and the answer's user handle names the account."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    public = options_to_json_dict(options)
    _challenge_keep(_challenge_key("authentication", public["challenge"]))
    return public


def _refused(*, request: HttpRequest, name: str, message: str) -> ApplicationError:
    """A failed sign-in, counted towards the one lockout (accounts/lockout.py)."""
    sign_in_failed(request=request, name=name)
    return ApplicationError(message)


def passkey_sign_in(
    *,
    request: HttpRequest,
    raw_id: bytes,
    client_data_json: bytes,
    authenticator_data: bytes,
    signature: bytes,
    user_handle: bytes | None = None,
) -> IssuedLogin:
    """Sign in with a passkey's assertion. Every failed one counts towards the lockout of the
    passkey's account, or, for a passkey nobody has, of the client's address (under a name of
    its own, as an unknown application key is); an expired challenge proves nothing and is not
    counted. The account's state is told only to the passkey's holder."""
    credential_id = bytes_to_base64url(raw_id)
    record = passkey_by_credential_id(credential_id)
    name = record.user.email if record is not None else f"通行密钥 {credential_id[:16]}"
    sign_in_refuse_if_locked(request=request, name=name)
    challenge = _ceremony_challenge(purpose="authentication", client_data_json=client_data_json)
    if record is None or (user_handle and user_handle != record.user.uuid.bytes):
        raise _refused(request=request, name=name, message=VERIFICATION_FAILED)
    credential = AuthenticationCredential(
        id=credential_id,
        raw_id=raw_id,
        response=AuthenticatorAssertionResponse(
            client_data_json=client_data_json,
            authenticator_data=authenticator_data,
            signature=signature,
        ),
    )
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGINS,
            credential_public_key=bytes(record.public_key),
            # The counter is judged below, after the signature, to tell a copy apart.
            credential_current_sign_count=0,
        )
    except MALFORMED as exc:
        logger.info("Passkey assertion refused: %s", exc)
        raise _refused(request=request, name=name, message=VERIFICATION_FAILED) from exc
    if not _passkey_used(record=record, sign_count=verified.new_sign_count):
        logger.warning("Passkey %s: its sign count went backwards", record.pk)
        raise _refused(request=request, name=name, message=CLONED)
    return _passkey_login_start(request=request, user=record.user)


def _passkey_used(*, record: PasskeyCredential, sign_count: int) -> bool:
    """Note a use of the passkey; False when its counter did not move forward since the last
    (a copy of the authenticator answering). One that keeps no counter says 0 every time; once
    one has counted, 0 is backwards too. The condition is in the update, so that of two
    concurrent answers with one count only one passes."""
    counting = sign_count > 0 or record.sign_count > 0
    forward = Q(sign_count__lt=sign_count) if counting else Q(sign_count=0)
    updated = PasskeyCredential.objects.filter(forward, pk=record.pk).update(
        sign_count=sign_count, last_used_at=timezone.now()
    )
    return updated == 1


def _passkey_login_start(*, request: HttpRequest, user: User) -> IssuedLogin:
    if not user.is_active:
        raise ForbiddenError(ACCOUNT_DISABLED)
    if not user.passkey_login_enabled:
        raise ForbiddenError(PASSKEY_LOGIN_OFF)
    if not (user.email_verified or user.phone):  # as accounts.permissions.ProvenEmail
        raise ForbiddenError(EMAIL_UNPROVEN)
    sign_in_succeeded(request=request, user=user)
    return portal_login_start(request=request, user=user)


# --- the customer's passkeys -----------------------------------------------------------------


def passkey_login_enabled_set(*, user: User, enabled: bool) -> User:
    """Whether `user`'s passkeys sign them in; their passkeys stay either way."""
    user.passkey_login_enabled = enabled
    user.updated_at = timezone.now()
    user.save(update_fields=["passkey_login_enabled", "updated_at"])
    return user


def passkey_rename(*, record: PasskeyCredential, nickname: str) -> PasskeyCredential:
    record.nickname = nickname
    record.save(update_fields=["nickname"])
    return record


@transaction.atomic
def passkey_primary_set(*, record: PasskeyCredential) -> PasskeyCredential:
    _owner_locked(record.user_id)
    others = PasskeyCredential.objects.filter(user_id=record.user_id, is_primary=True)
    others.exclude(pk=record.pk).update(is_primary=False)
    PasskeyCredential.objects.filter(pk=record.pk).update(is_primary=True)
    record.is_primary = True
    return record


@transaction.atomic
def passkey_delete(*, record: PasskeyCredential) -> None:
    """Delete a passkey (its owner, or staff for a lost one). The primary one's place goes to
    the newest left, so that an owner with passkeys always has a primary one."""
    _owner_locked(record.user_id)
    deleted, _ = PasskeyCredential.objects.filter(pk=record.pk).delete()
    remaining = PasskeyCredential.objects.filter(user_id=record.user_id)
    if deleted and not remaining.filter(is_primary=True).exists():
        newest = remaining.order_by("-created_at", "-id").first()
        if newest is not None:
            passkey_primary_set(record=newest)
