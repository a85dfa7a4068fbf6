"""The five routes: what each answers, and each documented refusal."""

import re

import pytest

from accounts.models import ApplicationKey
from accounts.services import application_key_disable_by_staff, application_key_hash
from tests.accounts.application_keys.helpers import CREATE, INFO, ROTATE, STATUS, VALIDATE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY = re.compile(r"sk-[A-Za-z0-9_-]{43}")
INFO_FIELDS = {"id", "prefix", "can_write", "is_active", "created_at", "last_used_at"}


def test_create_shows_the_key_once_and_keeps_only_its_digest(auth_client, user):
    response = auth_client.post(CREATE, {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "应用密钥创建成功"
    issued = body["application_key"]
    assert KEY.fullmatch(issued["key"])
    assert issued["prefix"] == issued["key"][:11]
    assert (issued["can_write"], issued["is_active"]) == (False, True)
    [record] = ApplicationKey.objects.filter(owner=user)
    assert str(record.id) == issued["id"]
    assert record.key_hash == application_key_hash(issued["key"])
    assert issued["key"] not in str(ApplicationKey.objects.values().get())


def test_create_with_write_access(auth_client):
    response = auth_client.post(CREATE, {"can_write": True}, format="json")

    assert response.json()["application_key"]["can_write"] is True


def test_a_second_key_is_refused_while_one_is_live(auth_client, read_key):
    response = auth_client.post(CREATE, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "应用密钥已存在，如需新密钥请使用轮换"}


@pytest.mark.parametrize("body", [{"can_write": "yes"}, {"can_write": 1}, {"can_write": None}])
def test_create_refuses_a_scope_that_is_no_boolean(auth_client, body):
    response = auth_client.post(CREATE, body, format="json")

    assert response.status_code == 422
    assert ApplicationKey.objects.count() == 0


def test_info_never_shows_the_key_again(auth_client, read_key):
    response = auth_client.get(INFO)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == INFO_FIELDS
    assert body["prefix"] == read_key.key[:11]
    assert read_key.key not in response.content.decode()


def test_info_without_a_key(auth_client):
    response = auth_client.get(INFO)

    assert (response.status_code, response.json()) == (404, {"detail": "尚未创建应用密钥"})


def test_someone_elses_key_is_not_theirs_to_see(auth_client, issue):
    issue(UserFactory())

    assert auth_client.get(INFO).status_code == 404
    assert auth_client.post(ROTATE).status_code == 404
    assert auth_client.put(STATUS, {"is_active": False}, format="json").status_code == 404


def test_rotate_gives_a_new_key_with_the_same_scope_and_keeps_the_old_row(auth_client, user, issue):
    old = issue(user, can_write=True)

    response = auth_client.post(ROTATE)

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "应用密钥已轮换"
    new = body["application_key"]
    assert KEY.fullmatch(new["key"]) and new["key"] != old.key
    assert (new["can_write"], new["is_active"]) == (True, True)
    old.record.refresh_from_db()
    assert old.record.revoked_at is not None and not old.record.is_active
    assert ApplicationKey.objects.filter(owner=user).count() == 2
    assert auth_client.get(INFO).json()["id"] == new["id"]


def test_rotate_without_a_key(auth_client):
    response = auth_client.post(ROTATE)

    assert (response.status_code, response.json()) == (404, {"detail": "尚未创建应用密钥"})


def test_a_customer_stops_and_restarts_their_key(auth_client, read_key):
    stopped = auth_client.put(STATUS, {"is_active": False}, format="json")
    restarted = auth_client.put(STATUS, {"is_active": True}, format="json")

    assert stopped.status_code == 200
    assert stopped.json()["message"] == "应用密钥已停用"
    assert stopped.json()["application_key"]["is_active"] is False
    assert set(stopped.json()["application_key"]) == INFO_FIELDS
    assert restarted.json()["message"] == "应用密钥已启用"
    assert restarted.json()["application_key"]["is_active"] is True


@pytest.mark.parametrize("body", [{}, {"is_active": "false"}, {"is_active": 0}])
def test_status_needs_a_boolean(auth_client, read_key, body):
    response = auth_client.put(STATUS, body, format="json")

    assert response.status_code == 422


def test_status_without_a_key(auth_client):
    response = auth_client.put(STATUS, {"is_active": True}, format="json")

    assert response.status_code == 404


def test_a_key_staff_stopped_stays_stopped_until_rotated(auth_client, read_key):
    application_key_disable_by_staff(record=read_key.record)

    refused = auth_client.put(STATUS, {"is_active": True}, format="json")
    rotated = auth_client.post(ROTATE)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "该应用密钥已被管理员停用，请轮换后使用新密钥"}
    assert rotated.json()["application_key"]["is_active"] is True
    assert auth_client.put(STATUS, {"is_active": True}, format="json").status_code == 200


def test_the_management_routes_need_a_sign_in(api_client):
    assert api_client.post(CREATE, {}, format="json").status_code == 401
    assert api_client.get(INFO).status_code == 401
    assert api_client.post(ROTATE).status_code == 401
    assert api_client.put(STATUS, {"is_active": True}, format="json").status_code == 401


# --- validate ---------------------------------------------------------------------------------


def test_validate_a_working_key(api_client, read_key):
    response = api_client.get(VALIDATE, {"key": read_key.key})

    assert response.status_code == 200
    assert response.json() == {"valid": True, "is_active": True}


def test_validate_a_stopped_key(api_client, read_key, auth_client):
    auth_client.put(STATUS, {"is_active": False}, format="json")

    assert api_client.get(VALIDATE, {"key": read_key.key}).json() == {
        "valid": False,
        "is_active": False,
    }


def test_validate_a_rotated_key(api_client, read_key, auth_client):
    auth_client.post(ROTATE)

    assert api_client.get(VALIDATE, {"key": read_key.key}).json()["valid"] is False


def test_validate_the_key_of_a_disabled_account(api_client, user, read_key):
    user.is_active = False
    user.save()

    assert api_client.get(VALIDATE, {"key": read_key.key}).json() == {
        "valid": False,
        "is_active": True,
    }


def test_validate_an_unknown_key_without_saying_whose_anything_is(api_client, read_key):
    response = api_client.get(VALIDATE, {"key": "sk-" + "x" * 43})

    assert response.json() == {"valid": False, "is_active": False}


def test_validate_needs_a_key(api_client):
    assert api_client.get(VALIDATE).status_code == 422
    assert api_client.get(VALIDATE, {"key": ""}).status_code == 422


def test_validate_is_throttled(api_client, read_key, throttle_rates):
    throttle_rates["key_validate"] = "2/min"

    answers = [api_client.get(VALIDATE, {"key": read_key.key}) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "Retry-After" in answers[-1]


def test_the_management_routes_are_throttled(auth_client, read_key, throttle_rates):
    throttle_rates["account"] = "2/min"

    answers = [auth_client.get(INFO) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
