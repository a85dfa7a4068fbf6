"""Shared fixtures: an API client, users, tokens, a clean cache, SMS codes read from the log and
adjustable throttle rates."""

import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import LoginSession, Role, User
from accounts.tokens import access_token_issue
from csa.celery import app as celery_app
from tests.factories import LoginSessionFactory, UserFactory
from tests.http_servers import closed_port_url

pytest_plugins = ["tests.storage_fixtures"]

# A job a test queues runs in it, at once; real workers run in the live suite.
celery_app.conf.task_always_eager = True


def _redis_database_of_this_worker() -> None:
    """Under pytest-xdist (`-n`), worker gwN uses the Redis database N after the configured one:
    each test empties the cache, and must not empty another worker's. (Each worker has its own
    test database already: pytest-django names it after the worker.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    default = settings.CACHES["default"]
    if not worker.startswith("gw") or not default["BACKEND"].endswith("RedisCache"):
        return
    base, _, database = default["LOCATION"].rpartition("/")
    location = f"{base}/{int(database or 0) + int(worker.removeprefix('gw'))}"
    own = {**default, "LOCATION": location}
    override_settings(CACHES={**settings.CACHES, "default": own, "sandbox": own}).enable()


_redis_database_of_this_worker()

TESTS = Path(__file__).parent
# The slow parts, selectable: `-m "not live and not fuzz"` leaves them out.
MARKED_FOLDERS = {"live": pytest.mark.live, "fuzz": pytest.mark.fuzz}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in MARKED_FOLDERS:
            item.add_marker(MARKED_FOLDERS[folder])


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles, cooldowns, hourly caps and login failures live in the cache: start empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cache_down(_clear_cache) -> Iterator[None]:
    """The shared cache is a Redis that cannot be reached: nothing listens on its port."""
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": closed_port_url().replace("http://", "redis://"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={"default": unreachable}):
        yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return UserFactory()


@pytest.fixture
def staff(db) -> User:
    """A member of staff: role admin, which opens the console."""
    return UserFactory(email="staff@example.com", role=Role.ADMIN)


@pytest.fixture
def admin(db) -> User:
    """A rewriting admin: sees every user and recharge."""
    return UserFactory(username="boss", email="boss@example.com", role=Role.ADMIN)


@pytest.fixture
def agent(db) -> User:
    """A rewriting agent: sees the users they invited."""
    return UserFactory(username="agent007", email="agent@example.com", role=Role.AGENT)


@pytest.fixture
def console(staff) -> Client:
    """The staff console's client, signed in as `staff`."""
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def make_session(db) -> Callable[..., LoginSession]:
    def make(user: User, **fields) -> LoginSession:
        return LoginSessionFactory(user=user, **fields)

    return make


@pytest.fixture
def make_token(make_session) -> Callable[..., str]:
    """A signed access token bound to a fresh live session of `user`."""

    def make(user: User, **session_fields) -> str:
        return access_token_issue(make_session(user, **session_fields))

    return make


@pytest.fixture
def auth_header() -> Callable[[str], dict[str, str]]:
    def header(token: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return header


@pytest.fixture
def client_for(make_token) -> Callable[[User], APIClient]:
    """An API client that sends a fresh bearer token of `user`."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
        return client

    return make


@pytest.fixture
def auth_client(user, client_for) -> APIClient:
    return client_for(user)


@pytest.fixture
def admin_client(db, client_for) -> APIClient:
    """An API client of a user with role admin, who may read customers' records."""
    return client_for(UserFactory(email="boss@example.com", role=Role.ADMIN))


SMS_LINE = re.compile(r"SMS to (?P<phone>\+\d+): 验证码 (?P<code>\d+)，(?P<minutes>\d+)分钟内有效")


@pytest.fixture
def sms_codes(caplog) -> Callable[[str], str]:
    """The latest code the console SMS backend texted to a phone (E.164)."""
    caplog.set_level(logging.WARNING, logger="accounts.sms")

    def latest(phone: str) -> str:
        codes = [
            match["code"]
            for record in caplog.records
            if record.name == "accounts.sms"
            and (match := SMS_LINE.fullmatch(record.getMessage()))
            and match["phone"] == phone
        ]
        assert codes, f"no SMS to {phone}"
        return codes[-1]

    return latest


@pytest.fixture
def schema(api_client) -> dict:
    """The OpenAPI schema the app serves, as JSON."""
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def throttle_rates(monkeypatch) -> dict[str, str]:
    """The DRF throttle rates, as a dict a test may change.

    SimpleRateThrottle.THROTTLE_RATES is bound when DRF is imported, so overriding
    settings.REST_FRAMEWORK would not reach it; a patched copy does.
    """
    rates = dict(SimpleRateThrottle.THROTTLE_RATES)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates
