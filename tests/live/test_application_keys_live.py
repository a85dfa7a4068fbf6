"""A key rotated in one process stops at once in another: each request reads its key from the
database, and no process keeps keys in memory or in the cache."""

import pytest

from accounts.services import application_key_create, application_key_rotate
from tests.live.answers import envelope_error, portal_body, portal_error
from tests.live.servers import app_servers, redis_server

pytestmark = pytest.mark.django_db(transaction=True)  # the server sees only committed rows


@pytest.fixture(scope="module")
def server(tmp_path_factory, live_database_url):
    workdir = tmp_path_factory.mktemp("application-keys")
    with (
        redis_server(workdir) as cache,
        app_servers(
            ["app"], workdir=workdir, database_url=live_database_url, cache_url=cache.url
        ) as [app],
    ):
        yield app


def test_a_key_rotated_here_stops_at_once_in_the_server(server, user):
    old = application_key_create(owner=user)
    assert portal_body(server.get("/api/auth/me", token=old.key), 200)["email"] == user.email

    new = application_key_rotate(owner=user)

    assert portal_error(server.get("/api/auth/me", token=old.key), 401) == "无效的认证凭据"
    assert portal_body(server.get("/api/auth/me", token=new.key), 200)["email"] == user.email
    assert envelope_error(server.get("/points/balance", token=new.key), 401) == "访问令牌无效"
