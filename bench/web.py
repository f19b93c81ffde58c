"""Benchmark: the clinician web pages rendered server-side, against a bare Starlette app (issue 4).

Not a test: it prints a Markdown table and writes bench/results/web.json. Every figure comes with
a baseline measured in the same run, because these machines are noisy:

* pages: the dashboard, patient search, a patient's page, a signed session chart, the handout,
  the outcome chart and the consultation intake form, of a fresh demo clinic (`needlepoint
  demo`), signed in through the login form as the demo clinician. Ids come from the demo itself
  (a patient whose series is in progress with a signed session), through the API with the same
  session cookie.
* each page with wrk (-t1 -c4, closed loop) after a short warm-up. A small Lua script (written at
  run time) counts every answer that is not 200 and prints wrk's own latency percentiles,
  p95 included (wrk's --latency table has no p95). A page fails on any non-200 or socket error.
* baseline: bench/bare_app.py (bare Starlette) answering the byte-identical HTML of the
  dashboard under the same uvicorn flags and pinning. Runs are interleaved (bare, each page,
  bare, …); each page's rps is reported as a ratio to the baseline's.

Target: p95 <= 100 ms per page. Closed-loop at 4 connections on one server core, a request also
waits for the ones ahead of it, so this p95 is stricter than one read at a fixed rate below
saturation.

Layout, wrk install and process handling are bench/api.py's: server pinned to the last core,
wrk to core 0, when taskset and >= 2 cores are available (recorded in the output).

Usage: python bench/web.py [--duration 3] [--reps 2] [--warmup 1]   (or: make bench)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
from api import (
    API,
    CLINICIAN,
    NEEDLEPOINT,
    ROOT,
    Children,
    cores,
    ensure_wrk,
    free_port,
    start_baseline,
    wait_until_up,
)

from needlepoint.entrypoints.api.security import SESSION_COOKIE

RESULTS = ROOT / "bench" / "results" / "web.json"
TARGET_P95_MS = 100.0
BASELINE = "bare"

#: (name, route as written in entrypoints/web/routes.py PAGES, query string)
PAGES = (
    ("dashboard", "/", ""),
    ("patient_search", "/patients", "q={family_name}"),
    ("patient", "/patients/{patient_id}", ""),
    ("session_chart", "/sessions/{session_id}/chart", ""),
    ("handout", "/series/{series_id}/handout", ""),
    ("outcomes", "/patients/{patient_id}/outcomes", ""),
    ("consultation_intake", "/patients/{patient_id}/consultations/new", ""),
)

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
_FIGURES = re.compile(r"^WEB-BENCH (\{.*\})$", re.M)
_PERCENTILES = (50, 90, 95, 99)
_ERRORS = (("non_200", "non-200"), ("socket_errors", "socket errors"))

#: wrk script: per-thread count of non-200 answers; at the end one line of JSON figures.
LUA = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non_200 = non_200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_200")
  end
  local e = summary.errors
  io.write(string.format(
    'WEB-BENCH {"requests": %d, "duration_us": %d, "non_200": %d, "socket_errors": %d, '
      .. '"p50_us": %.0f, "p90_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "max_us": %.0f}\\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


# --------------------------------------------------------------------------- demo


@dataclass(frozen=True, slots=True)
class Programme:
    """Ids of one demo patient whose series is in progress with a signed session."""

    patient_id: str
    family_name: str
    series_id: str
    session_id: str


def page_urls(programme: Programme) -> dict[str, str]:
    """Each measured page's path and query for this programme, by page name."""
    ids = {
        "patient_id": programme.patient_id,
        "family_name": programme.family_name,
        "series_id": programme.series_id,
        "session_id": programme.session_id,
    }
    urls = {}
    for name, route, query in PAGES:
        path = route.format(**ids)
        urls[name] = f"{path}?{query.format(**ids)}" if query else path
    return urls


def sign_in(client: httpx.Client) -> str:
    """Sign in through the login form, as a browser does; returns the Cookie header value."""
    form = client.get("/login").raise_for_status()
    token = _TOKEN.search(form.text)
    if not token:
        sys.exit("the login page has no CSRF token")
    answer = client.post(
        "/login",
        data={"email": CLINICIAN[0], "password": CLINICIAN[1], "csrf_token": token.group(1)},
    )
    if answer.status_code != 303 or SESSION_COOKIE not in client.cookies:
        sys.exit(f"sign-in refused: {answer.status_code} {answer.text[:300]}")
    return f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"


def _items(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(path).raise_for_status().json()["items"]
    return items


def find_programme(client: httpx.Client) -> Programme:
    """A patient with a series in progress and a signed session (the demo's Okafor)."""
    for patient in _items(client, f"{API}/patients?limit=100"):
        for series in _items(client, f"{API}/patients/{patient['id']}/series"):
            if series["status"] != "in_progress":
                continue
            for session in _items(client, f"{API}/series/{series['id']}/sessions"):
                if session["status"] == "signed":
                    return Programme(
                        patient["id"], patient["family_name"], series["id"], session["id"]
                    )
    sys.exit("no series in progress with a signed session in the demo clinic")


def capture(client: httpx.Client, urls: dict[str, str]) -> dict[str, httpx.Response]:
    """Each page once. A page that is not a 200 HTML page is reported here and measured anyway
    (wrk then counts its non-200 answers and the page fails); the dashboard must be one, since
    the baseline serves its bytes.
    """
    pages = {}
    for name, url in urls.items():
        answer = client.get(url)
        html = answer.headers.get("content-type", "").startswith("text/html")
        if answer.status_code != 200 or not html or 'name="password"' in answer.text:
            print(f"{name} ({url}) answered {answer.status_code}", file=sys.stderr)
            if name == "dashboard":
                sys.exit(f"the dashboard must answer 200: {answer.text[:300]}")
        pages[name] = answer
    return pages


# --------------------------------------------------------------------------- wrk


def wrk_command(  # noqa: PLR0913, PLR0917 - one call site, all of it needed
    wrk: str,
    prefix: list[str],
    url: str,
    cookie: str,
    seconds: float,
    script: Path,
    connections: int,
) -> list[str]:
    """A closed-loop wrk run of ``url`` with the session cookie and the figures script."""
    return [
        *prefix,
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        str(script),
        "-H",
        f"Cookie: {cookie}",
        url,
    ]


def parse_figures(out: str) -> dict[str, Any]:
    """Throughput, latency percentiles (ms) and error counts from the Lua script's line."""
    found = _FIGURES.search(out)
    if not found:
        raise ValueError("wrk printed no WEB-BENCH line: was the Lua script loaded?")
    raw = json.loads(found.group(1))
    if raw["duration_us"] <= 0:
        raise ValueError("wrk reported a run of no duration")
    figures: dict[str, Any] = {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "requests": raw["requests"],
    }
    for percentile in _PERCENTILES:
        figures[f"p{percentile}_ms"] = round(raw[f"p{percentile}_us"] / 1000, 2)
    figures["max_ms"] = round(raw["max_us"] / 1000, 2)
    figures["non_200"] = raw["non_200"]
    figures["socket_errors"] = raw["socket_errors"]
    return figures


def run_wrk(command: list[str]) -> dict[str, Any]:
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_figures(out)


# --------------------------------------------------------------------------- figures


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of rps and latency over the runs; requests and errors summed."""
    keys = ("rps", *(f"p{p}_ms" for p in _PERCENTILES), "max_ms")
    summary: dict[str, Any] = {
        key: round(statistics.median(r[key] for r in runs), 2) for key in keys
    }
    for key in ("requests", "non_200", "socket_errors"):
        summary[key] = sum(r[key] for r in runs)
    return summary


def judge(summary: dict[str, Any], baseline_rps: float) -> dict[str, Any]:
    """The rps ratio to the baseline and the verdict: p95 within target, every answer a 200."""
    clean = summary["requests"] > 0 and summary["non_200"] == 0 and summary["socket_errors"] == 0
    return {
        "ratio": round(summary["rps"] / baseline_rps, 3) if baseline_rps > 0 else None,
        "pass": clean and summary["p95_ms"] <= TARGET_P95_MS,
    }


def verdict_text(page: dict[str, Any]) -> str:
    """``pass``, or ``FAIL`` with every reason: p95 over target, non-200s, socket errors."""
    if page["pass"]:
        return "pass"
    reasons = [f"p95 > {TARGET_P95_MS:g} ms"] if page["p95_ms"] > TARGET_P95_MS else []
    reasons += [f"{page[key]} {label}" for key, label in _ERRORS if page[key]]
    return f"FAIL ({', '.join(reasons) or 'no requests'})"


def markdown(pages: dict[str, dict[str, Any]], baseline: dict[str, Any]) -> str:
    """The summary table: one row per page, then the baseline."""
    lines = [
        f"| page | rps | p50 ms | p95 ms | p99 ms | ratio vs bare | p95 <= {TARGET_P95_MS:g} ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, page in pages.items():
        verdict = verdict_text(page)
        lines.append(
            f"| {name} | {page['rps']:.0f} | {page['p50_ms']:.1f} | {page['p95_ms']:.1f} "
            f"| {page['p99_ms']:.1f} | {page['ratio']:.3f} | {verdict} |"
        )
    lines.append(
        f"| bare Starlette (dashboard bytes) | {baseline['rps']:.0f} | {baseline['p50_ms']:.1f} "
        f"| {baseline['p95_ms']:.1f} | {baseline['p99_ms']:.1f} | 1.000 | baseline |"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


@dataclass(frozen=True, slots=True)
class Setup:
    """What the measurement needs: targets by name (baseline first), cookie, first answers."""

    urls: dict[str, str]
    cookie: str
    routes: dict[str, str]
    sizes: dict[str, int]
    statuses: dict[str, int]


def prepare(children: Children, server_cpu: list[str], env: dict[str, str], tmp: Path) -> Setup:
    """Seed the demo, serve it and the baseline, sign in and capture every page once."""
    demo = subprocess.run(
        [str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True, text=True
    )
    print(demo.stdout.strip().splitlines()[0], file=sys.stderr)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [*server_cpu, str(NEEDLEPOINT), "serve", "--port", str(port)]
    children.start(serve, env, tmp / "serve.log")
    wait_until_up(f"{base}/login", children)
    with httpx.Client(base_url=base, timeout=30) as client:
        cookie = sign_in(client)
        paths = page_urls(find_programme(client))
        pages = capture(client, paths)
    bare_url = serve_baseline(children, server_cpu, env, tmp, pages["dashboard"])
    urls = {BASELINE: bare_url, **{name: f"{base}{path}" for name, path in paths.items()}}
    routes = {name: route + (f"?{query}" if query else "") for name, route, query in PAGES}
    sizes = {name: len(answer.content) for name, answer in pages.items()}
    statuses = {name: answer.status_code for name, answer in pages.items()}
    return Setup(urls, cookie, routes, sizes, statuses)


def serve_baseline(
    children: Children,
    server_cpu: list[str],
    env: dict[str, str],
    tmp: Path,
    dashboard: httpx.Response,
) -> str:
    """Start bare Starlette answering the dashboard's bytes; returns its URL once it does."""
    body_file = tmp / "dashboard.html"
    body_file.write_bytes(dashboard.content)
    content_type = dashboard.headers["content-type"]
    port = free_port()
    start_baseline(children, server_cpu, env, tmp, BASELINE, port, body_file, content_type)
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, children)
    same = httpx.get(url)
    assert same.content == dashboard.content, "the baseline does not return the same bytes"
    assert same.headers["content-type"] == content_type
    return url


class Targets(Protocol):
    """What ``measure`` needs of a bench's setup: its targets by name and the session cookie."""

    @property
    def urls(self) -> dict[str, str]: ...
    @property
    def cookie(self) -> str: ...


def measure(
    setup: Targets, args: argparse.Namespace, wrk: str, generator_cpu: list[str], script: Path
) -> dict[str, list[dict[str, Any]]]:
    """Warm every target up, then ``reps`` interleaved rounds over all of them."""

    def command(url: str, seconds: float) -> list[str]:
        return wrk_command(wrk, generator_cpu, url, setup.cookie, seconds, script, args.connections)

    for url in setup.urls.values():
        run_wrk(command(url, args.warmup))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in setup.urls}
    for _ in range(args.reps):
        for name, url in setup.urls.items():
            runs[name].append(run_wrk(command(url, args.duration)))
    return runs


def report(
    setup: Setup, runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace, layout: str
) -> dict[str, Any]:
    """The result document: each page's figures, ratio and verdict, the baseline, the machine."""
    baseline = {**summarise(runs[BASELINE]), "bytes": setup.sizes["dashboard"]}
    pages = {}
    for name in setup.routes:
        summary = summarise(runs[name])
        pages[name] = {
            "request": f"GET {setup.routes[name]}",
            "bytes": setup.sizes[name],
            "first_status": setup.statuses[name],
            **summary,
            **judge(summary, baseline["rps"]),
            "runs": runs[name],
        }
    return {
        "target": f"p95 <= {TARGET_P95_MS:g} ms per page, every answer a 200",
        "pass": all(page["pass"] for page in pages.values()),
        "pages": pages,
        "baseline": {
            "request": "bench/bare_app.py --kind starlette, the dashboard's bytes",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=2, help="interleaved runs per page")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    wrk = ensure_wrk()
    server_cpu, generator_cpu, layout = cores()
    children = Children()
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-bench-web-"))
    env = {**os.environ, "NEEDLEPOINT_DATA_DIR": str(tmp / "data"), "NEEDLEPOINT_DEVELOPMENT": "1"}
    try:
        setup = prepare(children, server_cpu, env, tmp)
        script = tmp / "figures.lua"
        script.write_text(LUA, encoding="utf-8")
        runs = measure(setup, args, wrk, generator_cpu, script)
        result = report(setup, runs, args, layout)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(markdown(result["pages"], result["baseline"]))
        print(json.dumps({"pass": result["pass"], "results": str(RESULTS.relative_to(ROOT))}))
    finally:
        children.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
