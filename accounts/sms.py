"""SMS verification codes: written to the server log in development, sent by Tencent Cloud SMS live.

`sms_backend()` gives the backend that settings.SMS_BACKEND names.
"""

import hashlib
import hmac
import json
import logging
import time
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TENCENT_SMS_SERVICE = "sms"
TENCENT_SMS_ACTION = "SendSms"
TENCENT_SMS_VERSION = "2021-01-11"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
TENCENT_SMS_REQUIRED_SETTINGS = (
    "TENCENT_SMS_SECRET_ID",
    "TENCENT_SMS_SECRET_KEY",
    "TENCENT_SMS_SDK_APP_ID",
    "TENCENT_SMS_SIGN_NAME",
    "TENCENT_SMS_TEMPLATE_ID",
)


class SmsDeliveryError(Exception):
    """The provider did not accept the message."""


class SmsBackend(ABC):
    @abstractmethod
    def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        """Text `code`, valid for `minutes`, to `phone` (E.164); SmsDeliveryError on any failure."""


class ConsoleSmsBackend(SmsBackend):
    """Development: the code goes to the server log at WARNING, which the console shows.

    It refuses to run where SMS_CONSOLE_ALLOWED is off (production's default): codes must never
    reach a production log.
    """

    def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        if not settings.SMS_CONSOLE_ALLOWED:
            logger.error("The console SMS backend is not allowed here; set SMS_BACKEND")
            raise SmsDeliveryError("console SMS backend not allowed")
        logger.warning("SMS to %s: 验证码 %s，%d分钟内有效", phone, code, minutes)


class TencentSmsBackend(SmsBackend):
    """Tencent Cloud SMS, API 3.0 SendSms; the template's two parameters are the code and minutes.

    Neither the code nor the secret key is ever logged.
    """

    def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        missing = [name for name in TENCENT_SMS_REQUIRED_SETTINGS if not getattr(settings, name)]
        if missing:
            logger.error("Tencent SMS is not configured: missing %s", ", ".join(missing))
            raise SmsDeliveryError("Tencent SMS is not configured")
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone],
                "SmsSdkAppId": settings.TENCENT_SMS_SDK_APP_ID,
                "SignName": settings.TENCENT_SMS_SIGN_NAME,
                "TemplateId": settings.TENCENT_SMS_TEMPLATE_ID,
                "TemplateParamSet": [code, str(minutes)],
            }
        ).encode()
        answer = _tencent_send_sms(payload)
        if "Error" in answer:
            error_code = _log_failure("refused SendSms", answer["Error"], answer, code=code)
            raise SmsDeliveryError(f"Tencent SMS refused the request: {error_code}")
        statuses = answer.get("SendStatusSet")
        status = statuses[0] if isinstance(statuses, list) and statuses else None
        if not isinstance(status, dict) or status.get("Code") != "Ok":
            error_code = _log_failure("did not send the message", status, answer, code=code)
            raise SmsDeliveryError(f"Tencent SMS did not send the message: {error_code}")


def sms_backend() -> SmsBackend:
    """The backend settings.SMS_BACKEND names, read on each call."""
    return import_string(settings.SMS_BACKEND)()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    timestamp: int,
    headers: dict[str, str],
    payload: bytes,
) -> str:
    """The Authorization header, TC3-HMAC-SHA256, for a POST to "/" signing `headers` and `payload`.

    The credential's date is the UTC date of `timestamp`, as Tencent checks it.
    """
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = dict(
        sorted((name.lower(), value.strip().lower()) for name, value in headers.items())
    )
    signed_headers = ";".join(canonical)
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",  # no query string
            "".join(f"{name}:{value}\n" for name, value in canonical.items()),
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"TC3{secret_key}".encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


def _tencent_send_sms(payload: bytes) -> dict:
    """POST a signed SendSms; Tencent's `Response` object, or SmsDeliveryError if there is none."""
    endpoint = settings.TENCENT_SMS_ENDPOINT
    timestamp = int(time.time())
    signed = {
        "Content-Type": JSON_CONTENT_TYPE,
        "Host": urlsplit(endpoint).netloc,
        "X-TC-Action": TENCENT_SMS_ACTION,
    }
    authorization = tc3_authorization(
        secret_id=settings.TENCENT_SMS_SECRET_ID,
        secret_key=settings.TENCENT_SMS_SECRET_KEY,
        service=TENCENT_SMS_SERVICE,
        timestamp=timestamp,
        headers=signed,
        payload=payload,
    )
    headers = {
        **signed,
        "X-TC-Version": TENCENT_SMS_VERSION,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": settings.TENCENT_SMS_REGION,
        "Authorization": authorization,
    }
    try:
        response = requests.post(
            endpoint.rstrip("/") + "/",
            data=payload,
            headers=headers,
            timeout=settings.TENCENT_SMS_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        logger.error("Tencent SMS unreachable: %s", type(exc).__name__)
        raise SmsDeliveryError("Tencent SMS is unreachable") from exc
    if response.status_code != 200:
        logger.error("Tencent SMS answered HTTP %s", response.status_code)
        raise SmsDeliveryError(f"Tencent SMS answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        body = None
    answer = body.get("Response") if isinstance(body, dict) else None
    if not isinstance(answer, dict):
        logger.error("Tencent SMS answered without a JSON Response object")
        raise SmsDeliveryError("Tencent SMS answered without a Response")
    return answer


def _log_failure(what: str, failure: object, answer: dict, *, code: str) -> str:
    """Log a failure's Code and Message, the code digits masked should Tencent echo them."""
    failure = failure if isinstance(failure, dict) else {}
    error_code = _masked(str(failure.get("Code", "")), code)
    message = _masked(str(failure.get("Message", "")), code)
    logger.error(
        "Tencent SMS %s: %s %s (RequestId %s)", what, error_code, message, answer.get("RequestId")
    )
    return error_code


def _masked(text: str, code: str) -> str:
    return text.replace(code, "******") if code else text
