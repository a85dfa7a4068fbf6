"""1.1 POST /api/auth/send-code."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from accounts.models import VerificationCode
from tests.accounts.helpers import CODE_RE, SEND_CODE, register

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.accounts.failing_email.FailingEmailBackend"


def cooldown_key(address: str) -> str:
    return f"vc:cooldown:email:register:{address}"


def sent_code(message) -> str:
    codes = CODE_RE.findall(message.body)
    assert len(codes) == 1, message.body
    return codes[0]


def send(client, email: str, **extra):
    return client.post(SEND_CODE, {"email": email}, format="json", **extra)


def test_send_code_mails_a_six_digit_code(api_client):
    response = send(api_client, "user@example.com")

    assert response.status_code == 200
    assert response.json() == {"message": "验证码已发送", "email": "user@example.com"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["user@example.com"]
    assert re.fullmatch(r"\d{6}", sent_code(mail.outbox[0]))


def test_send_code_answers_with_the_normalized_email(api_client):
    response = send(api_client, "  User@Example.COM ")

    assert response.status_code == 200
    assert response.json() == {"message": "验证码已发送", "email": "user@example.com"}
    assert mail.outbox[0].to == ["user@example.com"]
    assert VerificationCode.objects.get().address == "user@example.com"


def test_code_is_stored_only_as_a_hash(api_client):
    send(api_client, "user@example.com")
    code = sent_code(mail.outbox[0])

    record = VerificationCode.objects.get()
    assert record.channel == "email"
    assert record.purpose == "register"
    assert record.failed_attempts == 0
    assert code not in record.code_hash
    assert len(record.code_hash) == 64


def test_code_lives_ten_minutes(api_client):
    before = timezone.now()
    send(api_client, "user@example.com")

    lifetime = VerificationCode.objects.get().expires_at - before
    assert 599 <= lifetime.total_seconds() <= 601


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_bad_email_is_422(api_client, email):
    response = send(api_client, email)

    assert response.status_code == 422
    assert response.json() == {"detail": "邮箱格式不正确"}
    assert mail.outbox == []
    assert not VerificationCode.objects.exists()


def test_missing_email_is_422(api_client):
    response = api_client.post(SEND_CODE, {}, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": "邮箱不能为空"}


def test_mail_failure_is_500_and_a_retry_succeeds_at_once(api_client, settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND

    response = send(api_client, "user@example.com")

    assert response.status_code == 500
    assert response.json() == {"detail": "邮件发送失败"}
    assert not VerificationCode.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry = send(api_client, "user@example.com")

    assert retry.status_code == 200
    assert len(mail.outbox) == 1
    assert VerificationCode.objects.count() == 1


def test_failed_mails_do_not_use_up_the_hourly_cap(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_ADDRESS = 1
    settings.VERIFICATION_HOURLY_CAP_PER_IP = 1
    settings.EMAIL_BACKEND = FAILING_BACKEND
    assert send(api_client, "user@example.com").status_code == 500
    assert send(api_client, "user@example.com").status_code == 500

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(api_client, "user@example.com").status_code == 200


def test_failed_resend_keeps_the_previous_code_live(api_client, settings):
    send(api_client, "user@example.com")
    first_code = sent_code(mail.outbox[0])
    cache.delete(cooldown_key("user@example.com"))
    settings.EMAIL_BACKEND = FAILING_BACKEND

    assert send(api_client, "user@example.com").status_code == 500

    assert register(api_client, "user@example.com", first_code).status_code == 201


def test_resend_within_cooldown_is_429_with_retry_after(api_client):
    assert send(api_client, "user@example.com").status_code == 200

    response = send(api_client, "user@example.com")

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {"detail": f"验证码发送过于频繁，请{retry_after}秒后重试"}
    assert len(mail.outbox) == 1


def test_cooldown_is_per_address_whatever_its_case(api_client):
    assert send(api_client, "user@example.com").status_code == 200

    assert send(api_client, "USER@example.com").status_code == 429
    assert send(api_client, "other@example.com").status_code == 200


def test_resend_after_cooldown_replaces_the_code(api_client):
    send(api_client, "user@example.com")
    old_code = sent_code(mail.outbox[0])
    cache.delete(cooldown_key("user@example.com"))

    assert send(api_client, "user@example.com").status_code == 200
    new_code = sent_code(mail.outbox[1])
    if new_code == old_code:  # one chance in a million; nothing to tell apart then
        pytest.skip("the new code happens to equal the old one")

    assert VerificationCode.objects.count() == 1
    old = register(api_client, "user@example.com", old_code)
    assert old.status_code == 400
    assert old.json() == {"detail": "验证码无效或已过期"}
    assert register(api_client, "user@example.com", new_code).status_code == 201


def test_hourly_cap_per_address(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_ADDRESS = 2
    for _ in range(2):
        assert send(api_client, "user@example.com").status_code == 200
        cache.delete(cooldown_key("user@example.com"))

    response = send(api_client, "user@example.com")

    assert response.status_code == 429
    assert response.json() == {"detail": "验证码发送次数过多，请稍后再试"}
    assert 1 <= int(response["Retry-After"]) <= 3660  # the window: this minute and the 60 before
    assert len(mail.outbox) == 2
    # Another address from the same client is not capped.
    assert send(api_client, "other@example.com").status_code == 200


def test_the_hourly_cap_holds_over_any_sixty_minutes_not_per_clock_hour(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_ADDRESS = 3
    address = "user@example.com"

    def send_again():
        cache.delete(cooldown_key(address))
        return send(api_client, address)

    with time_machine.travel(datetime(2026, 12, 1, 10, 59, 30, tzinfo=UTC), tick=False) as clock:
        for _ in range(3):
            assert send_again().status_code == 200
        clock.move_to(datetime(2026, 12, 1, 11, 0, 30, tzinfo=UTC))  # a new clock hour
        refused = send_again()
        clock.move_to(datetime(2026, 12, 1, 11, 59, 50, tzinfo=UTC))
        still_refused = send_again()
        clock.move_to(
            datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
        )  # the 10:59 sends are an hour old
        allowed = send_again()

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 3570  # until 12:00, when the 10:59 sends leave
    assert still_refused.status_code == 429
    assert allowed.status_code == 200
    assert len(mail.outbox) == 4


def test_hourly_cap_per_ip(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_IP = 2
    assert send(api_client, "a@example.com").status_code == 200
    assert send(api_client, "b@example.com").status_code == 200

    response = send(api_client, "c@example.com")

    assert response.status_code == 429
    assert response.json() == {"detail": "验证码发送次数过多，请稍后再试"}
    assert len(mail.outbox) == 2
    # Another client is not capped.
    assert send(api_client, "c@example.com", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_refusal_by_ip_cap_leaves_no_cooldown_on_the_address(api_client, settings):
    settings.VERIFICATION_HOURLY_CAP_PER_IP = 1
    assert send(api_client, "a@example.com").status_code == 200
    assert send(api_client, "b@example.com").status_code == 429

    assert send(api_client, "b@example.com", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_spoofed_forwarded_for_does_not_escape_the_ip_cap(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.VERIFICATION_HOURLY_CAP_PER_IP = 2
    for n, address in enumerate(["a@example.com", "b@example.com"]):
        response = send(api_client, address, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 200

    response = send(api_client, "c@example.com", HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 429
    assert response.json() == {"detail": "验证码发送次数过多，请稍后再试"}


def test_behind_one_proxy_the_last_forwarded_hop_is_the_client(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.VERIFICATION_HOURLY_CAP_PER_IP = 2
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # The client's own claims (left of the last hop) change nothing: still one client.
    for n, address in enumerate(["a@example.com", "b@example.com"]):
        forwarded = f"198.51.100.{n}, 203.0.113.7"
        response = send(api_client, address, HTTP_X_FORWARDED_FOR=forwarded, **proxy)
        assert response.status_code == 200
    capped = send(
        api_client, "c@example.com", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7", **proxy
    )
    assert capped.status_code == 429

    # Another client behind the same proxy has its own count.
    other = send(api_client, "c@example.com", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 200


def test_send_code_scope_throttle_per_ip(api_client, throttle_rates):
    throttle_rates["send_code"] = "2/min"
    assert send(api_client, "a@example.com").status_code == 200
    assert send(api_client, "b@example.com").status_code == 200

    response = send(api_client, "c@example.com")

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {"detail": f"请求过于频繁，请{retry_after}秒后重试"}
