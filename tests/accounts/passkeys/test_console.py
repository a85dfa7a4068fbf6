"""Passkeys in the staff console: the user's page, the list, and deleting a lost one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PasskeyCredential
from accounts.services.passkeys import passkey_login_enabled_set
from tests.accounts.passkeys.authenticator import SoftwareAuthenticator
from tests.accounts.passkeys.helpers import register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/passkeycredential/"


@pytest.fixture
def second(auth_client, passkey) -> PasskeyCredential:
    response = register(auth_client, SoftwareAuthenticator(), nickname="备用钥匙")
    return PasskeyCredential.objects.get(pk=response.json()["credential"]["id"])


def test_the_user_page_shows_their_passkeys_read_only(console, user, passkey, second):
    page = console.get(f"/admin/accounts/user/{user.pk}/change/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "登录方式与文件" in body
    assert body.index("通行密钥 1") < body.index("备用钥匙")  # the primary first
    assert "通行密钥登录：允许" in body
    assert "在通行密钥列表中管理" in body
    assert passkey.credential_id not in body


def test_the_user_page_says_when_passkey_login_is_off(console, user, passkey):
    passkey_login_enabled_set(user=user, enabled=False)

    body = console.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()

    assert "通行密钥登录：已由用户关闭" in body


def test_the_list_is_found_by_owner_in_queries_that_do_not_grow(console, user, passkey, second):
    with CaptureQueriesContext(connection) as two:
        console.get(LIST)
    PasskeyCredential.objects.create(
        user=UserFactory(), credential_id="other", public_key=b"k", nickname="别人的"
    )
    with CaptureQueriesContext(connection) as three:
        page = console.get(LIST)
    found = console.get(LIST, {"q": user.email}).context["cl"].result_list

    assert len(page.context["cl"].result_list) == 3
    assert len(three) == len(two)
    assert {record.pk for record in found} == {passkey.pk, second.pk}


def test_staff_cannot_add_or_edit_a_passkey(console, passkey):
    assert console.get(f"{LIST}add/").status_code == 403
    detail = console.get(f"{LIST}{passkey.pk}/change/")
    assert detail.status_code == 200
    assert b'name="nickname"' not in detail.content


def test_staff_delete_a_lost_primary_passkey_and_the_next_becomes_primary(console, passkey, second):
    response = console.post(f"{LIST}{passkey.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert list(PasskeyCredential.objects.values_list("pk", "is_primary")) == [(second.pk, True)]


def test_staff_delete_several_at_once(console, passkey, second):
    console.post(
        LIST,
        {"action": "delete_selected", "_selected_action": [passkey.pk, second.pk], "post": "yes"},
    )

    assert not PasskeyCredential.objects.exists()
