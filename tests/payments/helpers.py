"""Paying as a customer's browser and client would, and the gateways' calls back to us."""

from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlencode

import requests
from django.test import Client

from payments.models import Order
from tests.http_servers import http_server
from tests.payments.fake_gateways import ALIPAY_GATEWAY_PATH, FakeAlipay, FakeWeChatPay, keypair

PAYMENT_SETTINGS = [
    "ALIPAY_APP_ID",
    "ALIPAY_APP_PRIVATE_KEY",
    "ALIPAY_APP_PRIVATE_KEY_FILE",
    "ALIPAY_PUBLIC_KEY",
    "ALIPAY_PUBLIC_KEY_FILE",
    "ALIPAY_SELLER_ID",
    "WECHATPAY_MCH_ID",
    "WECHATPAY_APP_ID",
    "WECHATPAY_PRIVATE_KEY",
    "WECHATPAY_PRIVATE_KEY_FILE",
    "WECHATPAY_CERT_SERIAL_NO",
    "WECHATPAY_API_V3_KEY",
    "WECHATPAY_API_V3_KEY_FILE",
    "WECHATPAY_PUBLIC_KEY",
    "WECHATPAY_PUBLIC_KEY_FILE",
    "WECHATPAY_PUBLIC_KEY_ID",
]
WECHATPAY_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
WECHATPAY_API_V3_KEY = "0123456789abcdefghijABCDEFGHIJ01"  # 32 bytes, as the merchant sets it


@contextmanager
def serving_alipay(settings) -> Iterator[FakeAlipay]:
    """The fake Alipay on a local port, our settings pointed at it."""
    app_private, app_public = keypair("merchant-alipay-app")
    fake = FakeAlipay(app_id="2021000000000001", app_public_key_pem=app_public)
    with http_server(fake.handler()) as base_url:
        settings.ALIPAY_APP_ID = fake.app_id
        settings.ALIPAY_APP_PRIVATE_KEY = app_private
        settings.ALIPAY_PUBLIC_KEY = fake.public_key_pem
        settings.ALIPAY_SELLER_ID = fake.seller_id
        settings.ALIPAY_GATEWAY_URL = base_url + ALIPAY_GATEWAY_PATH
        yield fake


@contextmanager
def serving_wechatpay(settings) -> Iterator[FakeWeChatPay]:
    """The fake WeChat Pay on a local port, our settings pointed at it."""
    merchant_private, merchant_public = keypair("merchant-wechatpay-api")
    fake = FakeWeChatPay(
        mchid="1900000001",
        appid="wx0000000000000001",
        merchant_public_key_pem=merchant_public,
        merchant_serial_no=WECHATPAY_SERIAL,
        api_v3_key=WECHATPAY_API_V3_KEY,
    )
    with http_server(fake.handler()) as base_url:
        settings.WECHATPAY_MCH_ID = fake.mchid
        settings.WECHATPAY_APP_ID = fake.appid
        settings.WECHATPAY_PRIVATE_KEY = merchant_private
        settings.WECHATPAY_CERT_SERIAL_NO = WECHATPAY_SERIAL
        settings.WECHATPAY_API_V3_KEY = WECHATPAY_API_V3_KEY
        settings.WECHATPAY_PUBLIC_KEY = fake.public_key_pem
        settings.WECHATPAY_PUBLIC_KEY_ID = fake.public_key_id
        settings.WECHATPAY_API_URL = base_url
        yield fake


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action, self.name, self.fields = "", "", {}

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.action, self.name = attributes.get("action", ""), attributes.get("name", "")
        elif tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes.get("value", "")


def read_form(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


def browser_submits(html: str) -> requests.Response:
    """What the customer's browser does with our page: post its form to the gateway."""
    form = read_form(html)
    return requests.post(form.action, data=form.fields, timeout=5)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def alipay_pay(client: Client, token: str, path: str = "/alipay/pay", **body):
    """POST a payment request; the response, and the order it made (None if none)."""
    response = client.post(
        path, {"total_amount": 50, **body}, content_type="application/json", **bearer(token)
    )
    return response, Order.objects.order_by("-id").first()


def alipay_paid(client: Client, token: str, **body) -> Order:
    """An order whose form the browser took to the gateway."""
    response, order = alipay_pay(client, token, **body)
    assert response.status_code == 200, response.content
    assert "验签出错" not in browser_submits(response.content.decode()).text
    return order


def notify_alipay(client: Client, params: dict):
    """Alipay's notification, form-encoded as Alipay sends it, through the test client."""
    return client.post(
        "/alipay/notify",
        urlencode(params),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )


def notify_wechatpay(client: Client, headers: dict, body: bytes):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    meta.pop("HTTP_CONTENT_TYPE", None)
    return client.post("/wechatpay/notify", body, content_type="application/json", **meta)
