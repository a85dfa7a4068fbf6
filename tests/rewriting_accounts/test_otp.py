"""1. POST /otp: six-digit SMS codes, hashed, five minutes, single use, five tries, rate limits."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import VerificationCode
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import (
    CODE_REFUSED,
    LOGIN,
    MEMBER_PHONE,
    NEW_PHONE,
    OTP,
    THROTTLED,
    assert_ok,
    assert_refused,
    point_sms_at_closed_port,
    post,
)

pytestmark = pytest.mark.django_db

COOLDOWN = re.compile(r"验证码发送过于频繁，请(\d+)秒后重试")
HOURLY_CAP = "验证码发送次数过多，请稍后再试"


def request_otp(client, phone: str, purpose: str | None = None, **extra):
    body = {"phone": phone} if purpose is None else {"phone": phone, "purpose": purpose}
    return post(client, OTP, body, **extra)


def phone_login(client, phone: str, code: str):
    return post(client, LOGIN, {"phone": phone, "verification_code": code})


@pytest.fixture
def no_cooldown(settings):
    """Resends at once, so that only the hourly caps are left to refuse them."""
    settings.VERIFICATION_RESEND_COOLDOWN_SECONDS = 0
    return settings


def test_signup_code_is_six_digits_texted_to_the_phone(api_client, sms_codes):
    response = request_otp(api_client, NEW_PHONE)

    assert assert_ok(response, "验证码发送成功") is None
    assert re.fullmatch(r"\d{6}", sms_codes(NEW_PHONE))
    assert VerificationCode.objects.get(address=NEW_PHONE).purpose == "signup"


def test_purpose_defaults_to_signup_and_login_is_for_registered_phones(api_client, member):
    assert_ok(request_otp(api_client, MEMBER_PHONE, "login"), "验证码发送成功")

    assert VerificationCode.objects.get(address=MEMBER_PHONE).purpose == "login"


@pytest.mark.parametrize("typed", ["13900139000", "+86 139-0013-9000", "+86 (139) 0013 9000"])
def test_phone_is_normalized_before_texting(api_client, sms_codes, typed):
    assert_ok(request_otp(api_client, typed), "验证码发送成功")

    assert sms_codes(NEW_PHONE)
    assert VerificationCode.objects.filter(address=NEW_PHONE).exists()


def test_code_is_stored_only_as_a_hash_for_five_minutes(api_client, sms_codes):
    before = timezone.now()
    request_otp(api_client, NEW_PHONE)

    record = VerificationCode.objects.get(address=NEW_PHONE)
    code = sms_codes(NEW_PHONE)
    assert code not in record.code_hash
    assert record.code_hash != code
    assert timedelta(minutes=5) <= record.expires_at - before <= timedelta(minutes=5, seconds=5)


@pytest.mark.parametrize("phone", ["12ab", "12345", "+1234567890123456", "phone"])
def test_malformed_phone_is_400(api_client, phone):
    assert_refused(request_otp(api_client, phone), 400, "手机号格式不正确")


def test_missing_phone_is_400(api_client):
    assert_refused(post(api_client, OTP, {}), 400, "手机号不能为空")


def test_unknown_purpose_is_400(api_client):
    assert_refused(
        request_otp(api_client, NEW_PHONE, "reset"), 400, "验证码用途只能是 signup 或 login"
    )


def test_signup_code_for_a_registered_phone_is_409(api_client, member):
    response = request_otp(api_client, "13800138000")

    assert_refused(response, 409, "该手机号已注册，请直接登录")
    assert not VerificationCode.objects.exists()


def test_login_code_for_an_unknown_phone_is_404(api_client):
    response = request_otp(api_client, NEW_PHONE, "login")

    assert_refused(response, 404, "该手机号尚未注册")
    assert not VerificationCode.objects.exists()


# --- using codes ------------------------------------------------------------------------------


def test_code_works_once(api_client, member, send_otp):
    code = send_otp(MEMBER_PHONE, "login")

    assert_ok(phone_login(api_client, MEMBER_PHONE, code), "登录成功")
    assert_refused(phone_login(api_client, MEMBER_PHONE, code), 401, CODE_REFUSED)


def test_code_dies_after_five_minutes(api_client, member, send_otp):
    code = send_otp(MEMBER_PHONE, "login")
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_refused(phone_login(api_client, MEMBER_PHONE, code), 401, CODE_REFUSED)


def test_four_wrong_tries_leave_the_code_usable(api_client, member, send_otp):
    code = send_otp(MEMBER_PHONE, "login")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        assert_refused(phone_login(api_client, MEMBER_PHONE, wrong), 401, CODE_REFUSED)

    assert_ok(phone_login(api_client, MEMBER_PHONE, code), "登录成功")


def test_fifth_wrong_try_kills_the_code(api_client, member, send_otp):
    code = send_otp(MEMBER_PHONE, "login")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert_refused(phone_login(api_client, MEMBER_PHONE, wrong), 401, CODE_REFUSED)

    assert_refused(phone_login(api_client, MEMBER_PHONE, code), 401, CODE_REFUSED)


def test_a_signup_code_does_not_log_in(api_client, send_otp):
    code = send_otp(NEW_PHONE, "signup")
    UserFactory(username="late", phone=NEW_PHONE)

    assert_refused(phone_login(api_client, NEW_PHONE, code), 401, CODE_REFUSED)


def test_a_resend_replaces_the_code(api_client, member, send_otp, no_cooldown):
    first = send_otp(MEMBER_PHONE, "login")
    second = send_otp(MEMBER_PHONE, "login")
    if first == second:
        pytest.skip("the two random codes happen to be equal")

    assert_refused(phone_login(api_client, MEMBER_PHONE, first), 401, CODE_REFUSED)
    assert_ok(phone_login(api_client, MEMBER_PHONE, second), "登录成功")


# --- limits ----------------------------------------------------------------------------------


def test_resend_within_sixty_seconds_is_429_with_retry_after(api_client):
    request_otp(api_client, NEW_PHONE)

    response = request_otp(api_client, NEW_PHONE)

    assert_refused(response, 429, COOLDOWN)
    seconds = int(COOLDOWN.fullmatch(response.json()["message"])[1])
    assert 55 <= seconds <= 60
    assert response["Retry-After"] == str(seconds)


def test_cooldown_is_per_phone(api_client):
    request_otp(api_client, NEW_PHONE)

    assert_ok(request_otp(api_client, "+8613700137000"), "验证码发送成功")


def test_hourly_cap_per_phone(api_client, no_cooldown):
    no_cooldown.VERIFICATION_HOURLY_CAP_PER_ADDRESS = 2
    for _ in range(2):
        assert_ok(request_otp(api_client, NEW_PHONE), "验证码发送成功")

    response = request_otp(api_client, NEW_PHONE)

    assert_refused(response, 429, HOURLY_CAP)
    assert 1 <= int(response["Retry-After"]) <= 3660  # the window: this minute and the 60 before
    assert_ok(request_otp(api_client, "+8613700137000"), "验证码发送成功")


def test_hourly_cap_per_ip(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_IP = 2
    for phone in ("+8613700137001", "+8613700137002"):
        assert_ok(request_otp(api_client, phone), "验证码发送成功")

    response = request_otp(api_client, "+8613700137003")

    assert_refused(response, 429, HOURLY_CAP)
    assert 1 <= int(response["Retry-After"]) <= 3660  # the window: this minute and the 60 before
    elsewhere = request_otp(api_client, "+8613700137003", REMOTE_ADDR="10.0.0.9")
    assert_ok(elsewhere, "验证码发送成功")


def test_route_throttle_per_ip(api_client, throttle_rates):
    throttle_rates["send_code"] = "2/min"
    request_otp(api_client, "+8613700137001")
    request_otp(api_client, "+8613700137002")

    response = request_otp(api_client, "+8613700137003")

    assert_refused(response, 429, THROTTLED)


def test_sms_failure_is_500_and_an_immediate_retry_succeeds(api_client, settings, sms_codes):
    point_sms_at_closed_port(settings)

    assert_refused(request_otp(api_client, NEW_PHONE), 500, "验证码发送失败")
    assert not VerificationCode.objects.exists()

    settings.SMS_BACKEND = "accounts.sms.ConsoleSmsBackend"
    assert_ok(request_otp(api_client, NEW_PHONE), "验证码发送成功")
    assert re.fullmatch(r"\d{6}", sms_codes(NEW_PHONE))


def test_sms_failures_do_not_use_up_the_hourly_cap(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_ADDRESS = 1
    point_sms_at_closed_port(settings)
    for _ in range(2):
        assert_refused(request_otp(api_client, NEW_PHONE), 500, "验证码发送失败")

    settings.SMS_BACKEND = "accounts.sms.ConsoleSmsBackend"
    assert_ok(request_otp(api_client, NEW_PHONE), "验证码发送成功")
