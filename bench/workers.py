"""Benchmark: one server process against two (`serve --workers 2`) on PostgreSQL (issue 13).

Not a test: it prints JSON and writes bench/results/workers.json. Both figures come from the
same run, because these machines are noisy:

* a fresh PostgreSQL database (dropped afterwards) with the demo clinic (`needlepoint demo`);
* two servers over it at once, `needlepoint serve --workers 1` and `--workers 2`, with the same
  `NEEDLEPOINT_WEB_SECRET`; the demo clinician signs in once and the same cookie reads on both;
* a read load: wrk (-t1 -c8, closed loop) on the audited chart read
  (`GET /api/v1/sessions/{id}/chart`, each read commits one audit event), runs interleaved
  (1 worker, 2 workers, 1 worker, …) after a warm-up of each;
* during every measured run a thread samples `pg_stat_activity` of the database every 50 ms:
  how many connections are waiting, on what (`wait_event_type`/`wait_event`), and how many on
  a lock (`wait_event_type = 'Lock'`: row, transaction and advisory locks).

Reported: requests/s for each, the ratio 2 workers / 1 worker, and per setting the mean number
of connections waiting on a lock per sample, the share of samples with any, and the wait
events seen. Target (issue 13): no lock waits with 2 workers, and a ratio >= 1.

Nothing is pinned: two workers on one core would measure nothing. wrk, PostgreSQL and the
servers share the machine's cores (recorded in the output).

Usage: python bench/workers.py [--duration 5] [--reps 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
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
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

RESULTS = ROOT / "bench" / "results" / "workers.json"
POSTGRES = os.environ.get(
    "NEEDLEPOINT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SAMPLE_EVERY_S = 0.05
WORKER_COUNTS = (1, 2)

_ACTIVITY = text(
    "SELECT wait_event_type, wait_event FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend'"
)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for the run, dropped afterwards (even on error)."""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"needlepoint_bench_{uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Sampler:
    """Samples the database's client connections and their waits until stopped."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.samples: list[list[tuple[str | None, str | None]]] = []

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with self._engine.connect() as connection:
            while not self._stop.is_set():
                rows = connection.execute(_ACTIVITY).all()
                self.samples.append([(row[0], row[1]) for row in rows])
                connection.commit()
                self._stop.wait(SAMPLE_EVERY_S)


def summarise(samples: list[list[tuple[str | None, str | None]]]) -> dict[str, Any]:
    """Lock waits and other waits seen across the samples."""
    count = max(1, len(samples))
    locks = [sum(1 for kind, _ in sample if kind == "Lock") for sample in samples]
    waits: collections.Counter[str] = collections.Counter()
    for sample in samples:
        waits.update(f"{kind}:{event}" for kind, event in sample if kind is not None)
    return {
        "samples": len(samples),
        "mean_connections": round(sum(len(s) for s in samples) / count, 2),
        "mean_waiting_on_a_lock": round(sum(locks) / count, 3),
        "share_of_samples_with_a_lock_wait": round(sum(1 for n in locks if n) / count, 3),
        "wait_events_per_sample": {
            name: round(seen / count, 3) for name, seen in waits.most_common(8)
        },
    }


def start_servers(children: Children, env: dict[str, str], tmp: Path) -> dict[int, str]:
    """``needlepoint serve --workers N`` for each N, each on its own port; their base URLs."""
    bases = {}
    for workers in WORKER_COUNTS:
        port = free_port()
        command = [str(NEEDLEPOINT), "serve", "--port", str(port), "--workers", str(workers)]
        children.start(command, env, tmp / f"serve-{workers}.log")
        bases[workers] = f"http://127.0.0.1:{port}"
    for base in bases.values():
        wait_until_up(f"{base}{API}/openapi.json", children)
    return bases


def measure(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    """The whole run over one database; the servers are stopped before it is dropped."""
    wrk = ensure_wrk()
    secret = uuid4().hex + uuid4().hex
    env = {
        **os.environ,
        "NEEDLEPOINT_DATA_DIR": str(tmp / "data"),
        "NEEDLEPOINT_DATABASE_URL": url,
        "NEEDLEPOINT_DEVELOPMENT": "1",
        "NEEDLEPOINT_WEB_SECRET": secret,
        "NEEDLEPOINT_AUDIT_KEY": uuid4().hex + uuid4().hex,
        "NEEDLEPOINT_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
    children = Children()
    engine = create_engine(url)
    try:
        bases = start_servers(children, env, tmp)
        with httpx.Client(base_url=bases[1], timeout=30) as client:
            login = {"email": CLINICIAN[0], "password": CLINICIAN[1]}
            client.post(f"{API}/auth/login", json=login).raise_for_status()
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            path = f"{API}/sessions/{find_signed_chart(client)}/chart"
        urls = {workers: f"{base}{path}" for workers, base in bases.items()}
        for target in urls.values():
            run_wrk(wrk, [], target, cookie, args.warmup, args.connections)
        runs: dict[int, list[dict[str, Any]]] = {w: [] for w in urls}
        samples: dict[int, list[list[tuple[str | None, str | None]]]] = {w: [] for w in urls}
        for _ in range(args.reps):
            for workers, target in urls.items():
                with Sampler(engine) as sampler:
                    runs[workers].append(
                        run_wrk(wrk, [], target, cookie, args.duration, args.connections)
                    )
                samples[workers].extend(sampler.samples)
    finally:
        children.stop()
        engine.dispose()
    return report(args, runs, samples)


def report(
    args: argparse.Namespace,
    runs: dict[int, list[dict[str, Any]]],
    samples: dict[int, list[list[tuple[str | None, str | None]]]],
) -> dict[str, Any]:
    """Medians, the ratio, the waits seen and the targets."""
    settings = {
        f"{workers}_workers": {
            "rps": statistics.median(r["rps"] for r in runs[workers]),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs[workers]),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs[workers]),
            "non_2xx": sum(r["non_2xx"] for r in runs[workers]),
            "runs_rps": [r["rps"] for r in runs[workers]],
            "pg_stat_activity": summarise(samples[workers]),
        }
        for workers in runs
    }
    one, two = settings["1_workers"], settings["2_workers"]
    ratio = round(two["rps"] / one["rps"], 3)
    lock_waits = two["pg_stat_activity"]["mean_waiting_on_a_lock"]
    return {
        "request": "GET /api/v1/sessions/{id}/chart (audited read, session cookie), PostgreSQL",
        **settings,
        "ratio_2_workers_to_1": ratio,
        "targets": {
            "ratio": {"target": ">= 1", "value": ratio, "pass": ratio >= 1},
            "lock_waits_with_2_workers": {
                "target": "0 connections waiting on a lock per sample",
                "value": lock_waits,
                "pass": lock_waits == 0,
            },
        },
        "machine": {
            "cpus": os.cpu_count(),
            "layout": "nothing pinned: wrk, PostgreSQL and the servers share the cores",
            "python": sys.version.split()[0],
            "wrk": f"-t1 -c{args.connections}",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "reps": args.reps,
            "sample_every_s": SAMPLE_EVERY_S,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--reps", type=int, default=3, help="interleaved runs per setting")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="needlepoint-workers-") as tmp,
        scratch_database() as url,
    ):
        result = measure(args, url, Path(tmp))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
