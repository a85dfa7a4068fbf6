"""The payment gateways behind one interface, and which are configured."""

import logging

from django.conf import settings

from payments.gateways.alipay import Alipay
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
)
from payments.gateways.wechatpay import WeChatPay

__all__ = [
    "CLOSED",
    "MISSING",
    "PAID",
    "PENDING",
    "Checkout",
    "Gateway",
    "GatewayError",
    "InvalidNotification",
    "NotConfigured",
    "Trade",
    "gateway_for",
]

logger = logging.getLogger(__name__)

GATEWAYS: dict[str, type[Gateway]] = {Alipay.name: Alipay, WeChatPay.name: WeChatPay}
# Both gateways call us back here: notifications, and the customer's browser after paying.
COMMON_SETTINGS = ("PAYMENTS_PUBLIC_BASE_URL",)


class NotConfigured(Exception):
    """The gateway's settings are missing: it is not offered."""


def gateway_for(name: str) -> Gateway:
    """The client of gateway `name` ("alipay" | "wechatpay"); NotConfigured without its settings."""
    gateway_class = GATEWAYS[name]
    missing = [
        setting
        for setting in (*gateway_class.required_settings, *COMMON_SETTINGS)
        if not (getattr(settings, setting, "") or getattr(settings, f"{setting}_FILE", ""))
    ]
    if missing:
        logger.warning("%s is not configured; missing %s", name, ", ".join(missing))
        raise NotConfigured(name)
    try:
        return gateway_class()
    except (ValueError, TypeError, OSError) as exc:  # a key that is not one, a file not there
        logger.error("%s is misconfigured: %s: %s", name, type(exc).__name__, exc)
        raise NotConfigured(name) from exc
