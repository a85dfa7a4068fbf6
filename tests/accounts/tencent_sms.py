"""A fake Tencent Cloud SMS SendSms on tests/http_servers.py that checks signatures as Tencent does.

It re-computes TC3-HMAC-SHA256 on its own from what arrived (the headers that Authorization says are
signed, the path, the body's bytes) with the secret key below, and never uses accounts.sms, so a
mistake in our signer shows up here as Tencent's AuthFailure.SignatureFailure.
"""

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler

from tests.http_servers import UpstreamHandler

SECRET_ID = "AKIDfakeTencentSmsSecretId0000000000"
SECRET_KEY = "fakeTencentSmsSecretKey000000000"
SDK_APP_ID = "1400000001"
SIGN_NAME = "论文服务"
TEMPLATE_ID = "2000001"

AUTHORIZATION = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/]+)/(?P<date>[^/]+)/(?P<service>[^/]+)"
    r"/tc3_request, SignedHeaders=(?P<signed_headers>[^,]+), Signature=(?P<signature>[0-9a-f]{64})"
)
SIGNATURE_FAILURE = (
    "AuthFailure.SignatureFailure",
    "The provided credentials could not be validated. Please check your signature is correct.",
)
SECRET_ID_NOT_FOUND = (
    "AuthFailure.SecretIdNotFound",
    "The SecretId is not found, please ensure that your SecretId is correct.",
)
SIGNATURE_EXPIRE = (
    "AuthFailure.SignatureExpire",
    "Signature expired. Timestamp and server time cannot exceed five minutes.",
)


def configure_tencent_sms(settings, *, endpoint: str | None = None) -> None:
    """SMS through Tencent, configured with this fake's credentials (and `endpoint` if given)."""
    settings.SMS_BACKEND = "accounts.sms.TencentSmsBackend"
    settings.TENCENT_SMS_SECRET_ID = SECRET_ID
    settings.TENCENT_SMS_SECRET_KEY = SECRET_KEY
    settings.TENCENT_SMS_SDK_APP_ID = SDK_APP_ID
    settings.TENCENT_SMS_SIGN_NAME = SIGN_NAME
    settings.TENCENT_SMS_TEMPLATE_ID = TEMPLATE_ID
    settings.TENCENT_SMS_REGION = "ap-guangzhou"
    if endpoint is not None:
        settings.TENCENT_SMS_ENDPOINT = endpoint


@dataclass
class SendSmsRequest:
    headers: dict[str, str]
    body: dict


class FakeTencentSms:
    """Answers SendSms like Tencent and remembers each request for the test to inspect.

    Set `refusal` to (Code, Message) to answer a Response.Error, or `number_failure` to answer
    each number's SendStatus with that Code and Message instead of "Ok".
    """

    def __init__(self) -> None:
        self.received: list[SendSmsRequest] = []
        self.refusal: tuple[str, str] | None = None
        self.number_failure: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def answer(self, path: str, headers: Message, payload: bytes) -> dict:
        body = json.loads(payload)
        with self._lock:
            self.received.append(SendSmsRequest(headers=dict(headers.items()), body=body))
        request_id = str(uuid.uuid4())
        error = _authentication_error(path, headers, payload) or self.refusal
        if error:
            code, message = error
            refusal = {"Code": code, "Message": message}
            return {"Response": {"Error": refusal, "RequestId": request_id}}
        code, message = self.number_failure or ("Ok", "send success")
        statuses = [
            {
                "SerialNo": f"2640:{uuid.uuid4().int % 10**20}",
                "PhoneNumber": phone,
                "Fee": 1 if code == "Ok" else 0,
                "SessionContext": "",
                "Code": code,
                "Message": message,
                "IsoCode": "CN",
            }
            for phone in body["PhoneNumberSet"]
        ]
        return {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        tencent = self

        class SendSmsHandler(UpstreamHandler):
            def do_POST(self) -> None:
                self.send_json(200, tencent.answer(self.path, self.headers, self.read_body()))

        return SendSmsHandler


def _authentication_error(path: str, headers: Message, payload: bytes) -> tuple[str, str] | None:
    credential = AUTHORIZATION.fullmatch(headers.get("Authorization", ""))
    if credential is None:
        return SIGNATURE_FAILURE
    if credential["secret_id"] != SECRET_ID:
        return SECRET_ID_NOT_FOUND
    timestamp = int(headers.get("X-TC-Timestamp", "0"))
    if abs(time.time() - timestamp) > 300:
        return SIGNATURE_EXPIRE
    signed = credential["signed_headers"].split(";")
    utc_date = datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    if (
        credential["date"] != utc_date
        or credential["service"] != "sms"
        or not {"content-type", "host"} <= set(signed)
    ):
        return SIGNATURE_FAILURE
    expected = signature(
        secret_key=SECRET_KEY,
        date=utc_date,
        timestamp=timestamp,
        canonical_request=canonical_request(path, headers, signed, payload),
    )
    if not hmac.compare_digest(expected, credential["signature"]):
        return SIGNATURE_FAILURE
    return None


def canonical_request(path: str, headers: Message, signed: list[str], payload: bytes) -> str:
    canonical_headers = "".join(
        f"{name}:{(headers.get(name) or '').strip().lower()}\n" for name in signed
    )
    payload_hash = hashlib.sha256(payload).hexdigest()
    return f"POST\n{path}\n\n{canonical_headers}\n{';'.join(signed)}\n{payload_hash}"


def signature(*, secret_key: str, date: str, timestamp: int, canonical_request: str) -> str:
    def hmac_sha256(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()

    request_hash = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{request_hash}"
    signing_key = hmac_sha256(
        hmac_sha256(hmac_sha256(("TC3" + secret_key).encode("utf-8"), date), "sms"),
        "tc3_request",
    )
    return hmac.new(signing_key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
