"""1.7 POST /api/users/me/change-password."""

import pytest

from accounts.models import LoginSession
from tests.accounts.helpers import AUTH_ME, CHANGE_PASSWORD, login
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "NewPassw0rd!"


def change(client, old: str, new: str):
    body = {"old_password": old, "new_password": new}
    return client.post(CHANGE_PASSWORD, body, format="json")


def test_change_password(auth_client, user):
    response = change(auth_client, DEFAULT_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 200
    assert response.json() == {"message": "密码修改成功"}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert user.updated_at is not None


def test_change_password_ends_every_session(api_client, user):
    tokens = []
    for _ in range(2):
        response = login(api_client, user.email, DEFAULT_PASSWORD)
        assert response.status_code == 200
        tokens.append(response.json()["access_token"])
    current, other = tokens
    headers = {"HTTP_AUTHORIZATION": f"Bearer {current}"}

    response = api_client.post(
        CHANGE_PASSWORD,
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        **headers,
    )
    assert response.status_code == 200

    for token in (current, other):
        me = api_client.get(AUTH_ME, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert me.status_code == 401
        assert me.json() == {"detail": "无效的认证凭据"}
    assert not LoginSession.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_after_change_only_the_new_password_logs_in(api_client, auth_client, user):
    assert change(auth_client, DEFAULT_PASSWORD, NEW_PASSWORD).status_code == 200

    old = login(api_client, user.email, DEFAULT_PASSWORD)
    assert old.status_code == 401
    assert old.json() == {"detail": "邮箱或密码错误"}
    new = login(api_client, user.email, NEW_PASSWORD)
    assert new.status_code == 200
    token = new.json()["access_token"]
    assert api_client.get(AUTH_ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_change_password_leaves_other_users_sessions(api_client, auth_client, make_token):
    other_token = make_token(UserFactory())

    assert change(auth_client, DEFAULT_PASSWORD, NEW_PASSWORD).status_code == 200

    assert api_client.get(AUTH_ME, HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 200


def test_wrong_old_password_is_400(auth_client, user):
    response = change(auth_client, "not-my-password", NEW_PASSWORD)

    assert response.status_code == 400
    assert response.json() == {"detail": "当前密码不正确"}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert auth_client.get(AUTH_ME).status_code == 200


def test_same_password_is_400(auth_client, user):
    response = change(auth_client, DEFAULT_PASSWORD, DEFAULT_PASSWORD)

    assert response.status_code == 400
    assert response.json() == {"detail": "新密码不能与当前密码相同"}
    assert auth_client.get(AUTH_ME).status_code == 200


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"old_password": DEFAULT_PASSWORD, "new_password": "short"}, "新密码长度至少为8位"),
        ({"old_password": DEFAULT_PASSWORD, "new_password": "x" * 129}, "新密码长度不能超过128位"),
        ({"new_password": NEW_PASSWORD}, "当前密码不能为空"),
        ({"old_password": DEFAULT_PASSWORD}, "新密码不能为空"),
        ({"old_password": DEFAULT_PASSWORD, "new_password": ""}, "新密码不能为空"),
    ],
)
def test_invalid_body_is_422(auth_client, user, body, detail):
    response = auth_client.post(CHANGE_PASSWORD, body, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_change_password_without_token_is_401(api_client):
    response = change(api_client, DEFAULT_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
