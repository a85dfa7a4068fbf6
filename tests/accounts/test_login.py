"""1.3 POST /api/auth/login and 1.4 POST /api/auth/token."""

import pytest
from django.utils import timezone

from accounts.models import LoginSession
from accounts.services import user_active_set
from tests.accounts.helpers import AUTH_ME, LOGIN, TOKEN, login
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def assert_token_body(body: dict) -> None:
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert isinstance(body["access_token"], str)
    assert body["access_token"].count(".") == 2


def me_status(client, token: str) -> int:
    return client.get(AUTH_ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code


# --- 1.3 JSON login -----------------------------------------------------------------------


def test_login_returns_a_bearer_token(api_client, user):
    response = login(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert_token_body(body)
    assert me_status(api_client, body["access_token"]) == 200


def test_login_starts_a_session_of_thirty_minutes(api_client, user):
    before = timezone.now()
    login(api_client, user.email, DEFAULT_PASSWORD, HTTP_USER_AGENT="pytest-agent")

    session = LoginSession.objects.get(user=user)
    assert session.revoked_at is None
    assert session.ip_address == "127.0.0.1"
    assert session.user_agent == "pytest-agent"
    assert 1799 <= (session.expires_at - before).total_seconds() <= 1801


@pytest.mark.parametrize("typed", ["USER@Example.com", "user@example.com", " user@example.com "])
def test_login_matches_email_case_insensitively(api_client, typed):
    UserFactory(email="user@example.com")

    response = login(api_client, typed, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert_token_body(response.json())


def test_wrong_password_is_401(api_client, user):
    response = login(api_client, user.email, "wrong-password")

    assert response.status_code == 401
    assert response.json() == {"detail": "邮箱或密码错误"}
    assert not LoginSession.objects.exists()


def test_unknown_email_is_401_with_the_same_message(api_client):
    response = login(api_client, "nobody@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 401
    assert response.json() == {"detail": "邮箱或密码错误"}


def test_disabled_user_is_403(api_client, user):
    user.is_active = False
    user.save()

    response = login(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 403
    assert response.json() == {"detail": "账号已被禁用"}
    assert not LoginSession.objects.exists()


def test_disabled_user_with_a_wrong_password_is_401(api_client, user):
    user_active_set(user=user, is_active=False)

    response = login(api_client, user.email, "wrong-password")

    assert response.status_code == 401
    assert response.json() == {"detail": "邮箱或密码错误"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"password": DEFAULT_PASSWORD}, "邮箱不能为空"),
        ({"email": "user@example.com"}, "密码不能为空"),
        ({"email": "not-an-email", "password": DEFAULT_PASSWORD}, "邮箱格式不正确"),
        ({"email": "user@example.com", "password": ""}, "密码不能为空"),
        ({"email": "user@example.com", "password": "x" * 129}, "密码长度不能超过128位"),
    ],
)
def test_invalid_login_body_is_422(api_client, body, detail):
    response = api_client.post(LOGIN, body, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_too_many_failures_lock_the_account(api_client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert login(api_client, user.email, "wrong-password").status_code == 401

    response = login(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert response.json() == {"detail": "登录失败次数过多，请稍后再试"}
    assert int(response["Retry-After"]) == 900
    assert not LoginSession.objects.exists()


def test_lock_counts_failures_whatever_the_email_case(api_client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for typed in [user.email, user.email.upper(), user.email.title()]:
        assert login(api_client, typed, "wrong-password").status_code == 401

    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 429


def test_lock_holds_from_any_client_address(api_client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):
        login(api_client, user.email, "wrong-password", REMOTE_ADDR=f"10.0.0.{n}")

    response = login(api_client, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429


def test_lock_is_per_account(api_client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    other = UserFactory()
    for _ in range(3):
        login(api_client, user.email, "wrong-password")

    assert login(api_client, other.email, DEFAULT_PASSWORD).status_code == 200


def test_unknown_emails_are_locked_too(api_client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert login(api_client, "nobody@example.com", "wrong").status_code == 401

    response = login(api_client, "nobody@example.com", "wrong")

    assert response.status_code == 429
    assert response.json() == {"detail": "登录失败次数过多，请稍后再试"}


def test_success_resets_the_failure_count(api_client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        login(api_client, user.email, "wrong-password")
    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200
    for _ in range(2):
        login(api_client, user.email, "wrong-password")

    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_login_scope_throttle_per_ip(api_client, user, throttle_rates):
    throttle_rates["login"] = "2/min"
    for _ in range(2):
        assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200

    response = login(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {"detail": f"请求过于频繁，请{retry_after}秒后重试"}
    # The token route shares the scope, another client does not.
    form = {"username": user.email, "password": DEFAULT_PASSWORD}
    assert api_client.post(TOKEN, form).status_code == 429
    other = login(api_client, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_login_throttle_ignores_spoofed_forwarded_for(api_client, user, throttle_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    throttle_rates["login"] = "2/min"
    for n in range(2):
        login(api_client, user.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = login(api_client, user.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.status_code == 429


# --- 1.4 OAuth2 password form -------------------------------------------------------------


def test_token_form_login(api_client, user):
    response = api_client.post(TOKEN, {"username": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert_token_body(body)
    assert me_status(api_client, body["access_token"]) == 200


def test_token_form_login_with_password_grant_type(api_client, user):
    form = {"username": user.email.upper(), "password": DEFAULT_PASSWORD, "grant_type": "password"}

    response = api_client.post(TOKEN, form)

    assert response.status_code == 200
    assert_token_body(response.json())


def test_token_form_is_url_encoded(api_client, user):
    body = f"username={user.email}&password={DEFAULT_PASSWORD}"

    response = api_client.post(TOKEN, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert_token_body(response.json())


def test_token_refuses_json(api_client, user):
    response = api_client.post(
        TOKEN, {"username": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 415
    assert response.json() == {"detail": "不支持的请求内容类型"}


def test_token_wrong_password_is_401(api_client, user):
    response = api_client.post(TOKEN, {"username": user.email, "password": "wrong-password"})

    assert response.status_code == 401
    assert response.json() == {"detail": "邮箱或密码错误"}


def test_token_disabled_user_is_403(api_client, user):
    user_active_set(user=user, is_active=False)

    response = api_client.post(TOKEN, {"username": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 403
    assert response.json() == {"detail": "账号已被禁用"}


@pytest.mark.parametrize(
    ("form", "detail"),
    [
        ({"password": DEFAULT_PASSWORD}, "邮箱不能为空"),
        ({"username": "user@example.com"}, "密码不能为空"),
        ({"username": "not-an-email", "password": DEFAULT_PASSWORD}, "邮箱格式不正确"),
        (
            {"username": "user@example.com", "password": "x", "grant_type": "client_credentials"},
            "grant_type格式不正确",
        ),
    ],
)
def test_token_invalid_form_is_422(api_client, form, detail):
    response = api_client.post(TOKEN, form)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
