"""`make bench`: the production server under load, measured three ways.

1. **Routes**: each hot route by wrk beside its bare ceiling (bench/ceiling.py: raw SQL and
   `json`, no app code) and its framework-cost view (bench/framework.py: our code without DRF).
2. **Scale**: on the data set of a million tickets (bench/dataset.py), a heavy customer's lists
   beside a normal customer's, deep pages beside first pages, and the console's pages.
3. **Slow vendor**: a cheap route's latency while 20 submissions wait on a vendor that takes
   2 s to answer each.

Every comparison is interleaved (A/B/A/B, the order turning each round) over several rounds,
with the median, the spread and the load average, because this machine is shared and noisy.
The data set loads once into its own PostgreSQL database. Results go to
docs/benchmarks/<label>.json and docs/benchmarks.md.

    python -m bench.run [--label after] [--rounds 5] [--duration 5] [--only routes,scale,slow]
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import machine
from bench.servers import Servers, free_port
from bench.wrk import Measure, requests_file, wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks"
TEXT = "本文研究了深度学习在自然语言处理中的应用，并提出了一种新的文本改写方法。" * 14  # 504
SLOW_VENDOR_SECONDS = 2.0
BURST = 20
PARTS_RUN = ("routes", "scale", "slow")  # what --only names
PARTS = ("routes", "scale", "console", "slow_vendor")  # what the results hold


@dataclass
class Route:
    name: str
    method: str
    path: str
    ceiling: str | None  # the bare view, where there is one
    framework: str
    body: object = None  # a dict, or a function of the customer's number giving one
    authenticated: bool = True
    status: int = 200

    def variants(self) -> dict[str, str]:
        paths = {"ours": self.path, "ceiling": self.ceiling, "framework": self.framework}
        return {name: path for name, path in paths.items() if path}


ROUTES = [
    Route("GET /api/auth/me", "GET", "/api/auth/me", "/bench/ceiling/me", "/bench/framework/me"),
    Route(
        "GET /api/tickets?limit=10",
        "GET",
        "/api/tickets?limit=10",
        "/bench/ceiling/tickets?limit=10",
        "/bench/framework/tickets?limit=10",
    ),
    Route(
        "POST /api/tickets",
        "POST",
        "/api/tickets",
        "/bench/ceiling/tickets",
        "/bench/framework/tickets",
        body={"title": "压测工单", "ticket_type": "technical", "content": "页面加载缓慢。"},
        status=201,
    ),
    Route(
        "GET /points/transactions",
        "GET",
        "/points/transactions",
        "/bench/ceiling/transactions",
        "/bench/framework/transactions",
    ),
    Route(
        "POST /ai/reduce-task",
        "POST",
        "/ai/reduce-task",
        None,
        "/bench/framework/reduce-task",
        body={"text": TEXT, "platform": "zhiwang", "type": "reduce-plagiarism"},
    ),
    Route(
        "POST /api/auth/login",
        "POST",
        "/api/auth/login",
        None,
        "/bench/framework/login",
        body=lambda n: _login_body(n),
        authenticated=False,
    ),
]

# The scale scenario: (name, whose token, path). "normal" is one of the load's customers.
SCALE_PAGES = [
    ("tickets, normal customer, page 1", "normal", "/api/tickets?limit=10"),
    ("tickets, heavy customer, page 1", "heavy", "/api/tickets?limit=10"),
    ("tickets, heavy customer, skip=100000", "heavy", "/api/tickets?limit=10&skip=100000"),
    ("tickets, heavy customer, skip=190000", "heavy", "/api/tickets?limit=10&skip=190000"),
    ("ledger, normal customer, page 1", "normal", "/points/transactions?page=1"),
    ("ledger, heavy customer, page 1", "heavy", "/points/transactions?page=1"),
    ("ledger, heavy customer, page 5000", "heavy", "/points/transactions?page=5000"),
    ("ledger, heavy customer, page 9500", "heavy", "/points/transactions?page=9500"),
]
# (what the target compares, the page, the one it is held to, the most it may cost): a page's
# cost is the server's time per request, measured as 1 / requests per second at full load.
SCALE_TARGETS = [
    ("heavy page 1 / normal page 1", 1, 0, 1.5),
    ("skip=190000 / page 1", 3, 1, 3.0),
    ("skip=100000 / page 1", 2, 1, 3.0),
    ("heavy ledger page 1 / normal", 5, 4, 1.5),
    ("ledger page 9500 / page 1", 7, 5, 3.0),
    ("ledger page 5000 / page 1", 6, 5, 3.0),
]
CONSOLE_PAGES = [
    ("工单", "/admin/tickets/ticket/"),
    ("工单：待回复", "/admin/tickets/ticket/?status__exact=pending"),
    ("工单：搜索客户邮箱", "/admin/tickets/ticket/?q=heavy@example.com"),
    ("工单：搜索标题（4 字）", "/admin/tickets/ticket/?q=发票抬头"),
    ("工单：搜索标题（2 字）", "/admin/tickets/ticket/?q=退款"),
    ("工单：第 90 页", "/admin/tickets/ticket/?p=90"),
    ("积分交易", "/admin/points/pointstransaction/"),
    ("积分交易：搜索用户", "/admin/points/pointstransaction/?q=heavy"),
    ("积分交易：消费", "/admin/points/pointstransaction/?transaction_type__exact=spend"),
    ("改写任务", "/admin/rewriting/rewritingtask/"),
    ("改写任务：搜索用户", "/admin/rewriting/rewritingtask/?q=heavy@example.com"),
    ("用户", "/admin/accounts/user/"),
    ("用户：搜索", "/admin/accounts/user/?q=fill12"),
    ("积分账户", "/admin/points/pointsaccount/"),
]
CONSOLE_TARGET_MS = 300


def _login_body(n: int) -> dict:
    from bench.dataset import PASSWORD, bench_email  # Django's models: after django.setup()

    return {"email": bench_email(n), "password": PASSWORD}


def main() -> None:
    args = _arguments()
    only = set(args.only.split(","))
    os.environ.update(_environment(args))
    _django_setup(args.database_url)
    tokens = _tokens()
    result = {
        "label": args.label,
        "commit": machine.commit(ROOT),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine.description(),
        "settings": {
            "rounds": args.rounds,
            "seconds_per_run": args.duration,
            "connections": args.connections,
            "wrk": machine.wrk_version(),
            "server": f"gunicorn, {args.workers} workers × {args.threads} threads (gthread)",
            "data": _data_summary(),
        },
    }
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        if "routes" in only:
            with _servers(args, scratch, vendor_delay=0) as base:
                _check_same_answers(base, tokens)
                result["routes"] = _routes(base, tokens, args, scratch)
        if "scale" in only:
            with _servers(args, scratch, vendor_delay=0) as base:
                result["scale"] = _scale(base, tokens, args, scratch)
                result["console"] = _console(base, tokens["console"], args)
        if "slow" in only:
            with _servers(args, scratch, vendor_delay=SLOW_VENDOR_SECONDS) as base:
                result["slow_vendor"] = _slow_vendor(base, tokens, args, scratch)
    measured = {"commit": result["commit"], "date": result["date"]}
    for part in PARTS:
        if part in result:
            result[part] = {"measured": measured, "figures": result[part]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{args.label}.json"
    if only != set(PARTS_RUN):  # a part run again keeps the others' figures
        kept = json.loads(target.read_text()) if target.exists() else {}
        result = {**{part: kept[part] for part in PARTS if part in kept}, **result}
    target.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    from bench.report import report_write

    print(report_write(RESULTS, ROOT / "docs" / "benchmarks.md", args.label))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cores = os.cpu_count() or 1
    parser.add_argument("--label", default="after", help="results file: docs/benchmarks/LABEL.json")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of each")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=4 * cores)
    parser.add_argument("--workers", type=int, default=cores, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per process")
    parser.add_argument(
        "--only", default=",".join(PARTS_RUN), help="which parts to run (the others' figures stay)"
    )
    parser.add_argument("--route", default="", help="only the routes whose name has this")
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


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings; throttles high enough that wrk measures work, not refusals."""
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
        "REDUCEAI_LOGIN_USERNAME": "bench",
        "REDUCEAI_LOGIN_PASSWORD": "bench",
    }


def _servers(args, scratch: Path, *, vendor_delay: float) -> Servers:
    """A vendor stand-in, the app server and its background worker, stopped on leaving."""
    return Servers(
        root=ROOT,
        scratch=scratch,
        port=free_port(),
        workers=args.workers,
        threads=args.threads,
        vendor_delay=vendor_delay,
    )


def _django_setup(database_url: str) -> None:
    import django

    machine.database_create(database_url)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the console's, as make serve
    if not dataset.dataset_is_loaded():
        print(f"Loading the data set ({dataset.FULL}) …", flush=True)
        started = time.monotonic()
        dataset.dataset_load()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"… loaded in {time.monotonic() - started:.0f} s", flush=True)


def _data_summary() -> str:
    from bench.dataset import FULL

    return str(FULL)


def _tokens() -> dict:
    """A fresh session's access token for each of the load's customers, the heavy one and
    a staff console session cookie."""
    from django.contrib.auth import get_user_model

    from accounts.services.users import login_session_start
    from bench.dataset import FULL, HEAVY_EMAIL, STAFF_EMAIL

    users = get_user_model().objects

    def token(user) -> str:
        started = login_session_start(
            user=user, client_ip=None, user_agent="bench", lifetime=timedelta(hours=2)
        )
        return started.access_token

    customers = users.filter(email__startswith="bench").order_by("email")[: FULL.customers]
    return {
        "customers": [token(customer) for customer in customers],
        "heavy": token(users.get(email=HEAVY_EMAIL)),
        "console": machine.console_cookie(users.get(email=STAFF_EMAIL)),
    }


def _rotated(items: list, round_number: int) -> list:
    """The items in another order each round, so that none is always measured first."""
    shift = round_number % len(items)
    return items[shift:] + items[:shift]


def _routes(base: str, tokens: dict, args, scratch: Path) -> list[dict]:
    runs: dict[tuple[str, str], list[Measure]] = {}
    loads = []
    routes = [route for route in ROUTES if args.route in route.name]
    for number in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for route in routes:
            lines = _route_lines(route, tokens["customers"])
            for variant, path in _rotated(list(route.variants().items()), number):
                measure = wrk(base, path, requests_file(scratch, lines, path), args)
                runs.setdefault((route.name, variant), []).append(measure)
        print(f"routes: round {number + 1} of {args.rounds} done", flush=True)
    rows = []
    for route in routes:
        row = {"route": route.name, "load_average": loads}
        for variant in route.variants():
            row[variant] = [measure.as_dict() for measure in runs[route.name, variant]]
        rows.append(row)
        print(_route_text(row), flush=True)
    return rows


def _route_lines(route: Route, tokens: list[str]) -> list[tuple]:
    return [
        (
            route.method,
            token if route.authenticated else "",
            route.body(n) if callable(route.body) else route.body,
        )
        for n, token in enumerate(tokens)
    ]


def _route_text(row: dict) -> str:
    ours = statistics.median(m["rps"] for m in row["ours"])
    parts = [f"{row['route']:<28} {ours:>8.1f} rps"]
    for variant in ("ceiling", "framework"):
        if variant in row:
            ratios = [o["rps"] / c["rps"] for o, c in zip(row["ours"], row[variant], strict=True)]
            parts.append(
                f"{variant} ratio {statistics.median(ratios):.2f} "
                f"({min(ratios):.2f}–{max(ratios):.2f})"
            )
    return "  ".join(parts)


def _scale(base: str, tokens: dict, args, scratch: Path) -> dict:
    who = {"normal": tokens["customers"][1], "heavy": tokens["heavy"]}
    connections = args.connections
    runs: dict[str, list[Measure]] = {name: [] for name, _, _ in SCALE_PAGES}
    loads = []
    for number in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for name, whose, path in _rotated(SCALE_PAGES, number):
            lines = [("GET", who[whose], None)]
            runs[name].append(
                wrk(base, path, requests_file(scratch, lines, path), args, connections)
            )
        print(f"scale: round {number + 1} of {args.rounds} done", flush=True)
    pages = [
        {"page": name, "path": path, "runs": [m.as_dict() for m in runs[name]]}
        for name, _, path in SCALE_PAGES
    ]
    targets = []
    for label, page, against, most in SCALE_TARGETS:
        ratios = [
            b["rps"] / a["rps"]
            for a, b in zip(pages[page]["runs"], pages[against]["runs"], strict=True)
        ]
        targets.append(
            {
                "compares": label,
                "median": round(statistics.median(ratios), 2),
                "spread": [round(min(ratios), 2), round(max(ratios), 2)],
                "most": most,
            }
        )
        print(f"scale: {label}: {targets[-1]['median']} (at most {most})", flush=True)
    return {"connections": connections, "load_average": loads, "pages": pages, "targets": targets}


def _console(base: str, cookie: dict[str, str], args) -> dict:
    """Each console page, one request at a time, a few times a round."""
    import requests

    session = requests.Session()
    session.cookies.update(cookie)
    timings: dict[str, list[float]] = {name: [] for name, _ in CONSOLE_PAGES}
    loads = []
    for number in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for name, path in _rotated(CONSOLE_PAGES, number):
            for _ in range(3):
                started = time.perf_counter()
                answer = session.get(base + path, timeout=30, allow_redirects=False)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    raise RuntimeError(f"console {path}: {answer.status_code}")
                timings[name].append(elapsed)
    pages = []
    for name, path in CONSOLE_PAGES:
        values = timings[name]
        pages.append(
            {
                "page": name,
                "path": path,
                "median_ms": round(statistics.median(values), 1),
                "max_ms": round(max(values), 1),
                "samples": len(values),
            }
        )
        print(f"console: {name:<16} median {pages[-1]['median_ms']:>6.1f} ms", flush=True)
    return {"target_ms": CONSOLE_TARGET_MS, "load_average": loads, "pages": pages}


def _slow_vendor(base: str, tokens: dict, args, scratch: Path) -> dict:
    """`/api/auth/me` alone, then while BURST submissions wait on the slow vendor."""
    import requests

    me = "/api/auth/me"
    lines = _route_lines(ROUTES[0], tokens["customers"])
    quiet, busy, drains, statuses, loads = [], [], [], [], []
    seconds = SLOW_VENDOR_SECONDS * 2
    for number in range(args.rounds):
        loads.append(os.getloadavg()[0])
        quiet.append(wrk(base, me, requests_file(scratch, lines, me), args, 4, seconds=seconds))
        answers: list[tuple[int, float]] = []  # each submission's status and when it ended
        start = threading.Barrier(BURST + 1)

        def submit(n: int, answers=answers, start=start, first=number * BURST) -> None:
            customer = tokens["customers"][(first + n) % len(tokens["customers"])]
            start.wait()
            answer = requests.post(
                base + "/ai/reduce-task",
                json=ROUTES[4].body,
                headers={"Authorization": f"Bearer {customer}"},
                timeout=60,
            )
            answers.append((answer.status_code, time.monotonic()))

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(BURST)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.monotonic()
        busy.append(wrk(base, me, requests_file(scratch, lines, me), args, 4, seconds=seconds))
        for thread in threads:
            thread.join()
        drains.append(round(max(ended for _, ended in answers) - began, 2))
        statuses.extend(status for status, _ in answers)
        print(f"slow vendor: round {number + 1}: me p99 {busy[-1].p99_ms} ms", flush=True)
    return {
        "vendor_seconds": SLOW_VENDOR_SECONDS,
        "burst": BURST,
        "load_average": loads,
        "quiet": [m.as_dict() for m in quiet],
        "busy": [m.as_dict() for m in busy],
        "burst_seconds": drains,
        "submit_statuses": sorted(set(statuses)),
        "target_p99_ms": 200,
    }


def _check_same_answers(base: str, tokens: dict) -> None:
    """Each route, its ceiling and its framework view answer one request alike: the same
    status, and for reads the same JSON."""
    import requests

    for route in ROUTES:
        body = route.body(0) if callable(route.body) else route.body
        token = tokens["customers"][0]
        headers = {"Authorization": f"Bearer {token}"} if route.authenticated else {}
        answers = {
            variant: requests.request(
                route.method, base + path, json=body, headers=headers, timeout=30
            )
            for variant, path in route.variants().items()
        }
        for variant, answer in answers.items():
            if answer.status_code != route.status:
                raise RuntimeError(f"{route.name} ({variant}): {answer.status_code} {answer.text}")
        if route.method == "GET":
            ours = machine.comparable(answers["ours"].json())
            for variant, answer in answers.items():
                if machine.comparable(answer.json()) != ours:
                    raise RuntimeError(f"{route.name}: {variant} answers otherwise:\n{ours[:2000]}")
        else:
            keys = {variant: sorted(answer.json()) for variant, answer in answers.items()}
            if len({tuple(k) for k in keys.values()}) != 1:
                raise RuntimeError(f"{route.name}: the answers' fields differ: {keys}")


if __name__ == "__main__":
    sys.exit(main())
