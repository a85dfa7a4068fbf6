"""Checks of the fake gateways themselves: they verify what the real ones verify, and what they
sign verifies. The signing here is written apart from the fakes', so the two check each other."""

import base64
import json
import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.http_servers import UpstreamHandler, http_server
from tests.payments.fake_gateways import (
    ALIPAY_GATEWAY_PATH,
    FakeAlipay,
    FakeWeChatPay,
    keypair,
)

APP_ID = "2021000000000000"
MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
API_V3_KEY = "a" * 32


def sign(private_pem: str, message: bytes) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verifies(public_pem: str, message: bytes, signature: str) -> bool:
    key = serialization.load_pem_public_key(public_pem.encode())
    try:
        key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


@pytest.fixture
def receiver() -> Iterator[tuple[str, list]]:
    """A merchant site that takes notifications: (its URL, what it received)."""
    received: list = []

    class Receiver(UpstreamHandler):
        def do_POST(self) -> None:
            received.append((dict(self.headers.items()), self.read_body()))
            self.send_text(200, "success")

    with http_server(Receiver) as base_url:
        yield base_url + "/notify", received


# --- Alipay -----------------------------------------------------------------------------------


@pytest.fixture
def alipay() -> Iterator[tuple[FakeAlipay, str]]:
    fake = FakeAlipay(app_id=APP_ID, app_public_key_pem=keypair("merchant")[1])
    with http_server(fake.handler()) as base_url:
        yield fake, base_url + ALIPAY_GATEWAY_PATH


def alipay_params(method: str, biz: dict, **extra: str) -> dict:
    params = {
        "app_id": APP_ID,
        "method": method,
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": "2026-12-07 10:00:00",
        "version": "1.0",
        "biz_content": json.dumps(biz, ensure_ascii=False),
        **extra,
    }
    content = "&".join(f"{key}={value}" for key, value in sorted(params.items()) if value)
    return {**params, "sign": sign(keypair("merchant")[0], content.encode())}


def alipay_post(url: str, params: dict) -> requests.Response:
    return requests.post(url + "?charset=utf-8", data=params, timeout=5)


def open_trade(url: str, out_trade_no: str = "order_1") -> None:
    biz = {
        "out_trade_no": out_trade_no,
        "total_amount": "50.00",
        "subject": "充值 50 元",
        "product_code": "FAST_INSTANT_TRADE_PAY",
    }
    params = alipay_params("alipay.trade.page.pay", biz, notify_url="http://shop/notify")
    response = alipay_post(url, params)
    assert response.status_code == 200
    assert "收银台" in response.text


def test_alipay_takes_a_signed_query_and_refuses_a_tampered_one(alipay) -> None:
    fake, url = alipay
    open_trade(url)

    answer = alipay_post(url, alipay_params("alipay.trade.query", {"out_trade_no": "order_1"}))
    inner = answer.json()["alipay_trade_query_response"]
    assert (inner["code"], inner["trade_status"]) == ("10000", "WAIT_BUYER_PAY")

    tampered = alipay_params("alipay.trade.query", {"out_trade_no": "order_1"})
    tampered["biz_content"] = json.dumps({"out_trade_no": "order_2"})
    inner = alipay_post(url, tampered).json()["alipay_trade_query_response"]
    assert (inner["code"], inner["sub_code"]) == ("40002", "isv.invalid-signature")
    assert fake.bad_signatures == 1


def test_alipay_signs_the_exact_inner_json_text_of_an_answer(alipay) -> None:
    fake, url = alipay
    open_trade(url)
    fake.pay_silently("order_1")

    text = alipay_post(url, alipay_params("alipay.trade.query", {"out_trade_no": "order_1"})).text
    prefix = '{"alipay_trade_query_response":'
    assert text.startswith(prefix)
    inner = text[len(prefix) : text.rindex(',"sign":"')]
    assert verifies(fake.public_key_pem, inner.encode(), json.loads(text)["sign"])
    assert json.loads(inner)["trade_status"] == "TRADE_SUCCESS"

    fake.forge_answers = True
    text = alipay_post(url, alipay_params("alipay.trade.query", {"out_trade_no": "order_1"})).text
    inner = text[len(prefix) : text.rindex(',"sign":"')]
    assert not verifies(fake.public_key_pem, inner.encode(), json.loads(text)["sign"])


def test_alipay_closes_only_unpaid_trades(alipay) -> None:
    fake, url = alipay
    open_trade(url, "order_1")
    open_trade(url, "order_2")
    fake.pay_silently("order_2")

    def close(out_trade_no: str) -> dict:
        params = alipay_params("alipay.trade.close", {"out_trade_no": out_trade_no})
        return alipay_post(url, params).json()["alipay_trade_close_response"]

    assert close("order_1")["code"] == "10000"
    assert close("order_2")["sub_code"] == "ACQ.TRADE_STATUS_ERROR"
    assert close("order_3")["sub_code"] == "ACQ.TRADE_NOT_EXIST"
    assert fake.trades["order_1"].status == "TRADE_CLOSED"
    assert fake.closes == ["order_1", "order_2", "order_3"]


def test_alipay_notification_verifies_and_a_forgery_does_not(alipay, receiver) -> None:
    fake, url = alipay
    open_trade(url)
    params = fake.pay("order_1")

    def content(params: dict) -> bytes:
        kept = {k: v for k, v in params.items() if k not in ("sign", "sign_type") and v}
        return "&".join(f"{k}={v}" for k, v in sorted(kept.items())).encode()

    assert verifies(fake.public_key_pem, content(params), params["sign"])
    assert (params["trade_status"], params["total_amount"]) == ("TRADE_SUCCESS", "50.00")
    cheap = fake.notification("order_1", total_amount="1.00")
    assert verifies(fake.public_key_pem, content(cheap), cheap["sign"])
    forged = fake.forge(params)
    assert not verifies(fake.public_key_pem, content(forged), forged["sign"])

    notify_url, received = receiver
    assert fake.notify(params, notify_url) == (200, "success")
    headers, body = received[0]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert dict(parse_qsl(body.decode())) == params


# --- WeChat Pay -------------------------------------------------------------------------------


@pytest.fixture
def wechatpay() -> Iterator[tuple[FakeWeChatPay, str]]:
    fake = FakeWeChatPay(
        mchid=MCHID,
        appid=APPID,
        merchant_public_key_pem=keypair("merchant")[1],
        merchant_serial_no=SERIAL_NO,
        api_v3_key=API_V3_KEY,
    )
    with http_server(fake.handler()) as base_url:
        yield fake, base_url


def wechat_call(
    base_url: str, method: str, path: str, body: dict | None = None, *, key: str = "merchant"
) -> requests.Response:
    text = "" if body is None else json.dumps(body)
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{text}\n".encode()
    authorization = (
        f'WECHATPAY2-SHA256-RSA2048 mchid="{MCHID}",nonce_str="{nonce}",'
        f'signature="{sign(keypair(key)[0], message)}",timestamp="{timestamp}",'
        f'serial_no="{SERIAL_NO}"'
    )
    headers = {"Authorization": authorization, "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return requests.request(
        method, base_url + path, data=text.encode() or None, headers=headers, timeout=5
    )


def answer_verifies(fake: FakeWeChatPay, headers, body: bytes) -> bool:
    message = f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n".encode()
    assert headers["Wechatpay-Serial"] == fake.public_key_id
    return verifies(fake.public_key_pem, message + body + b"\n", headers["Wechatpay-Signature"])


def native_order(out_trade_no: str = "order_0001", total: int = 5000) -> dict:
    return {
        "appid": APPID,
        "mchid": MCHID,
        "description": "充值 50 元",
        "out_trade_no": out_trade_no,
        "notify_url": "https://shop.example.com/notify",
        "amount": {"total": total, "currency": "CNY"},
    }


def test_wechatpay_takes_signed_calls_and_signs_its_answers(wechatpay) -> None:
    fake, base_url = wechatpay
    created = wechat_call(base_url, "POST", "/v3/pay/transactions/native", native_order())
    assert created.status_code == 200
    assert created.json()["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert answer_verifies(fake, created.headers, created.content)

    again = wechat_call(base_url, "POST", "/v3/pay/transactions/native", native_order())
    assert again.json() == created.json()
    changed = native_order(total=100)
    refused = wechat_call(base_url, "POST", "/v3/pay/transactions/native", changed)
    assert (refused.status_code, refused.json()["code"]) == (400, "OUT_TRADE_NO_USED")

    query_path = f"/v3/pay/transactions/out-trade-no/order_0001?mchid={MCHID}"
    assert wechat_call(base_url, "GET", query_path).json()["trade_state"] == "NOTPAY"
    fake.pay_silently("order_0001")
    paid = wechat_call(base_url, "GET", query_path)
    assert answer_verifies(fake, paid.headers, paid.content)
    assert paid.json()["trade_state"] == "SUCCESS"
    assert paid.json()["amount"]["total"] == 5000

    close_path = "/v3/pay/transactions/out-trade-no/order_0001/close"
    closed = wechat_call(base_url, "POST", close_path, {"mchid": MCHID})
    assert (closed.status_code, closed.json()["code"]) == (400, "ORDER_PAID")


def test_wechatpay_closes_an_unpaid_order_with_a_signed_204(wechatpay) -> None:
    fake, base_url = wechatpay
    wechat_call(base_url, "POST", "/v3/pay/transactions/native", native_order())
    close_path = "/v3/pay/transactions/out-trade-no/order_0001/close"
    closed = wechat_call(base_url, "POST", close_path, {"mchid": MCHID})
    assert (closed.status_code, closed.content) == (204, b"")
    assert answer_verifies(fake, closed.headers, b"")
    assert fake.trades["order_0001"].status == "CLOSED"


def test_wechatpay_refuses_a_bad_signature_with_a_signed_401(wechatpay) -> None:
    fake, base_url = wechatpay
    answer = wechat_call(
        base_url, "POST", "/v3/pay/transactions/native", native_order(), key="stranger"
    )
    assert (answer.status_code, answer.json()["code"]) == (401, "SIGN_ERROR")
    assert answer_verifies(fake, answer.headers, answer.content)
    assert fake.bad_signatures == 1
    assert fake.trades == {}


def test_wechatpay_notification_decrypts_and_verifies(wechatpay, receiver) -> None:
    fake, base_url = wechatpay
    wechat_call(base_url, "POST", "/v3/pay/transactions/native", native_order())
    headers, body = fake.pay("order_0001", payer_total=4900)

    assert answer_verifies(fake, headers, body)
    resource = json.loads(body)["resource"]
    plaintext = AESGCM(API_V3_KEY.encode()).decrypt(
        resource["nonce"].encode(),
        base64.b64decode(resource["ciphertext"]),
        resource["associated_data"].encode(),
    )
    transaction = json.loads(plaintext)
    assert transaction["out_trade_no"] == "order_0001"
    assert transaction["trade_state"] == "SUCCESS"
    assert transaction["amount"] == {
        "total": 5000,
        "payer_total": 4900,
        "currency": "CNY",
        "payer_currency": "CNY",
    }

    forged_headers, forged_body = fake.notification("order_0001", sign_with_other_key=True)
    assert not answer_verifies(fake, forged_headers, forged_body)

    notify_url, received = receiver
    assert fake.notify(headers, body, notify_url) == (200, "success")
    assert received[0][1] == body
    assert received[0][0]["Wechatpay-Signature"] == headers["Wechatpay-Signature"]
