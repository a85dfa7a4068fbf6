"""Whatever a client sends, the answer is a 4xx in the portal's shape: never a 500."""

import logging

import pytest
from rest_framework.test import APIClient

from tests.accounts.passkeys.authenticator import b64url
from tests.accounts.passkeys.helpers import (
    AUTHENTICATE,
    REGISTER,
    REGISTRATION_OPTIONS,
    assertion,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_errors_logged(caplog):
    caplog.set_level(logging.WARNING)
    yield
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


GARBAGE_ASSERTIONS = [
    {"credential_id": 5},
    {"credential_id": "!!!"},
    {"credential_id": "a"},  # one base64 character names no byte
    {"credential_id": "中文"},
    {"signature": ["x"]},
    {"signature": "x" * 100_000},
    {"authenticator_data": None},
    {"user_handle": {"a": 1}},
    {"authenticator_data": ""},
    {"signature": ""},
    {"client_data_json": ""},
]


@pytest.mark.parametrize("change", GARBAGE_ASSERTIONS, ids=str)
def test_a_malformed_assertion_is_422(passkey, authenticator, change):
    client = APIClient()
    body = {**assertion(client, authenticator), **change}

    response = client.post(AUTHENTICATE, body, format="json")

    assert response.status_code == 422
    assert set(response.json()) == {"detail"}


WRONG_BYTES = [
    {"authenticator_data": b64url(b"short")},
    {"signature": b64url(b"not a DER signature")},
    {"client_data_json": b64url(b"\xff\xfe not utf-8")},
    {"client_data_json": b64url(b"[1, 2]")},
    {"client_data_json": b64url(b'{"challenge": 5}')},
]


@pytest.mark.parametrize("change", WRONG_BYTES, ids=str)
def test_well_formed_nonsense_is_400(passkey, authenticator, change):
    client = APIClient()
    body = {**assertion(client, authenticator), **change}

    response = client.post(AUTHENTICATE, body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] in {"通行密钥验证失败", "验证已过期，请重新开始"}


@pytest.mark.parametrize(
    "body",
    [[], "x", {"id": 1}, {"rawId": "!!"}, {"response": []}, {"response": {"clientDataJSON": 1}}],
    ids=str,
)
def test_a_malformed_registration_is_422(auth_client, body):
    assert auth_client.post(REGISTER, body, format="json").status_code == 422


def test_a_registration_whose_id_is_not_its_raw_id_is_422(auth_client, authenticator):
    body = authenticator.create(auth_client.get(REGISTRATION_OPTIONS).json())
    body["id"] = b64url(b"another")

    response = auth_client.post(REGISTER, body, format="json")

    assert (response.status_code, response.json()) == (422, {"detail": "id与rawId不一致"})


ATTESTATIONS = [
    b"\xff",
    b"\xa0",  # an empty map
    b"\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData\x41\x00",  # authData of one byte
]


@pytest.mark.parametrize("attestation", ATTESTATIONS, ids=repr)
def test_a_broken_attestation_is_400(auth_client, authenticator, attestation):
    body = authenticator.create(auth_client.get(REGISTRATION_OPTIONS).json())
    body["response"]["attestationObject"] = b64url(attestation)

    response = auth_client.post(REGISTER, body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] in {"通行密钥验证失败", "验证已过期，请重新开始"}


def test_a_public_key_that_is_no_point_on_the_curve_is_refused(auth_client, authenticator):
    authenticator.cose_public_key = lambda: (
        b"\xa5\x01\x02\x03\x26\x20\x01\x21\x58\x20" + b"\x01" * 32 + b"\x22\x58\x20" + b"\x02" * 32
    )

    response = auth_client.post(
        REGISTER, authenticator.create(auth_client.get(REGISTRATION_OPTIONS).json()), format="json"
    )

    assert (response.status_code, response.json()) == (400, {"detail": "通行密钥验证失败"})
