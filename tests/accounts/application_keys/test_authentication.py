"""A key authenticates its owner on the portal's API: read-only unless made otherwise, never to
manage keys or the password, never on the rewriting API; one query a request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApplicationKey, LoginFailure
from accounts.services import (
    application_key_active_set,
    application_key_disable_by_staff,
    application_key_rotate,
)
from tests.accounts.application_keys.helpers import CREATE, INFO, ROTATE, STATUS, VALIDATE
from tests.accounts.helpers import AUTH_ME, CHANGE_PASSWORD, USERS_ME
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

INVALID = {"detail": "无效的认证凭据"}
UNKNOWN_KEY = "sk-" + "A" * 43


def test_a_key_reads_as_its_owner(key_client, user, read_key):
    response = key_client(read_key.key).get(AUTH_ME)

    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_a_read_only_key_cannot_write(key_client, read_key):
    response = key_client(read_key.key).patch(USERS_ME, {"bio": "hello"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "应用密钥为只读，不能执行写操作"}


def test_a_key_made_for_writing_writes(key_client, user, issue):
    issued = issue(user, can_write=True)

    response = key_client(issued.key).patch(USERS_ME, {"bio": "hello"}, format="json")

    assert response.status_code == 200
    assert response.json()["bio"] == "hello"


@pytest.mark.parametrize("can_write", [False, True])
def test_a_key_cannot_manage_keys_or_the_password(key_client, user, issue, can_write):
    client = key_client(issue(user, can_write=can_write).key)
    password = {"old_password": DEFAULT_PASSWORD, "new_password": "another-password-1"}

    answers = [
        client.post(CREATE, {}, format="json"),
        client.get(INFO),
        client.post(ROTATE),
        client.put(STATUS, {"is_active": True}, format="json"),
        client.post(CHANGE_PASSWORD, password, format="json"),
    ]

    for answer in answers:
        assert answer.status_code == 403
        assert answer.json() == {"detail": "此操作需要登录，不能使用应用密钥"}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert ApplicationKey.objects.filter(owner=user).count() == 1


def test_the_password_change_still_takes_a_login_token(auth_client):
    body = {"old_password": DEFAULT_PASSWORD, "new_password": "another-password-1"}

    assert auth_client.post(CHANGE_PASSWORD, body, format="json").status_code == 200


@pytest.mark.parametrize(
    ("path", "method"),
    [("/points/balance", "get"), ("/user/list", "get"), ("/ai/reduce-task", "post")],
)
def test_keys_do_not_open_the_rewriting_api(key_client, user, issue, path, method):
    client = key_client(issue(user, can_write=True).key)

    response = getattr(client, method)(path, {}, format="json")

    assert response.status_code == 401
    assert (response.json()["code"], response.json()["message"]) == (401, "访问令牌无效")


def test_a_stopped_key_is_refused(key_client, user, read_key):
    application_key_active_set(owner=user, is_active=False)

    response = key_client(read_key.key).get(AUTH_ME)

    assert (response.status_code, response.json()) == (401, INVALID)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_rotated_key_is_refused_and_the_new_one_works(key_client, user, read_key):
    new = application_key_rotate(owner=user)

    assert key_client(read_key.key).get(AUTH_ME).status_code == 401
    assert key_client(new.key).get(AUTH_ME).status_code == 200


def test_a_key_staff_stopped_is_refused(key_client, read_key):
    application_key_disable_by_staff(record=read_key.record)

    assert key_client(read_key.key).get(AUTH_ME).json() == INVALID


def test_an_unknown_key_is_refused_as_any_bad_credential(key_client, read_key):
    response = key_client(UNKNOWN_KEY).get(AUTH_ME)

    assert (response.status_code, response.json()) == (401, INVALID)


def test_the_key_of_a_disabled_account(key_client, user, read_key):
    user.is_active = False
    user.save()

    response = key_client(read_key.key).get(AUTH_ME)

    assert (response.status_code, response.json()) == (403, {"detail": "账号已被禁用"})


def test_the_key_of_an_account_whose_password_is_temporary(key_client, user, read_key):
    user.password_change_required = True
    user.save()

    response = key_client(read_key.key).get(AUTH_ME)

    assert (response.status_code, response.json()) == (403, {"detail": "请先修改临时密码"})


def test_login_tokens_work_as_before(auth_client):
    assert auth_client.get(AUTH_ME).status_code == 200


# --- last use, in as few queries as can be -----------------------------------------------------


def test_a_keyed_request_costs_one_query_and_a_write_a_minute(
    key_client, read_key, django_assert_num_queries
):
    client = key_client(read_key.key)

    with django_assert_num_queries(2):  # the key with its owner; its first use noted
        assert client.get(AUTH_ME).status_code == 200
    first_use = ApplicationKey.objects.get(pk=read_key.record.pk).last_used_at
    with django_assert_num_queries(1):  # within the minute: the key with its owner only
        assert client.get(AUTH_ME).status_code == 200

    assert first_use is not None
    assert ApplicationKey.objects.get(pk=read_key.record.pk).last_used_at == first_use


def test_last_use_is_noted_again_after_a_minute(key_client, read_key):
    long_ago = timezone.now() - timedelta(minutes=5)
    ApplicationKey.objects.filter(pk=read_key.record.pk).update(last_used_at=long_ago)

    key_client(read_key.key).get(AUTH_ME)

    assert ApplicationKey.objects.get(pk=read_key.record.pk).last_used_at > long_ago


def test_a_newer_use_written_by_another_process_is_not_overwritten(read_key):
    from accounts.services import application_key_used

    loaded = ApplicationKey.objects.get(pk=read_key.record.pk)  # last_used_at: none yet
    elsewhere = timezone.now()
    ApplicationKey.objects.filter(pk=loaded.pk).update(last_used_at=elsewhere)

    application_key_used(record=loaded)

    assert ApplicationKey.objects.get(pk=loaded.pk).last_used_at == elsewhere


# --- wrong keys count towards the sign-in lockout ----------------------------------------------

PER_IP = 5


@pytest.fixture
def _low_limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_IP = PER_IP


def unknown_key(n: int) -> str:
    return f"sk-guess{n:03d}" + "A" * 35


@pytest.mark.usefixtures("_low_limits")
def test_wrong_keys_lock_the_client_address(key_client, read_key):
    for n in range(PER_IP):
        assert key_client(unknown_key(n)).get(AUTH_ME).status_code == 401

    locked = key_client(unknown_key(99)).get(AUTH_ME)
    elsewhere = key_client(unknown_key(98)).get(AUTH_ME, REMOTE_ADDR="10.9.9.9")

    assert (locked.status_code, locked.json()) == (429, {"detail": "登录失败次数过多，请稍后再试"})
    assert locked["Retry-After"] == "900"
    assert elsewhere.status_code == 401
    # A known key is not held up: an office behind one address keeps its integrations.
    assert key_client(read_key.key).get(AUTH_ME).status_code == 200


@pytest.mark.usefixtures("_low_limits")
def test_wrong_keys_lock_the_address_for_password_logins_too(key_client, api_client, user):
    for n in range(PER_IP):
        key_client(unknown_key(n)).get(AUTH_ME)

    login = {"email": user.email, "password": DEFAULT_PASSWORD}
    response = api_client.post("/api/auth/login", login, format="json")

    assert response.status_code == 429
    assert LoginFailure.objects.filter(ip_address="127.0.0.1").count() == PER_IP


@pytest.mark.usefixtures("_low_limits")
def test_a_wrong_key_never_locks_an_account(key_client, api_client, user):
    for _ in range(3):
        key_client(unknown_key(1)).get(AUTH_ME)

    login = {"email": user.email, "password": DEFAULT_PASSWORD}
    elsewhere = api_client.post("/api/auth/login", login, format="json", REMOTE_ADDR="10.9.9.9")

    assert elsewhere.status_code == 200


@pytest.mark.usefixtures("_low_limits")
def test_validate_counts_unknown_keys_the_same_way(api_client, read_key):
    for n in range(PER_IP):
        assert api_client.get(VALIDATE, {"key": unknown_key(n)}).json()["valid"] is False

    locked = api_client.get(VALIDATE, {"key": unknown_key(99)})

    assert (locked.status_code, locked.json()["detail"]) == (429, "登录失败次数过多，请稍后再试")
    assert api_client.get(VALIDATE, {"key": read_key.key}).json()["valid"] is True


def test_a_known_key_costs_no_lockout_query_even_when_stopped(
    key_client, user, read_key, django_assert_num_queries
):
    application_key_active_set(owner=user, is_active=False)

    with django_assert_num_queries(1):
        assert key_client(read_key.key).get(AUTH_ME).status_code == 401
