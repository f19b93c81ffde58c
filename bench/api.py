"""Benchmark: the REST API under load on loopback, against a bare Starlette app (issue 3).

Not a test: it prints JSON and writes bench/results/api.json. Every figure comes with a
baseline measured in the same run, because these machines are noisy:

* reads: `GET /api/v1/sessions/{id}/chart` (a signed chart of the demo clinic, session cookie)
  with wrk (-t1 -c16, --latency) against `needlepoint serve` and against bench/bare_app.py,
  which returns the same bytes under the same uvicorn flags. Runs are interleaved
  (needlepoint, bare, FastAPI floor, needlepoint, …) after a warm-up of each. Target:
  needlepoint rps >= 0.4 x bare rps.
* two ceilings, measured in the same run, to read that ratio against: the FastAPI floor
  (bench/bare_app.py --kind fastapi: needlepoint's middleware and a plain-def route with one
  dependency, no application work) and the disk's durable SQLite commit rate (WAL, FULL, one
  small insert per commit: every audited read commits its audit event once).
* tail latency: a paced (fixed-rate) run at half needlepoint's measured max, with a small
  asyncio generator in this script; latency counts from each request's scheduled time, so a
  stalled server is not hidden (no coordinated omission). Target: p99 <= 50 ms.
* writes: K writers each amend their own session's chart (`POST /sessions/{id}/chart` with
  `expected_version` = latest), sequentially, on SQLite with synchronous=FULL. Target: >= 300
  chart writes/s, no 5xx.

Layout: servers pinned to the last core, load generators to core 0, when taskset and >= 2 cores
are available (recorded in the output). wrk is installed with apt-get if missing.

With ``--vs OTHER/.venv/bin/needlepoint``, another build is served over the same database and
its reads interleaved with this one's: ``reads.vs.needlepoint_over_vs`` is the ratio of the two.

Usage: python bench/api.py [--duration 5] [--reps 2] [--writers 6] [--vs CMD]   (or: make bench)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python" if (BIN / "python").exists() else Path(sys.executable)
NEEDLEPOINT = BIN / "needlepoint" if (BIN / "needlepoint").exists() else Path("needlepoint")
RESULTS = ROOT / "bench" / "results" / "api.json"
EXAMPLE = ROOT / "examples" / "01-proceed-rolling-boxcar-cheeks.yaml"
API = "/api/v1"
CLINICIAN = ("clinician@demo.needlepoint.test", "demo clinician passphrase")

TARGET_READ_RATIO = 0.4
TARGET_P99_MS = 50.0
TARGET_WRITES_PER_S = 300.0


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cores() -> tuple[list[str], list[str], str]:
    """Prefixes pinning servers and generators to different cores, and a description."""
    cpus = sorted(os.sched_getaffinity(0))
    if shutil.which("taskset") and len(cpus) >= 2:
        server, generator = str(cpus[-1]), str(cpus[0])
        layout = f"servers on core {server}, generators on core {generator}"
        return ["taskset", "-c", server], ["taskset", "-c", generator], layout
    return [], [], "not pinned (taskset missing or one core)"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing the Debian package", file=sys.stderr)
    apt = ["apt-get", "install", "-y", "wrk"]
    if os.geteuid() != 0 and shutil.which("sudo"):
        apt = ["sudo", *apt]
    for command in ([*apt[:-3], "update"], apt):
        print("+ " + " ".join(command), file=sys.stderr)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


class Children:
    """Child servers, each in its own process group; all are stopped on exit, even on error."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.procs.append(proc)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until_up(url: str, children: Children, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in children.procs):
            sys.exit(f"a server exited before answering {url}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1.0)
            return
        time.sleep(0.1)
    sys.exit(f"no answer from {url} after {timeout:.0f} s")


# --------------------------------------------------------------------------- setup


def find_signed_chart(client: httpx.Client) -> str:
    """The id of a session with a signed chart (the demo's Okafor has one)."""
    patients = client.get(f"{API}/patients", params={"limit": 100}).raise_for_status().json()
    ordered = sorted(patients["items"], key=lambda p: p["family_name"] != "Okafor")
    for patient in ordered:
        series = client.get(f"{API}/patients/{patient['id']}/series").raise_for_status().json()
        for one in series["items"]:
            found = client.get(f"{API}/series/{one['id']}/sessions").raise_for_status().json()
            for session in found["items"]:
                if session["status"] == "signed":
                    return str(session["id"])
    sys.exit("no charted session in the demo clinic")


def chart_body(plan: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """A chart within the plan's depths (no override) with a cartridge that has not expired."""
    chart: dict[str, Any] = json.loads(json.dumps(template))
    chart["cartridge"] = {
        "lot": "BENCH-LOT-1",
        "expires_on": (date.today() + timedelta(days=365)).isoformat(),
    }
    now = datetime.now(UTC)
    chart["numbing"]["applied_at"] = (now - timedelta(minutes=45)).isoformat()
    chart["numbing"]["removed_at"] = (now - timedelta(minutes=5)).isoformat()
    chart["zones"] = [
        {
            "zone": zone["zone"],
            "planned_depth_mm": zone["depth_mm"]["min"],
            "delivered_depth_mm": zone["depth_mm"]["min"],
            "passes": 3,
        }
        for zone in plan["zones"]
    ]
    chart["overrides"] = []
    chart["adverse_events"] = []
    return chart


def consent(client: httpx.Client, series_id: str) -> None:
    """The patient signs the demo's published form, typed name only; the clinician witnesses.

    A session starts only once its series has a witnessed consent (ADR 0029).
    """
    form = client.get(f"{API}/series/{series_id}/consent").raise_for_status().json()["form"]
    if form is None:
        sys.exit("the demo clinic has no published consent form")
    body = {
        "template_id": form["id"],
        "template_sha256": form["sha256"],
        "typed_name": "Writer Bench",
        "agreed": True,
    }
    signed = client.post(f"{API}/series/{series_id}/consents", json=body).raise_for_status()
    client.post(f"{API}/consents/{signed.json()['id']}/witness").raise_for_status()


def writer_sessions(
    client: httpx.Client, count: int, template: dict[str, Any]
) -> list[tuple[str, dict[str, Any], int]]:
    """``count`` fresh sessions (patient → consultation → series → consent → session), one each.

    Each gets a first chart so every measured write is an amendment (a new version).
    """
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    born = document["patient"]["born_on"]
    out = []
    for n in range(count):
        patient = client.post(
            f"{API}/patients",
            json={
                "given_name": f"Writer{n}",
                "family_name": "Bench",
                "born_on": str(born),
                "sex": document["patient"]["sex"],
            },
        ).raise_for_status()
        consult = client.post(
            f"{API}/patients/{patient.json()['id']}/consultations",
            json={"document": json.loads(json.dumps(document, default=str))},
        ).raise_for_status()
        consultation_id = consult.json()["id"]
        client.post(f"{API}/consultations/{consultation_id}/sign").raise_for_status()
        series = client.post(f"{API}/consultations/{consultation_id}/series", json={})
        series.raise_for_status()
        consent(client, series.json()["id"])
        session = client.post(
            f"{API}/series/{series.json()['id']}/sessions", json={"rescreen": {}}
        ).raise_for_status()
        session_id = session.json()["id"]
        body = chart_body(series.json()["plan"], template)
        first = client.post(
            f"{API}/sessions/{session_id}/chart", json={"expected_version": 0, "chart": body}
        )
        if first.status_code != 201:
            sys.exit(f"first chart refused: {first.status_code} {first.text[:500]}")
        out.append((session_id, body, int(first.json()["version"])))
    return out


# --------------------------------------------------------------------------- reads (wrk)

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def run_wrk(
    wrk: str, prefix: list[str], url: str, cookie: str, seconds: float, connections: int = 16
) -> dict[str, Any]:
    command = [
        *prefix,
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else None,
    }


# --------------------------------------------------------------------------- fixed rate


async def _paced(
    host: str, port: int, path: str, cookie: str, rate: float, seconds: float
) -> dict[str, Any]:
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n\r\n").encode()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    opened: list[asyncio.StreamWriter] = []
    for _ in range(32):
        reader, writer = await asyncio.open_connection(host, port)
        opened.append(writer)
        pool.put_nowait((reader, writer))
    latencies: list[float] = []
    failures = 0

    async def one(scheduled: float) -> None:
        nonlocal failures
        reader, writer = await pool.get()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - scheduled) * 1000)
            if status != 200:
                failures += 1
        finally:
            pool.put_nowait((reader, writer))

    loop_start = time.perf_counter()
    total = int(rate * seconds)
    tasks = []
    for i in range(total):
        scheduled = loop_start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 30)
    elapsed = time.perf_counter() - loop_start
    for writer in opened:
        writer.close()
    latencies.sort()
    return {
        "rate": round(rate, 1),
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "non_200": failures,
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
    }


# --------------------------------------------------------------------------- writes


def run_writes(
    base: str,
    cookie: str,
    sessions: list[tuple[str, dict[str, Any], int]],
    seconds: float,
    csrf: str = "",
) -> dict[str, Any]:
    name, value = cookie.split("=", 1)
    counts = {"ok": 0, "conflict": 0, "server_error": 0, "other": 0}
    lock = threading.Lock()
    stop_at = 0.0
    barrier = threading.Barrier(len(sessions) + 1)

    def writer(session_id: str, body: dict[str, Any], version: int) -> None:
        local = {"ok": 0, "conflict": 0, "server_error": 0, "other": 0}
        headers = {"X-CSRF-Token": csrf} if csrf else {}
        with httpx.Client(
            base_url=base, cookies={name: value}, headers=headers, timeout=30
        ) as client:
            barrier.wait()
            while time.perf_counter() < stop_at:
                response = client.post(
                    f"{API}/sessions/{session_id}/chart",
                    json={"expected_version": version, "chart": body, "notes": f"amend {version}"},
                )
                if response.status_code == 201:
                    version = int(response.json()["version"])
                    local["ok"] += 1
                elif response.status_code == 409:
                    local["conflict"] += 1
                elif response.status_code >= 500:
                    local["server_error"] += 1
                else:
                    local["other"] += 1
        with lock:
            for key, n in local.items():
                counts[key] += n

    threads = [threading.Thread(target=writer, args=s) for s in sessions]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    stop_at = start + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "writes_per_s": round(counts["ok"] / elapsed, 1),
        "writers": len(sessions),
        "writes": counts["ok"],
        "seconds": round(elapsed, 2),
        "errors": {k: v for k, v in counts.items() if k != "ok"},
    }


# --------------------------------------------------------------------------- baselines


def start_baseline(  # noqa: PLR0913, PLR0917 - one call site, all of it needed
    children: Children,
    server_cpu: list[str],
    env: dict[str, str],
    tmp: Path,
    kind: str,
    port: int,
    body_file: Path,
    content_type: str,
) -> None:
    """Start bench/bare_app.py of one kind (bare Starlette, or the FastAPI floor)."""
    command = [
        *server_cpu,
        str(PYTHON),
        str(ROOT / "bench" / "bare_app.py"),
        *("--port", str(port), "--body", str(body_file), "--content-type", content_type),
        *("--kind", "starlette" if kind == "bare" else "fastapi"),
    ]
    children.start(command, env, tmp / f"{kind}.log")


_COMMIT_PROBE = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
for pragma in ("journal_mode=WAL", "synchronous=FULL"):
    db.execute("PRAGMA " + pragma)
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
start, n = time.perf_counter(), 0
while time.perf_counter() - start < 2.0:
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO t (v) VALUES (?)", ("x" * 300,))
    db.execute("COMMIT")
    n += 1
print(n / (time.perf_counter() - start))
"""


def sqlite_commit_rate(server_cpu: list[str], tmp: Path) -> float:
    """Durable SQLite commits per second on this disk (WAL, FULL): one small insert each.

    Every audited request commits once, so this caps any audited request rate.
    """
    command = [*server_cpu, str(PYTHON), "-c", _COMMIT_PROBE, str(tmp / "commit-probe.db")]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return round(float(out), 1)


# --------------------------------------------------------------------------- main


@contextlib.contextmanager
def pinned(cpu_prefix: list[str]) -> Iterator[None]:
    """Run this process's own load generation on the generator core, then restore."""
    before = os.sched_getaffinity(0)
    if cpu_prefix:
        os.sched_setaffinity(0, {int(cpu_prefix[-1])})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--reps", type=int, default=2, help="interleaved read runs per app")
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument(
        "--vs",
        type=Path,
        help="another build's needlepoint command (e.g. a checkout of the commit before a "
        "change), served over the same database and interleaved with this one",
    )
    args = parser.parse_args()

    wrk = ensure_wrk()
    server_cpu, generator_cpu, layout = cores()
    children = Children()
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-bench-"))
    env = {**os.environ, "NEEDLEPOINT_DATA_DIR": str(tmp / "data"), "NEEDLEPOINT_DEVELOPMENT": "1"}
    try:
        demo = subprocess.run(
            [str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True, text=True
        )
        print(demo.stdout.strip().splitlines()[0], file=sys.stderr)
        port, bare_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        children.start(
            [*server_cpu, str(NEEDLEPOINT), "serve", "--port", str(port)], env, tmp / "serve.log"
        )
        wait_until_up(f"{base}{API}/openapi.json", children)

        with httpx.Client(base_url=base, timeout=30) as client:
            signed = client.post(
                f"{API}/auth/login", json={"email": CLINICIAN[0], "password": CLINICIAN[1]}
            ).raise_for_status()
            # A cookie client sends the session's CSRF token with every write (ADR 0023).
            csrf = str(signed.json()["csrf_token"])
            client.headers["X-CSRF-Token"] = csrf
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            session_id = find_signed_chart(client)
            path = f"{API}/sessions/{session_id}/chart"
            captured = client.get(path).raise_for_status()
            template = captured.json()["items"][-1]["chart"]
            write_sessions = writer_sessions(client, args.writers, template)
        body_file = tmp / "chart.json"
        body_file.write_bytes(captured.content)
        content_type = captured.headers["content-type"]

        urls = {"needlepoint": f"{base}{path}"}
        if args.vs is not None:
            vs_port = free_port()
            serve_vs = [*server_cpu, str(args.vs), "serve", "--port", str(vs_port)]
            children.start(serve_vs, env, tmp / "serve-vs.log")
            urls["vs"] = f"http://127.0.0.1:{vs_port}{path}"
            wait_until_up(urls["vs"], children)
        for kind, kind_port in (("bare", bare_port), ("fastapi_floor", free_port())):
            start_baseline(children, server_cpu, env, tmp, kind, kind_port, body_file, content_type)
            urls[kind] = f"http://127.0.0.1:{kind_port}{path}"
            wait_until_up(urls[kind], children)
            same = httpx.get(urls[kind])
            assert same.content == captured.content, f"{kind} does not return the same bytes"
            assert same.headers["content-type"] == content_type

        for url in urls.values():
            run_wrk(wrk, generator_cpu, url, cookie, args.warmup)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in urls}
        for _ in range(args.reps):
            for name, url in urls.items():
                runs[name].append(run_wrk(wrk, generator_cpu, url, cookie, args.duration))
        np_rps = statistics.median(r["rps"] for r in runs["needlepoint"])
        bare_rps = statistics.median(r["rps"] for r in runs["bare"])
        floor_rps = statistics.median(r["rps"] for r in runs["fastapi_floor"])
        commits = sqlite_commit_rate(server_cpu, tmp)

        with pinned(generator_cpu):
            fixed = asyncio.run(_paced("127.0.0.1", port, path, cookie, np_rps / 2, args.duration))
            writes = run_writes(base, cookie, write_sessions, args.duration, csrf)

        reads = {
            "request": "GET /api/v1/sessions/{id}/chart (signed chart, session cookie)",
            "bytes": len(captured.content),
            "needlepoint_rps": round(np_rps, 1),
            "bare_rps": round(bare_rps, 1),
            "ratio": round(np_rps / bare_rps, 3),
            "fastapi_floor_rps": round(floor_rps, 1),
            "fastapi_floor_ratio": round(floor_rps / bare_rps, 3),
            "ratio_to_fastapi_floor": round(np_rps / floor_rps, 3),
            "sqlite_full_commits_per_s": commits,
            "commit_ceiling_ratio": round(min(commits, floor_rps) / bare_rps, 3),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs["needlepoint"]),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs["needlepoint"]),
            "bare_p50_ms": statistics.median(r["p50_ms"] for r in runs["bare"]),
            "bare_p99_ms": statistics.median(r["p99_ms"] for r in runs["bare"]),
            "fixed_rate": fixed,
            "runs": runs,
        }
        if args.vs is not None:
            vs_rps = statistics.median(r["rps"] for r in runs["vs"])
            reads["vs"] = {
                "command": str(args.vs),
                "rps": round(vs_rps, 1),
                "ratio_to_fastapi_floor": round(vs_rps / floor_rps, 3),
                "needlepoint_over_vs": round(np_rps / vs_rps, 3),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs["vs"]),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs["vs"]),
            }
        errors = sum(writes["errors"].values())
        targets = {
            "read_ratio": {
                "target": f">= {TARGET_READ_RATIO}",
                "value": reads["ratio"],
                "pass": reads["ratio"] >= TARGET_READ_RATIO,
            },
            "p99_at_half_max": {
                "target": f"<= {TARGET_P99_MS} ms",
                "value": fixed["p99_ms"],
                "pass": fixed["p99_ms"] <= TARGET_P99_MS and fixed["non_200"] == 0,
            },
            "chart_writes_per_s": {
                "target": f">= {TARGET_WRITES_PER_S}",
                "value": writes["writes_per_s"],
                "pass": writes["writes_per_s"] >= TARGET_WRITES_PER_S
                and writes["errors"]["server_error"] == 0,
            },
        }
        result = {
            "reads": reads,
            "writes": {
                "request": "POST /api/v1/sessions/{id}/chart (amendment, expected_version=latest)",
                "database": "SQLite, WAL, synchronous=FULL",
                **writes,
                "error_total": errors,
            },
            "targets": targets,
            "pass": all(t["pass"] for t in targets.values()),
            "machine": {
                "cpus": os.cpu_count(),
                "layout": layout,
                "python": sys.version.split()[0],
                "wrk": "-t1 -c16 --latency",
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "reps": args.reps,
            },
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=2))
    finally:
        children.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
