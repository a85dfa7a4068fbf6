"""A forgotten password on the portal: by a code mailed to the proven address (ours) or texted
to the login phone (v2.1). The answer to "send me a code" tells nobody whether the address is an
account's; a reset ends every session and works once per code."""

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import LoginSession
from tests.accounts.helpers import AUTH_ME, CODE_RE, login
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import bearer, post

pytestmark = pytest.mark.django_db

SEND_RESET_CODE = "/api/auth/send-reset-code"
RESET_PASSWORD = "/api/auth/reset-password"
SEND_SMS_CODE = "/api/auth/send-sms-code"
RESET_BY_SMS = "/api/auth/reset-password-by-sms"
ADDRESS = "owner@example.com"
PHONE = "13800138000"
NEW_PASSWORD = "a-brand-new-one-1"
SENT = {"message": "如该邮箱已注册，重置验证码已发送", "email": ADDRESS}
RESET = {"message": "密码重置成功"}


@pytest.fixture
def owner(db):
    return UserFactory(email=ADDRESS, phone=f"+86{PHONE}")


def mailed_code() -> str:
    (code,) = CODE_RE.findall(mail.outbox[-1].body)
    return code


def ask_for_a_code(client, email: str = ADDRESS):
    cache.delete(f"vc:cooldown:email:reset:{email}")
    return post(client, SEND_RESET_CODE, {"email": email})


def reset(client, code: str, password: str = NEW_PASSWORD, email: str = ADDRESS):
    body = {"email": email, "verification_code": code, "new_password": password}
    return post(client, RESET_PASSWORD, body)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- by e-mail -----------------------------------------------------------------------------------


def test_a_proven_address_is_mailed_a_code_that_resets_the_password(api_client, owner):
    sent = ask_for_a_code(api_client)
    response = reset(api_client, mailed_code())

    assert (sent.status_code, sent.json()) == (200, SENT)
    assert mail.outbox[-1].subject == "云梦镜像密码重置验证码"
    assert "10分钟内有效" in mail.outbox[-1].body
    assert (response.status_code, response.json()) == (200, RESET)
    assert login(api_client, ADDRESS, NEW_PASSWORD).status_code == 200
    assert login(api_client, ADDRESS, DEFAULT_PASSWORD).status_code == 401


@pytest.mark.parametrize("holder", ["nobody", "unproven"])
def test_an_address_that_resets_nothing_gets_the_same_answer_and_no_mail(api_client, holder):
    if holder == "unproven":  # typed at a rewriting sign-up, which proves no address
        UserFactory(email=ADDRESS, email_verified_at=None)

    response = ask_for_a_code(api_client)
    guess = reset(api_client, "123456")

    assert (response.status_code, response.json()) == (200, SENT)
    assert mail.outbox == []
    assert (guess.status_code, guess.json()) == (400, {"detail": "验证码无效或已过期"})


def test_a_second_request_within_a_minute_is_a_429_whoever_the_address_is(api_client, owner):
    for email in (ADDRESS, "nobody@example.com"):
        assert post(api_client, SEND_RESET_CODE, {"email": email}).status_code == 200
        again = post(api_client, SEND_RESET_CODE, {"email": email})
        assert again.status_code == 429


def test_the_reset_ends_every_session(api_client, owner, make_token):
    tokens = [make_token(owner), make_token(owner)]
    ask_for_a_code(api_client)

    assert reset(api_client, mailed_code()).status_code == 200

    for token in tokens:
        assert api_client.get(AUTH_ME, **bearer(token)).status_code == 401
    assert not LoginSession.objects.filter(user=owner, revoked_at__isnull=True).exists()


def test_a_code_resets_once(api_client, owner):
    ask_for_a_code(api_client)
    code = mailed_code()
    assert reset(api_client, code).status_code == 200

    again = reset(api_client, code, "yet-another-one-2")

    assert (again.status_code, again.json()) == (400, {"detail": "验证码无效或已过期"})
    assert login(api_client, ADDRESS, NEW_PASSWORD).status_code == 200


def test_a_wrong_code_changes_nothing_and_counts_towards_the_lockout(api_client, owner, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    ask_for_a_code(api_client)
    code = mailed_code()

    answers = [reset(api_client, wrong(code)).status_code for _ in range(2)]
    locked = reset(api_client, code)

    assert answers == [400, 400]
    assert locked.status_code == 429
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def test_a_locked_account_waits_like_every_way_in_and_a_reset_forgets_its_failures(
    api_client, owner, settings
):
    settings.LOGIN_FAILURE_LIMIT = 2
    ask_for_a_code(api_client)
    code = mailed_code()
    for _ in range(2):
        login(api_client, ADDRESS, "not-the-password")
    locked = reset(api_client, code)
    settings.LOGIN_FAILURE_LIMIT = 3  # one more failure allowed: the lock is off

    assert locked.status_code == 429
    assert reset(api_client, code).status_code == 200
    login(api_client, ADDRESS, "not-the-password")
    assert login(api_client, ADDRESS, NEW_PASSWORD).status_code == 200  # the count began anew


def test_the_address_is_one_whatever_its_case(api_client, owner):
    ask_for_a_code(api_client, "Owner@Example.COM")

    response = reset(api_client, mailed_code(), email="OWNER@example.com")

    assert response.status_code == 200


def test_a_temporary_password_is_replaced_by_the_reset(api_client, owner):
    owner.password_change_required = True
    owner.save()
    ask_for_a_code(api_client)

    reset(api_client, mailed_code())

    owner.refresh_from_db()
    assert not owner.password_change_required


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"verification_code": "123456", "new_password": NEW_PASSWORD}, "邮箱不能为空"),
        ({"email": ADDRESS, "verification_code": "12345", "new_password": NEW_PASSWORD}, None),
        ({"email": ADDRESS, "verification_code": "123456", "new_password": "short"}, None),
        ({"email": ADDRESS, "verification_code": "123456", "new_password": "x" * 129}, None),
    ],
)
def test_bad_bodies_are_422(api_client, body, detail):
    response = post(api_client, RESET_PASSWORD, body)

    assert response.status_code == 422
    if detail:
        assert response.json() == {"detail": detail}


# --- by SMS --------------------------------------------------------------------------------------


def texted_code(client, sms_codes, number: str = PHONE) -> str:
    cache.delete(f"vc:cooldown:sms:portal:+86{number}")
    assert post(client, SEND_SMS_CODE, {"phone_number": number}).status_code == 200
    return sms_codes(f"+86{number}")


def reset_by_sms(client, code: str, number: str = PHONE, password: str = NEW_PASSWORD):
    body = {"phone_number": number, "verification_code": code, "new_password": password}
    return post(client, RESET_BY_SMS, body)


def test_the_login_phone_resets_the_password_and_ends_the_sessions(
    api_client, owner, sms_codes, make_token
):
    token = make_token(owner)

    response = reset_by_sms(api_client, texted_code(api_client, sms_codes))

    assert (response.status_code, response.json()) == (200, RESET)
    assert api_client.get(AUTH_ME, **bearer(token)).status_code == 401
    assert login(api_client, ADDRESS, NEW_PASSWORD).status_code == 200


def test_an_sms_code_resets_once(api_client, owner, sms_codes):
    code = texted_code(api_client, sms_codes)
    assert reset_by_sms(api_client, code).status_code == 200

    again = reset_by_sms(api_client, code, password="yet-another-one-2")

    assert (again.status_code, again.json()) == (400, {"detail": "短信验证码无效或已过期"})


def test_a_number_nobody_has_is_a_404_once_its_code_is_proven(api_client, sms_codes):
    unproven = reset_by_sms(api_client, "123456")
    proven = reset_by_sms(api_client, texted_code(api_client, sms_codes))

    assert unproven.status_code == 400  # without the code, nothing is told
    assert (proven.status_code, proven.json()) == (404, {"detail": "该手机号未注册"})


def test_a_short_new_password_is_a_422_and_keeps_the_code(api_client, owner, sms_codes):
    code = texted_code(api_client, sms_codes)

    short = reset_by_sms(api_client, code, password="1234567")

    assert short.status_code == 422
    assert reset_by_sms(api_client, code).status_code == 200
