"""What production's settings insist on, read by starting Django in a child process with a
production environment: the settings module decides at import, so nothing here can override it."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import VerificationCode
from tests.accounts.helpers import SEND_CODE
from tests.live.processes import PROJECT_ROOT

JSON = "application/json"
REAL_TURNSTILE_SECRET = "0x4AAAAAAAproductionsecretAAAAAAAAA"
READ_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "email_backend": settings.EMAIL_BACKEND,
    "email_console_allowed": settings.EMAIL_CONSOLE_ALLOWED,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "proxy_ssl_header": settings.SECURE_PROXY_SSL_HEADER,
    "csp": "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE,
    "turnstile_secret": settings.TURNSTILE_SECRET_KEY,
}))
"""


def start_django(**environment: str) -> subprocess.CompletedProcess:
    inherited = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", READ_SETTINGS],
        cwd=PROJECT_ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "csa.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def production(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "app.example.com",
        "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "OIDC_RSA_PRIVATE_KEY": settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"],
        **overrides,
    }


def settings_of(**environment: str) -> dict:
    started = start_django(**environment)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


@pytest.mark.parametrize(
    "secret",
    [None, "1x0000000000000000000000000000000AA", "2x0000000000000000000000000000000AA"],
)
def test_production_refuses_to_start_without_a_real_turnstile_secret(secret):
    environment = production() if secret is None else production(TURNSTILE_SECRET_KEY=secret)

    started = start_django(**environment)

    assert started.returncode != 0
    assert "TURNSTILE_SECRET_KEY" in started.stderr


def test_production_refuses_to_start_without_a_queue_for_its_background_jobs():
    environment = production(TURNSTILE_SECRET_KEY=REAL_TURNSTILE_SECRET)
    del environment["CELERY_BROKER_URL"]

    started = start_django(**environment)

    assert started.returncode != 0
    assert "CELERY_BROKER_URL" in started.stderr


def test_production_refuses_to_start_without_a_key_for_id_tokens():
    environment = production(TURNSTILE_SECRET_KEY=REAL_TURNSTILE_SECRET)
    del environment["OIDC_RSA_PRIVATE_KEY"]

    started = start_django(**environment)

    assert started.returncode != 0
    assert "OIDC_RSA_PRIVATE_KEY" in started.stderr


def test_production_starts_with_a_real_secret_or_an_explicit_test_mode():
    real = settings_of(**production(TURNSTILE_SECRET_KEY=REAL_TURNSTILE_SECRET))
    test_mode = settings_of(**production(TURNSTILE_TEST_MODE="true"))

    assert real["turnstile_secret"] == REAL_TURNSTILE_SECRET
    assert test_mode["turnstile_secret"] == "1x0000000000000000000000000000000AA"


def test_production_serves_https_only_with_hsts_and_a_content_security_policy():
    direct = settings_of(**production(TURNSTILE_SECRET_KEY=REAL_TURNSTILE_SECRET))
    proxied = settings_of(
        **production(TURNSTILE_SECRET_KEY=REAL_TURNSTILE_SECRET, TRUSTED_PROXY_COUNT="1")
    )

    assert direct["ssl_redirect"] is True
    assert direct["hsts_seconds"] == 365 * 24 * 3600
    assert direct["csp"] is True
    assert direct["proxy_ssl_header"] is None  # no proxy: a client's header means nothing
    assert proxied["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_stays_as_it_is():
    development = settings_of(DATABASE_URL="sqlite:////tmp/unused.sqlite3")

    assert development["ssl_redirect"] is False
    assert development["hsts_seconds"] == 0
    assert development["csp"] is False
    assert development["email_console_allowed"] is True


def test_production_without_email_url_gets_a_console_backend_that_refuses():
    started = settings_of(**production(TURNSTILE_SECRET_KEY=REAL_TURNSTILE_SECRET))

    assert started["email_backend"] == "csa.mail.ConsoleEmailBackend"
    assert started["email_console_allowed"] is False


@pytest.mark.django_db
def test_a_refusing_console_backend_sends_no_code_and_logs_none(settings, capsys, caplog):
    settings.EMAIL_BACKEND = "csa.mail.ConsoleEmailBackend"
    settings.EMAIL_CONSOLE_ALLOWED = False

    response = Client().post(
        SEND_CODE, {"email": "me@example.com"}, content_type="application/json"
    )

    assert response.status_code == 500
    assert response.json() == {"detail": "邮件发送失败"}
    assert not VerificationCode.objects.exists()
    printed = capsys.readouterr()
    assert "验证码" not in printed.out + printed.err
    assert "验证码" not in caplog.text
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_allowed_console_backend_prints_the_code(settings, capsys):
    settings.EMAIL_BACKEND = "csa.mail.ConsoleEmailBackend"
    settings.EMAIL_CONSOLE_ALLOWED = True

    response = Client().post(
        SEND_CODE, {"email": "me@example.com"}, content_type="application/json"
    )

    assert response.status_code == 200
    printed = capsys.readouterr().out
    assert "邮件  收件人：me@example.com\n主题：" in printed
    assert "=?utf-8?" not in printed  # the subject as it reads, not MIME-encoded
    assert re.search(r"\b\d{6}\b", printed)  # the code, readable in the body


@pytest.fixture
def https_production(settings):
    """Production's HTTPS settings as a proxied deployment has them, on this process."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:2],
        "csp.middleware.CSPMiddleware",
        *settings.MIDDLEWARE[2:],
    ]
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_except_the_health_check(https_production):
    client = Client()

    redirected = client.get("/api/auth/me")
    health = client.get("/api/health")

    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/api/auth/me"
    assert health.status_code == 200


@pytest.mark.django_db
def test_https_through_the_proxy_gets_hsts_and_the_console_a_policy(https_production):
    response = Client().get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
