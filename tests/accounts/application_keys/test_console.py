"""Application keys in the staff console: the list, the stop action, the user page's rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApplicationKey
from accounts.services import application_key_create, application_key_rotate
from tests.accounts.application_keys.helpers import STATUS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/applicationkey/"


@pytest.fixture
def keys(db) -> list[ApplicationKey]:
    owners = [UserFactory(phone=f"+861380013800{n}") for n in range(3)]
    return [application_key_create(owner=owner).record for owner in owners]


def test_the_list_shows_every_key_in_queries_that_do_not_grow(console, keys):
    with CaptureQueriesContext(connection) as three_keys:
        page = console.get(LIST)
    application_key_rotate(owner=keys[0].owner)
    application_key_create(owner=UserFactory())
    with CaptureQueriesContext(connection) as five_keys:
        more = console.get(LIST)

    assert page.status_code == 200
    assert len(more.context["cl"].result_list) == 5
    assert len(five_keys) == len(three_keys)
    body = more.content.decode()
    assert all(key.prefix in body for key in keys)
    assert keys[0].key_hash not in body


def test_keys_are_found_by_owner_or_prefix(console, keys):
    by_email = console.get(LIST, {"q": keys[1].owner.email}).context["cl"].result_list
    by_phone = console.get(LIST, {"q": keys[2].owner.phone}).context["cl"].result_list
    by_prefix = console.get(LIST, {"q": keys[0].prefix}).context["cl"].result_list

    assert [key.pk for key in by_email] == [keys[1].pk]
    assert [key.pk for key in by_phone] == [keys[2].pk]
    assert [key.pk for key in by_prefix] == [keys[0].pk]


def test_staff_cannot_add_or_edit_a_key(console, keys):
    assert console.get(f"{LIST}add/").status_code == 403
    detail = console.get(f"{LIST}{keys[0].pk}/change/")
    assert detail.status_code == 200
    assert b'name="is_active"' not in detail.content


def test_staff_stop_a_key_and_its_owner_cannot_restart_it(console, keys, client_for):
    response = console.post(
        LIST, {"action": "disable_keys", "_selected_action": [keys[0].pk]}, follow=True
    )

    assert response.status_code == 200
    assert "已停用 1 个应用密钥" in response.content.decode()
    keys[0].refresh_from_db()
    assert (keys[0].is_active, keys[0].disabled_by_staff) == (False, True)
    restart = client_for(keys[0].owner).put(STATUS, {"is_active": True}, format="json")
    assert restart.status_code == 403


def test_the_user_page_lists_their_keys_newest_first(console, keys):
    owner = keys[0].owner
    old_prefix = keys[0].prefix
    new_prefix = application_key_rotate(owner=owner).record.prefix

    page = console.get(f"/admin/accounts/user/{owner.pk}/change/")

    assert page.status_code == 200
    body = page.content.decode()
    assert body.index(new_prefix) < body.index(old_prefix)
    assert "在应用密钥列表中管理" in body
    assert keys[0].key_hash not in body
