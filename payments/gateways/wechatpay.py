"""WeChat Pay API v3, Native pay (a QR code), verified with the WeChat Pay public key.

A call is signed with the merchant's API key over `METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n`;
every answer and notification is signed by WeChat Pay over `TIMESTAMP\\nNONCE\\nBODY\\n`, and a
notification's transaction is encrypted (AEAD_AES_256_GCM) with the merchant's API v3 key.
"""

import base64
import json
import secrets
import time
from decimal import Decimal

import requests
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from csa.ids import BEIJING  # both gateways keep Beijing time
from payments.gateways.base import (
    CLOSED,
    MISSING,
    PAID,
    PENDING,
    Checkout,
    Gateway,
    GatewayError,
    InvalidNotification,
    Trade,
    json_or_none,
    private_key,
    public_key,
    rsa2_sign,
    rsa2_verify,
    setting_text,
)

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
# A notification signed longer ago than this is a replay (WeChat Pay's own advice: 5 minutes).
NOTIFICATION_MAX_AGE_SECONDS = 300
STATES = {
    "SUCCESS": PAID,
    "NOTPAY": PENDING,
    "USERPAYING": PENDING,
    "CLOSED": CLOSED,
    "REVOKED": CLOSED,
    "PAYERROR": CLOSED,
    "REFUND": CLOSED,  # paid and given back at the gateway: nothing to credit
}
FEN = Decimal(100)


def fen(amount: Decimal) -> int:
    return int(amount * FEN)


class WeChatPay(Gateway):
    name = "wechatpay"
    required_settings = (
        "WECHATPAY_MCH_ID",
        "WECHATPAY_APP_ID",
        "WECHATPAY_PRIVATE_KEY",
        "WECHATPAY_CERT_SERIAL_NO",
        "WECHATPAY_API_V3_KEY",
        "WECHATPAY_PUBLIC_KEY",
        "WECHATPAY_PUBLIC_KEY_ID",
    )

    def __init__(self) -> None:
        super().__init__()
        self.merchant_id = settings.WECHATPAY_MCH_ID
        self.app_id = settings.WECHATPAY_APP_ID
        self.private_key = private_key(setting_text("WECHATPAY_PRIVATE_KEY"))
        self.serial_no = settings.WECHATPAY_CERT_SERIAL_NO
        self.api_v3_key = setting_text("WECHATPAY_API_V3_KEY").encode()
        self.public_key = public_key(setting_text("WECHATPAY_PUBLIC_KEY"))
        self.public_key_id = settings.WECHATPAY_PUBLIC_KEY_ID
        self.url = settings.WECHATPAY_API_URL.rstrip("/")

    # --- calls --------------------------------------------------------------------------------

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """WeChat Pay's status and JSON answer to one call, its signature checked."""
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body else ""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa2_sign(self.private_key, f"{method}\n{path}\n{timestamp}\n{nonce}\n{text}\n")
        authorization = (
            f'{SIGNATURE_TYPE} mchid="{self.merchant_id}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",serial_no="{self.serial_no}"'
        )
        headers = {
            "Authorization": authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Wechatpay-Serial": self.public_key_id,
        }
        try:
            response = self.session.request(
                method, self.url + path, data=text.encode(), headers=headers, timeout=self.timeouts
            )
        except requests.RequestException as exc:
            raise GatewayError(f"{method} {path}: {type(exc).__name__}") from exc
        answer = response.content.decode("utf-8", "replace")
        # What says a trade exists or was paid is signed; an error (which a proxy in between may
        # give as well) need not be, and only ever leaves an order as it was or, past its
        # time-out, closed.
        if response.ok and not self.signed_by_wechatpay(response.headers, answer):
            raise GatewayError(f"{method} {path}: HTTP {response.status_code}, answer not signed")
        return response.status_code, json_or_none(answer) or {}

    def signed_by_wechatpay(self, headers, body: str) -> bool:
        return headers.get("Wechatpay-Serial") == self.public_key_id and rsa2_verify(
            self.public_key,
            f"{headers.get('Wechatpay-Timestamp')}\n{headers.get('Wechatpay-Nonce')}\n{body}\n",
            headers.get("Wechatpay-Signature", ""),
        )

    def checkout(self, order, *, return_url: str = "") -> Checkout:
        status, answer = self.call(
            "POST",
            "/v3/pay/transactions/native",
            {
                "appid": self.app_id,
                "mchid": self.merchant_id,
                "description": order.subject[:127],
                "out_trade_no": order.out_trade_no,
                "time_expire": order.expires_at.astimezone(BEIJING).isoformat(timespec="seconds"),
                "notify_url": settings.PAYMENTS_PUBLIC_BASE_URL.rstrip("/") + "/wechatpay/notify",
                "amount": {"total": fen(order.amount), "currency": "CNY"},
            },
        )
        if status != 200 or not answer.get("code_url"):
            problem = f"{answer.get('code')} {answer.get('message')}"
            raise GatewayError(f"native: HTTP {status} {problem}")
        return Checkout(code_url=answer["code_url"])

    def query(self, order) -> Trade:
        path = f"/v3/pay/transactions/out-trade-no/{order.out_trade_no}?mchid={self.merchant_id}"
        status, answer = self.call("GET", path)
        if status == 200:
            return self.trade_of(answer)
        if status == 404 and answer.get("code") == "ORDER_NOT_EXIST":
            return Trade(order.out_trade_no, MISSING, "ORDER_NOT_EXIST", raw=answer)
        raise GatewayError(f"query: HTTP {status} {answer.get('code')}")

    def close(self, order) -> Trade:
        path = f"/v3/pay/transactions/out-trade-no/{order.out_trade_no}/close"
        status, answer = self.call("POST", path, {"mchid": self.merchant_id})
        if status in (200, 204):
            return Trade(order.out_trade_no, CLOSED, "CLOSED", raw=answer)
        if status == 404 and answer.get("code") == "ORDER_NOT_EXIST":
            return Trade(order.out_trade_no, MISSING, "ORDER_NOT_EXIST", raw=answer)
        if answer.get("code") == "ORDER_PAID":
            return self.query(order)
        raise GatewayError(f"close: HTTP {status} {answer.get('code')}")

    # --- what WeChat Pay says -----------------------------------------------------------------

    def notified_trade(self, request: HttpRequest) -> Trade:
        body = request.body.decode("utf-8", "replace")
        headers = request.headers
        try:
            age = abs(time.time() - int(headers.get("Wechatpay-Timestamp", "")))
        except ValueError:
            raise InvalidNotification("时间戳无效") from None
        if age > NOTIFICATION_MAX_AGE_SECONDS:
            raise InvalidNotification("通知已过期")
        if not self.signed_by_wechatpay(headers, body):
            raise InvalidNotification("签名错误")
        notification = json_or_none(body) or {}
        transaction = self.decrypted(notification.get("resource"))
        return self.trade_of(transaction, event=notification)

    def decrypted(self, resource) -> dict:
        if not isinstance(resource, dict) or resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise InvalidNotification("无法识别的通知内容")
        try:
            plain = AESGCM(self.api_v3_key).decrypt(
                str(resource.get("nonce", "")).encode(),
                base64.b64decode(str(resource.get("ciphertext", ""))),
                str(resource.get("associated_data", "")).encode(),
            )
        except (InvalidTag, ValueError):
            raise InvalidNotification("通知内容解密失败") from None
        transaction = json_or_none(plain.decode("utf-8", "replace"))
        if transaction is None:
            raise InvalidNotification("通知内容不是交易")
        return transaction

    def trade_of(self, transaction: dict, *, event: dict | None = None) -> Trade:
        amount = transaction.get("amount")
        total = amount.get("total") if isinstance(amount, dict) else None
        status = str(transaction.get("trade_state", ""))
        raw = {"transaction": transaction}
        if event is not None:
            raw["event"] = {key: event.get(key) for key in ("id", "create_time", "event_type")}
        return Trade(
            out_trade_no=str(transaction.get("out_trade_no", "")),
            state=STATES.get(status, PENDING),
            status=status,
            trade_no=str(transaction.get("transaction_id") or ""),
            total_amount=Decimal(total) / FEN if isinstance(total, int) else None,
            app_id=str(transaction.get("appid", "")),
            merchant_id=str(transaction.get("mchid", "")),
            raw=raw,
        )

    def acknowledge(self, *, accepted: bool) -> HttpResponse:
        if accepted:
            return HttpResponse(status=204)
        return JsonResponse({"code": "FAIL", "message": "失败"}, status=400)
