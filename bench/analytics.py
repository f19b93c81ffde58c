"""Benchmark: the cohort analytics page over 10,000 completed series (issue 15, ADR 0045).

Not a test: it prints a Markdown table and writes bench/results/analytics.json. As in
bench/web.py, every figure comes with a baseline measured in the same run:

* seeding: ``needlepoint demo --cohort --series N`` (default 10,000), the demo's own seeding with
  its progress bar on stderr; the seconds it took are reported.
* pages: ``/analytics`` (every series, the GB quantitative scale) and the acne-scar cohort
  against 3 sessions, signed in as the demo clinician; the dashboard of the same server is
  measured beside them.
* cold: the first answer of each analytics page after the server started (the analytics area
  reads the clinic's series and computes; later answers come from its cache, keyed by the data
  version, ADR 0045), each timed once with httpx.
* warm: each page with wrk (-t1 -c4, closed loop, Lua percentiles), interleaved with the
  baseline: bench/bare_app.py (bare Starlette) answering the dashboard's bytes.

Target: p95 <= 200 ms for the analytics pages (issue 15), every answer a 200.

Usage: python bench/analytics.py [--series 10000] [--duration 3] [--reps 2]
       (or: make bench-analytics)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import web
from api import NEEDLEPOINT, ROOT, Children, cores, ensure_wrk, free_port, wait_until_up

RESULTS = ROOT / "bench" / "results" / "analytics.json"
TARGET_P95_MS = 200.0

#: (name, path and query) of each measured page; the dashboard is the app's own baseline.
PAGES = (
    ("analytics", "/analytics"),
    (
        "analytics_acne_vs_3",
        "/analytics?indication=acne_scars&scale=gb_quantitative&reference_sessions=3",
    ),
    ("dashboard", "/"),
)
ANALYTICS = ("analytics", "analytics_acne_vs_3")


def seed(env: dict[str, str], series: int) -> float:
    """The demo clinic and its synthetic cohort; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [str(NEEDLEPOINT), "demo", "--cohort", "--series", str(series)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return round(time.perf_counter() - started, 1)


def cold_ms(client: httpx.Client) -> dict[str, float]:
    """Each analytics page's first answer, in ms (the cache is empty)."""
    timings = {}
    for name, path in PAGES:
        if name not in ANALYTICS:
            continue
        started = time.perf_counter()
        client.get(path).raise_for_status()
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
    return timings


def prepare(
    children: Children, server_cpu: list[str], env: dict[str, str], tmp: Path
) -> tuple[web.Setup, dict[str, float]]:
    """Serve the seeded clinic and the baseline, sign in, time the cold pages, capture all."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    children.start(
        [*server_cpu, str(NEEDLEPOINT), "serve", "--port", str(port)], env, tmp / "serve.log"
    )
    wait_until_up(f"{base}/login", children)
    with httpx.Client(base_url=base, timeout=120) as client:
        cookie = web.sign_in(client)
        cold = cold_ms(client)
        pages = web.capture(client, dict(PAGES))
    bare_url = web.serve_baseline(children, server_cpu, env, tmp, pages["dashboard"])
    urls = {web.BASELINE: bare_url, **{name: f"{base}{path}" for name, path in PAGES}}
    setup = web.Setup(
        urls=urls,
        cookie=cookie,
        routes=dict(PAGES),
        sizes={name: len(answer.content) for name, answer in pages.items()},
        statuses={name: answer.status_code for name, answer in pages.items()},
    )
    return setup, cold


def result(
    setup: web.Setup, runs: dict[str, list[dict[str, Any]]], figures: dict[str, Any]
) -> dict[str, Any]:
    """The result document: each page's figures and verdict, the baseline, seeding and cold."""
    baseline = web.summarise(runs[web.BASELINE])
    pages = {}
    for name, path in PAGES:
        summary = web.summarise(runs[name])
        clean = summary["non_200"] == 0 and summary["socket_errors"] == 0
        pages[name] = {
            "request": f"GET {path}",
            "bytes": setup.sizes[name],
            **summary,
            "ratio": round(summary["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
            "pass": clean and (name not in ANALYTICS or summary["p95_ms"] <= TARGET_P95_MS),
            "runs": runs[name],
        }
    return {
        "target": f"p95 <= {TARGET_P95_MS:g} ms for the analytics pages, every answer a 200",
        "pass": all(page["pass"] for page in pages.values()),
        "pages": pages,
        "baseline": {"request": "bench/bare_app.py, the dashboard's bytes", **baseline},
        **figures,
    }


def markdown(found: dict[str, Any]) -> str:
    """The summary table, then the seeding and the cold first answers."""
    lines = [
        f"| page | rps | p50 ms | p95 ms | p99 ms | ratio vs bare | p95 <= {TARGET_P95_MS:g} ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, page in found["pages"].items():
        verdict = "pass" if page["pass"] else "FAIL"
        if name not in ANALYTICS:
            verdict = "(app baseline)"
        lines.append(
            f"| {name} | {page['rps']:.0f} | {page['p50_ms']:.1f} | {page['p95_ms']:.1f} "
            f"| {page['p99_ms']:.1f} | {page['ratio']:.3f} | {verdict} |"
        )
    bare = found["baseline"]
    lines.append(
        f"| bare Starlette (dashboard bytes) | {bare['rps']:.0f} | {bare['p50_ms']:.1f} "
        f"| {bare['p95_ms']:.1f} | {bare['p99_ms']:.1f} | 1.000 | baseline |"
    )
    cold = ", ".join(f"{name} {ms:.0f} ms" for name, ms in found["cold_ms"].items())
    lines.append("")
    lines.append(
        f"Seeded {found['series']} series in {found['seeding_s']:.0f} s; first answers (cold "
        f"cache): {cold}."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=10_000, help="synthetic series to seed")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=2, help="interleaved runs per page")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    wrk = ensure_wrk()
    server_cpu, generator_cpu, layout = cores()
    children = Children()
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-bench-analytics-"))
    env = {**os.environ, "NEEDLEPOINT_DATA_DIR": str(tmp / "data"), "NEEDLEPOINT_DEVELOPMENT": "1"}
    try:
        seconds = seed(env, args.series)
        setup, cold = prepare(children, server_cpu, env, tmp)
        script = tmp / "figures.lua"
        script.write_text(web.LUA, encoding="utf-8")
        runs = web.measure(setup, args, wrk, generator_cpu, script)
        machine = {"cpus": os.cpu_count(), "layout": layout, "python": sys.version.split()[0]}
        figures = {"series": args.series, "seeding_s": seconds, "cold_ms": cold, "machine": machine}
        found = result(setup, runs, figures)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        print(markdown(found))
        print(json.dumps({"pass": found["pass"], "results": str(RESULTS.relative_to(ROOT))}))
    finally:
        children.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
