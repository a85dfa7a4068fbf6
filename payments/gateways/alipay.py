"""Alipay's open API (RSA2): computer- and mobile-website pay, query, close, notifications.

Every call is a set of parameters signed with the app's private key: all but `sign`, without
empty ones, sorted, joined as `k=v` with `&`, signed SHA256withRSA. A notification is signed
the same way by Alipay, without `sign_type`; an answer to a call signs the exact JSON text of its
`<method>_response` member.
"""

import base64
import hashlib
import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

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
from payments.models import Channel

PRODUCTS = {
    Channel.ALIPAY_PAGE: ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
    Channel.ALIPAY_WAP: ("alipay.trade.wap.pay", "QUICK_WAP_WAY"),
}
STATES = {
    "WAIT_BUYER_PAY": PENDING,
    "TRADE_SUCCESS": PAID,
    "TRADE_FINISHED": PAID,
    "TRADE_CLOSED": CLOSED,
}
# The page's one script, allowed by its hash: the site's policy runs no inline script else.
SUBMIT_SCRIPT = 'document.forms["alipaysubmit"].submit();'
SUBMIT_SCRIPT_SOURCE = (
    f"'sha256-{base64.b64encode(hashlib.sha256(SUBMIT_SCRIPT.encode()).digest()).decode()}'"
)
UNSAFE_IN_SUBJECT = re.compile(r"[/=&]")  # Alipay refuses a subject with these
TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
TRADE_STATUS_ERROR = "ACQ.TRADE_STATUS_ERROR"  # closing a trade already paid


def beijing_time(moment: datetime) -> str:
    """`2026-12-07 21:58:00`, the time Alipay reads, in its own zone."""
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"


def signed_content(params: dict[str, str], *, skip: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in skip and v != "")


def member_text(body: str, name: str) -> str | None:
    """The exact text of the JSON object member `name` of `body`, as Alipay signed it."""
    at = body.find(f'"{name}"')
    colon = body.find(":", at + len(name) + 2) if at >= 0 else -1
    if colon < 0:
        return None
    start = colon + 1
    while start < len(body) and body[start] in " \t\r\n":
        start += 1
    try:
        _, end = json.JSONDecoder().raw_decode(body, start)
    except ValueError:
        return None
    return body[start:end]


class Alipay(Gateway):
    name = "alipay"
    required_settings = ("ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY")

    def __init__(self) -> None:
        super().__init__()
        self.app_id = settings.ALIPAY_APP_ID
        self.private_key = private_key(setting_text("ALIPAY_APP_PRIVATE_KEY"))
        self.public_key = public_key(setting_text("ALIPAY_PUBLIC_KEY"))
        self.url = settings.ALIPAY_GATEWAY_URL
        self.merchant_id = settings.ALIPAY_SELLER_ID

    def signed(self, method: str, biz_content: dict, **extra: str) -> dict[str, str]:
        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": beijing_time(timezone.now()),
            "version": "1.0",
            "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        params = {key: value for key, value in params.items() if value}
        params["sign"] = rsa2_sign(self.private_key, signed_content(params))
        return params

    # --- paying -----------------------------------------------------------------------------

    def checkout(self, order, *, return_url: str = "") -> Checkout:
        method, product_code = PRODUCTS[order.channel]
        biz_content = {
            "out_trade_no": order.out_trade_no,
            "total_amount": f"{order.amount:.2f}",
            "subject": UNSAFE_IN_SUBJECT.sub(" ", order.subject),
            "product_code": product_code,
            "time_expire": beijing_time(order.expires_at),
        }
        if order.channel == Channel.ALIPAY_WAP and return_url:
            biz_content["quit_url"] = return_url
        params = self.signed(
            method,
            biz_content,
            notify_url=settings.PAYMENTS_PUBLIC_BASE_URL.rstrip("/") + "/alipay/notify",
            return_url=return_url,
        )
        html = render_to_string(
            "payments/alipay_form.html",
            {"action": f"{self.url}?charset=utf-8", "params": params, "script": SUBMIT_SCRIPT},
        )
        gateway = urlsplit(self.url)
        csp = {
            "form-action": [f"{gateway.scheme}://{gateway.netloc}"],
            "script-src": [SUBMIT_SCRIPT_SOURCE],
        }
        return Checkout(html=html, csp=csp)

    # --- what Alipay says ---------------------------------------------------------------------

    def notified_trade(self, request: HttpRequest) -> Trade:
        params = request.POST.dict()
        signature = params.get("sign", "")
        content = signed_content(params, skip=("sign", "sign_type"))
        if params.get("sign_type") != "RSA2" or not rsa2_verify(
            self.public_key, content, signature
        ):
            raise InvalidNotification("签名错误")
        return self.trade_of(params, status=params.get("trade_status", ""))

    def trade_of(self, fields: dict, *, status: str, ours: bool = False) -> Trade:
        """The trade `fields` describe; `ours` when they answer our own call, which names no
        app or seller."""
        try:
            total = Decimal(fields["total_amount"]) if fields.get("total_amount") else None
        except InvalidOperation:
            total = None
        return Trade(
            out_trade_no=fields.get("out_trade_no", ""),
            state=STATES.get(status, PENDING),
            status=status,
            trade_no=fields.get("trade_no", ""),
            total_amount=total,
            app_id=self.app_id if ours else fields.get("app_id", ""),
            merchant_id=self.merchant_id if ours else fields.get("seller_id", ""),
            raw=fields,
        )

    def query(self, order) -> Trade:
        answer = self.call("alipay.trade.query", {"out_trade_no": order.out_trade_no})
        if answer.get("code") == "10000":
            return self.trade_of(answer, status=answer.get("trade_status", ""), ours=True)
        if answer.get("sub_code") == TRADE_NOT_EXIST:
            return self.missing(order, answer)
        raise GatewayError(f"alipay.trade.query: {answer.get('sub_code') or answer.get('code')}")

    def close(self, order) -> Trade:
        answer = self.call("alipay.trade.close", {"out_trade_no": order.out_trade_no})
        if answer.get("code") == "10000":
            return Trade(order.out_trade_no, CLOSED, "TRADE_CLOSED", raw=answer)
        if answer.get("sub_code") == TRADE_NOT_EXIST:
            return self.missing(order, answer)
        if answer.get("sub_code") == TRADE_STATUS_ERROR:
            return self.query(order)
        raise GatewayError(f"alipay.trade.close: {answer.get('sub_code') or answer.get('code')}")

    @staticmethod
    def missing(order, answer: dict) -> Trade:
        return Trade(order.out_trade_no, MISSING, TRADE_NOT_EXIST, raw=answer)

    def call(self, method: str, biz_content: dict) -> dict:
        """Alipay's answer to `method`, its signature checked; GatewayError otherwise."""
        try:
            response = self.session.post(
                self.url,
                params={"charset": "utf-8"},
                data=self.signed(method, biz_content),
                timeout=self.timeouts,
            )
        except requests.RequestException as exc:
            raise GatewayError(f"{method}: {type(exc).__name__}") from exc
        body = response.content.decode("utf-8", "replace")
        answer_text = member_text(body, method.replace(".", "_") + "_response")
        signature = (json_or_none(body) or {}).get("sign")
        if (
            answer_text is None
            or not isinstance(signature, str)
            or not rsa2_verify(self.public_key, answer_text, signature)
        ):
            raise GatewayError(f"{method}: HTTP {response.status_code}, answer not signed")
        answer = json.loads(answer_text)
        if not isinstance(answer, dict):
            raise GatewayError(f"{method}: answer not an object")
        return answer

    def acknowledge(self, *, accepted: bool) -> HttpResponse:
        return HttpResponse("success" if accepted else "fail", content_type="text/plain")
