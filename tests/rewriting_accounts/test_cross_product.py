"""One identity: each product's logins and tokens work on the other's routes."""

import pytest

from tests.accounts.helpers import register, request_code
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import (
    CHANGE_PASSWORD,
    INVALID_TOKEN,
    LOGOUT,
    PORTAL_LOGIN,
    PORTAL_ME,
    REGISTER,
    USER_LIST,
    assert_ok,
    assert_refused,
    bearer,
    post,
)

pytestmark = pytest.mark.django_db


def portal_token(client, email: str, password: str = DEFAULT_PASSWORD) -> str:
    response = post(client, PORTAL_LOGIN, {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_portal_token_lists_users_for_an_admin(api_client, admin, member):
    token = portal_token(api_client, "boss@example.com")

    data = assert_ok(api_client.get(USER_LIST, **bearer(token)), "获取用户列表成功")

    assert data["scope"] == "all"
    assert data["total"] == 2


def test_portal_token_changes_the_password_and_is_then_ended(api_client, member):
    token = portal_token(api_client, "alice@example.com")
    body = {"current_password": DEFAULT_PASSWORD, "new_password": "brand-new-456"}

    assert_ok(post(api_client, CHANGE_PASSWORD, body, **bearer(token)), "密码修改成功，请重新登录")

    assert api_client.get(PORTAL_ME, **bearer(token)).status_code == 401
    assert_refused(api_client.get(USER_LIST, **bearer(token)), 401, INVALID_TOKEN)
    assert portal_token(api_client, "alice@example.com", "brand-new-456")


def test_rewriting_token_reads_the_portal_profile(api_client, member, rewriting_login):
    token = rewriting_login("alice")["session"]["access_token"]

    response = api_client.get(PORTAL_ME, **bearer(token))

    assert response.status_code == 200
    assert response.json()["id"] == str(member.uuid)
    assert response.json()["email"] == "alice@example.com"


def test_rewriting_logout_ends_a_portal_token(api_client, member):
    token = portal_token(api_client, "alice@example.com")

    assert_ok(post(api_client, LOGOUT, **bearer(token)), "退出登录成功")

    assert api_client.get(PORTAL_ME, **bearer(token)).status_code == 401


def test_rewriting_sign_up_logs_in_on_the_portal_once_its_address_is_proven(api_client):
    body = {"username": "newbie", "email": "NewBie@example.com", "password": "secret123"}
    assert_ok(post(api_client, REGISTER, body), "注册成功")
    unproven = post(
        api_client, PORTAL_LOGIN, {"email": "newbie@example.com", "password": "secret123"}
    )
    code = request_code(api_client, "newbie@example.com")
    assert register(api_client, "newbie@example.com", code, "secret123").status_code == 201

    token = portal_token(api_client, "newbie@example.com", "secret123")

    assert unproven.status_code == 403
    assert api_client.get(PORTAL_ME, **bearer(token)).json()["email"] == "newbie@example.com"


def test_portal_user_logs_in_on_the_rewriting_api_with_the_email(rewriting_login):
    portal_user = UserFactory(email="portal@example.com")

    data = rewriting_login("portal@example.com")

    assert data["user"]["id"] == str(portal_user.uuid)
    assert data["user"]["username"] is None
    assert data["user"]["phone"] is None
