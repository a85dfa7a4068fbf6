"""2. POST /user/register: username, e-mail, optional verified phone, optional invite code."""

from decimal import Decimal

import pytest

from accounts.models import User
from points.models import PointsTransaction
from points.selectors import points_balance_of
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import (
    CODE_REFUSED,
    INVITE_CODE,
    MEMBER_PHONE,
    MILLISECOND_TIME,
    NEW_PHONE,
    REGISTER,
    assert_ok,
    assert_refused,
    post,
    schema_properties,
)

pytestmark = pytest.mark.django_db

PASSWORD = "secret123"
ANSWER_KEYS = {
    "id",
    "username",
    "email",
    "phone",
    "invite_code",
    "role",
    "points_balance",
    "rate",
    "created_at",
    "invited_by",
}


def register(client, **fields):
    body = {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD, **fields}
    return post(client, REGISTER, body)


def test_register_answers_the_new_user(api_client):
    data = assert_ok(register(api_client), "注册成功")

    user = User.objects.get(username="newbie")
    assert set(data) == ANSWER_KEYS
    assert data["id"] == user.pk
    assert type(data["id"]) is int
    assert data["username"] == "newbie"
    assert data["email"] == "newbie@example.com"
    assert data["phone"] is None
    assert data["invite_code"] == user.invite_code
    assert INVITE_CODE.fullmatch(data["invite_code"])
    assert data["role"] == "user"
    assert data["points_balance"] == 0
    assert type(data["points_balance"]) is int
    assert MILLISECOND_TIME.fullmatch(data["created_at"])
    assert data["invited_by"] is None
    assert user.check_password(PASSWORD)


def test_schema_allows_the_answer_of_a_user_nobody_invited(api_client):
    # Found by the fuzz run: the schema wrote `invited_by` as a non-null string, and points as
    # oneOf integer or number, which a whole number matches twice.
    data = assert_ok(register(api_client), "注册成功")
    fields = schema_properties(api_client, "RegisteredUser")

    assert data["invited_by"] is None
    assert fields["invited_by"]["nullable"] is True
    assert data["points_balance"] == 0
    assert fields["points_balance"] == {"type": "number", "readOnly": True}


def test_email_is_kept_lower_case(api_client):
    data = assert_ok(register(api_client, email="NewBie@Example.COM"), "注册成功")

    assert data["email"] == "newbie@example.com"


def test_every_user_gets_a_unique_invite_code(api_client):
    codes = {
        assert_ok(register(api_client, username=f"user{n}", email=f"u{n}@example.com"), "注册成功")[
            "invite_code"
        ]
        for n in range(5)
    }

    assert len(codes) == 5
    assert all(INVITE_CODE.fullmatch(code) for code in codes)


@pytest.mark.parametrize(
    "username", ["abc", "a" * 20, "张三丰", "user_01", "中文_mixed9", "㐀㐁㐂"]
)
def test_usernames_of_letters_digits_underscore_and_cjk(api_client, username):
    data = assert_ok(register(api_client, username=username), "注册成功")

    assert data["username"] == username


@pytest.mark.parametrize("password", ["123456", "p" * 100])
def test_passwords_of_six_to_a_hundred_characters(api_client, password):
    assert_ok(register(api_client, password=password), "注册成功")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "ab"}, "用户名至少3个字符"),
        ({"username": "a" * 21}, "用户名最多20个字符"),
        ({"username": "bad name"}, "用户名只能包含字母、数字、下划线和中文"),
        ({"username": "dash-ed"}, "用户名只能包含字母、数字、下划线和中文"),
        ({"username": ""}, "用户名不能为空"),
        ({"email": "not-an-email"}, "邮箱格式不正确"),
        ({"email": ""}, "邮箱不能为空"),
        ({"password": "12345"}, "密码至少6个字符"),
        ({"password": "p" * 101}, "密码最多100个字符"),
        ({"phone": NEW_PHONE}, "提供手机号时必须提供验证码"),
        ({"phone": NEW_PHONE, "verification_code": ""}, "提供手机号时必须提供验证码"),
        ({"phone": "12ab", "verification_code": "123456"}, "手机号格式不正确"),
    ],
)
def test_invalid_fields_are_400(api_client, fields, message):
    assert_refused(register(api_client, **fields), 400, message)
    assert not User.objects.exists()


@pytest.mark.parametrize("missing", ["username", "email", "password"])
def test_missing_required_field_is_400(api_client, missing):
    body = {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD}
    del body[missing]

    response = post(api_client, REGISTER, body)

    message = {"username": "用户名不能为空", "email": "邮箱不能为空", "password": "密码不能为空"}
    assert_refused(response, 400, message[missing])


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["13900139000", "+86 139-0013-9000", NEW_PHONE])
def test_phone_is_stored_in_e164(api_client, send_otp, typed):
    code = send_otp(typed, texted_to=NEW_PHONE)

    data = assert_ok(register(api_client, phone=typed, verification_code=code), "注册成功")

    assert data["phone"] == NEW_PHONE
    assert User.objects.get(username="newbie").phone == NEW_PHONE


def test_the_examples_of_the_issue_normalize_alike(api_client, send_otp):
    code = send_otp("13800138000", texted_to=MEMBER_PHONE)

    data = assert_ok(
        register(api_client, phone="+86 138-0013-8000", verification_code=code), "注册成功"
    )

    assert data["phone"] == "+8613800138000"


def test_wrong_sms_code_is_400_and_registers_nobody(api_client, send_otp):
    code = send_otp(NEW_PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    response = register(api_client, phone=NEW_PHONE, verification_code=wrong)

    assert_refused(response, 400, CODE_REFUSED)
    assert not User.objects.exists()


def test_code_without_any_sent_is_400(api_client):
    response = register(api_client, phone=NEW_PHONE, verification_code="123456")

    assert_refused(response, 400, CODE_REFUSED)


def test_a_login_code_does_not_sign_up(api_client, send_otp):
    phone_owner = UserFactory(username="owner", phone=NEW_PHONE)
    code = send_otp(NEW_PHONE, "login")
    phone_owner.delete()

    response = register(api_client, phone=NEW_PHONE, verification_code=code)

    assert_refused(response, 400, CODE_REFUSED)


def test_sms_code_is_used_up_by_the_sign_up(api_client, send_otp):
    code = send_otp(NEW_PHONE)
    assert_ok(register(api_client, phone=NEW_PHONE, verification_code=code), "注册成功")
    User.objects.filter(username="newbie").delete()

    response = register(api_client, phone=NEW_PHONE, verification_code=code)

    assert_refused(response, 400, CODE_REFUSED)


# --- invite codes --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["ABC123", "abc123", " Abc123 "])
def test_invite_code_is_matched_case_insensitively(api_client, typed):
    inviter = UserFactory(username="inviter", invite_code="ABC123")

    data = assert_ok(register(api_client, invite_code=typed), "注册成功")

    assert data["invited_by"] == "inviter"
    assert User.objects.get(username="newbie").invited_by == inviter


def test_unknown_invite_code_is_404_and_registers_nobody(api_client):
    UserFactory(username="inviter", invite_code="ABC123")

    response = register(api_client, invite_code="ABC124")

    assert_refused(response, 404, "邀请码无效")
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("empty", ["", None])
def test_empty_invite_code_is_no_invitation(api_client, empty):
    data = assert_ok(register(api_client, invite_code=empty), "注册成功")

    assert data["invited_by"] is None
    assert not PointsTransaction.objects.exists()


def test_an_invited_sign_up_starts_with_the_reward_in_the_ledger(api_client):
    UserFactory(username="inviter", invite_code="ABC123")

    data = assert_ok(register(api_client, invite_code="ABC123"), "注册成功")

    newbie = User.objects.get(username="newbie")
    [row] = PointsTransaction.objects.filter(user=newbie)
    assert (row.transaction_type, row.amount, row.balance_after) == ("recharge", 1, 1)
    assert row.description == "注册邀请奖励"
    assert points_balance_of(User.objects.get(pk=newbie.pk)) == 1
    assert data["points_balance"] == 1
    assert not PointsTransaction.objects.exclude(user=newbie).exists()  # the inviter gets none


@pytest.mark.parametrize("reward", ["0", "2.5"])
def test_the_reward_is_a_setting(api_client, settings, reward):
    settings.INVITE_REWARD_POINTS = Decimal(reward)
    UserFactory(username="inviter", invite_code="ABC123")

    assert_ok(register(api_client, invite_code="ABC123"), "注册成功")

    rows = PointsTransaction.objects.filter(user__username="newbie")
    assert [row.amount for row in rows] == ([Decimal(reward)] if reward != "0" else [])


def test_a_reward_the_ledger_refuses_registers_nobody(api_client, settings):
    """The reward is written in the sign-up's own transaction: one goes with the other."""
    settings.INVITE_REWARD_POINTS = Decimal(10**12)  # past what a balance holds
    UserFactory(username="inviter", invite_code="ABC123")

    response = register(api_client, invite_code="ABC123")

    assert_refused(response, 400, "积分数额无效或过大")
    assert not User.objects.filter(username="newbie").exists()


# --- conflicts -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["alice", "ALICE", "Alice"])
def test_username_taken_whatever_its_case_is_409(api_client, member, typed):
    response = register(api_client, username=typed)

    assert_refused(response, 409, "用户名已存在")


@pytest.mark.parametrize("typed", ["alice@example.com", "ALICE@Example.com"])
def test_email_taken_is_409(api_client, member, typed):
    response = register(api_client, email=typed)

    assert_refused(response, 409, "邮箱已被注册")


@pytest.mark.parametrize("typed", [MEMBER_PHONE, "13800138000", "+86 138-0013-8000"])
def test_phone_taken_is_409(api_client, member, typed):
    response = register(api_client, phone=typed, verification_code="123456")

    assert_refused(response, 409, "手机号已被注册")
    assert User.objects.count() == 1


def test_registered_password_logs_in(api_client, rewriting_login):
    register(api_client)

    data = rewriting_login("newbie", PASSWORD)

    assert data["user"]["username"] == "newbie"
