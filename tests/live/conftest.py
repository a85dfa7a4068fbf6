"""Live tests: real gunicorn processes with production settings, on the test database.

They need PostgreSQL (several processes share the database, and one test restarts a cluster of
its own), so on SQLite the whole package is skipped. A failing test shows the logs of every
process that ran while it did.
"""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.live.processes import running_since
from tests.live.servers import database_url

HERE = Path(__file__).parent
TEST_STARTED = pytest.StashKey[float]()


def pytest_collection_modifyitems(config, items) -> None:
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(
        reason="live server tests need PostgreSQL: set DATABASE_URL=postgres://… (CI does)"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    item.stash[TEST_STARTED] = time.monotonic()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and TEST_STARTED in item.stash:
        for process in running_since(item.stash[TEST_STARTED]):
            report.sections.append((f"log of {process.name}", process.log_tail()))
    return report


@pytest.fixture(scope="session")
def live_database_url(django_db_setup) -> str:
    """The test database, as the servers' DATABASE_URL."""
    return database_url(connections["default"].settings_dict)
