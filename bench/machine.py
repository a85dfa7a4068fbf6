"""What the bench records of the machine, and small things it needs of the database."""

import json
import os
import platform
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit


def commit(root: Path) -> str:
    return subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True
    ).stdout.strip()


def wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("[")[0].strip()


def description() -> dict[str, str]:
    from django.db import connection

    cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    memory = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.MULTILINE)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    return {
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "cores": str(os.cpu_count()),
        "memory": f"{int(memory.group(1)) // 1024 // 1024} GiB" if memory else "?",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": postgres.split()[0],
        "redis": re.sub(r".*v=(\S+).*", r"\1", redis.strip()),
    }


def database_create(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def console_cookie(staff) -> dict[str, str]:
    """A signed-in console session for `staff`, as the login form would make it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


def comparable(body: dict) -> str:
    """The answer without what differs by the moment: the envelope's timestamp, and the time
    signed into snapshot links."""
    body = {key: value for key, value in body.items() if key != "timestamp"}
    return re.sub(r"/rewriting/snapshots/[^\"]+", "/rewriting/snapshots/…", json.dumps(body))
