"""Benchmark: the front desk's calendar pages, against a bare Starlette app (issue 12).

Not a test: it prints a Markdown table and writes bench/results/agenda.json. Measured as
bench/web.py measures the clinician pages, with a baseline in the same run (these machines are
noisy):

* pages: the calendar's week (a lane per practitioner, then per room) and its day view, of a
  fresh demo clinic (`needlepoint demo`), signed in through the login form. The demo books few
  visits, so `--fill N` (default 24) first books N more through the API, as the front desk
  would: N new patients, each with a signed consultation, a series and its first session at
  the first free slot, which packs the coming days. The week measured is then the busiest
  (most booked appointments, found through the API), recorded in the output with its count;
  the day is that week's busiest day.
* each page with wrk (-t1 -c4, closed loop) after a short warm-up; bench/web.py's Lua script
  counts every answer that is not 200 and prints wrk's latency percentiles (p95 included).
* baseline: bench/bare_app.py (bare Starlette) answering the byte-identical HTML of the week
  page under the same uvicorn flags and pinning; runs are interleaved (bare, each page, bare,
  …) and each page's rps is reported as a ratio to the baseline's.

Target: p95 <= 100 ms per page, every answer a 200.

Usage: python bench/agenda.py [--duration 3] [--reps 2] [--warmup 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import yaml
from api import (
    API,
    EXAMPLE,
    NEEDLEPOINT,
    ROOT,
    Children,
    cores,
    ensure_wrk,
    free_port,
    wait_until_up,
)
from web import (
    BASELINE,
    LUA,
    TARGET_P95_MS,
    Setup,
    judge,
    measure,
    serve_baseline,
    sign_in,
    summarise,
    verdict_text,
)

RESULTS = ROOT / "bench" / "results" / "agenda.json"
CLINIC_ZONE = ZoneInfo("Europe/London")  # the demo clinic's (entrypoints/cli/demo.py)

#: (name, route as written in entrypoints/web/routes.py PAGES, query string)
PAGES = (
    ("calendar_week", "/calendar", "view=week&by=practitioner&on={week}"),
    ("calendar_week_rooms", "/calendar", "view=week&by=room&on={week}"),
    ("calendar_day", "/calendar", "view=day&by=practitioner&on={day}"),
)


def fill(client: httpx.Client, count: int) -> None:
    """Book ``count`` first sessions of new series at the first free slots, through the API."""
    token = client.get(f"{API}/auth/me").raise_for_status().json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    document = json.loads(json.dumps(yaml.safe_load(EXAMPLE.read_text("utf-8")), default=str))
    person = {"family_name": "Bench", **{k: document["patient"][k] for k in ("born_on", "sex")}}

    def post(path: str, body: dict[str, Any]) -> Any:
        return client.post(f"{API}{path}", json=body, headers=headers).raise_for_status().json()

    for n in range(count):
        patient = post("/patients", {**person, "given_name": f"Busy{n}"})
        consultation = post(f"/patients/{patient['id']}/consultations", {"document": document})
        post(f"/consultations/{consultation['id']}/sign", {})
        series = post(f"/consultations/{consultation['id']}/series", {})
        booking = client.get(f"{API}/series/{series['id']}/booking").raise_for_status().json()
        first = booking["proposed"][0]
        slot = {k: first["slot"][k] for k in ("starts_at", "practitioner_id", "room_id")}
        post(
            f"/series/{series['id']}/appointments",
            {"sessions": [{"number": first["number"], **slot}]},
        )


def booked_days(client: httpx.Client) -> list[date]:
    """The local day of every booked appointment of the demo clinic."""
    days = []
    for patient in client.get(f"{API}/patients?limit=100").raise_for_status().json()["items"]:
        found = client.get(f"{API}/patients/{patient['id']}/appointments").raise_for_status()
        for appointment in found.json()["items"]:
            if appointment["status"] == "booked":
                starts = datetime.fromisoformat(appointment["starts_at"])
                days.append(starts.astimezone(CLINIC_ZONE).date())
    return days


def busiest(days: list[date]) -> tuple[date, date, int]:
    """The Monday of the week with most appointments, that week's busiest day, and its count."""
    if not days:
        sys.exit("the demo booked no appointment")
    weeks = Counter(day - timedelta(days=day.weekday()) for day in days)
    monday, count = max(weeks.items(), key=lambda item: (item[1], -item[0].toordinal()))
    in_week = Counter(day for day in days if monday <= day < monday + timedelta(days=7))
    day = max(in_week.items(), key=lambda item: (item[1], -item[0].toordinal()))[0]
    return monday, day, count


def page_urls(week: date, day: date) -> dict[str, str]:
    """Each measured page's path and query, by page name."""
    ids = {"week": week.isoformat(), "day": day.isoformat()}
    return {name: f"{route}?{query.format(**ids)}" for name, route, query in PAGES}


def prepare(
    children: Children, server_cpu: list[str], env: dict[str, str], tmp: Path, filled: int
) -> tuple[Setup, dict[str, Any]]:
    """Seed the demo, serve it and the baseline, sign in and capture every page once."""
    subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    children.start(
        [*server_cpu, str(NEEDLEPOINT), "serve", "--port", str(port)], env, tmp / "serve.log"
    )
    wait_until_up(f"{base}/login", children)
    with httpx.Client(base_url=base, timeout=30) as client:
        cookie = sign_in(client)
        fill(client, filled)
        week, day, count = busiest(booked_days(client))
        paths = page_urls(week, day)
        pages = {name: client.get(path) for name, path in paths.items()}
    for name, answer in pages.items():
        if answer.status_code != 200 or "agenda-lane" not in answer.text:
            sys.exit(f"{name} answered {answer.status_code}: {answer.text[:300]}")
    bare = serve_baseline(children, server_cpu, env, tmp, pages["calendar_week"])
    urls = {BASELINE: bare, **{name: f"{base}{path}" for name, path in paths.items()}}
    routes = {name: f"{route}?{query}" for name, route, query in PAGES}
    sizes = {name: len(answer.content) for name, answer in pages.items()}
    statuses = {name: answer.status_code for name, answer in pages.items()}
    measured = {
        "week_of": week.isoformat(),
        "day": day.isoformat(),
        "appointments_in_week": count,
        "filled": filled,
    }
    return Setup(urls, cookie, routes, sizes, statuses), measured


def report(
    setup: Setup, runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace, layout: str
) -> dict[str, Any]:
    """The result document: each page's figures, ratio and verdict, the baseline, the machine."""
    baseline = {**summarise(runs[BASELINE]), "bytes": setup.sizes["calendar_week"]}
    pages = {}
    for name in setup.routes:
        summary = summarise(runs[name])
        pages[name] = {
            "request": f"GET {setup.routes[name]}",
            "bytes": setup.sizes[name],
            **summary,
            **judge(summary, baseline["rps"]),
            "runs": runs[name],
        }
    return {
        "target": f"p95 <= {TARGET_P95_MS:g} ms per page, every answer a 200",
        "pass": all(page["pass"] for page in pages.values()),
        "pages": pages,
        "baseline": {
            "request": "bench/bare_app.py --kind starlette, the week page's bytes",
            **baseline,
            "runs": runs[BASELINE],
        },
        "machine": {
            "cpus": os.cpu_count(),
            "layout": layout,
            "python": sys.version.split()[0],
            "wrk": f"-t1 -c{args.connections} (closed loop), Lua percentiles",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "reps": args.reps,
        },
    }


def markdown(result: dict[str, Any]) -> str:
    """One row per page, then the baseline."""
    lines = [
        f"| page | rps | p50 ms | p95 ms | p99 ms | ratio vs bare | p95 <= {TARGET_P95_MS:g} ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, page in result["pages"].items():
        lines.append(
            f"| {name} | {page['rps']:.0f} | {page['p50_ms']:.1f} | {page['p95_ms']:.1f} "
            f"| {page['p99_ms']:.1f} | {page['ratio']:.3f} | {verdict_text(page)} |"
        )
    bare = result["baseline"]
    lines.append(
        f"| bare Starlette (week page bytes) | {bare['rps']:.0f} | {bare['p50_ms']:.1f} "
        f"| {bare['p95_ms']:.1f} | {bare['p99_ms']:.1f} | 1.000 | baseline |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=2, help="interleaved runs per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--fill", type=int, default=24, help="extra first sessions to book")
    args = parser.parse_args()

    wrk = ensure_wrk()
    server_cpu, generator_cpu, layout = cores()
    children = Children()
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-bench-calendar-"))
    env = {**os.environ, "NEEDLEPOINT_DATA_DIR": str(tmp / "data"), "NEEDLEPOINT_DEVELOPMENT": "1"}
    try:
        setup, measured = prepare(children, server_cpu, env, tmp, args.fill)
        script = tmp / "figures.lua"
        script.write_text(LUA, encoding="utf-8")
        runs = measure(setup, args, wrk, generator_cpu, script)
        result = {**report(setup, runs, args, layout), "demo": measured}
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(markdown(result))
        print(
            json.dumps(
                {"pass": result["pass"], **measured, "results": str(RESULTS.relative_to(ROOT))}
            )
        )
    finally:
        children.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
