"""A production server as a deployment runs it, behind one proxy: HTTPS only, HSTS, a
Content-Security-Policy on the console, and one sign-in lockout for the API and the console."""

import pytest
import requests
from django.conf import settings

from accounts.models import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live.processes import AppServer
from tests.live.servers import app_servers, manage, redis_server

pytestmark = pytest.mark.django_db(transaction=True)

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, live_database_url):
    """The redirect on, as a deployment leaves it, and one trusted proxy in front."""
    workdir = tmp_path_factory.mktemp("deployed")
    manage("collectstatic", "--noinput", workdir=workdir, database_url=live_database_url)
    with (
        redis_server(workdir) as cache,
        app_servers(
            ["deployed"],
            workdir=workdir,
            database_url=live_database_url,
            cache_url=cache.url,
            SECURE_SSL_REDIRECT="true",
            TRUSTED_PROXY_COUNT="1",
        ) as [server],
    ):
        yield server


def get(server: AppServer, path: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=headers, allow_redirects=False, timeout=30)


def test_plain_http_is_sent_to_https_except_the_health_check(deployed):
    plain = get(deployed, "/api/auth/me")
    health = get(deployed, "/api/health")

    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{deployed.port}/api/auth/me"
    assert "Strict-Transport-Security" not in plain.headers
    assert health.status_code == 200


def test_https_through_the_proxy_is_served_with_hsts(deployed):
    response = get(deployed, "/api/auth/me", HTTPS)

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", ["/admin/login/", "/api-auth/login/", "/api/docs/"])
def test_the_console_and_the_developers_pages_carry_a_content_security_policy(deployed, path):
    response = get(deployed, path, HTTPS)

    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def console_login(server: AppServer, email: str, password: str) -> requests.Response:
    """The console's sign-in form as a browser on HTTPS sends it: its CSRF cookie (secure, so
    handed over by hand on this plain-HTTP loopback) and an Origin of the site's own."""
    form = get(server, "/admin/login/", HTTPS)
    token = form.cookies["csrftoken"]
    return requests.post(
        f"{server.url}/admin/login/?next=/admin/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token},
        headers={
            **HTTPS,
            "Cookie": f"csrftoken={token}",
            "Origin": f"https://127.0.0.1:{server.port}",
        },
        allow_redirects=False,
        timeout=30,
    )


def test_a_lock_earned_on_the_api_holds_at_the_console(deployed):
    staff = UserFactory(email="ops@example.com", role=Role.ADMIN)
    wrong = {"email": staff.email, "password": "not-the-password"}
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        failed = requests.post(
            f"{deployed.url}/api/auth/login", json=wrong, headers=HTTPS, timeout=30
        )
        assert failed.status_code == 401

    response = console_login(deployed, staff.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "sessionid" not in response.cookies
    assert "登录失败次数过多" in response.text


def test_the_console_signs_staff_in_over_https(deployed):
    staff = UserFactory(email="ops2@example.com", role=Role.ADMIN)

    response = console_login(deployed, staff.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert "sessionid" in response.cookies
