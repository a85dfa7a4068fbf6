"""App servers as production runs them (docs/operations.md, "Serving in production"), their
private Redis, and `manage.py` commands, for the live tests."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from tests.live.processes import PROJECT_ROOT, AppServer, RedisServer, Worker

# Enough of the test process's environment for a child to run; settings never leak through.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")
# The public routes' per-address rates, high: every request of a test comes from 127.0.0.1, and
# what these tests look at is the verification codes' own cooldown and caps.
GENEROUS_THROTTLES = {
    f"THROTTLE_{scope}": "10000/min"
    for scope in ("PUBLIC", "LOGIN", "SEND_CODE", "REGISTER", "CONTACT")
}


def database_url(database: dict) -> str:
    """A DATABASE_URL for a Django database's settings (the test database, say)."""
    user = quote(database.get("USER") or "", safe="")
    password = database.get("PASSWORD")
    credentials = f"{user}:{quote(password, safe='')}@" if password else f"{user}@" if user else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(database['NAME'], safe='')}"


def production_environment(
    *, workdir: Path, database_url: str, cache_url: str, **overrides: str
) -> dict[str, str]:
    """DEBUG off and what production must set, with keys the test process shares: tokens it
    signs and codes it hashes are the servers' too."""
    (workdir / "static").mkdir(parents=True, exist_ok=True)
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    environment.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
            "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
            "OIDC_RSA_PRIVATE_KEY": settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "60",
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            # The queue on the same Redis, in a database of its own.
            "CELERY_BROKER_URL": cache_url.rsplit("/", 1)[0] + "/1",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            # Codes go to the log: with DEBUG off the console backends must be allowed.
            "EMAIL_URL": "consolemail://",
            "EMAIL_CONSOLE_ALLOWED": "true",
            "SMS_CONSOLE_ALLOWED": "true",
            # Plain HTTP on loopback, and Cloudflare's test secret for the contact form.
            "SECURE_SSL_REDIRECT": "false",
            "TURNSTILE_TEST_MODE": "true",
            "ARGON2_MEMORY_COST_KIB": str(settings.ARGON2_MEMORY_COST_KIB),
            "ARGON2_TIME_COST": str(settings.ARGON2_TIME_COST),
            "ARGON2_PARALLELISM": str(settings.ARGON2_PARALLELISM),
            "REQUEST_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **GENEROUS_THROTTLES,
        }
    )
    environment.update(overrides)
    return environment


@contextmanager
def app_servers(
    names: list[str], *, workdir: Path, database_url: str, cache_url: str, **overrides: str
) -> Iterator[list[AppServer]]:
    """One gunicorn per name, each on its own port with the same settings, all answering."""
    environment = production_environment(
        workdir=workdir, database_url=database_url, cache_url=cache_url, **overrides
    )
    servers: list[AppServer] = []
    try:
        for name in names:
            servers.append(AppServer(name, env=environment, log_path=workdir / f"{name}.log"))
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.close()


@contextmanager
def worker(
    name: str, *, workdir: Path, database_url: str, cache_url: str, **overrides: str
) -> Iterator[Worker]:
    """A background worker with the app servers' settings, running the periodic jobs too."""
    environment = production_environment(
        workdir=workdir, database_url=database_url, cache_url=cache_url, **overrides
    )
    process = Worker(name, env=environment, workdir=workdir)
    try:
        process.wait_ready()
        yield process
    finally:
        process.close()


@contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    cache = RedisServer("redis-server", workdir=workdir)
    try:
        cache.wait_ready()
        yield cache
    finally:
        cache.close()


def manage(*arguments: str, workdir: Path, database_url: str, **overrides: str) -> str:
    """Run `manage.py` with production settings on `database_url`; its output."""
    environment = production_environment(
        workdir=workdir,
        database_url=database_url,
        cache_url="locmemcache://",
        **{"CELERY_BROKER_URL": "memory://", **overrides},
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {' '.join(arguments)}:\n{result.stderr}"
    return result.stdout


@contextmanager
def app_and_worker(
    name: str, *, workdir: Path, database_url: str, **overrides: str
) -> Iterator[AppServer]:
    """A private Redis, and on it one app server and one background worker with the same
    settings, as a deployment runs them: the app server."""
    with (
        redis_server(workdir) as cache,
        app_servers(
            [name], workdir=workdir, database_url=database_url, cache_url=cache.url, **overrides
        ) as [app],
        worker(
            "worker", workdir=workdir, database_url=database_url, cache_url=cache.url, **overrides
        ),
    ):
        yield app
