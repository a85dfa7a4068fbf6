"""7. POST /user/change-password: checks the current password, then ends every session."""

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.rewriting_accounts.helpers import (
    CHANGE_PASSWORD,
    INVALID_TOKEN,
    MISSING_TOKEN,
    PORTAL_ME,
    REFRESH,
    REFRESH_REFUSED,
    WRONG_CREDENTIALS,
    assert_ok,
    assert_refused,
    bearer,
    post,
)

pytestmark = pytest.mark.django_db

CHANGED = "密码修改成功，请重新登录"
NEW_PASSWORD = "brand-new-456"


def change_password(client, current: str = DEFAULT_PASSWORD, new: str = NEW_PASSWORD, **extra):
    body = {"current_password": current, "new_password": new}
    return post(client, CHANGE_PASSWORD, body, **extra)


def works(client, access_token: str) -> bool:
    return client.get(PORTAL_ME, **bearer(access_token)).status_code == 200


def test_change_ends_every_session_of_the_user(api_client, member, rewriting_login):
    first = rewriting_login("alice")["session"]
    second = rewriting_login("alice")["session"]

    response = change_password(api_client, **bearer(first["access_token"]))

    assert assert_ok(response, CHANGED) is None
    for session in (first, second):
        assert not works(api_client, session["access_token"])
        response = post(api_client, REFRESH, {"refresh_token": session["refresh_token"]})
        assert_refused(response, 401, REFRESH_REFUSED)


def test_new_password_logs_in_and_the_old_one_does_not(
    api_client, member, rewriting_login, client_for
):
    change_password(client_for(member))

    assert rewriting_login("alice", NEW_PASSWORD)["user"]["username"] == "alice"
    response = post(api_client, "/user/login", {"username": "alice", "password": DEFAULT_PASSWORD})
    assert_refused(response, 401, WRONG_CREDENTIALS)


def test_other_users_sessions_survive(api_client, member, admin, client_for, make_token):
    admin_token = make_token(admin)

    change_password(client_for(member))

    assert works(api_client, admin_token)


def test_missing_token_is_400(api_client, member):
    assert_refused(change_password(api_client), 400, MISSING_TOKEN)
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


def test_invalid_token_is_401(api_client):
    assert_refused(change_password(api_client, **bearer("garbage")), 401, INVALID_TOKEN)


def test_token_of_an_ended_session_is_401(api_client, member, rewriting_login):
    token = rewriting_login("alice")["session"]["access_token"]
    change_password(api_client, **bearer(token))

    response = change_password(api_client, NEW_PASSWORD, "another-789", **bearer(token))

    assert_refused(response, 401, INVALID_TOKEN)


@pytest.mark.parametrize(
    ("new", "message"),
    [("12345", "新密码至少6个字符"), ("", "新密码不能为空"), ("p" * 101, "新密码最多100个字符")],
)
def test_bad_new_password_is_400(client_for, member, new, message):
    assert_refused(change_password(client_for(member), new=new), 400, message)


@pytest.mark.parametrize("new", ["123456", "p" * 100])
def test_new_password_of_six_to_a_hundred_characters(client_for, member, new):
    assert_ok(change_password(client_for(member), new=new), CHANGED)


def test_missing_current_password_is_400(client_for, member):
    response = post(client_for(member), CHANGE_PASSWORD, {"new_password": NEW_PASSWORD})

    assert_refused(response, 400, "当前密码不能为空")


def test_wrong_current_password_is_401_and_changes_nothing(client_for, member, api_client):
    client = client_for(member)

    assert_refused(change_password(client, current="not-mine"), 401, "当前密码错误")

    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)
    assert_refused(change_password(client, current="not-mine"), 401, "当前密码错误")


def test_same_password_is_400(client_for, member):
    response = change_password(client_for(member), new=DEFAULT_PASSWORD)

    assert_refused(response, 400, "新密码不能与当前密码相同")
