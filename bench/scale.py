"""Benchmark: the hot pages and API reads at 10k, 100k and 1M patients on PostgreSQL (issue 13).

Not a test: it prints a Markdown table and writes bench/results/scale.json. For each N given
(``--patients 10000,100000``), in the same run:

* a scratch PostgreSQL database (``--postgres``, default the local server) is created,
  migrated with the project's migrations, given the demo clinic (`needlepoint demo`) and then
  N patients with their histories by bench/scale_seed.py (set-based SQL; half of them in the
  demo clinic, the rest in ``--clinics - 1`` others). The seeding time and row counts are kept.
* `needlepoint serve` runs on it, signed in as the demo clinician, and each target is measured
  as bench/web.py measures pages: wrk (-t1 -c4, closed loop) after a warm-up, interleaved runs,
  p50/p95 from wrk's own percentiles, every non-200 counted, a 30 s timeout (wrk's 2 s would
  drop the slowest requests from the percentiles). Targets: the dashboard; the
  patient search by a family-name prefix, a full name, an email and a date of birth; a
  patient's page; the API's patient list, first page, a deep page by ``offset`` and the same
  page by keyset (``after``); the day calendar (today, a lane per practitioner).
* baseline: bare Starlette answering the dashboard's bytes (bench/bare_app.py), measured with
  them; each target's rps is also given as a ratio to it.
* every size is seeded and served first; then each round measures each target at every size
  in turn (dashboard at 10k, at 100k, search at 10k, ...), so a growth compares figures taken
  seconds apart, whatever else the machine is doing.
* the databases are dropped afterwards (``--keep`` keeps them and prints their URLs).

The table gives p95 at each N and its growth, p95 at N / p95 at the smallest N. Issue 13's
targets, at 1M: dashboard p95 <= 50 ms, every search and any list page p95 <= 25 ms, and p95 at
1M within 2x of p95 at 10k. They are printed as verdicts only for the largest N when it is at
least 1M.

Layout, wrk install and process handling are bench/api.py's.

Usage: python bench/scale.py [--patients 10000,100000] [--clinics 4] [--duration 3] [--reps 2]
       (make bench runs 10k and 100k; 1M by hand: --patients 10000,1000000)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from api import API, NEEDLEPOINT, ROOT, Children, cores, ensure_wrk, free_port, wait_until_up
from scale_seed import AUDIT_KEY, Plan, Seeded, seed
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from web import (
    BASELINE,
    LUA,
    Setup,
    run_wrk,
    serve_baseline,
    sign_in,
    summarise,
    wrk_command,
)

from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import upgrade
from needlepoint.entrypoints.cli.progress import progress_bars

RESULTS = ROOT / "bench" / "results" / "scale.json"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PAGE_SIZE = 50
WRK_TIMEOUT = "30s"
"""wrk's own is 2 s, and a request slower than that is counted as a socket error and left out of
the percentiles: at 1M some targets take seconds under four connections, and their p95 must
show it."""
DEEP_FRACTION = 0.9
"""The deep page starts this far into the home clinic's patients."""

#: Issue 13's p95 targets at 1M patients, by target name prefix; and the growth allowed.
TARGETS_MS = {"dashboard": 50.0, "search": 25.0, "api_list": 25.0}
TARGET_GROWTH = 2.0
TARGET_AT = 1_000_000


# --------------------------------------------------------------------------- database


@contextmanager
def scratch_database(admin_url: str, patients: int, *, keep: bool) -> Iterator[str]:
    """A new, empty database on the server of ``admin_url``; dropped afterwards."""
    name = f"needlepoint_scale_{patients}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        if keep:
            print(f"kept {make_url(url)!r}", file=sys.stderr)
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare_database(url: str, env: dict[str, str], plan: Plan) -> tuple[Seeded, float]:
    """Migrate, add the demo clinic, seed ``plan``; returns what was seeded and the seconds."""
    upgrade(url)
    subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
    engine = make_engine(url)
    try:
        started = time.monotonic()
        with progress_bars() as step:  # on stderr, and only on a terminal
            seeded = seed(engine, plan, step)
        return seeded, time.monotonic() - started
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True, slots=True)
class Someone:
    """A seeded patient of the home clinic with a completed series, to look up every way."""

    id: str
    given_name: str
    family_name: str
    email: str
    born_on: date


def someone(engine: Engine, seeded: Seeded) -> Someone:
    query = text("""
        SELECT p.id, p.given_name, p.family_name, p.email, p.born_on
        FROM patient p JOIN treatment_series s ON s.patient_id = p.id
        WHERE p.clinic_id = :clinic AND s.status = 'completed' AND p.email IS NOT NULL
        ORDER BY p.id LIMIT 1
    """)
    with engine.connect() as connection:
        row = connection.execute(query, {"clinic": seeded.home_clinic_id}).one()
    return Someone(str(row.id), row.given_name, row.family_name, row.email, row.born_on)


def deep_page(engine: Engine, seeded: Seeded) -> tuple[int, str]:
    """The offset of the deep page, and the id of the patient listed just before it."""
    with engine.connect() as connection:
        total = connection.execute(
            text("SELECT count(*) FROM patient WHERE clinic_id = :clinic"),
            {"clinic": seeded.home_clinic_id},
        ).scalar_one()
        offset = int(total * DEEP_FRACTION)
        before = connection.execute(
            text("""
                SELECT id FROM patient WHERE clinic_id = :clinic
                ORDER BY family_name, given_name, id OFFSET :offset LIMIT 1
            """),
            {"clinic": seeded.home_clinic_id, "offset": offset - 1},
        ).scalar_one()
    return offset, str(before)


def target_paths(person: Someone, offset: int, after: str, today: date) -> dict[str, str]:
    """Each measured request's path and query, by name."""
    listed = f"{API}/patients?limit={PAGE_SIZE}"
    return {
        "dashboard": "/",
        "search_prefix": f"/patients?q={person.family_name[:4]}",
        "search_full_name": f"/patients?q={person.given_name}+{person.family_name}",
        "search_email": f"/patients?q={person.email}",
        "search_born_on": f"/patients?q={person.born_on.isoformat()}",
        "patient": f"/patients/{person.id}",
        "api_list_first": listed,
        "api_list_deep_offset": f"{listed}&offset={offset}",
        "api_list_deep_after": f"{listed}&after={after}",
        "calendar_day": f"/calendar?view=day&by=practitioner&on={today.isoformat()}",
    }


def capture(client: httpx.Client, paths: dict[str, str]) -> dict[str, httpx.Response]:
    """Each target once; anything but a 200 stops the run (a broken page measures nothing)."""
    answers = {name: client.get(path) for name, path in paths.items()}
    for name, answer in answers.items():
        if answer.status_code != 200 or 'name="password"' in answer.text:
            sys.exit(f"{name} ({paths[name]}) answered {answer.status_code}: {answer.text[:300]}")
    return answers


# --------------------------------------------------------------------------- one size


@dataclass(frozen=True, slots=True)
class Size:
    """One size, seeded and served: what measuring and reporting it need."""

    setup: Setup
    seeded: Seeded
    seed_s: float
    layout: str
    offset: int
    finds: dict[str, bool]


def prepare_size(
    patients: int,
    args: argparse.Namespace,
    tmp: Path,
    today: date,
    stack: ExitStack,
    children: Children,
) -> Size:
    """Seed ``patients`` in a scratch database (dropped when ``stack`` closes) and serve them."""
    server_cpu, _, layout = cores()
    data = tmp / f"data-{patients}"
    data.mkdir()
    url = stack.enter_context(scratch_database(args.postgres, patients, keep=args.keep))
    env = {
        **os.environ,
        "NEEDLEPOINT_DATA_DIR": str(data),
        "NEEDLEPOINT_DATABASE_URL": url,
        "NEEDLEPOINT_DEVELOPMENT": "1",
        "NEEDLEPOINT_AUDIT_KEY": AUDIT_KEY,
    }
    seeded, seed_s = prepare_database(url, env, Plan(patients, args.clinics, today))
    print(f"{patients} patients seeded in {seed_s:.1f} s: {seeded.counts}", file=sys.stderr)
    engine = make_engine(url)
    try:
        person, (offset, after) = someone(engine, seeded), deep_page(engine, seeded)
    finally:
        engine.dispose()
    paths = target_paths(person, offset, after, today)
    setup, finds = serve(children, server_cpu, env, data, paths, person.id)
    return Size(setup, seeded, seed_s, layout, offset, finds)


def measure(
    sizes: dict[int, Size], args: argparse.Namespace, wrk: str, script: Path
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Warm every target of every size up, then ``reps`` rounds over all of them.

    Each round takes the targets in turn and, for each, every size one after the other, so a
    size's figures and the smallest size's are seconds apart whatever the machine is doing.
    The wrk timeout is ``WRK_TIMEOUT``.
    """
    _, generator_cpu, _ = cores()

    def command(size: Size, url: str, seconds: float) -> list[str]:
        cookie, connections = size.setup.cookie, args.connections
        base = wrk_command(wrk, generator_cpu, url, cookie, seconds, script, connections)
        return [*base[:-1], "--timeout", WRK_TIMEOUT, base[-1]]

    names = list(next(iter(sizes.values())).setup.urls)
    order = [(name, n) for name in names for n in sorted(sizes)]
    for name, n in order:
        run_wrk(command(sizes[n], sizes[n].setup.urls[name], args.warmup))
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {n: {k: [] for k in names} for n in sizes}
    for _ in range(args.reps):
        for name, n in order:
            url = sizes[n].setup.urls[name]
            runs[n][name].append(run_wrk(command(sizes[n], url, args.duration)))
    return runs


def serve(
    children: Children,
    server_cpu: list[str],
    env: dict[str, str],
    data: Path,
    paths: dict[str, str],
    person_id: str,
) -> tuple[Setup, dict[str, bool]]:
    """Start the app and the baseline, sign in and capture every target once.

    Also whether each search's first page lists the patient looked up (a prefix shared by
    thousands may not: it is recorded, not required).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = data / "serve.log"
    children.start([*server_cpu, str(NEEDLEPOINT), "serve", "--port", str(port)], env, log)
    wait_until_up(f"{base}/login", children, timeout=60)
    with httpx.Client(base_url=base, timeout=60) as client:
        cookie = sign_in(client)
        answers = capture(client, paths)
    bare = serve_baseline(children, server_cpu, env, data, answers["dashboard"])
    urls = {BASELINE: bare, **{name: f"{base}{path}" for name, path in paths.items()}}
    sizes = {name: len(answer.content) for name, answer in answers.items()}
    statuses = {name: answer.status_code for name, answer in answers.items()}
    finds = {name: person_id in answer.text for name, answer in answers.items() if "search" in name}
    for name in ("search_full_name", "search_email", "search_born_on"):
        if not finds[name]:
            print(f"{name} did not list the patient looked up", file=sys.stderr)
    return Setup(urls, cookie, paths, sizes, statuses), finds


def report_size(size: Size, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """One size's figures: each target's, the baseline's, and what was seeded."""
    setup, seeded = size.setup, size.seeded
    baseline = summarise(runs[BASELINE])
    targets = {}
    for name, path in setup.routes.items():
        summary = summarise(runs[name])
        ratio = round(summary["rps"] / baseline["rps"], 3) if baseline["rps"] else None
        targets[name] = {
            "request": f"GET {path}",
            "bytes": setup.sizes[name],
            **summary,
            "ratio_vs_bare": ratio,
            "runs": runs[name],
        }
    return {
        "seeding_s": round(size.seed_s, 1),
        "seeding_phases_s": seeded.phases_s,
        "home_clinic_patients": seeded.home_patients,
        "practitioners_by_clinic": seeded.practitioners,
        "rows": seeded.counts,
        "deep_offset": size.offset,
        "layout": size.layout,
        "finds_the_patient": size.finds,
        "targets": targets,
        "baseline": {"request": "bare Starlette, the dashboard's bytes", **baseline},
    }


# --------------------------------------------------------------------------- all sizes


def growth(sizes: dict[int, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """p95 at each N over p95 at the smallest N, per target."""
    smallest = sizes[min(sizes)]["targets"]
    out: dict[str, dict[str, float | None]] = {}
    for name, first in smallest.items():
        out[name] = {
            str(n): round(size["targets"][name]["p95_ms"] / first["p95_ms"], 2)
            if first["p95_ms"]
            else None
            for n, size in sizes.items()
        }
    return out


def verdicts(sizes: dict[int, dict[str, Any]]) -> dict[str, str]:
    """Issue 13's targets, judged at the largest N when it is at least 1M."""
    largest = max(sizes)
    if largest < TARGET_AT or len(sizes) < 2:
        return {}
    ratios = growth(sizes)
    out = {}
    for name, target in sizes[largest]["targets"].items():
        limit = next((ms for prefix, ms in TARGETS_MS.items() if name.startswith(prefix)), None)
        grew = ratios[name][str(largest)]
        reasons = []
        if limit is not None and target["p95_ms"] > limit:
            reasons.append(f"p95 > {limit:g} ms")
        if limit is not None and (grew is None or grew > TARGET_GROWTH):
            reasons.append(f"growth > {TARGET_GROWTH:g}x")
        if target["non_200"] or target["socket_errors"]:
            reasons.append("errors")
        if limit is not None or reasons:
            out[name] = "pass" if not reasons else "FAIL (" + ", ".join(reasons) + ")"
    return out


def markdown(sizes: dict[int, dict[str, Any]]) -> str:
    ns = sorted(sizes)
    ratios = growth(sizes)
    judged = verdicts(sizes)
    head = [f"p50/p95 ms at {n:,}" for n in ns] + [f"growth p95 {n:,}" for n in ns[1:]]
    lines = [
        "| target | " + " | ".join(head) + (" | issue 13 target |" if judged else " |"),
        "|---|" + "---:|" * len(head) + ("---|" if judged else ""),
    ]
    for name in sizes[ns[0]]["targets"]:
        cells = [
            f"{sizes[n]['targets'][name]['p50_ms']:.1f} / {sizes[n]['targets'][name]['p95_ms']:.1f}"
            for n in ns
        ]
        cells += [f"{ratios[name][str(n)]}x" for n in ns[1:]]
        tail = f" {judged.get(name, '')} |" if judged else ""
        lines.append(f"| {name} | " + " | ".join(cells) + " |" + tail)
    bare = [
        f"{sizes[n]['baseline']['p50_ms']:.1f} / {sizes[n]['baseline']['p95_ms']:.1f}" for n in ns
    ]
    filler = [""] * (len(ns) - 1) + ([""] if judged else [])
    lines.append("| bare Starlette (dashboard bytes) | " + " | ".join(bare + filler) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--clinics", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("NEEDLEPOINT_SCALE_POSTGRES_URL"))
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=2, help="interleaved runs per target")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    args.postgres = args.postgres or DEFAULT_POSTGRES
    ns = sorted({int(n) for n in args.patients.split(",")})

    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-bench-scale-"))
    try:
        script = tmp / "figures.lua"
        script.write_text(LUA, encoding="utf-8")
        today = date.today()
        with ExitStack() as stack:
            children = Children()
            try:
                prepared = {n: prepare_size(n, args, tmp, today, stack, children) for n in ns}
                runs = measure(prepared, args, wrk, script)
            finally:
                children.stop()
        sizes = {n: report_size(prepared[n], runs[n]) for n in ns}
        result = {
            "patients": ns,
            "clinics": args.clinics,
            "growth_p95": growth(sizes),
            "verdicts": verdicts(sizes),
            "sizes": {str(n): size for n, size in sizes.items()},
            "machine": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "wrk": f"-t1 -c{args.connections} (closed loop), Lua percentiles",
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "reps": args.reps,
            },
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(markdown(sizes))
        print(
            json.dumps({"verdicts": result["verdicts"], "results": str(RESULTS.relative_to(ROOT))})
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
