"""A customer's passkeys: list, rename, primary, delete, the switch; theirs only, and from a
real sign-in only."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import PasskeyCredential
from accounts.services import application_key_create
from tests.accounts.passkeys.authenticator import SoftwareAuthenticator
from tests.accounts.passkeys.helpers import (
    CREDENTIALS,
    REGISTRATION_OPTIONS,
    TOGGLE,
    credential_url,
    register,
    sign_in,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTED_FIELDS = {
    "id",
    "credential_id",
    "nickname",
    "is_primary",
    "sign_count",
    "last_used_at",
    "created_at",
}
NOT_FOUND = {"detail": "通行密钥不存在"}


@pytest.fixture
def second(auth_client, passkey) -> PasskeyCredential:
    response = register(auth_client, SoftwareAuthenticator(), nickname="备用钥匙")
    return PasskeyCredential.objects.get(pk=response.json()["credential"]["id"])


@pytest.fixture
def strangers(client_for) -> tuple[APIClient, PasskeyCredential]:
    """Another customer, and their passkey."""
    client = client_for(UserFactory())
    response = register(client, SoftwareAuthenticator())
    return client, PasskeyCredential.objects.get(pk=response.json()["credential"]["id"])


def test_the_list_shows_the_primary_first_in_queries_that_do_not_grow(auth_client, passkey, second):
    with CaptureQueriesContext(connection) as two:
        response = auth_client.get(CREDENTIALS)
    register(auth_client, SoftwareAuthenticator())
    with CaptureQueriesContext(connection) as three:
        more = auth_client.get(CREDENTIALS)

    assert response.status_code == 200
    listed = response.json()
    assert [item["id"] for item in listed] == [str(passkey.pk), str(second.pk)]
    assert set(listed[0]) == LISTED_FIELDS
    assert len(more.json()) == 3
    assert len(three) == len(two)


def test_the_list_is_ones_own(auth_client, passkey, strangers):
    ids = [item["id"] for item in auth_client.get(CREDENTIALS).json()]

    assert ids == [str(passkey.pk)]


def test_rename(auth_client, passkey):
    response = auth_client.put(
        credential_url(passkey.pk, "nickname"), {"nickname": "工作电脑"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["message"] == "通行密钥名称已更新"
    assert response.json()["credential"]["nickname"] == "工作电脑"
    passkey.refresh_from_db()
    assert passkey.nickname == "工作电脑"


@pytest.mark.parametrize("nickname", ["", "x" * 65, None, ["a"], {"a": 1}])
def test_a_bad_name_is_refused(auth_client, passkey, nickname):
    response = auth_client.put(
        credential_url(passkey.pk, "nickname"), {"nickname": nickname}, format="json"
    )

    assert response.status_code == 422
    assert set(response.json()) == {"detail"}


def test_primary_moves(auth_client, passkey, second):
    response = auth_client.put(credential_url(second.pk, "primary"))

    assert response.status_code == 200
    assert response.json()["credential"]["is_primary"] is True
    primaries = PasskeyCredential.objects.filter(user=passkey.user, is_primary=True)
    assert [record.pk for record in primaries] == [second.pk]


def test_the_database_holds_one_primary_each():
    user = UserFactory()
    PasskeyCredential.objects.create(
        user=user, credential_id="a", public_key=b"k", nickname="a", is_primary=True
    )
    with pytest.raises(IntegrityError):
        PasskeyCredential.objects.create(
            user=user, credential_id="b", public_key=b"k", nickname="b", is_primary=True
        )


def test_delete(auth_client, passkey, second):
    response = auth_client.delete(credential_url(second.pk))

    assert response.status_code == 204
    assert list(PasskeyCredential.objects.values_list("pk", flat=True)) == [passkey.pk]


def test_deleting_the_primary_makes_the_newest_left_primary(auth_client, passkey, second):
    newest = PasskeyCredential.objects.get(
        pk=register(auth_client, SoftwareAuthenticator()).json()["credential"]["id"]
    )

    auth_client.delete(credential_url(passkey.pk))

    primaries = PasskeyCredential.objects.filter(is_primary=True)
    assert [record.pk for record in primaries] == [newest.pk]
    assert second.pk in PasskeyCredential.objects.values_list("pk", flat=True)


def test_a_deleted_passkey_signs_in_no_more(auth_client, passkey, authenticator):
    auth_client.delete(credential_url(passkey.pk))

    assert sign_in(APIClient(), authenticator).status_code == 400


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [("put", "nickname", {"nickname": "mine"}), ("put", "primary", None), ("delete", "", None)],
)
def test_someone_elses_passkey_is_not_found(auth_client, passkey, strangers, method, action, body):
    _, theirs = strangers

    response = getattr(auth_client, method)(credential_url(theirs.pk, action), body, format="json")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    theirs.refresh_from_db()
    assert (theirs.nickname, theirs.is_primary) == ("通行密钥 1", True)


@pytest.mark.parametrize("passkey_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_id_that_names_nothing_is_not_found(auth_client, passkey_id):
    response = auth_client.delete(credential_url(passkey_id))

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_switch(auth_client, user):
    off = auth_client.put(TOGGLE, {"enabled": False}, format="json")
    user.refresh_from_db()
    assert user.passkey_login_enabled is False
    on = auth_client.put(TOGGLE, {"enabled": True}, format="json")

    assert off.json() == {"message": "已关闭通行密钥登录", "enabled": False}
    assert on.json() == {"message": "已开启通行密钥登录", "enabled": True}
    user.refresh_from_db()
    assert user.passkey_login_enabled is True


@pytest.mark.parametrize("body", [{}, {"enabled": "yes"}, {"enabled": 1}, {"enabled": None}])
def test_the_switch_takes_a_boolean(auth_client, body):
    assert auth_client.put(TOGGLE, body, format="json").status_code == 422


ROUTES = [
    ("get", REGISTRATION_OPTIONS),
    ("post", "/api/passkey/register"),
    ("get", CREDENTIALS),
    ("put", TOGGLE),
    ("put", credential_url("00000000-0000-0000-0000-000000000000", "nickname")),
    ("put", credential_url("00000000-0000-0000-0000-000000000000", "primary")),
    ("delete", credential_url("00000000-0000-0000-0000-000000000000")),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_application_key_cannot_manage_passkeys(user, method, path):
    key = application_key_create(owner=user, can_write=True).key
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = getattr(client, method)(path, {}, format="json")

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "此操作需要登录，不能使用应用密钥"},
    )


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_management_needs_a_sign_in(api_client, method, path):
    assert getattr(api_client, method)(path, {}, format="json").status_code == 401


def test_management_is_throttled(auth_client, throttle_rates):
    throttle_rates["account"] = "2/min"

    answers = [auth_client.get(CREDENTIALS).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
