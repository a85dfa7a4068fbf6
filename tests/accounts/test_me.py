"""1.5 GET /api/auth/me and /api/users/me; 1.6 PATCH /api/users/me."""

from datetime import datetime

import pytest
from django.utils import timezone

from accounts.services import user_active_set
from tests.accounts.helpers import AUTH_ME, USER_KEYS, USERS_ME
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def patch(client, body):
    return client.patch(USERS_ME, body, format="json")


# --- 1.5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [AUTH_ME, USERS_ME])
def test_me_returns_the_current_user(auth_client, user, url):
    user.full_name = "张三"
    user.phone_number = "+86-13800000000"
    user.avatar_url = "https://cdn.example.com/avatar.png"
    user.bio = "负责北区客户成功支持。"
    user.updated_at = timezone.now()
    user.save()

    response = auth_client.get(url)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_KEYS
    assert body["id"] == str(user.uuid)
    assert body["email"] == user.email
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert datetime.fromisoformat(body["created_at"]) == user.created_at
    assert datetime.fromisoformat(body["updated_at"]) == user.updated_at
    assert body["full_name"] == "张三"
    assert body["phone_number"] == "+86-13800000000"
    assert body["avatar_url"] == "https://cdn.example.com/avatar.png"
    assert body["bio"] == "负责北区客户成功支持。"


def test_both_me_routes_agree(auth_client):
    assert auth_client.get(AUTH_ME).json() == auth_client.get(USERS_ME).json()


def test_me_is_the_token_owner(api_client, make_token, auth_header):
    alice, bob = UserFactory(), UserFactory()

    assert api_client.get(AUTH_ME, **auth_header(make_token(alice))).json()["email"] == alice.email
    assert api_client.get(AUTH_ME, **auth_header(make_token(bob))).json()["email"] == bob.email


@pytest.mark.parametrize("url", [AUTH_ME, USERS_ME])
def test_me_without_token_is_401(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("url", [AUTH_ME, USERS_ME])
def test_me_of_a_user_disabled_in_the_database_is_403(auth_client, user, url):
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    response = auth_client.get(url)

    assert response.status_code == 403
    assert response.json() == {"detail": "账号已被禁用"}


@pytest.mark.parametrize("url", [AUTH_ME, USERS_ME])
def test_me_of_a_user_disabled_by_the_service_is_403(auth_client, user, url):
    user_active_set(user=user, is_active=False)
    assert user.login_sessions.filter(revoked_at__isnull=True).count() == 0

    response = auth_client.get(url)

    assert response.status_code == 403
    assert response.json() == {"detail": "账号已被禁用"}


def test_re_enabled_user_needs_a_new_login(auth_client, user):
    user_active_set(user=user, is_active=False)
    user_active_set(user=user, is_active=True)

    response = auth_client.get(AUTH_ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "无效的认证凭据"}


def test_me_takes_one_query(auth_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = auth_client.get(AUTH_ME)

    assert response.status_code == 200


# --- 1.6 ----------------------------------------------------------------------------------


def test_patch_updates_only_the_given_fields(auth_client, user):
    user.bio = "旧简介"
    user.save()

    response = patch(auth_client, {"full_name": "张三", "phone_number": "+86-13800000000"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_KEYS
    assert body["full_name"] == "张三"
    assert body["phone_number"] == "+86-13800000000"
    assert body["bio"] == "旧简介"
    assert body["avatar_url"] is None
    assert body["updated_at"] is not None
    user.refresh_from_db()
    assert user.full_name == "张三"
    assert user.phone_number == "+86-13800000000"
    assert user.bio == "旧简介"
    assert datetime.fromisoformat(body["updated_at"]) == user.updated_at
    assert auth_client.get(AUTH_ME).json() == body


def test_patch_sets_every_profile_field(auth_client, user):
    changes = {
        "full_name": "张三",
        "phone_number": "+86-13800000000",
        "avatar_url": "https://cdn.example.com/avatar.png",
        "bio": "负责北区客户成功支持。",
    }

    response = patch(auth_client, changes)

    assert response.status_code == 200
    assert {name: response.json()[name] for name in changes} == changes


def test_patch_ignores_read_only_fields(auth_client, user):
    original = auth_client.get(AUTH_ME).json()

    response = patch(
        auth_client,
        {"full_name": "张三", "email": "evil@example.com", "role": "admin", "is_active": False},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == original["email"]
    assert user.role == "user"
    assert user.is_active


@pytest.mark.parametrize("body", [{}, {"email": "x@example.com"}, {"nickname": "x"}])
def test_patch_without_profile_fields_is_400(auth_client, user, body):
    response = patch(auth_client, body)

    assert response.status_code == 400
    assert response.json() == {"detail": "未提供任何需要更新的字段"}
    user.refresh_from_db()
    assert user.updated_at is None


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"full_name": "x" * 65}, "姓名长度不能超过64个字符"),
        ({"phone_number": "1" * 33}, "联系方式长度不能超过32个字符"),
        ({"bio": "x" * 257}, "个人简介长度不能超过256个字符"),
        ({"avatar_url": "javascript:alert(1)"}, "头像URL格式不正确"),
        ({"avatar_url": "ftp://example.com/a.png"}, "头像URL格式不正确"),
        ({"avatar_url": "not a url"}, "头像URL格式不正确"),
    ],
)
def test_patch_invalid_field_is_422(auth_client, user, body, detail):
    response = patch(auth_client, body)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    user.refresh_from_db()
    assert user.updated_at is None


def test_patch_accepts_the_maximum_lengths(auth_client):
    body = {"full_name": "名" * 64, "phone_number": "1" * 32, "bio": "简" * 256}

    response = patch(auth_client, body)

    assert response.status_code == 200
    assert {name: response.json()[name] for name in body} == body


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_patch_blank_string_is_stored_as_null(auth_client, user, blank):
    user.full_name = "张三"
    user.save()

    response = patch(auth_client, {"full_name": blank})

    assert response.status_code == 200
    assert response.json()["full_name"] is None
    user.refresh_from_db()
    assert user.full_name is None


def test_patch_null_clears_fields(auth_client, user):
    user.bio = "旧简介"
    user.avatar_url = "https://cdn.example.com/avatar.png"
    user.save()

    response = patch(auth_client, {"bio": None, "avatar_url": None})

    assert response.status_code == 200
    assert response.json()["bio"] is None
    assert response.json()["avatar_url"] is None
    user.refresh_from_db()
    assert user.bio is None
    assert user.avatar_url is None


def test_patch_without_token_is_401(api_client):
    response = patch(api_client, {"full_name": "张三"})

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_patch_by_a_disabled_user_is_403(auth_client, user):
    user_active_set(user=user, is_active=False)

    response = patch(auth_client, {"full_name": "张三"})

    assert response.status_code == 403
    assert response.json() == {"detail": "账号已被禁用"}
