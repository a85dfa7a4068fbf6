"""`make bench`: the production server under load from wrk, each route beside its ceiling.

It loads the data set into its own PostgreSQL database (once), starts gunicorn with production
settings and one worker per core, a local REDUCEAI stand-in, then for every route runs wrk
against our route and against its bare-Django ceiling (bench/ceiling.py), and writes the table
to docs/benchmarks/<label>.json and docs/benchmarks.md.

    python -m bench.run [--label after] [--duration 10] [--connections N]
"""

import argparse
import json
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks"
USERS = 1000
TICKETS_PER_USER = 100
LEDGER_PER_USER = 100
TEXT = "本文研究了深度学习在自然语言处理中的应用，并提出了一种新的文本改写方法。" * 14  # 504


@dataclass
class Route:
    name: str
    method: str
    path: str
    ceiling: str
    body: object = None  # a dict, or a function of the customer's number giving one
    authenticated: bool = True
    status: int = 200


ROUTES = [
    Route("GET /api/auth/me", "GET", "/api/auth/me", "/bench/ceiling/me"),
    Route(
        "GET /api/tickets?limit=10",
        "GET",
        "/api/tickets?limit=10",
        "/bench/ceiling/tickets?limit=10",
    ),
    Route(
        "POST /api/tickets",
        "POST",
        "/api/tickets",
        "/bench/ceiling/tickets",
        body={"title": "压测工单", "ticket_type": "technical", "content": "页面加载缓慢。"},
        status=201,
    ),
    Route("GET /points/transactions", "GET", "/points/transactions", "/bench/ceiling/transactions"),
    Route(
        "POST /ai/reduce-task",
        "POST",
        "/ai/reduce-task",
        "/bench/ceiling/reduce-task",
        body={"text": TEXT, "platform": "zhiwang", "type": "reduce-plagiarism"},
    ),
    Route(
        "POST /api/auth/login",
        "POST",
        "/api/auth/login",
        "/bench/ceiling/login",
        body=lambda n: _login_body(n),
        authenticated=False,
    ),
]


def _login_body(n: int) -> dict:
    from bench.dataset import PASSWORD, bench_email  # Django's models: after django.setup()

    return {"email": bench_email(n), "password": PASSWORD}


@dataclass
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def main() -> None:
    args = _arguments()
    workers = os.cpu_count() or 1
    connections = args.connections or 4 * workers
    env = _environment(args, vendor_port=_free_port())
    os.environ.update(env)
    _django_setup(args.database_url)
    tokens = _tokens()
    with tempfile.TemporaryDirectory() as scratch, _processes() as started:
        started.append(_start([sys.executable, "-m", "bench.vendor", env["BENCH_VENDOR_PORT"]]))
        port = _free_port()
        log = Path(scratch) / "server.log"
        started.append(_start(_gunicorn(port, workers), env=env, log=log))
        base = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base, log)
        _check_same_answers(base, tokens)
        rows = []
        for route in ROUTES:
            requests_file = _requests_file(Path(scratch), route, tokens)
            ours = _wrk(base, route.path, requests_file, args, connections)
            ceiling = _wrk(base, route.ceiling, requests_file, args, connections)
            rows.append({"route": route.name, "ours": asdict(ours), "ceiling": asdict(ceiling)})
            print(_row_text(rows[-1]), flush=True)
    result = {
        "label": args.label,
        "commit": _commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "load": {
            "tool": _wrk_version(),
            "threads": 2,
            "connections": connections,
            "seconds_per_route": args.duration,
            "gunicorn_workers": workers,
            "data": f"{USERS} users, {USERS * TICKETS_PER_USER} tickets, "
            f"{USERS * LEDGER_PER_USER} ledger rows",
        },
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.label}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    from bench.report import report_write

    print(report_write(RESULTS, ROOT / "docs" / "benchmarks.md"))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after", help="results file: docs/benchmarks/LABEL.json")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per route")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=0, help="default: 4 per worker")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/csa_bench"
        ),
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")
    )
    return parser.parse_args()


def _environment(args: argparse.Namespace, *, vendor_port: int) -> dict[str, str]:
    """Production settings; throttles high enough that wrk measures work, not refusals."""
    vendor = f"http://127.0.0.1:{vendor_port}"
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "CELERY_BROKER_URL": args.cache_url,
        "CONN_MAX_AGE": "60",
        # Plain HTTP on loopback, and no contact form in the bench.
        "SECURE_SSL_REDIRECT": "false",
        "TURNSTILE_TEST_MODE": "true",
        "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
        "THROTTLE_PUBLIC": "100000000/min",
        "THROTTLE_LOGIN": "100000000/min",
        "REDUCEAI_API_URL": vendor,
        "REDUCEAI_LOGIN_USERNAME": "bench",
        "REDUCEAI_LOGIN_PASSWORD": "bench",
        "BENCH_VENDOR_PORT": str(vendor_port),
    }


def _django_setup(database_url: str) -> None:
    import django

    _database_create(database_url)
    django.setup()
    from django.core.management import call_command

    from bench import dataset

    call_command("migrate", verbosity=0)
    if not dataset.dataset_is_loaded(USERS):
        print(f"Loading the data set into {urlsplit(database_url).path[1:]} …", flush=True)
        dataset.dataset_load(
            users=USERS, tickets_per_user=TICKETS_PER_USER, ledger_per_user=LEDGER_PER_USER
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _database_create(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _tokens() -> list[str]:
    """A fresh session, and its access token, for every customer of the data set."""
    from django.contrib.auth import get_user_model

    from accounts.services.users import login_session_start

    customers = get_user_model().objects.filter(email__startswith="bench").order_by("email")
    return [
        login_session_start(
            user=customer, client_ip=None, user_agent="bench", lifetime=timedelta(hours=2)
        ).access_token
        for customer in customers[:USERS]
    ]


def _requests_file(scratch: Path, route: Route, tokens: list[str]) -> Path:
    """One line per customer: METHOD, PATH, TOKEN and BODY, tab-separated (see load.lua)."""
    lines = []
    for n, token in enumerate(tokens):
        body = route.body(n) if callable(route.body) else route.body
        lines.append(
            "\t".join(
                [
                    route.method,
                    "{path}",
                    token if route.authenticated else "",
                    json.dumps(body, ensure_ascii=False) if body is not None else "",
                ]
            )
        )
    path = scratch / f"{re.sub(r'[^a-z]+', '-', route.name.lower())}.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _wrk(base: str, path: str, requests_file: Path, args, connections: int) -> Measure:
    """wrk against `path`: a warm-up, then the measured run."""
    lines = requests_file.read_text().replace("{path}", path)
    target = requests_file.with_suffix(".current.tsv")
    target.write_text(lines)
    env = {**os.environ, "BENCH_REQUESTS": str(target)}
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        "--latency",
        "-s",
        str(ROOT / "bench" / "load.lua"),
    ]
    if args.warmup:
        subprocess.run(
            [*command, f"-d{args.warmup}s", base], env=env, capture_output=True, check=True
        )
    out = subprocess.run(
        [*command, f"-d{args.duration}s", base], env=env, capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"^BENCH_RESULT (.*)$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    raw = json.loads(found.group(1))
    return Measure(
        rps=round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        p50_ms=round(raw["p50_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2),
        requests=raw["requests"],
        errors=raw["non_2xx"] + raw["socket_errors"],
    )


def _check_same_answers(base: str, tokens: list[str]) -> None:
    """Each route and its ceiling answer one request alike: same status, same JSON for reads."""
    import requests

    for route in ROUTES:
        body = route.body(0) if callable(route.body) else route.body
        headers = {"Authorization": f"Bearer {tokens[0]}"} if route.authenticated else {}
        answers = [
            requests.request(route.method, base + path, json=body, headers=headers, timeout=30)
            for path in (route.path, route.ceiling)
        ]
        for answer in answers:
            if answer.status_code != route.status:
                raise RuntimeError(f"{route.name}: {answer.status_code} {answer.text[:500]}")
        if route.method == "GET":
            ours, ceiling = (_comparable(answer.json()) for answer in answers)
            if ours != ceiling:
                raise RuntimeError(f"{route.name}: the ceiling answers otherwise:\n{ours[:2000]}")


def _comparable(body: dict) -> str:
    """The answer without what differs by the moment: the envelope's timestamp, and the time
    signed into snapshot links."""
    body = {key: value for key, value in body.items() if key != "timestamp"}
    return re.sub(r"/rewriting/snapshots/[^\"]+", "/rewriting/snapshots/…", json.dumps(body))


def _gunicorn(port: int, workers: int) -> list[str]:
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "csa.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        "-",
    ]


class _processes(list):
    """The processes started inside the block, all stopped when it ends."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        for process in reversed(self):
            process.terminate()
        for process in self:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _start(command: list[str], *, env=None, log: Path | None = None) -> subprocess.Popen:
    output = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=output, stderr=output
    )


def _wait_until_healthy(base: str, log: Path) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not come up:\n{log.read_text()[-3000:]}")


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def _row_text(row: dict) -> str:
    ours, ceiling = row["ours"], row["ceiling"]
    return (
        f"{row['route']:<28} {ours['rps']:>8.1f} rps  p50 {ours['p50_ms']:>7.2f} ms  "
        f"p99 {ours['p99_ms']:>7.2f} ms  | ceiling {ceiling['rps']:>8.1f} rps  "
        f"ratio {ours['rps'] / ceiling['rps']:.2f}  errors {ours['errors']}/{ceiling['errors']}"
    )


def _commit() -> str:
    return subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("[")[0].strip()


def _machine() -> dict[str, str]:
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


if __name__ == "__main__":
    main()
