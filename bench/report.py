"""docs/benchmarks.md from a run kept in docs/benchmarks/ (`after.json` for the one kept in
the repository), with the notes in docs/benchmarks/notes.md after the figures."""

import json
import statistics
from pathlib import Path

INTRO = (
    "Written by `make bench` (bench/run.py) on the production server (gunicorn with threads, "
    "`DEBUG` off, PostgreSQL and Redis, a background worker). Every comparison is interleaved: "
    "each round measures every variant once, in an order that turns from round to round, and "
    "the tables give the median over the rounds with the spread (lowest–highest) beside it, "
    "because one run on this shared machine moves by ±20 %. The load average (1 minute) is "
    "read at the start of each round."
)


def report_write(results: Path, target: Path, label: str = "after") -> str:
    run = json.loads((results / f"{label}.json").read_text())
    notes = results / "notes.md"
    parts = ["# Benchmarks", "", INTRO, "", _setting(run), ""]
    for title, section in (
        ("routes", _routes),
        ("scale", _scale),
        ("console", _console),
        ("slow_vendor", _slow_vendor),
    ):
        if title in run:
            measured = run[title]["measured"]
            when = f"Measured {measured['date']}, commit `{measured['commit']}`."
            parts += [section(run[title]["figures"]), "", when, ""]
    if notes.exists():
        parts += [notes.read_text().strip(), ""]
    text = "\n".join(parts)
    target.write_text(text)
    return text


def _setting(run: dict) -> str:
    machine, settings = run["machine"], run["settings"]
    return (
        f"Latest run {run['date']}, commit `{run['commit']}`. Machine: {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory']}, {machine['os']}; Python "
        f"{machine['python']}, PostgreSQL {machine['postgresql']}, Redis {machine['redis']}. "
        f"Server: {settings['server']}. Load: {settings['wrk']}, 2 threads, "
        f"{settings['connections']} connections, {settings['seconds_per_run']} s per run, "
        f"{settings['rounds']} rounds, on the same machine. Data: {settings['data']}."
    )


def _median(values) -> float:
    return statistics.median(list(values))


def _spread(values) -> str:
    values = list(values)
    return f"{min(values):.2f}–{max(values):.2f}"


def _loads(loads: list[float]) -> str:
    return f"load average {min(loads):.2f}–{max(loads):.2f}"


def _routes(rows: list[dict]) -> str:
    lines = [
        "## Routes beside their bare ceiling",
        "",
        "*Ceiling*: a bare Django view under the same settings and middleware that gives the "
        "same JSON from hand-written SQL and `json` (bench/ceiling.py), checked against ours "
        "before measuring. *Framework*: our own selectors, services and answer functions "
        "without DRF (bench/framework.py), so its ratio is what DRF's view layer costs. "
        "Target: 0.7 of the ceiling.",
        "",
        "| route | req/s | p50 ms | p99 ms | ceiling req/s | ratio (spread) | framework ratio "
        "(spread) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ours = row["ours"]
        cells = [
            f"`{row['route']}`",
            f"{_median(m['rps'] for m in ours):.0f}",
            f"{_median(m['p50_ms'] for m in ours):.1f}",
            f"{_median(m['p99_ms'] for m in ours):.1f}",
        ]
        for variant in ("ceiling", "framework"):
            if variant not in row:
                cells += ["—", "—"] if variant == "ceiling" else ["—"]
                continue
            ratios = [o["rps"] / c["rps"] for o, c in zip(ours, row[variant], strict=True)]
            if variant == "ceiling":
                cells.append(f"{_median(m['rps'] for m in row[variant]):.0f}")
            cells.append(f"**{_median(ratios):.2f}** ({_spread(ratios)})")
        cells.append(str(sum(m["errors"] for m in ours)))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Rounds at {_loads(rows[0]['load_average'])}."]
    return "\n".join(lines)


def _scale(scale: dict) -> str:
    lines = [
        "## A million rows",
        "",
        f"One customer's token at a time, {scale['connections']} connections. A page's cost is "
        "the server's time per request at full load (1 / requests per second); the targets "
        "compare costs, as medians of the per-round ratios.",
        "",
        "| page | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for page in scale["pages"]:
        runs = page["runs"]
        lines.append(
            f"| {page['page']} (`{page['path']}`) | {_median(m['rps'] for m in runs):.0f} "
            f"| {_median(m['p50_ms'] for m in runs):.1f} "
            f"| {_median(m['p99_ms'] for m in runs):.1f} |"
        )
    lines += ["", "| compares | ratio (spread) | at most | held |", "|---|---:|---:|---|"]
    for target in scale["targets"]:
        low, high = target["spread"]
        held = "yes" if target["median"] <= target["most"] else "**no**"
        lines.append(
            f"| {target['compares']} | {target['median']:.2f} ({low:.2f}–{high:.2f}) "
            f"| {target['most']} | {held} |"
        )
    lines += ["", f"Rounds at {_loads(scale['load_average'])}."]
    return "\n".join(lines)


def _console(console: dict) -> str:
    lines = [
        "## The console at that size",
        "",
        f"Staff signed in; each page requested alone, {console['pages'][0]['samples']} times "
        f"over the rounds. Target: under {console['target_ms']} ms.",
        "",
        "| page | median ms | slowest ms |",
        "|---|---:|---:|",
    ]
    for page in console["pages"]:
        lines.append(
            f"| {page['page']} (`{page['path']}`) | {page['median_ms']:.0f} "
            f"| {page['max_ms']:.0f} |"
        )
    lines += ["", f"Rounds at {_loads(console['load_average'])}."]
    return "\n".join(lines)


def _slow_vendor(slow: dict) -> str:
    quiet, busy = slow["quiet"], slow["busy"]
    lines = [
        "## A slow vendor",
        "",
        f"`GET /api/auth/me` by wrk (4 connections) alone, then while {slow['burst']} customers "
        f"submit `POST /ai/reduce-task` at once to a vendor that takes "
        f"{slow['vendor_seconds']:.0f} s over each. Target: p99 under {slow['target_p99_ms']} ms "
        "during the burst.",
        "",
        "| `/api/auth/me` | req/s | p50 ms | p99 ms (spread) |",
        "|---|---:|---:|---:|",
    ]
    for name, runs in (("alone", quiet), ("during the burst", busy)):
        lines.append(
            f"| {name} | {_median(m['rps'] for m in runs):.0f} "
            f"| {_median(m['p50_ms'] for m in runs):.1f} "
            f"| {_median(m['p99_ms'] for m in runs):.1f} ({_spread(m['p99_ms'] for m in runs)}) |"
        )
    lines += [
        "",
        f"The burst's submissions all answered in {_median(slow['burst_seconds']):.1f} s "
        f"(spread {_spread(slow['burst_seconds'])} s), with statuses "
        f"{', '.join(map(str, slow['submit_statuses']))}. Rounds at "
        f"{_loads(slow['load_average'])}.",
    ]
    return "\n".join(lines)
