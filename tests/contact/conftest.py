from collections.abc import Iterator

import pytest

from tests.contact.siteverify import PASSING_SECRET, SITEVERIFY_PATH, FakeSiteverify
from tests.http_servers import http_server


@pytest.fixture
def siteverify(settings) -> Iterator[FakeSiteverify]:
    """A fake Cloudflare siteverify on a local port, with the passing secret configured."""
    fake = FakeSiteverify()
    with http_server(fake.handler()) as base_url:
        settings.TURNSTILE_VERIFY_URL = base_url + SITEVERIFY_PATH
        settings.TURNSTILE_SECRET_KEY = PASSING_SECRET
        yield fake
