"""Registering a passkey: the options, the ceremony, and each refusal."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from accounts.models import PasskeyCredential
from accounts.services.passkeys import CHALLENGE_TTL, PASSKEYS_MAX
from tests.accounts.passkeys.authenticator import SoftwareAuthenticator, b64url, b64url_decode
from tests.accounts.passkeys.helpers import REGISTER, REGISTRATION_OPTIONS, register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTERED_FIELDS = {"id", "credential_id", "nickname", "is_primary", "created_at"}


def test_the_options_name_the_site_and_the_user(auth_client, user, settings):
    response = auth_client.get(REGISTRATION_OPTIONS)

    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"name": settings.WEBAUTHN_RP_NAME, "id": "localhost"}
    assert options["user"] == {
        "id": b64url(user.uuid.bytes),
        "name": user.email,
        "displayName": user.email,
    }
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    assert options["timeout"] == 60000
    assert options["excludeCredentials"] == []
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert len(b64url_decode(options["challenge"])) == 64


def test_the_challenge_is_kept_in_the_shared_cache(auth_client, user):
    challenge = auth_client.get(REGISTRATION_OPTIONS).json()["challenge"]

    assert cache.get(f"passkey:registration:{user.pk}:{challenge}") is not None


def test_register_keeps_the_public_key_and_makes_the_first_primary(
    auth_client, user, authenticator
):
    response = register(auth_client, authenticator, nickname="我的手机")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "通行密钥注册成功"
    assert set(body["credential"]) == REGISTERED_FIELDS
    assert body["credential"]["credential_id"] == b64url(authenticator.credential_id)
    assert (body["credential"]["nickname"], body["credential"]["is_primary"]) == ("我的手机", True)
    record = PasskeyCredential.objects.get(user=user)
    assert bytes(record.public_key) == authenticator.cose_public_key()
    assert (record.sign_count, record.transports) == (0, ["internal", "hybrid"])


def test_a_second_passkey_is_not_primary_and_gets_a_default_name(auth_client, passkey):
    response = register(auth_client, SoftwareAuthenticator())

    credential = response.json()["credential"]
    assert (credential["nickname"], credential["is_primary"]) == ("通行密钥 2", False)


def test_the_options_exclude_the_passkeys_already_registered(auth_client, passkey):
    options = auth_client.get(REGISTRATION_OPTIONS).json()

    assert [c["id"] for c in options["excludeCredentials"]] == [passkey.credential_id]


def test_the_same_authenticator_twice_is_refused(auth_client, passkey, authenticator):
    response = register(auth_client, authenticator)

    assert response.status_code == 400
    assert response.json() == {"detail": "该通行密钥已注册"}


def test_a_challenge_registers_once(auth_client, authenticator):
    options = auth_client.get(REGISTRATION_OPTIONS).json()
    body = authenticator.create(options)
    first = auth_client.post(REGISTER, body, format="json")
    again = auth_client.post(REGISTER, body, format="json")

    assert first.status_code == 200
    assert again.status_code == 400
    assert again.json() == {"detail": "验证已过期，请重新开始"}


def test_an_expired_challenge_is_refused(auth_client, authenticator):
    options = auth_client.get(REGISTRATION_OPTIONS).json()
    with time_machine.travel(timezone.now() + CHALLENGE_TTL + timedelta(seconds=1)):
        response = auth_client.post(REGISTER, authenticator.create(options), format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "验证已过期，请重新开始"}
    assert not PasskeyCredential.objects.exists()


def test_a_challenge_is_its_users_alone(auth_client, client_for, authenticator):
    options = auth_client.get(REGISTRATION_OPTIONS).json()
    other = client_for(UserFactory())
    response = other.post(REGISTER, authenticator.create(options), format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "验证已过期，请重新开始"}


@pytest.mark.parametrize(
    "authenticator",
    [
        SoftwareAuthenticator(origin="https://evil.example"),
        SoftwareAuthenticator(rp_id="evil.example"),
    ],
    ids=["another origin", "another rp id"],
)
def test_another_site_is_refused(auth_client, authenticator):
    response = register(auth_client, authenticator)

    assert response.status_code == 400
    assert response.json() == {"detail": "通行密钥验证失败"}
    assert not PasskeyCredential.objects.exists()


def test_the_origins_and_rp_id_are_settings(auth_client, settings):
    settings.WEBAUTHN_RP_ID = "portal.example"
    settings.WEBAUTHN_ORIGINS = ["https://portal.example"]
    authenticator = SoftwareAuthenticator(rp_id="portal.example", origin="https://portal.example")

    assert register(auth_client, authenticator).status_code == 200
    assert register(auth_client, SoftwareAuthenticator()).status_code == 400


def test_a_tampered_attestation_is_refused(auth_client, authenticator):
    options = auth_client.get(REGISTRATION_OPTIONS).json()
    body = authenticator.create(options)
    body["response"]["attestationObject"] = b64url(b"\xa3" + b"\x00" * 40)

    response = auth_client.post(REGISTER, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "通行密钥验证失败"}


def test_there_is_a_ceiling(auth_client, user, passkey):
    PasskeyCredential.objects.bulk_create(
        PasskeyCredential(user=user, credential_id=f"id{n}", public_key=b"k", nickname="x")
        for n in range(PASSKEYS_MAX - 1)
    )

    response = register(auth_client, SoftwareAuthenticator())

    assert response.status_code == 400
    assert "上限" in response.json()["detail"]
