"""A forgotten password on the rewriting service: /user/forgot-password sends a code to the
login phone or the proven e-mail address, /user/reset-password sets the new password with it.
The first answer is the same for every number and address."""

import pytest
from django.core import mail
from django.core.cache import cache

from tests.accounts.helpers import CODE_RE
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import (
    CODE_REFUSED,
    LOGIN,
    MEMBER_PHONE,
    NEW_PHONE,
    WRONG_CREDENTIALS,
    assert_ok,
    assert_refused,
    point_sms_at_closed_port,
    post,
)

pytestmark = pytest.mark.django_db

FORGOT = "/user/forgot-password"
RESET = "/user/reset-password"
SENT = "如该账号已注册，验证码已发送"
DONE = "密码重置成功，请重新登录"
NEW_PASSWORD = "new-secret-1"


def forgot(client, **to):
    cache.delete_many(
        [f"vc:cooldown:sms:reset:{MEMBER_PHONE}", "vc:cooldown:email:reset:" + to.get("email", "")]
    )
    return post(client, FORGOT, to)


def reset(client, code: str, password: str = NEW_PASSWORD, **to):
    return post(client, RESET, {**to, "verification_code": code, "new_password": password})


def logs_in(client, password: str) -> bool:
    response = post(client, LOGIN, {"username": "alice", "password": password})
    return response.status_code == 200


def test_the_login_phone_gets_a_code_that_resets_the_password(api_client, member, sms_codes):
    token = post(api_client, LOGIN, {"username": "alice", "password": DEFAULT_PASSWORD})
    assert_ok(forgot(api_client, phone="13800138000"), SENT)

    assert_ok(reset(api_client, sms_codes(MEMBER_PHONE), phone="13800138000"), DONE)

    assert logs_in(api_client, NEW_PASSWORD)
    assert not logs_in(api_client, DEFAULT_PASSWORD)
    assert token.status_code == 200


def test_a_reset_ends_the_sessions_before_it(api_client, member, sms_codes, make_token):
    token = make_token(member)
    forgot(api_client, phone=MEMBER_PHONE)

    reset(api_client, sms_codes(MEMBER_PHONE), phone=MEMBER_PHONE)

    answer = api_client.get("/points/balance", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 401


def test_a_proven_address_gets_a_code_by_mail(api_client, member):
    member.email_verified_at = member.created_at
    member.save()
    assert_ok(forgot(api_client, email="alice@example.com"), SENT)
    (code,) = CODE_RE.findall(mail.outbox[-1].body)

    assert_ok(reset(api_client, code, email="alice@example.com"), DONE)
    assert logs_in(api_client, NEW_PASSWORD)


def test_an_unproven_address_is_sent_nothing(api_client, member):
    """The rewriting sign-up proves no address: it may be someone else's, who must not get the
    account by resetting its password."""
    member.email_verified_at = None
    member.save()
    assert_ok(forgot(api_client, email="alice@example.com"), SENT)

    assert mail.outbox == []
    assert_refused(reset(api_client, "123456", email="alice@example.com"), 400, CODE_REFUSED)


def test_a_number_nobody_has_gets_the_same_answer_and_no_sms(api_client, sms_codes, caplog):
    assert_ok(forgot(api_client, phone=NEW_PHONE), SENT)

    assert not [r for r in caplog.records if r.name == "accounts.sms"]
    assert_refused(reset(api_client, "123456", phone=NEW_PHONE), 400, CODE_REFUSED)


def test_a_code_resets_once(api_client, member, sms_codes):
    forgot(api_client, phone=MEMBER_PHONE)
    code = sms_codes(MEMBER_PHONE)
    assert_ok(reset(api_client, code, phone=MEMBER_PHONE), DONE)

    assert_refused(reset(api_client, code, "another-one-2", phone=MEMBER_PHONE), 400, CODE_REFUSED)
    assert logs_in(api_client, NEW_PASSWORD)


def test_a_wrong_code_changes_nothing(api_client, member, sms_codes):
    forgot(api_client, phone=MEMBER_PHONE)
    wrong = f"{(int(sms_codes(MEMBER_PHONE)) + 1) % 10**6:06d}"

    assert_refused(reset(api_client, wrong, phone=MEMBER_PHONE), 400, CODE_REFUSED)
    assert logs_in(api_client, DEFAULT_PASSWORD)


def test_a_second_request_within_a_minute_is_a_429(api_client, member):
    assert_ok(post(api_client, FORGOT, {"phone": MEMBER_PHONE}), SENT)

    again = post(api_client, FORGOT, {"phone": MEMBER_PHONE})

    assert again.status_code == 429


def test_an_sms_provider_failure_is_a_500(api_client, member, settings):
    point_sms_at_closed_port(settings)

    assert_refused(post(api_client, FORGOT, {"phone": MEMBER_PHONE}), 500, "短信发送失败")


@pytest.mark.parametrize(
    "body",
    [{}, {"phone": MEMBER_PHONE, "email": "alice@example.com"}],
)
def test_one_of_phone_or_email_is_needed(api_client, body):
    assert_refused(post(api_client, FORGOT, body), 400, "请提供手机号或邮箱其中之一")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phone": MEMBER_PHONE, "new_password": NEW_PASSWORD}, "验证码不能为空"),
        ({"phone": MEMBER_PHONE, "verification_code": "123456"}, "新密码不能为空"),
        (
            {"phone": MEMBER_PHONE, "verification_code": "123456", "new_password": "12345"},
            "新密码至少6个字符",
        ),
        ({"phone": "12", "verification_code": "123456", "new_password": NEW_PASSWORD}, None),
    ],
)
def test_bad_reset_bodies_are_400(api_client, body, message):
    response = post(api_client, RESET, body)

    assert response.status_code == 400
    if message:
        assert response.json()["message"] == message


def test_the_password_login_refuses_the_old_password_after_a_reset(api_client, member, sms_codes):
    forgot(api_client, phone=MEMBER_PHONE)
    reset(api_client, sms_codes(MEMBER_PHONE), phone=MEMBER_PHONE)

    response = post(api_client, LOGIN, {"username": "alice", "password": DEFAULT_PASSWORD})

    assert_refused(response, 401, WRONG_CREDENTIALS)


def test_a_portal_user_without_a_phone_resets_by_the_proven_address(api_client):
    UserFactory(email="portal@example.com")
    forgot(api_client, email="portal@example.com")
    (code,) = CODE_RE.findall(mail.outbox[-1].body)

    assert_ok(reset(api_client, code, email="portal@example.com"), DONE)
    login = post(api_client, LOGIN, {"username": "portal@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 200
