"""The fake gateways on local ports, our settings pointed at them with keys made for the run."""

from collections.abc import Iterator

import pytest

from tests.payments.fake_gateways import FakeAlipay, FakeWeChatPay
from tests.payments.helpers import PAYMENT_SETTINGS, serving_alipay, serving_wechatpay


@pytest.fixture(autouse=True)
def _no_gateways(settings) -> None:
    """No gateway configured unless a test's fixtures say so, whatever the environment holds."""
    for name in PAYMENT_SETTINGS:
        setattr(settings, name, "")
    settings.PAYMENTS_PUBLIC_BASE_URL = "http://testserver"
    settings.PAYMENTS_GATEWAY_READ_TIMEOUT_SECONDS = 5.0


@pytest.fixture
def alipay(settings) -> Iterator[FakeAlipay]:
    with serving_alipay(settings) as fake:
        yield fake


@pytest.fixture
def wechatpay(settings) -> Iterator[FakeWeChatPay]:
    with serving_wechatpay(settings) as fake:
        yield fake
