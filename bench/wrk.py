"""wrk, driven by bench/load.lua: one request line per customer, results as one JSON line."""

import json
import os
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

LOAD_SCRIPT = Path(__file__).resolve().parent / "load.lua"


@dataclass
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def as_dict(self) -> dict:
        return asdict(self)


def requests_file(scratch: Path, lines: list[tuple], path: str) -> Path:
    """The request lines for `path` (METHOD, PATH, TOKEN and BODY, tab-separated), from
    (method, token, body) of each customer."""
    text = "".join(
        "\t".join(
            [method, path, token, json.dumps(body, ensure_ascii=False) if body is not None else ""]
        )
        + "\n"
        for method, token, body in lines
    )
    target = scratch / (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") + ".tsv")
    target.write_text(text)
    return target


def wrk(base: str, path: str, lines: Path, args, connections: int | None = None, *, seconds=None):
    """wrk against `path`: a warm-up, then the measured run."""
    env = {**os.environ, "BENCH_REQUESTS": str(lines)}
    command = ["wrk", "-t2", f"-c{connections or args.connections}", "--latency", "-s"]
    command.append(str(LOAD_SCRIPT))
    if args.warmup and seconds is None:
        subprocess.run(
            [*command, f"-d{args.warmup}s", base], env=env, capture_output=True, check=True
        )
    duration = f"-d{int(seconds or args.duration)}s"
    out = subprocess.run(
        [*command, duration, base], env=env, capture_output=True, text=True, check=True
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
