"""docs/benchmarks.md from the runs kept in docs/benchmarks/: `before.json` (the run before the
improvements, if kept) and `after.json` (the latest `make bench`), with the notes in
docs/benchmarks/notes.md between them."""

import json
from pathlib import Path

HEADER = "| route | req/s | p50 ms | p99 ms | ceiling req/s | ceiling p50 ms | ratio | errors |"
RULE = "|---|---:|---:|---:|---:|---:|---:|---:|"


def report_write(results: Path, target: Path) -> str:
    runs = {path.stem: json.loads(path.read_text()) for path in sorted(results.glob("*.json"))}
    notes = results / "notes.md"
    parts = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py). Each route is loaded by wrk, then its *ceiling*: "
        "a bare Django view (bench/ceiling.py) that gives the same JSON from the same queries. "
        "*ratio* is our requests per second over the ceiling's. Errors count non-2xx answers "
        "and socket errors, ours/ceiling's.",
        "",
    ]
    if "before" in runs and "after" in runs:
        parts += [_comparison(runs["before"], runs["after"]), ""]
    if notes.exists():
        parts += [notes.read_text().strip(), ""]
    for label in ("after", "before"):
        if label in runs:
            parts += [_run(label, runs[label]), ""]
    text = "\n".join(parts)
    target.write_text(text)
    return text


def _ratio(row: dict) -> float:
    return row["ours"]["rps"] / row["ceiling"]["rps"]


def _comparison(before: dict, after: dict) -> str:
    lines = [
        "## Before and after the improvements",
        "",
        "| route | req/s before | req/s after | ratio before | ratio after |",
        "|---|---:|---:|---:|---:|",
    ]
    earlier = {row["route"]: row for row in before["rows"]}
    for row in after["rows"]:
        old = earlier.get(row["route"])
        if old is None:
            continue
        lines.append(
            f"| `{row['route']}` | {old['ours']['rps']:.0f} | {row['ours']['rps']:.0f} "
            f"| {_ratio(old):.2f} | {_ratio(row):.2f} |"
        )
    return "\n".join(lines)


def _run(label: str, run: dict) -> str:
    title = "Latest run" if label == "after" else "Before the improvements"
    machine = run["machine"]
    load = run["load"]
    lines = [
        f"## {title} ({run['date']}, commit `{run['commit']}`)",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}, "
        f"{machine['os']}; Python {machine['python']}, PostgreSQL {machine['postgresql']}, "
        f"Redis {machine['redis']}. Load: {load['tool']}, {load['threads']} threads, "
        f"{load['connections']} connections, {load['seconds_per_route']} s per route, on the "
        f"same machine as gunicorn ({load['gunicorn_workers']} workers). Data: {load['data']}.",
        "",
        HEADER,
        RULE,
    ]
    for row in run["rows"]:
        ours, ceiling = row["ours"], row["ceiling"]
        lines.append(
            f"| `{row['route']}` | {ours['rps']:.1f} | {ours['p50_ms']:.2f} | {ours['p99_ms']:.2f} "
            f"| {ceiling['rps']:.1f} | {ceiling['p50_ms']:.2f} | {_ratio(row):.2f} "
            f"| {ours['errors']}/{ceiling['errors']} |"
        )
    return "\n".join(lines)
