"""SMS backends: the console one for development, Tencent Cloud SMS against a real local fake."""

import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from accounts.sms import (
    ConsoleSmsBackend,
    SmsDeliveryError,
    TencentSmsBackend,
    sms_backend,
    tc3_authorization,
)
from tests.accounts.tencent_sms import (
    SDK_APP_ID,
    SECRET_ID,
    SECRET_KEY,
    SIGN_NAME,
    TEMPLATE_ID,
    FakeTencentSms,
    configure_tencent_sms,
)
from tests.http_servers import UpstreamHandler, closed_port_url, http_server, silent_server

PHONE = "+8613800138000"
CODE = "864209"


@pytest.fixture
def tencent_settings(settings):
    """Tencent SMS fully configured with the fake's credentials (endpoint left to the test)."""
    configure_tencent_sms(settings)
    return settings


@pytest.fixture
def tencent(tencent_settings) -> Iterator[FakeTencentSms]:
    """A fake Tencent Cloud SMS on a local port, with our settings pointed at it."""
    fake = FakeTencentSms()
    with http_server(fake.handler()) as base_url:
        tencent_settings.TENCENT_SMS_ENDPOINT = base_url
        yield fake


def send(phone: str = PHONE, code: str = CODE, minutes: int = 5) -> None:
    TencentSmsBackend().send_code(phone=phone, code=code, minutes=minutes)


def undelivered() -> SmsDeliveryError:
    with pytest.raises(SmsDeliveryError) as failure:
        send()
    return failure.value


# --- sending through Tencent ------------------------------------------------------------


def test_a_signed_send_sms_is_accepted(tencent, settings):
    send(minutes=5)

    [request] = tencent.received
    assert request.body == {
        "PhoneNumberSet": [PHONE],
        "SmsSdkAppId": SDK_APP_ID,
        "SignName": SIGN_NAME,
        "TemplateId": TEMPLATE_ID,
        "TemplateParamSet": [CODE, "5"],
    }
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Host"] == urlsplit(settings.TENCENT_SMS_ENDPOINT).netloc
    assert request.headers["X-TC-Action"] == "SendSms"
    assert request.headers["X-TC-Version"] == "2021-01-11"
    assert request.headers["X-TC-Region"] == "ap-guangzhou"
    assert abs(int(request.headers["X-TC-Timestamp"]) - time.time()) < 60


def test_the_authorization_names_the_credential_scope_and_signed_headers(tencent):
    send()

    headers = tencent.received[0].headers
    today = time.strftime("%Y-%m-%d", time.gmtime(int(headers["X-TC-Timestamp"])))
    assert headers["Authorization"].startswith(
        f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{today}/sms/tc3_request, "
        "SignedHeaders=content-type;host;x-tc-action, Signature="
    )


def test_the_region_comes_from_settings(tencent, settings):
    settings.TENCENT_SMS_REGION = "ap-beijing"

    send()

    assert tencent.received[0].headers["X-TC-Region"] == "ap-beijing"


def test_a_wrong_secret_key_fails_the_signature(tencent, settings, caplog):
    settings.TENCENT_SMS_SECRET_KEY = "not-the-secret-key"

    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        undelivered()

    assert len(tencent.received) == 1
    assert "AuthFailure.SignatureFailure" in caplog.text


def test_an_unknown_secret_id_is_refused(tencent, settings, caplog):
    settings.TENCENT_SMS_SECRET_ID = "AKIDunknown"

    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        undelivered()

    assert "AuthFailure.SecretIdNotFound" in caplog.text


def test_an_error_response_is_a_delivery_error_naming_its_code(tencent, caplog):
    tencent.refusal = (
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "template is not approved or request content does not match the approved template content",
    )

    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        failure = undelivered()

    assert "FailedOperation.TemplateIncorrectOrUnapproved" in str(failure)
    assert "FailedOperation.TemplateIncorrectOrUnapproved" in caplog.text
    assert "template is not approved" in caplog.text


def test_a_number_that_was_not_sent_to_is_a_delivery_error(tencent, caplog):
    tencent.number_failure = (
        "LimitExceeded.PhoneNumberDailyLimit",
        "the number of SMS messages sent from a single mobile number every day exceeds the limit",
    )

    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        failure = undelivered()

    assert "LimitExceeded.PhoneNumberDailyLimit" in str(failure)
    assert "LimitExceeded.PhoneNumberDailyLimit" in caplog.text
    assert "every day exceeds the limit" in caplog.text


def test_logs_never_hold_the_code_or_the_secret_key(tencent, settings, caplog):
    with caplog.at_level(logging.DEBUG):
        send()
        tencent.number_failure = ("InvalidParameterValue.TemplateParameterFormatError", CODE)
        undelivered()
        tencent.refusal = ("InvalidParameterValue.ContentLengthLimit", f"content {CODE} too long")
        undelivered()
        settings.TENCENT_SMS_SECRET_KEY = "another-secret-key"
        undelivered()

    assert "TemplateParameterFormatError" in caplog.text
    assert "ContentLengthLimit" in caplog.text
    assert "SignatureFailure" in caplog.text
    assert CODE not in caplog.text
    assert SECRET_KEY not in caplog.text
    assert "another-secret-key" not in caplog.text


@pytest.mark.parametrize(
    "missing",
    [
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "TENCENT_SMS_SIGN_NAME",
        "TENCENT_SMS_TEMPLATE_ID",
    ],
)
def test_a_missing_setting_is_named_and_nothing_is_sent(tencent, settings, caplog, missing):
    setattr(settings, missing, "")

    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        undelivered()

    assert missing in caplog.text
    assert tencent.received == []


def test_every_missing_setting_is_named(tencent_settings, caplog):
    tencent_settings.TENCENT_SMS_SECRET_ID = ""
    tencent_settings.TENCENT_SMS_TEMPLATE_ID = ""
    tencent_settings.TENCENT_SMS_ENDPOINT = closed_port_url()

    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        undelivered()

    assert "TENCENT_SMS_SECRET_ID, TENCENT_SMS_TEMPLATE_ID" in caplog.text
    assert "unreachable" not in caplog.text


def test_a_tencent_that_never_answers_times_out(tencent_settings):
    tencent_settings.TENCENT_SMS_TIMEOUT_SECONDS = 0.5
    with silent_server() as base_url:
        tencent_settings.TENCENT_SMS_ENDPOINT = base_url
        started = time.monotonic()

        undelivered()

    assert time.monotonic() - started < 3


def test_a_closed_port_is_a_delivery_error(tencent_settings):
    tencent_settings.TENCENT_SMS_ENDPOINT = closed_port_url()

    undelivered()


class ServerError(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_json(500, {"Response": {"Error": {"Code": "InternalError", "Message": "x"}}})


class HtmlPage(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_text(200, "<html>502 Bad Gateway</html>", content_type="text/html")


class JsonList(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_json(200, ["Ok"])


class NoSendStatus(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_json(200, {"Response": {"SendStatusSet": [], "RequestId": "r-1"}})


@pytest.mark.parametrize("handler", [ServerError, HtmlPage, JsonList, NoSendStatus])
def test_a_broken_answer_is_a_delivery_error(tencent_settings, handler):
    with http_server(handler) as base_url:
        tencent_settings.TENCENT_SMS_ENDPOINT = base_url

        undelivered()


# --- the console backend and the choice of backend --------------------------------------


def test_the_console_backend_logs_phone_and_code_at_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.sms"):
        ConsoleSmsBackend().send_code(phone=PHONE, code="123456", minutes=5)

    [record] = caplog.records
    assert record.name == "accounts.sms"
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "SMS to +8613800138000: 验证码 123456，5分钟内有效"


def test_sms_backend_is_the_console_one_by_default():
    assert isinstance(sms_backend(), ConsoleSmsBackend)


def test_sms_backend_follows_the_setting_at_call_time(settings):
    settings.SMS_BACKEND = "accounts.sms.TencentSmsBackend"

    assert isinstance(sms_backend(), TencentSmsBackend)


# --- the signature against Tencent's published worked examples ---------------------------

# The "Signature v3" page's example: DescribeInstances on CVM at 1551113065 (2019-02-26 00:44:25
# in Beijing, still the 25th in UTC). Its payload holds the literal \u escapes json.dumps writes.
EXAMPLE = {
    "secret_id": "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
    "service": "cvm",
    "timestamp": 1551113065,
    "payload": (
        rb'{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], '
        rb'"Name": "instance-name"}]}'
    ),
}
EXAMPLE_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Host": "cvm.tencentcloudapi.com",
}


@pytest.mark.parametrize(
    ("secret_key", "headers", "signature"),
    [
        # Earlier editions signed content-type and host only (the official SDKs still do).
        (
            "Gu5t9xGARNpq86cd98joQYCN3*******",
            EXAMPLE_HEADERS,
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
        ),
        # Later editions also sign x-tc-action, as we do.
        (
            "Gu5t9xGARNpq86cd98joQYCN3*******",
            {**EXAMPLE_HEADERS, "X-TC-Action": "DescribeInstances"},
            "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3",
        ),
        # The current edition masks the whole key as 32 asterisks.
        (
            "*" * 32,
            {**EXAMPLE_HEADERS, "X-TC-Action": "DescribeInstances"},
            "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
        ),
    ],
)
def test_the_signature_matches_tencents_worked_example(secret_key, headers, signature):
    authorization = tc3_authorization(secret_key=secret_key, headers=headers, **EXAMPLE)

    signed_headers = ";".join(sorted(name.lower() for name in headers))
    assert authorization == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request"
        f", SignedHeaders={signed_headers}, Signature={signature}"
    )


# --- the fake itself, as the tests above rely on it checking signatures ------------------


def test_the_fake_refuses_a_body_changed_after_signing(tencent, settings):
    send()
    signed = tencent.received[0]
    tampered = {**signed.body, "TemplateParamSet": ["000000", "5"]}

    headers = {name: value for name, value in signed.headers.items() if name != "Content-Length"}

    answer = requests.post(
        settings.TENCENT_SMS_ENDPOINT + "/", json=tampered, headers=headers, timeout=5
    ).json()

    assert answer["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_the_console_backend_refuses_where_it_is_not_allowed(settings, caplog):
    settings.SMS_CONSOLE_ALLOWED = False

    with caplog.at_level(logging.DEBUG), pytest.raises(SmsDeliveryError):
        ConsoleSmsBackend().send_code(phone="+8613800138000", code="123456", minutes=5)

    assert "123456" not in caplog.text
