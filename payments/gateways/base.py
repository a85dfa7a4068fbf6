"""What every payment gateway offers the ledger, and the keys they sign with."""

import base64
import functools
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.http import HttpRequest, HttpResponse

PAID, PENDING, CLOSED, MISSING = "paid", "pending", "closed", "missing"


@dataclass(frozen=True)
class Trade:
    """A gateway's signed word on one order: from a notification or from a query.

    `state` is PAID, PENDING (not paid yet), CLOSED (will never be paid) or MISSING (the gateway
    has no such trade: the customer never opened the payment page).
    """

    out_trade_no: str
    state: str
    status: str  # the gateway's own word (TRADE_SUCCESS, NOTPAY, ...)
    trade_no: str = ""
    total_amount: Decimal | None = None
    app_id: str = ""
    merchant_id: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Checkout:
    """What the customer's client needs to pay: a page to open, or a QR code's content."""

    html: str = ""
    code_url: str = ""
    # What the page needs beyond the site's Content-Security-Policy (csp's `_csp_update`).
    csp: dict = field(default_factory=dict)


class GatewayError(Exception):
    """The gateway could not be reached or gave no answer we can trust; ask again later."""


class InvalidNotification(Exception):
    """A notification that is not the gateway's: bad signature, stale, unreadable."""


class Gateway(ABC):
    name: str
    # Settings that must all be set for the gateway to be offered.
    required_settings: tuple[str, ...]
    app_id: str
    merchant_id: str  # "" when the gateway's notifications need not name it

    def __init__(self) -> None:
        self.session = requests.Session()
        self.timeouts = (
            settings.PAYMENTS_GATEWAY_CONNECT_TIMEOUT_SECONDS,
            settings.PAYMENTS_GATEWAY_READ_TIMEOUT_SECONDS,
        )

    @abstractmethod
    def checkout(self, order, *, return_url: str = "") -> Checkout:
        """Start paying `order`: what the customer's client shows."""

    @abstractmethod
    def notified_trade(self, request: HttpRequest) -> Trade:
        """The trade a notification speaks of; InvalidNotification if it is not the gateway's."""

    @abstractmethod
    def query(self, order) -> Trade:
        """Ask the gateway where `order` stands; GatewayError if it cannot say."""

    @abstractmethod
    def close(self, order) -> Trade:
        """Close `order` at the gateway so it can no longer be paid: a CLOSED or MISSING trade,
        or the trade as it stands when it was paid first."""

    def mismatch(self, trade: Trade, order) -> str:
        """What in `trade` does not match `order` or this merchant ("" when all does)."""
        if trade.total_amount != order.amount:
            return f"金额不符：通知 {trade.total_amount} 元，订单 {order.amount} 元"
        if trade.app_id != self.app_id:
            return f"应用ID不符：{trade.app_id}"
        if self.merchant_id and trade.merchant_id != self.merchant_id:
            return f"商户不符：{trade.merchant_id}"
        return ""

    @abstractmethod
    def acknowledge(self, *, accepted: bool) -> HttpResponse:
        """The answer a notification gets: accepted, or asked to be sent again."""


# --- keys -----------------------------------------------------------------------------------


def setting_text(name: str) -> str:
    """Setting `name`, or the contents of the file `{name}_FILE` names; "" when neither is set."""
    value = getattr(settings, name, "")
    if value:
        return value.replace("\\n", "\n").strip()
    path = getattr(settings, f"{name}_FILE", "")
    return Path(path).read_text().strip() if path else ""


@functools.cache
def private_key(text: str) -> rsa.RSAPrivateKey:
    """A PEM private key, or its bare base64 body as the gateways' consoles hand it out."""
    if text.startswith("-----BEGIN"):
        return serialization.load_pem_private_key(text.encode(), password=None)
    return serialization.load_der_private_key(base64.b64decode(text), password=None)


@functools.cache
def public_key(text: str) -> rsa.RSAPublicKey:
    if text.startswith("-----BEGIN"):
        return serialization.load_pem_public_key(text.encode())
    return serialization.load_der_public_key(base64.b64decode(text))


def rsa2_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    """SHA256withRSA (PKCS #1 v1.5), base64: how both gateways sign."""
    signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa2_verify(key: rsa.RSAPublicKey, message: str, signature: str) -> bool:
    try:
        key.verify(
            base64.b64decode(signature, validate=True),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def json_or_none(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
