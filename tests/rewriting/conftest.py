"""Fake vendors on local ports, with the settings pointed at them and short timeouts."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.http_servers import http_server
from tests.rewriting.fake_vendors import FakeCheeyuan, FakeReduceAI, FakeVendor
from tests.rewriting.helpers import VENDOR_SETTINGS, funded_user

# A fake answers in a few ms, but CI's two cores are busy: a wait short enough to fail a loaded
# machine's login makes a flaky test. Only a test that hangs a call waits the short one out.
READ_TIMEOUT = 5.0
HANG_READ_TIMEOUT = 0.5


@pytest.fixture(autouse=True)
def _vendor_settings(settings) -> None:
    """No vendor configured unless a test's fixtures say so, whatever the environment holds."""
    for name in VENDOR_SETTINGS:
        setattr(settings, name, "")
    settings.REWRITING_UPSTREAM_CONNECT_TIMEOUT_SECONDS = 1.0
    settings.REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS = READ_TIMEOUT


@contextmanager
def serving(fake: FakeVendor, settings) -> Iterator[str]:
    """The fake on a local port; hung handlers are let go before the server stops."""
    fake.on_hang = lambda: setattr(
        settings, "REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS", HANG_READ_TIMEOUT
    )
    with http_server(fake.handler()) as base_url:
        try:
            yield base_url
        finally:
            fake.released.set()


@pytest.fixture
def reduceai(settings) -> Iterator[FakeReduceAI]:
    fake = FakeReduceAI()
    with serving(fake, settings) as base_url:
        settings.REDUCEAI_API_URL = base_url  # the login goes here too: no REDUCEAI_AUTH_URL
        settings.REDUCEAI_LOGIN_USERNAME = fake.account
        settings.REDUCEAI_LOGIN_PASSWORD = fake.password
        yield fake


@pytest.fixture
def cheeyuan(settings) -> Iterator[FakeCheeyuan]:
    fake = FakeCheeyuan()
    with serving(fake, settings) as base_url:
        settings.CHEEYUAN_API_URL = base_url
        settings.CHEEYUAN_LOGIN_ACCOUNT = fake.account
        settings.CHEEYUAN_LOGIN_PASSWORD = fake.password
        yield fake


@pytest.fixture
def customer(db):
    """A customer with 10 points: enough for any text of up to 3000 characters (9 points)."""
    return funded_user(10)


@pytest.fixture
def token(customer, make_token) -> str:
    return make_token(customer)


@pytest.fixture(params=["reduceai", "cheeyuan"])
def vendor(request) -> FakeVendor:
    """Each fake vendor in turn, for what both must do alike."""
    return request.getfixturevalue(request.param)
