"""Signing in with a passkey: the login answer, and every refusal."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.lockout import LOCKED_OUT
from accounts.models import LoginFailure, LoginSession
from accounts.services import user_active_set
from accounts.services.passkeys import CHALLENGE_TTL
from tests.accounts.helpers import AUTH_ME, USER_KEYS
from tests.accounts.passkeys.authenticator import SoftwareAuthenticator, b64url
from tests.accounts.passkeys.helpers import (
    AUTHENTICATE,
    AUTHENTICATION_OPTIONS,
    assertion,
    register,
    sign_in,
)

pytestmark = pytest.mark.django_db

VERIFICATION_FAILED = {"detail": "通行密钥验证失败"}
CHALLENGE_EXPIRED = {"detail": "验证已过期，请重新开始"}


def test_the_options_ask_for_a_discoverable_passkey(api_client, settings):
    response = api_client.get(AUTHENTICATION_OPTIONS)

    assert response.status_code == 200
    options = response.json()
    assert options["rpId"] == settings.WEBAUTHN_RP_ID
    assert options["allowCredentials"] == []
    assert (options["timeout"], options["userVerification"]) == (60000, "preferred")
    assert cache.get(f"passkey:authentication:{options['challenge']}") is not None


def test_a_passkey_signs_in_with_the_login_answer_and_the_user(passkey, authenticator, user):
    response = sign_in(APIClient(), authenticator)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 1800)
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["id"] == str(user.uuid)
    me = APIClient().get(AUTH_ME, HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    passkey.refresh_from_db()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None
    assert LoginSession.objects.filter(user=user).count() == 2  # the fixture's, and this one


def test_another_process_finishes_the_ceremony(passkey, authenticator):
    """The challenge lives in the shared cache, not in the process or client that made it."""
    options = APIClient().get(AUTHENTICATION_OPTIONS).json()
    answer = authenticator.get(options)

    response = APIClient().post(AUTHENTICATE, answer, format="json")

    assert response.status_code == 200
    assert cache.get(f"passkey:authentication:{options['challenge']}") is None


def test_an_authenticator_without_a_counter_signs_in_again_and_again(auth_client):
    authenticator = SoftwareAuthenticator(counting=False)

    assert register(auth_client, authenticator).status_code == 200
    assert sign_in(APIClient(), authenticator).status_code == 200
    assert sign_in(APIClient(), authenticator).status_code == 200


def test_a_challenge_signs_in_once(passkey, authenticator, api_client):
    answer = assertion(api_client, authenticator)
    first = api_client.post(AUTHENTICATE, answer, format="json")
    replay = APIClient().post(AUTHENTICATE, answer, format="json")

    assert first.status_code == 200
    assert (replay.status_code, replay.json()) == (400, CHALLENGE_EXPIRED)


def test_an_expired_challenge_is_refused(passkey, authenticator, api_client):
    answer = assertion(api_client, authenticator)
    with time_machine.travel(timezone.now() + CHALLENGE_TTL + timedelta(seconds=1)):
        response = api_client.post(AUTHENTICATE, answer, format="json")

    assert (response.status_code, response.json()) == (400, CHALLENGE_EXPIRED)


def test_a_challenge_nobody_issued_is_refused(passkey, authenticator, api_client):
    answer = authenticator.get({"challenge": b64url(b"x" * 64)})

    response = api_client.post(AUTHENTICATE, answer, format="json")

    assert (response.status_code, response.json()) == (400, CHALLENGE_EXPIRED)


@pytest.mark.parametrize(
    "where", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}], ids=str
)
def test_another_site_is_refused(passkey, authenticator, api_client, where):
    for name, value in where.items():
        setattr(authenticator, name, value)

    response = sign_in(api_client, authenticator)

    assert (response.status_code, response.json()) == (400, VERIFICATION_FAILED)


def test_another_key_is_refused(passkey, authenticator, api_client):
    impostor = SoftwareAuthenticator(credential_id=authenticator.credential_id)
    impostor.user_handle = authenticator.user_handle

    response = sign_in(api_client, impostor)

    assert (response.status_code, response.json()) == (400, VERIFICATION_FAILED)
    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (0, None)


def test_an_unknown_passkey_is_refused(api_client, authenticator):
    response = sign_in(api_client, authenticator)

    assert (response.status_code, response.json()) == (400, VERIFICATION_FAILED)


def test_a_user_handle_of_another_account_is_refused(passkey, authenticator, api_client):
    response = sign_in(api_client, authenticator, user_handle=b64url(b"\x01" * 16))

    assert (response.status_code, response.json()) == (400, VERIFICATION_FAILED)


def test_no_user_handle_is_fine(passkey, authenticator, api_client):
    assert sign_in(api_client, authenticator, user_handle=None).status_code == 200


def test_a_clone_whose_count_goes_backwards_is_refused(passkey, authenticator):
    clone = authenticator.clone()
    assert sign_in(APIClient(), authenticator).status_code == 200
    assert sign_in(APIClient(), authenticator).status_code == 200

    response = sign_in(APIClient(), clone)  # says 1, after 2

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "通行密钥疑似被复制，已拒绝"},
    )
    passkey.refresh_from_db()
    assert passkey.sign_count == 2


def test_a_count_that_stands_still_is_refused_too(passkey, authenticator):
    clone = authenticator.clone()
    assert sign_in(APIClient(), authenticator).status_code == 200

    assert sign_in(APIClient(), clone).status_code == 400


def test_passkey_login_switched_off_refuses(passkey, authenticator, auth_client):
    auth_client.put("/api/passkey/toggle", {"enabled": False}, format="json")

    response = sign_in(APIClient(), authenticator)

    assert (response.status_code, response.json()) == (403, {"detail": "该账号未启用通行密钥登录"})


def test_a_disabled_account_is_refused(passkey, authenticator, user):
    user_active_set(user=user, is_active=False)

    response = sign_in(APIClient(), authenticator)

    assert (response.status_code, response.json()) == (403, {"detail": "账号已被禁用"})


def test_an_account_with_no_proven_address_or_phone_is_refused(passkey, authenticator, user):
    user.email_verified_at = None
    user.save(update_fields=["email_verified_at"])

    response = sign_in(APIClient(), authenticator)

    assert response.status_code == 403
    assert response.json() == {"detail": "该邮箱尚未验证，请先用邮箱验证码完成注册"}


def test_a_proven_phone_is_enough(passkey, authenticator, user):
    user.email_verified_at = None
    user.phone = "+8613800138000"
    user.save(update_fields=["email_verified_at", "phone"])

    assert sign_in(APIClient(), authenticator).status_code == 200


# --- the one lockout -----------------------------------------------------------------------

LIMIT = 3


@pytest.fixture
def low_limits(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 2 * LIMIT + 1


def test_failed_assertions_lock_the_passkeys_account(low_limits, passkey, authenticator, user):
    impostor = SoftwareAuthenticator(credential_id=authenticator.credential_id)
    for _ in range(LIMIT):
        assert sign_in(APIClient(), impostor).status_code == 400

    locked = sign_in(APIClient(), authenticator)
    password = APIClient().post(
        "/api/auth/login", {"email": user.email, "password": "password123"}, format="json"
    )

    assert (locked.status_code, locked.json()) == (429, {"detail": LOCKED_OUT})
    assert password.status_code == 429
    assert LoginFailure.objects.filter(username=user.email).exists()


def test_a_success_clears_the_accounts_failures(low_limits, passkey, authenticator, user):
    impostor = SoftwareAuthenticator(credential_id=authenticator.credential_id)
    sign_in(APIClient(), impostor)

    assert sign_in(APIClient(), authenticator).status_code == 200
    assert not LoginFailure.objects.filter(username=user.email).exists()


def test_unknown_passkeys_lock_the_client_address(low_limits, passkey, authenticator):
    for _ in range(2 * LIMIT + 1):
        assert sign_in(APIClient(), SoftwareAuthenticator()).status_code == 400

    response = sign_in(APIClient(), authenticator)  # the same address

    assert (response.status_code, response.json()) == (429, {"detail": LOCKED_OUT})
    elsewhere = sign_in(APIClient(REMOTE_ADDR="10.0.0.9"), authenticator)
    assert elsewhere.status_code == 200


def test_the_route_is_throttled_as_a_login(throttle_rates, api_client):
    throttle_rates["login"] = "2/min"
    answers = [api_client.post(AUTHENTICATE, {}, format="json").status_code for _ in range(3)]

    assert answers == [422, 422, 429]


def test_without_the_shared_cache_a_ceremony_is_503(cache_down, api_client):
    response = api_client.get(AUTHENTICATION_OPTIONS)

    assert (response.status_code, response.json()) == (503, {"detail": "服务暂不可用，请稍后再试"})
