"""Fake Alipay (open API gateway, RSA2) and WeChat Pay (API v3) that speak the real protocols.

Both check every request's signature with the merchant's public key, sign every answer with a
platform key of their own, keep the trades they took, and build the payment notifications their
real counterparts send, signed (and, for WeChat, encrypted) the real way. A test serves a fake
with tests/http_servers.py and steers it: `pay`, `pay_silently`, `expire`, `notification`,
`notify`. Signing uses `cryptography` (SHA256withRSA, PKCS#1 v1.5) and AES-256-GCM.

    alipay = FakeAlipay(app_id="2021000000000000", app_public_key_pem=keypair("merchant")[1])
    with http_server(alipay.handler()) as base_url:
        gateway = base_url + ALIPAY_GATEWAY_PATH
"""

import base64
import binascii
import functools
import html
import itertools
import json
import re
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.http_servers import UpstreamHandler

# Both gateways keep Beijing time, whatever the server's zone.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
NOTIFY_TIMEOUT = 10  # seconds the merchant's site gets to answer a notification


# --- keys and signatures ----------------------------------------------------------------------


def rsa_key_pem() -> tuple[str, str]:
    """A fresh 2048-bit RSA pair: (private PEM PKCS#8, public PEM SubjectPublicKeyInfo)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode(), public_pem.decode()


@functools.cache
def keypair(name: str) -> tuple[str, str]:
    """The pair named `name`, made once per test run: making a key takes a good part of a second."""
    return rsa_key_pem()


@functools.cache
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@functools.cache
def _public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def rsa_sign(private_key_pem: str, message: bytes | str) -> str:
    """SHA256withRSA (PKCS#1 v1.5) over `message` (UTF-8 if text), in standard base64."""
    if isinstance(message, str):
        message = message.encode()
    signature = _private_key(private_key_pem).sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(public_key_pem: str, message: bytes | str, signature: str) -> bool:
    if isinstance(message, str):
        message = message.encode()
    try:
        raw = base64.b64decode(signature, validate=True)
        _public_key(public_key_pem).verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def beijing_now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


def compact_json(value: object) -> str:
    """JSON as both gateways write it: no spaces, Chinese left as it is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _random_text(length: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


# --- Alipay -----------------------------------------------------------------------------------

ALIPAY_GATEWAY_PATH = "/gateway.do"
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ALIPAY_BUYER_ID = "2088102177846880"
ALIPAY_BUYER_LOGON_ID = "test***@example.com"
ALIPAY_PAGE_METHODS = {
    "alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY",
    "alipay.trade.wap.pay": "QUICK_WAP_WAY",
}
ALIPAY_PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")
# Alipay's documented subject forbids these; the real cashier refuses such an order.
ALIPAY_SUBJECT_FORBIDDEN = re.compile(r"[/=&]")


def alipay_sign_content(params: dict, *, notification: bool = False) -> str:
    """The string Alipay signs: every non-empty parameter but `sign` (and, in a notification,
    `sign_type`), sorted by key, as `k=v` joined by `&`, values not URL-encoded."""
    excluded = {"sign", "sign_type"} if notification else {"sign"}
    return "&".join(
        f"{key}={value}"
        for key, value in sorted(params.items())
        if key not in excluded and value not in (None, "")
    )


def _alipay_error(code: str, msg: str, sub_code: str, sub_msg: str) -> dict:
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}


def _missing(sub_code: str, sub_msg: str) -> dict:
    return _alipay_error("40001", "Missing Required Arguments", sub_code, sub_msg)


def _invalid(sub_code: str, sub_msg: str) -> dict:
    return _alipay_error("40002", "Invalid Arguments", sub_code, sub_msg)


def _business(sub_code: str, sub_msg: str) -> dict:
    return _alipay_error("40004", "Business Failed", sub_code, sub_msg)


TRADE_NOT_EXIST = ("ACQ.TRADE_NOT_EXIST", "交易不存在")


@dataclass
class FakeTrade:
    out_trade_no: str
    total_amount: str
    subject: str
    status: str = "WAIT_BUYER_PAY"
    trade_no: str | None = None
    notify_url: str | None = None
    return_url: str | None = None
    method: str = "alipay.trade.page.pay"
    created_at: datetime = field(default_factory=beijing_now)
    paid_at: datetime | None = None
    paid_amount: str | None = None  # what the buyer paid, when a test made it differ


class FakeAlipay:
    """Alipay's open API gateway at ALIPAY_GATEWAY_PATH, with the page/wap pay cashier.

    `.requests` holds every request as {"method", "params", "biz"}; `.bad_signatures` counts the
    requests refused for their signature; `.closes` lists the out_trade_no of every close call
    that passed the checks. Set `.unpaid_trades_unknown` to answer query and close for an unpaid
    trade with ACQ.TRADE_NOT_EXIST, as the real gateway does for a page-pay trade the buyer never
    logged in to; set `.forge_answers` to sign answers with a stranger's key, as a man in the
    middle would.
    """

    def __init__(
        self, *, app_id: str, app_public_key_pem: str, seller_id: str = "2088000000000001"
    ) -> None:
        self.app_id = app_id
        self.app_public_key_pem = app_public_key_pem
        _public_key(app_public_key_pem)  # a bad key fails here, not in a handler thread
        self.seller_id = seller_id
        self._private_key_pem, self.public_key_pem = keypair("alipay-platform")
        self.trades: dict[str, FakeTrade] = {}
        self.requests: list[dict] = []
        self.bad_signatures = 0
        self.closes: list[str] = []
        self.unpaid_trades_unknown = False
        self.forge_answers = False
        self._notify_urls: dict[str, str | None] = {}  # notify_id -> the trade's notify_url
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    # --- steering, for tests ------------------------------------------------------------------

    def pay(self, out_trade_no: str, *, buyer_total: str | None = None) -> dict:
        """The buyer pays; returns the notification Alipay would POST, unsent. `buyer_total`
        makes the gateway report another amount, in the notification and in queries."""
        with self._lock:
            trade = self._trade(out_trade_no)
            if trade.status == "TRADE_CLOSED":
                raise ValueError(f"trade {out_trade_no} is closed and can't be paid")
            if trade.status == "WAIT_BUYER_PAY":
                trade.status = "TRADE_SUCCESS"
                trade.paid_at = beijing_now()
                trade.paid_amount = buyer_total
                self._ensure_trade_no(trade)
            return self._notification(trade, {})

    def pay_silently(self, out_trade_no: str, *, buyer_total: str | None = None) -> None:
        """The buyer pays and the notification is lost: only a query can tell."""
        self.pay(out_trade_no, buyer_total=buyer_total)

    def finish(self, out_trade_no: str) -> dict:
        """The refund period ends (TRADE_FINISHED); returns that notification, unsent."""
        with self._lock:
            trade = self._trade(out_trade_no)
            if trade.status != "TRADE_SUCCESS":
                raise ValueError(f"trade {out_trade_no} is {trade.status}, not TRADE_SUCCESS")
            trade.status = "TRADE_FINISHED"
            return self._notification(trade, {})

    def expire(self, out_trade_no: str) -> None:
        """The gateway closes the unpaid trade (its timeout passed)."""
        with self._lock:
            trade = self._trade(out_trade_no)
            if trade.status != "WAIT_BUYER_PAY":
                raise ValueError(f"trade {out_trade_no} is {trade.status}, can't expire")
            trade.status = "TRADE_CLOSED"

    def notification(self, out_trade_no: str, **overrides: str | None) -> dict:
        """A freshly signed trade_status_sync notification for the trade, with `overrides`
        applied before signing (None drops a field). It says TRADE_SUCCESS unless the trade
        is finished or an override says otherwise, whatever the trade's state."""
        with self._lock:
            trade = self._trade(out_trade_no)
            self._ensure_trade_no(trade)
            return self._notification(trade, overrides)

    def sign(self, params: dict) -> dict:
        """`params` signed by the platform key under the notification rule."""
        return self._signed_notification(params, self._private_key_pem)

    def forge(self, params: dict) -> dict:
        """`params` signed under the notification rule by a key that isn't Alipay's."""
        return self._signed_notification(params, keypair("alipay-forger")[0])

    def notify(self, params: dict, url: str | None = None) -> tuple[int, str]:
        """POST the notification as Alipay does, to `url` or the trade's notify_url."""
        if url is None:
            with self._lock:
                url = self._notify_urls.get(params.get("notify_id", ""))
                if url is None:
                    url = self._trade(params["out_trade_no"]).notify_url
            assert url, "the trade was made without a notify_url"
        response = requests.post(
            url,
            data=params,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            timeout=NOTIFY_TIMEOUT,
        )
        return response.status_code, response.text

    def requests_for(self, method: str) -> list[dict]:
        """The params of every request made for `method` ("alipay.trade.query", ...)."""
        with self._lock:
            return [request["params"] for request in self.requests if request["method"] == method]

    # --- notifications ------------------------------------------------------------------------

    def _notification(self, trade: FakeTrade, overrides: dict) -> dict:
        now = beijing_now()
        amount = trade.paid_amount or trade.total_amount
        fund_bill_list = [{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]
        params = {
            "notify_time": now.strftime(ALIPAY_TIME_FORMAT),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": self.app_id,
            "auth_app_id": overrides.get("app_id", self.app_id),
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status if trade.status in ALIPAY_PAID else "TRADE_SUCCESS",
            "total_amount": amount,
            "receipt_amount": amount,
            "invoice_amount": amount,
            "buyer_pay_amount": amount,
            "point_amount": "0.00",
            "fund_bill_list": json.dumps(fund_bill_list, separators=(",", ":")),
            "seller_id": self.seller_id,
            "buyer_id": ALIPAY_BUYER_ID,
            "buyer_logon_id": ALIPAY_BUYER_LOGON_ID,
            "gmt_create": trade.created_at.strftime(ALIPAY_TIME_FORMAT),
            "gmt_payment": (trade.paid_at or now).strftime(ALIPAY_TIME_FORMAT),
            "subject": trade.subject,
        }
        for key, value in overrides.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        self._notify_urls[params.get("notify_id", "")] = trade.notify_url
        return self._signed_notification(params, self._private_key_pem)

    @staticmethod
    def _signed_notification(params: dict, private_key_pem: str) -> dict:
        unsigned = {key: str(value) for key, value in params.items() if key != "sign"}
        content = alipay_sign_content(unsigned, notification=True)
        return {**unsigned, "sign": rsa_sign(private_key_pem, content)}

    # --- the gateway --------------------------------------------------------------------------

    def _trade(self, out_trade_no: str) -> FakeTrade:
        try:
            return self.trades[out_trade_no]
        except KeyError:
            raise KeyError(
                f"no Alipay trade {out_trade_no!r}; known: {list(self.trades)}"
            ) from None

    def _ensure_trade_no(self, trade: FakeTrade) -> None:
        if trade.trade_no is None:
            date = beijing_now().strftime("%Y%m%d")
            trade.trade_no = f"{date}22001400{next(self._serial):012d}"  # 28 digits

    def serve(self, request: UpstreamHandler) -> None:
        split = urlsplit(request.path)
        if split.path != ALIPAY_GATEWAY_PATH:
            request.send_text(404, "Not Found")
            return
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if request.command == "POST":
            body = request.read_body().decode("utf-8", "replace")
            params.update(parse_qsl(body, keep_blank_values=True))  # the body wins
        with self._lock:
            status, content_type, text = self._answer(params)
        request.send_text(status, text, content_type=content_type)

    def _answer(self, params: dict) -> tuple[int, str, str]:
        method = params.get("method", "")
        biz = self._biz(params)
        self.requests.append({"method": method, "params": params, "biz": biz})
        error = self._check(params, biz)
        if method in ALIPAY_PAGE_METHODS:
            return 200, "text/html", self._page_pay(method, params, biz, error)
        if error is None:
            if method == "alipay.trade.query":
                error = self._query(biz)
            elif method == "alipay.trade.close":
                error = self._close(biz)
            else:
                error = _invalid("isv.invalid-method", "不存在的方法名")
        return 200, "application/json", self._signed_answer(method, error)

    @staticmethod
    def _biz(params: dict) -> dict | None:
        try:
            biz = json.loads(params.get("biz_content") or "")
        except ValueError:
            return None
        return biz if isinstance(biz, dict) else None

    def _check(self, params: dict, biz: dict | None) -> dict | None:
        """The gateway's common checks, in its order; an error answer, or None."""
        if not params.get("method"):
            return _missing("isv.missing-method", "缺少方法名参数")
        if not params.get("app_id"):
            return _missing("isv.missing-app-id", "缺少AppID参数")
        if params["app_id"] != self.app_id:
            return _invalid("isv.invalid-app-id", "无效的AppID参数")
        if not params.get("sign_type"):
            return _missing("isv.missing-signature-type", "缺少签名类型参数")
        if params["sign_type"] != "RSA2":
            return _invalid("isv.invalid-signature-type", "无效的签名类型参数")
        if params.get("charset", "").lower() != "utf-8":
            return _invalid("isv.invalid-charset", "字符集错误")
        if not params.get("timestamp"):
            return _missing("isv.missing-timestamp", "缺少时间戳参数")
        if not _is_alipay_time(params["timestamp"]):
            return _invalid("isv.invalid-timestamp", "非法的时间戳参数")
        if not params.get("version"):
            return _missing("isv.missing-version", "缺少版本参数")
        if params["version"] != "1.0":
            return _invalid("isv.invalid-parameter", "version 只能为 1.0")
        if not params.get("sign"):
            return _missing("isv.missing-signature", "缺少签名参数")
        if not rsa_verify(self.app_public_key_pem, alipay_sign_content(params), params["sign"]):
            self.bad_signatures += 1
            return _invalid("isv.invalid-signature", "验签出错")
        if biz is None:
            return _invalid("isv.invalid-parameter", "biz_content 不是合法的 JSON 对象")
        return None

    def _signed_answer(self, method: str, inner: dict) -> str:
        """The answer body: the signature covers the inner object's exact JSON text."""
        key = f"{method.replace('.', '_')}_response" if method else "error_response"
        text = compact_json(inner)
        signer = keypair("alipay-forger")[0] if self.forge_answers else self._private_key_pem
        return f'{{"{key}":{text},"sign":"{rsa_sign(signer, text)}"}}'

    def _page_pay(self, method: str, params: dict, biz: dict | None, error: dict | None) -> str:
        """The cashier page, or the error page the real cashier shows instead."""
        if error is None:
            error = self._take_trade(method, params, biz or {})
        if error is not None:
            return (
                '<!doctype html><html><head><meta charset="utf-8"><title>支付宝 - 网上支付'
                " 安全快速！</title></head><body><h1>支付宝</h1>"
                f"<p>错误代码 {html.escape(error['sub_code'])}</p>"
                f"<p>错误原因 {html.escape(error['sub_msg'])}</p></body></html>"
            )
        trade = self.trades[biz["out_trade_no"]]
        return (
            '<!doctype html><html><head><meta charset="utf-8"><title>支付宝 - 网上支付'
            " 安全快速！</title></head><body><h1>收银台</h1>"
            f'<p class="subject">{html.escape(trade.subject)}</p>'
            f'<p class="amount">¥{trade.total_amount}</p>'
            f'<p class="out-trade-no">{html.escape(trade.out_trade_no)}</p></body></html>'
        )

    def _take_trade(self, method: str, params: dict, biz: dict) -> dict | None:
        out_trade_no = biz.get("out_trade_no")
        total_amount = biz.get("total_amount")
        subject = biz.get("subject")
        if not isinstance(out_trade_no, str) or not re.fullmatch(r"\w{1,64}", out_trade_no):
            return _invalid("isv.invalid-parameter", "out_trade_no 缺失或格式错误")
        if not _is_alipay_amount(total_amount):
            return _invalid("isv.invalid-parameter", "total_amount 须为两位小数的金额字符串")
        if not isinstance(subject, str) or not subject or len(subject) > 256:
            return _invalid("isv.invalid-parameter", "subject 缺失或过长")
        if ALIPAY_SUBJECT_FORBIDDEN.search(subject):
            return _invalid("isv.invalid-parameter", "subject 不可包含 / = & 等特殊字符")
        if biz.get("product_code") != ALIPAY_PAGE_METHODS[method]:
            return _invalid("isv.invalid-parameter", "product_code 与接口不符")
        existing = self.trades.get(out_trade_no)
        if existing is not None:
            if existing.status in ALIPAY_PAID:
                return _business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            if existing.status == "TRADE_CLOSED":
                return _business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            if (existing.total_amount, existing.subject) != (total_amount, subject):
                return _business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
            return None
        trade = FakeTrade(
            out_trade_no=out_trade_no,
            total_amount=total_amount,
            subject=subject,
            notify_url=params.get("notify_url") or None,
            return_url=params.get("return_url") or None,
            method=method,
        )
        self._ensure_trade_no(trade)  # the buyer is at the cashier: the gateway has the trade
        self.trades[out_trade_no] = trade
        return None

    def _find(self, biz: dict) -> FakeTrade | None:
        trade = None
        if biz.get("out_trade_no"):
            trade = self.trades.get(biz["out_trade_no"])
        elif biz.get("trade_no"):
            trade = next((t for t in self.trades.values() if t.trade_no == biz["trade_no"]), None)
        if trade is not None and self.unpaid_trades_unknown and trade.status == "WAIT_BUYER_PAY":
            return None
        return trade

    def _not_found(self, biz: dict) -> dict:
        return {**_business(*TRADE_NOT_EXIST), "out_trade_no": biz.get("out_trade_no", "")}

    def _query(self, biz: dict) -> dict:
        if not (biz.get("out_trade_no") or biz.get("trade_no")):
            return _business("ACQ.INVALID_PARAMETER", "参数无效")
        trade = self._find(biz)
        if trade is None:
            return self._not_found(biz)
        answer = {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status,
            "total_amount": trade.paid_amount or trade.total_amount,
        }
        if trade.status in ALIPAY_PAID:
            amount = trade.paid_amount or trade.total_amount
            answer.update(
                buyer_logon_id=ALIPAY_BUYER_LOGON_ID,
                buyer_user_id=ALIPAY_BUYER_ID,
                buyer_pay_amount=amount,
                receipt_amount=amount,
                send_pay_date=trade.paid_at.strftime(ALIPAY_TIME_FORMAT),
            )
        return answer

    def _close(self, biz: dict) -> dict:
        if not (biz.get("out_trade_no") or biz.get("trade_no")):
            return _business("ACQ.INVALID_PARAMETER", "参数无效")
        self.closes.append(biz.get("out_trade_no") or biz["trade_no"])
        trade = self._find(biz)
        if trade is None:
            return self._not_found(biz)
        if trade.status != "WAIT_BUYER_PAY":
            return _business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status = "TRADE_CLOSED"
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
        }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class AlipayHandler(UpstreamHandler):
            def do_GET(self) -> None:  # a page pay may be a redirect with the params in the URL
                gateway.serve(self)

            def do_POST(self) -> None:
                gateway.serve(self)

        return AlipayHandler


def _is_alipay_time(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", value):
        return False
    try:
        datetime.strptime(value, ALIPAY_TIME_FORMAT)
    except ValueError:
        return False
    return True


def _is_alipay_amount(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,9}\.\d{2}", value):
        return False
    return Decimal("0.01") <= Decimal(value) <= Decimal("100000000.00")


# --- WeChat Pay API v3 --------------------------------------------------------------------------

WECHATPAY_SCHEME = "WECHATPAY2-SHA256-RSA2048"
WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0112345678202612070000000000"
WECHATPAY_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
WECHATPAY_CLOCK_SKEW = 300  # seconds a request's timestamp may be off
WECHATPAY_NATIVE_PATH = "/v3/pay/transactions/native"
WECHATPAY_ORDER_PATH = re.compile(r"/v3/pay/transactions/out-trade-no/([^/]+)(/close)?")
TRADE_STATE_DESC = {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "CLOSED": "订单已关闭"}
SIGN_ERROR = {"code": "SIGN_ERROR", "message": "签名错误"}
ORDER_NOT_EXIST = {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
ORDER_PAID = {"code": "ORDER_PAID", "message": "订单已支付"}


def _param_error(message: str) -> tuple[int, dict]:
    return 400, {"code": "PARAM_ERROR", "message": message}


def rfc3339(moment: datetime) -> str:
    """As WeChat writes times: 2026-12-07T10:00:00+08:00."""
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


def parse_wechatpay_authorization(header: str) -> dict | None:
    """The key="value" pairs of a v3 Authorization header, or None for another scheme."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme != WECHATPAY_SCHEME:
        return None
    return dict(re.findall(r'(\w+)="([^"]*)"', rest))


def _deep_merge(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class FakeTransaction:
    out_trade_no: str
    description: str
    total: int  # fen
    notify_url: str
    code_url: str
    appid: str
    status: str = "NOTPAY"
    transaction_id: str | None = None
    time_expire: str | None = None
    attach: str | None = None
    payer_total: int | None = None
    success_time: datetime | None = None


class FakeWeChatPay:
    """WeChat Pay API v3 for Native pay, in "WeChat Pay public key" mode.

    Every request must carry a valid merchant Authorization; every answer, errors included, is
    signed with the platform key (`.public_key_pem`, id `.public_key_id`). `.requests` holds every
    request as {"method", "path", "headers", "body"} (body: the parsed JSON, or None);
    `.bad_signatures` counts the ones refused with 401; `.closes` lists the out_trade_no of every
    authenticated close call. Set `.forge_answers` to sign answers with a stranger's key.
    """

    def __init__(
        self,
        *,
        mchid: str,
        appid: str,
        merchant_public_key_pem: str,
        merchant_serial_no: str,
        api_v3_key: str,
    ) -> None:
        assert len(api_v3_key.encode()) == 32, "an APIv3 key is 32 bytes"
        self.mchid = mchid
        self.appid = appid
        self.merchant_public_key_pem = merchant_public_key_pem
        _public_key(merchant_public_key_pem)  # a bad key fails here, not in a handler thread
        self.merchant_serial_no = merchant_serial_no
        self.api_v3_key = api_v3_key
        self._private_key_pem, self.public_key_pem = keypair("wechatpay-platform")
        self.public_key_id = WECHATPAY_PUBLIC_KEY_ID
        self.trades: dict[str, FakeTransaction] = {}
        self.requests: list[dict] = []
        self.bad_signatures = 0
        self.closes: list[str] = []
        self.forge_answers = False
        self._notify_urls: dict[str, str] = {}  # notification id -> the order's notify_url
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    # --- steering, for tests ------------------------------------------------------------------

    def pay(self, out_trade_no: str, *, payer_total: int | None = None) -> tuple[dict, bytes]:
        """The payer pays; returns (headers, body) of the notification WeChat would POST,
        unsent. `payer_total` is what the payer paid (less than the total with a coupon)."""
        with self._lock:
            trade = self._trade(out_trade_no)
            if trade.status == "CLOSED":
                raise ValueError(f"order {out_trade_no} is closed and can't be paid")
            if trade.status == "NOTPAY":
                trade.status = "SUCCESS"
                trade.payer_total = payer_total
                trade.success_time = beijing_now()
                self._ensure_transaction_id(trade)
            transaction = self._transaction(trade, as_paid=True)
        return self._remembered(self.notification_for(transaction), trade)

    def pay_silently(self, out_trade_no: str, *, payer_total: int | None = None) -> None:
        """The payer pays and the notification is lost: only a query can tell."""
        self.pay(out_trade_no, payer_total=payer_total)

    def expire(self, out_trade_no: str) -> None:
        """WeChat closes the unpaid order (its time_expire passed)."""
        with self._lock:
            trade = self._trade(out_trade_no)
            if trade.status != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is {trade.status}, can't expire")
            trade.status = "CLOSED"

    def notification(
        self,
        out_trade_no: str,
        *,
        transaction_overrides: dict | None = None,
        timestamp: int | None = None,
        sign_with_other_key: bool = False,
        serial: str | None = None,
    ) -> tuple[dict, bytes]:
        """A fresh TRANSACTION.SUCCESS notification for the order, whatever its state, for the
        bad cases: `transaction_overrides` is merged deeply into the encrypted transaction
        (None drops a field), `timestamp` replaces now, `sign_with_other_key` forges the
        signature, `serial` replaces the Wechatpay-Serial header."""
        with self._lock:
            trade = self._trade(out_trade_no)
            self._ensure_transaction_id(trade)
            transaction = self._transaction(trade, as_paid=True)
        notification = self.notification_for(
            _deep_merge(transaction, transaction_overrides or {}),
            timestamp=timestamp,
            sign_with_other_key=sign_with_other_key,
            serial=serial,
        )
        return self._remembered(notification, trade)

    def _remembered(
        self, notification: tuple[dict, bytes], trade: FakeTransaction
    ) -> tuple[dict, bytes]:
        with self._lock:
            self._notify_urls[json.loads(notification[1])["id"]] = trade.notify_url
        return notification

    def notification_for(
        self,
        transaction: dict,
        *,
        timestamp: int | None = None,
        sign_with_other_key: bool = False,
        serial: str | None = None,
    ) -> tuple[dict, bytes]:
        """The notification carrying `transaction`, encrypted and signed as WeChat does."""
        nonce = _random_text(12)
        associated_data = "transaction"
        plaintext = compact_json(transaction).encode()
        ciphertext = AESGCM(self.api_v3_key.encode()).encrypt(
            nonce.encode(), plaintext, associated_data.encode()
        )
        event = {
            "id": str(uuid.uuid4()),
            "create_time": rfc3339(beijing_now()),
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": associated_data,
                "nonce": nonce,
            },
        }
        body = compact_json(event).encode()
        headers = self._signed_headers(
            body, timestamp=timestamp, forged=sign_with_other_key, serial=serial
        )
        headers["Content-Type"] = "application/json"
        return headers, body

    def notify(self, headers: dict, body: bytes, url: str | None = None) -> tuple[int, str]:
        """POST the notification as WeChat does, to `url` or the order's notify_url."""
        if url is None:
            with self._lock:
                url = self._notify_urls[json.loads(body)["id"]]
        response = requests.post(url, data=body, headers=headers, timeout=NOTIFY_TIMEOUT)
        return response.status_code, response.text

    # --- transactions -------------------------------------------------------------------------

    def _trade(self, out_trade_no: str) -> FakeTransaction:
        try:
            return self.trades[out_trade_no]
        except KeyError:
            raise KeyError(
                f"no WeChat order {out_trade_no!r}; known: {list(self.trades)}"
            ) from None

    def _ensure_transaction_id(self, trade: FakeTransaction) -> None:
        if trade.transaction_id is None:
            date = beijing_now().strftime("%Y%m%d")
            trade.transaction_id = f"4200001234{date}{next(self._serial):010d}"  # 28 digits

    def _transaction(self, trade: FakeTransaction, *, as_paid: bool = False) -> dict:
        """The transaction as the query answers it; `as_paid` describes it paid regardless."""
        state = "SUCCESS" if as_paid else trade.status
        transaction = {
            "appid": trade.appid,
            "mchid": self.mchid,
            "out_trade_no": trade.out_trade_no,
            "trade_type": "NATIVE",
            "trade_state": state,
            "trade_state_desc": TRADE_STATE_DESC[state],
            "amount": {"total": trade.total, "currency": "CNY", "payer_currency": "CNY"},
        }
        if trade.attach is not None:
            transaction["attach"] = trade.attach
        if state == "SUCCESS":  # the real answer has these only once the order is paid
            payer_total = trade.total if trade.payer_total is None else trade.payer_total
            transaction["amount"]["payer_total"] = payer_total
            transaction.update(
                transaction_id=trade.transaction_id,
                bank_type="OTHERS",
                success_time=rfc3339(trade.success_time or beijing_now()),
                payer={"openid": WECHATPAY_OPENID},
            )
        return transaction

    # --- the API ------------------------------------------------------------------------------

    def _signed_headers(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        forged: bool = False,
        serial: str | None = None,
    ) -> dict:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16).upper()
        signer = keypair("wechatpay-forger")[0] if forged else self._private_key_pem
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": serial or self.public_key_id,
            "Wechatpay-Signature-Type": WECHATPAY_SCHEME,
            "Wechatpay-Signature": rsa_sign(signer, message),
        }

    def serve(self, request: UpstreamHandler) -> None:
        raw = request.read_body() if request.command == "POST" else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(
                {
                    "method": request.command,
                    "path": request.path,
                    "headers": dict(request.headers.items()),
                    "body": body,
                }
            )
            if self._authenticated(request, raw):
                status, answer = self._route(request, body)
            else:
                self.bad_signatures += 1
                status, answer = 401, SIGN_ERROR
        payload = b"" if answer is None else compact_json(answer).encode()
        headers = self._signed_headers(payload, forged=self.forge_answers)
        request.send_response(status)
        if payload:
            request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        request.send_header("Request-ID", secrets.token_hex(16))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _authenticated(self, request: UpstreamHandler, raw: bytes) -> bool:
        fields = parse_wechatpay_authorization(request.headers.get("Authorization", ""))
        if fields is None:
            return False
        try:
            stamp = int(fields.get("timestamp", ""))
        except ValueError:
            return False
        if (
            fields.get("mchid") != self.mchid
            or fields.get("serial_no") != self.merchant_serial_no
            or abs(time.time() - stamp) > WECHATPAY_CLOCK_SKEW
            or not fields.get("nonce_str")
        ):
            return False
        head = f"{request.command}\n{request.path}\n{fields['timestamp']}\n{fields['nonce_str']}\n"
        message = head.encode() + raw + b"\n"
        return rsa_verify(self.merchant_public_key_pem, message, fields.get("signature", ""))

    def _route(self, request: UpstreamHandler, body: object) -> tuple[int, dict | None]:
        split = urlsplit(request.path)
        if request.command == "POST":
            if request.headers.get_content_type() != "application/json":
                return _param_error("Content-Type 须为 application/json")
            if not isinstance(body, dict):
                return _param_error("请求体不是合法的 JSON 对象")
        if request.command == "POST" and split.path == WECHATPAY_NATIVE_PATH:
            return self._native(body)
        match = WECHATPAY_ORDER_PATH.fullmatch(split.path)
        if match is not None:
            out_trade_no = unquote(match[1])
            if request.command == "GET" and not match[2]:
                query = dict(parse_qsl(split.query))
                return self._query(out_trade_no, query.get("mchid"))
            if request.command == "POST" and match[2]:
                return self._close(out_trade_no, body)
        return 404, {"code": "NOT_FOUND", "message": "请求的资源不存在"}

    def _native(self, order: dict) -> tuple[int, dict]:
        for name in ("appid", "mchid", "description", "out_trade_no", "notify_url"):
            if not isinstance(order.get(name), str) or not order[name]:
                return _param_error(f"输入源“/body/{name}”映射到字段“{name}”必填性规则校验失败")
        if order["appid"] != self.appid or order["mchid"] != self.mchid:
            return 400, {"code": "APPID_MCHID_NOT_MATCH", "message": "appid和mch_id不匹配"}
        out_trade_no = order["out_trade_no"]
        if not re.fullmatch(r"[A-Za-z0-9_\-|*]{6,32}", out_trade_no):
            return _param_error("out_trade_no 须为 6-32 位数字、大小写字母或_-|*")
        if len(order["description"]) > 127:
            return _param_error("description 长度超过 127")
        if not re.match(r"https?://", order["notify_url"]):
            return _param_error("notify_url 须为 http(s) 地址")
        time_expire = order.get("time_expire")
        if time_expire is not None and not _is_rfc3339(time_expire):
            return _param_error("time_expire 须为 RFC3339 格式，如 2018-06-08T10:34:56+08:00")
        amount = order.get("amount")
        if not isinstance(amount, dict):
            return _param_error("缺少 amount")
        total = amount.get("total")
        if type(total) is not int or total <= 0:
            return _param_error("amount.total 须为大于 0 的整数（分）")
        if amount.get("currency", "CNY") != "CNY":
            return _param_error("amount.currency 只能为 CNY")
        existing = self.trades.get(out_trade_no)
        if existing is not None:
            if existing.status == "SUCCESS":
                return 400, ORDER_PAID
            if existing.status == "CLOSED":
                return 400, {"code": "ORDER_CLOSED", "message": "订单已关闭"}
            if existing.total != total:
                return 400, {"code": "OUT_TRADE_NO_USED", "message": "商户订单号重复"}
            return 200, {"code_url": existing.code_url}
        trade = FakeTransaction(
            out_trade_no=out_trade_no,
            description=order["description"],
            total=total,
            notify_url=order["notify_url"],
            code_url=f"weixin://wxpay/bizpayurl?pr={_random_text(7)}",
            appid=order["appid"],
            time_expire=time_expire,
            attach=order.get("attach"),
        )
        self.trades[out_trade_no] = trade
        return 200, {"code_url": trade.code_url}

    def _query(self, out_trade_no: str, mchid: str | None) -> tuple[int, dict]:
        if not mchid:
            return _param_error("缺少参数 mchid")
        if mchid != self.mchid:
            return _param_error("mchid 与请求商户号不一致")
        trade = self.trades.get(out_trade_no)
        if trade is None:
            return 404, ORDER_NOT_EXIST
        return 200, self._transaction(trade)

    def _close(self, out_trade_no: str, body: dict) -> tuple[int, dict | None]:
        if not body.get("mchid"):
            return _param_error("输入源“/body/mchid”映射到字段“mchid”必填性规则校验失败")
        if body["mchid"] != self.mchid:
            return _param_error("mchid 与请求商户号不一致")
        self.closes.append(out_trade_no)
        trade = self.trades.get(out_trade_no)
        if trade is None:
            return 404, ORDER_NOT_EXIST
        if trade.status == "SUCCESS":
            return 400, ORDER_PAID
        trade.status = "CLOSED"
        return 204, None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class WeChatPayHandler(UpstreamHandler):
            def do_GET(self) -> None:
                api.serve(self)

            def do_POST(self) -> None:
                api.serve(self)

        return WeChatPayHandler


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value
    ):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
