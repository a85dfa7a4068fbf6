"""3. POST /user/login: username (or e-mail) and password, or phone and SMS code; throttled."""

import time

import pytest

from accounts.models import LoginSession
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import (
    CODE_REFUSED,
    LOGIN,
    MEMBER_PHONE,
    MILLISECOND_TIME,
    NEW_PHONE,
    PORTAL_ME,
    THROTTLED,
    WRONG_CREDENTIALS,
    assert_ok,
    assert_refused,
    bearer,
    post,
)

pytestmark = pytest.mark.django_db

USER_KEYS = {
    "id",
    "username",
    "email",
    "phone",
    "role",
    "points_balance",
    "rate",
    "invite_code",
    "created_at",
}
LOCKED = "登录失败次数过多，请稍后再试"
ONE_WAY_ONLY = "只能选择一种登录方式"
NO_WAY = "请提供用户名密码或手机号验证码进行登录"


def login(client, **body):
    return post(client, LOGIN, body)


def password_login(client, username: str = "alice", password: str = DEFAULT_PASSWORD, **extra):
    return post(client, LOGIN, {"username": username, "password": password}, **extra)


def test_password_login_answers_user_and_session(api_client, member):
    data = assert_ok(password_login(api_client), "登录成功")

    assert set(data) == {"user", "session"}
    user = data["user"]
    assert set(user) == USER_KEYS
    assert user["id"] == str(member.uuid)
    assert user["username"] == "alice"
    assert user["email"] == "alice@example.com"
    assert user["phone"] == MEMBER_PHONE
    assert user["role"] == "user"
    assert user["points_balance"] == 0
    assert user["invite_code"] == member.invite_code
    assert MILLISECOND_TIME.fullmatch(user["created_at"])
    session = data["session"]
    assert set(session) == {"access_token", "refresh_token", "expires_at"}
    assert type(session["expires_at"]) is int
    assert abs(session["expires_at"] - (time.time() + 1800)) <= 5
    assert session["access_token"] != session["refresh_token"]


def test_access_token_of_a_login_works(api_client, member):
    token = assert_ok(password_login(api_client), "登录成功")["session"]["access_token"]

    assert api_client.get(PORTAL_ME, **bearer(token)).status_code == 200


def test_login_starts_a_session_with_a_refresh_token(api_client, member):
    password_login(api_client, HTTP_USER_AGENT="pytest-agent")

    session = LoginSession.objects.get(user=member)
    assert session.refresh_token_hash
    assert session.revoked_at is None
    assert session.user_agent == "pytest-agent"


@pytest.mark.parametrize("typed", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"])
def test_username_or_email_whatever_the_case(api_client, member, typed):
    data = assert_ok(password_login(api_client, typed), "登录成功")

    assert data["user"]["id"] == str(member.uuid)


def test_wrong_password_and_unknown_username_are_the_same_401(api_client, member):
    wrong = password_login(api_client, "alice", "wrong-password")
    unknown = password_login(api_client, "nobody", DEFAULT_PASSWORD)

    assert_refused(wrong, 401, WRONG_CREDENTIALS)
    assert_refused(unknown, 401, WRONG_CREDENTIALS)
    assert wrong.json()["message"] == unknown.json()["message"]
    assert not LoginSession.objects.exists()


def test_disabled_user_is_403(api_client, member):
    member.is_active = False
    member.save()

    assert_refused(password_login(api_client), 403, "账号已被禁用")
    assert not LoginSession.objects.exists()


# --- one way, not two --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": DEFAULT_PASSWORD, "phone": MEMBER_PHONE},
        {"username": "alice", "password": DEFAULT_PASSWORD, "verification_code": "123456"},
        {
            "username": "alice",
            "password": DEFAULT_PASSWORD,
            "phone": MEMBER_PHONE,
            "verification_code": "123456",
        },
    ],
)
def test_both_ways_at_once_is_400(api_client, member, body):
    assert_refused(login(api_client, **body), 400, ONE_WAY_ONLY)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "alice"},
        {"password": DEFAULT_PASSWORD},
        {"username": "", "password": ""},
        {"phone": MEMBER_PHONE},
        {"verification_code": "123456"},
    ],
)
def test_neither_way_complete_is_400(api_client, member, body):
    assert_refused(login(api_client, **body), 400, NO_WAY)


def test_malformed_phone_is_400(api_client):
    response = login(api_client, phone="12ab", verification_code="123456")

    assert_refused(response, 400, "手机号格式不正确")


def test_malformed_code_is_400(api_client, member):
    response = login(api_client, phone=MEMBER_PHONE, verification_code="12ab")

    assert_refused(response, 400, "验证码应为4-6位数字")


# --- by phone ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [MEMBER_PHONE, "13800138000", "+86 138-0013-8000"])
def test_phone_login_with_the_texted_code(api_client, member, send_otp, typed):
    code = send_otp(typed, "login", texted_to=MEMBER_PHONE)

    data = assert_ok(login(api_client, phone=typed, verification_code=code), "登录成功")

    assert data["user"]["id"] == str(member.uuid)
    assert data["session"]["refresh_token"]


def test_phone_login_with_a_wrong_code_is_401(api_client, member, send_otp):
    code = send_otp(MEMBER_PHONE, "login")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    response = login(api_client, phone=MEMBER_PHONE, verification_code=wrong)

    assert_refused(response, 401, CODE_REFUSED)
    assert not LoginSession.objects.exists()


def test_phone_login_of_an_unknown_phone_is_404(api_client):
    response = login(api_client, phone=NEW_PHONE, verification_code="123456")

    assert_refused(response, 404, "手机号未注册")


def test_phone_login_of_a_disabled_user_is_403(api_client, member, send_otp):
    code = send_otp(MEMBER_PHONE, "login")
    member.is_active = False
    member.save()

    response = login(api_client, phone=MEMBER_PHONE, verification_code=code)

    assert_refused(response, 403, "账号已被禁用")
    assert not LoginSession.objects.exists()


# --- throttling ----------------------------------------------------------------------------


@pytest.fixture
def failure_limit(settings) -> int:
    settings.LOGIN_FAILURE_LIMIT = 3
    return 3


def test_too_many_failures_lock_the_account_even_with_the_right_password(
    api_client, member, failure_limit
):
    for _ in range(failure_limit):
        assert_refused(password_login(api_client, password="wrong"), 401, WRONG_CREDENTIALS)

    response = password_login(api_client)

    assert_refused(response, 429, LOCKED)
    assert int(response["Retry-After"]) == 15 * 60


def test_failures_below_the_limit_do_not_lock(api_client, member, failure_limit):
    for _ in range(failure_limit - 1):
        password_login(api_client, password="wrong")

    assert_ok(password_login(api_client), "登录成功")


def test_the_lock_holds_from_another_address(api_client, member, failure_limit):
    for _ in range(failure_limit):
        password_login(api_client, password="wrong")

    response = password_login(api_client, REMOTE_ADDR="10.0.0.9")

    assert_refused(response, 429, LOCKED)


def test_the_lock_is_per_account_whichever_name_it_is_given(api_client, member, failure_limit):
    for _ in range(failure_limit):
        password_login(api_client, "alice", "wrong")

    response = password_login(api_client, "alice@example.com")

    assert_refused(response, 429, LOCKED)


def test_the_lock_spares_other_accounts(api_client, member, failure_limit):
    UserFactory(username="bob")
    for _ in range(failure_limit):
        password_login(api_client, password="wrong")

    assert_ok(password_login(api_client, "bob"), "登录成功")


def test_per_address_throttle(api_client, member, throttle_rates):
    throttle_rates["login"] = "2/min"
    for _ in range(2):
        assert_ok(password_login(api_client), "登录成功")

    response = password_login(api_client)

    assert_refused(response, 429, THROTTLED)
    assert_ok(password_login(api_client, REMOTE_ADDR="10.0.0.9"), "登录成功")
