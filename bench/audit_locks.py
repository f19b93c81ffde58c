"""Benchmark: audited chart reads by one and by two app processes over one PostgreSQL (issue 13).

Not a test: it prints JSON and writes bench/results/audit_locks.json. A scratch database is
made on the server (NEEDLEPOINT_BENCH_POSTGRES, default the local trust-auth postgres), seeded
with the demo clinic, and dropped at the end. Then, interleaved:

* one process: `needlepoint serve` on one port, wrk -t1 -c16 on the chart read;
* two processes: two `needlepoint serve` on two ports (one shared NEEDLEPOINT_AUDIT_KEY, as
  several workers of one installation need), wrk -t1 -c8 on each, at once.

While wrk runs, a sampler reads pg_stat_activity every 20 ms and counts the app's backends
waiting on a lock (wait_event_type = 'Lock', advisory or otherwise). Targets: no lock waits,
and two processes' throughput >= one process's. Figures are ratios within the run: this
2-core machine is shared and noisy.

Usage: python bench/audit_locks.py [--duration 5] [--reps 2]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import (
    API,
    CLINICIAN,
    NEEDLEPOINT,
    ROOT,
    Children,
    ensure_wrk,
    find_signed_chart,
    free_port,
    run_wrk,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results" / "audit_locks.json"
ADMIN_URL = os.environ.get(
    "NEEDLEPOINT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SAMPLE_S = 0.02
LOCK_WAITS = """SELECT count(*) FROM pg_stat_activity
WHERE datname = %s AND wait_event_type = 'Lock'"""
BACKENDS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
)


class Sampler:
    """Counts, every SAMPLE_S, the database's backends waiting on a lock."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.samples: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            while not self._stop.is_set():
                waiting = connection.execute(LOCK_WAITS, (self.database,)).fetchone()
                backends = connection.execute(BACKENDS, (self.database,)).fetchone()
                self.samples.append(
                    (int(waiting[0]) if waiting else 0, int(backends[0]) if backends else 0)
                )
                time.sleep(SAMPLE_S)

    def summary(self) -> dict[str, Any]:
        waits = [w for w, _ in self.samples]
        return {
            "samples": len(waits),
            "samples_with_lock_waits": sum(1 for w in waits if w),
            "mean_waiting": round(statistics.fmean(waits), 3) if waits else 0.0,
            "max_waiting": max(waits, default=0),
            "mean_backends": round(statistics.fmean(b for _, b in self.samples), 1)
            if waits
            else 0.0,
        }


def in_parallel(calls: list[Callable[[], dict[str, Any]]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = [{} for _ in calls]

    def run(n: int) -> None:
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()

    wrk = ensure_wrk()
    database = f"needlepoint_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{url}/{database}"
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-locks-"))
    env = {
        **os.environ,
        "NEEDLEPOINT_DATA_DIR": str(tmp / "data"),
        "NEEDLEPOINT_DATABASE_URL": url,
        "NEEDLEPOINT_DEVELOPMENT": "1",
        "NEEDLEPOINT_AUDIT_KEY": secrets.token_hex(32),
        "NEEDLEPOINT_WEB_SECRET": secrets.token_hex(32),
        "NEEDLEPOINT_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    children = Children()
    try:
        subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
        ports = [free_port(), free_port()]
        for port in ports:
            children.start(
                [str(NEEDLEPOINT), "serve", "--port", str(port)], env, tmp / f"{port}.log"
            )
        for port in ports:
            wait_until_up(f"http://127.0.0.1:{port}{API}/openapi.json", children)
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=30) as client:
            client.post(
                f"{API}/auth/login", json={"email": CLINICIAN[0], "password": CLINICIAN[1]}
            ).raise_for_status()
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            path = f"{API}/sessions/{find_signed_chart(client)}/chart"
        urls = [f"http://127.0.0.1:{port}{path}" for port in ports]

        def one() -> list[dict[str, Any]]:
            return [run_wrk(wrk, [], urls[0], cookie, args.duration, connections=16)]

        def eight_on(u: str) -> Callable[[], dict[str, Any]]:
            return lambda: run_wrk(wrk, [], u, cookie, args.duration, connections=8)

        def two() -> list[dict[str, Any]]:
            return in_parallel([eight_on(u) for u in urls])

        for u in urls:
            run_wrk(wrk, [], u, cookie, args.warmup)
        runs: dict[str, list[dict[str, Any]]] = {"one_process": [], "two_processes": []}
        for _ in range(args.reps):
            for name, load in (("one_process", one), ("two_processes", two)):
                with Sampler(database) as sampler:
                    answers = load()
                runs[name].append(
                    {
                        "rps": round(sum(a["rps"] for a in answers), 1),
                        "non_2xx": sum(a["non_2xx"] for a in answers),
                        "lock_waits": sampler.summary(),
                    }
                )
        one_rps = statistics.median(r["rps"] for r in runs["one_process"])
        two_rps = statistics.median(r["rps"] for r in runs["two_processes"])
        waits = sum(r["lock_waits"]["samples_with_lock_waits"] for rs in runs.values() for r in rs)
        result = {
            "request": "GET /api/v1/sessions/{id}/chart (audited read, session cookie)",
            "database": "PostgreSQL (scratch database, demo clinic)",
            "one_process_rps": one_rps,
            "two_processes_rps": two_rps,
            "two_over_one": round(two_rps / one_rps, 3),
            "samples_with_lock_waits": waits,
            "targets": {
                "no_lock_waits": waits == 0,
                "two_not_below_one": two_rps >= one_rps,
            },
            "runs": runs,
            "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
        }
    finally:
        children.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
