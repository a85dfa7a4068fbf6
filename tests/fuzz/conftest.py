"""The fuzz run's world: no throttles in the way, no outside service called, some real records."""

import logging
from collections.abc import Iterator

import pytest

from tests.contact.siteverify import PASSING_SECRET, SITEVERIFY_PATH, FakeSiteverify
from tests.fuzz.seeds import Seeds, seed_records
from tests.http_servers import http_server
from tests.payments.helpers import serving_alipay, serving_wechatpay
from tests.rewriting.helpers import VENDOR_SETTINGS


@pytest.fixture(autouse=True)
def _no_throttling(throttle_rates) -> None:
    for scope in throttle_rates:
        throttle_rates[scope] = "100000/min"


@pytest.fixture(autouse=True)
def _quiet_client_errors(caplog) -> None:
    """Thousands of 4xx are the point here; a 5xx is still logged, with its traceback."""
    caplog.set_level(logging.ERROR, logger="django.request")


@pytest.fixture(autouse=True)
def _cheap_passwords(settings) -> None:
    """The same Argon2id hasher at its cheapest: the run hashes hundreds of passwords."""
    settings.ARGON2_MEMORY_COST_KIB = 8
    settings.ARGON2_TIME_COST = 1


@pytest.fixture(autouse=True)
def _sandbox_vendor(settings) -> None:
    """The sandbox serves both vendors (DEBUG on, no vendor settings) and finishes tasks at once."""
    settings.DEBUG = True
    for name in VENDOR_SETTINGS:
        setattr(settings, name, "")
    settings.REWRITING_SANDBOX_SECONDS = 0


@pytest.fixture(autouse=True)
def _siteverify(settings) -> Iterator[None]:
    with http_server(FakeSiteverify().handler()) as base_url:
        settings.TURNSTILE_VERIFY_URL = base_url + SITEVERIFY_PATH
        settings.TURNSTILE_SECRET_KEY = PASSING_SECRET
        yield


@pytest.fixture(autouse=True)
def _payment_gateways(settings) -> Iterator[None]:
    """Both gateways, fakes on local ports, so paying answers as it would in production."""
    settings.PAYMENTS_PUBLIC_BASE_URL = "http://testserver"
    with serving_alipay(settings), serving_wechatpay(settings):
        yield


@pytest.fixture
def seeded(db) -> Seeds:
    return seed_records()
