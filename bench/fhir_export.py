"""Benchmark: the FHIR Bulk Data export's throughput (resources/s) at N patients (issue 15).

Not a test: it prints a Markdown table and writes bench/results/fhir_export.json. For each N
given (``--patients 2000``; the 100k figure: ``--patients 100000``), in the same run:

* a scratch PostgreSQL database (``--postgres``, default the local server) is migrated, given
  the demo clinic (`needlepoint demo`) and N patients with their histories in that clinic by
  bench/scale_seed.py, dated a year back, clear of the demo's visits (30 % with a completed
  series of charted sessions at attended appointments, 10 % consulted only, the rest
  registered; set-based SQL, a progress bar on a terminal). The seeding time is kept, not
  judged. (The seeded charts copy the demo's sealed notes, which do not open under another
  row: the export logs each such row's id and leaves the note out, as it would any.)
* measured: the export of the whole clinic as the command line runs it
  (`needlepoint export fhir`: ``BulkExport.export_to``, one NDJSON file per resource type
  written to a scratch folder), from the first read to the last line; resources/s is the
  lines written over the seconds taken. The job is the API's, less its thread.
* baseline, the same run: the floor of reading that much and writing it as NDJSON, the
  clinic's rows of the tables the export reads most (patient, consultation, treatment
  series and session, chart version, appointment) streamed by plain SQL and written with
  ``json.dumps``, one line a row; rows/s. The export's ratio to it says what the mapping
  (gathering each record, building and validating each ``fhir.resources`` model) costs.

Target: >= 1,000 resources/s at 100k patients.

Usage: python bench/fhir_export.py [--patients 2000] [--postgres URL] [--keep]
       (100k: python bench/fhir_export.py --patients 100000)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from api import NEEDLEPOINT, ROOT
from scale import DEFAULT_POSTGRES, scratch_database
from scale_seed import AUDIT_KEY, Plan, seed
from sqlalchemy import Engine, text

from needlepoint.adapters.bulk_files import NdjsonFiles
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import upgrade
from needlepoint.bootstrap import bootstrap
from needlepoint.entrypoints.cli.progress import progress_bars
from needlepoint.services.audit import OperatorContext

RESULTS = ROOT / "bench" / "results" / "fhir_export.json"
TARGET_RESOURCES_PER_S = 1000.0
TARGET_AT = 100_000
SEEDED_BEFORE = timedelta(days=400)
BASELINE_TABLES = {
    "patient": "SELECT * FROM patient WHERE clinic_id = :clinic",
    "consultation": "SELECT * FROM consultation WHERE clinic_id = :clinic",
    "treatment_series": "SELECT * FROM treatment_series WHERE clinic_id = :clinic",
    "treatment_session": "SELECT s.* FROM treatment_session s JOIN treatment_series t "
    "ON t.id = s.series_id WHERE t.clinic_id = :clinic",
    "chart_version": "SELECT c.* FROM chart_version c JOIN treatment_session s "
    "ON s.id = c.session_id JOIN treatment_series t ON t.id = s.series_id "
    "WHERE t.clinic_id = :clinic",
    "appointment": "SELECT * FROM appointment WHERE clinic_id = :clinic",
}


@dataclass(frozen=True, slots=True)
class Measured:
    """One size's figures."""

    patients: int
    seed_s: float
    resources: int
    export_s: float
    by_type: dict[str, int]
    baseline_rows: int
    baseline_s: float

    @property
    def resources_per_s(self) -> float:
        return self.resources / self.export_s

    @property
    def baseline_rows_per_s(self) -> float:
        return self.baseline_rows / self.baseline_s

    @property
    def ratio(self) -> float:
        return self.resources_per_s / self.baseline_rows_per_s


def prepare(url: str, env: dict[str, str], patients: int) -> tuple[UUID, float]:
    """Migrate, add the demo clinic, seed ``patients`` into it; its id and the seconds."""
    upgrade(url)
    subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
    engine = make_engine(url)
    try:
        started = time.monotonic()
        with progress_bars() as step:
            # The seeded schedule ends a year before the demo's visits (its own "today"), so
            # that no seeded appointment meets one of the demo's: the export reads them alike.
            seeded = seed(engine, Plan(patients, 1, date.today() - SEEDED_BEFORE), step)
        return seeded.home_clinic_id, time.monotonic() - started
    finally:
        engine.dispose()


def export_clinic(clinic_id: UUID, out: Path) -> tuple[dict[str, int], float]:
    """The export as `needlepoint export fhir` runs it; resources by type and the seconds."""
    services = bootstrap()
    try:
        export = services.bulk_export
        total = export.resources.patient_count(clinic_id)
        with progress_bars() as step:

            def on_resource(resource_type: str, count: int) -> None:
                if resource_type == "Patient":
                    step("exporting patients", count, total)

            started = time.monotonic()
            job = export.export_to(
                clinic_id,
                NdjsonFiles(out, flat=True),
                context=OperatorContext(request_id="bench-fhir-export"),
                on_progress=on_resource,
            )
            seconds = time.monotonic() - started
    finally:
        services.database.close()
    return {f.resource_type: f.resource_count for f in job.files}, seconds


def baseline(engine: Engine, clinic_id: UUID, out: Path) -> tuple[int, float]:
    """The clinic's rows of the export's main tables, read and written as NDJSON; the seconds."""
    rows = 0
    started = time.monotonic()
    with engine.connect() as connection, (out / "baseline.ndjson").open("w") as target:
        for sql in BASELINE_TABLES.values():
            result = connection.execution_options(yield_per=2000).execute(
                text(sql), {"clinic": clinic_id}
            )
            for row in result.mappings():
                target.write(json.dumps(dict(row), default=str, separators=(",", ":")) + "\n")
                rows += 1
    return rows, time.monotonic() - started


def measure(patients: int, args: argparse.Namespace, tmp: Path) -> Measured:
    data = tmp / f"data-{patients}"
    data.mkdir()
    with scratch_database(args.postgres, patients, keep=args.keep) as url:
        env = {
            **os.environ,
            "NEEDLEPOINT_DATA_DIR": str(data),
            "NEEDLEPOINT_DATABASE_URL": url,
            "NEEDLEPOINT_DEVELOPMENT": "1",
            "NEEDLEPOINT_AUDIT_KEY": AUDIT_KEY,
        }
        os.environ.update({k: v for k, v in env.items() if k.startswith("NEEDLEPOINT_")})
        clinic_id, seed_s = prepare(url, env, patients)
        by_type, export_s = export_clinic(clinic_id, tmp / f"export-{patients}")
        engine = make_engine(url)
        try:
            rows, baseline_s = baseline(engine, clinic_id, tmp)
        finally:
            engine.dispose()
    return Measured(patients, seed_s, sum(by_type.values()), export_s, by_type, rows, baseline_s)


def table(results: list[Measured]) -> str:
    lines = [
        "| patients | resources | export s | resources/s | baseline rows/s | ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {m.patients} | {m.resources} | {m.export_s:.1f} | {m.resources_per_s:.0f} | "
        f"{m.baseline_rows_per_s:.0f} | {m.ratio:.3f} |"
        for m in results
    ]
    return "\n".join(lines)


def verdict(results: list[Measured]) -> str | None:
    largest = max(results, key=lambda m: m.patients)
    if largest.patients < TARGET_AT:
        return None
    ok = largest.resources_per_s >= TARGET_RESOURCES_PER_S
    return (
        f"{'PASS' if ok else 'FAIL'}: {largest.resources_per_s:.0f} resources/s at "
        f"{largest.patients} patients (target >= {TARGET_RESOURCES_PER_S:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", default="2000", help="comma-separated sizes")
    parser.add_argument(
        "--postgres", default=os.environ.get("NEEDLEPOINT_SCALE_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    sizes = [int(n) for n in args.patients.split(",")]
    with tempfile.TemporaryDirectory(prefix="needlepoint-fhir-bench-") as folder:
        results = [measure(n, args, Path(folder)) for n in sizes]
    print(table(results))
    said = verdict(results)
    if said:
        print(said)
    result: dict[str, Any] = {
        "sizes": [
            {
                "patients": m.patients,
                "seed_s": round(m.seed_s, 1),
                "resources": m.resources,
                "by_type": m.by_type,
                "export_s": round(m.export_s, 2),
                "resources_per_s": round(m.resources_per_s, 1),
                "baseline_rows": m.baseline_rows,
                "baseline_rows_per_s": round(m.baseline_rows_per_s, 1),
                "ratio_to_baseline": round(m.ratio, 4),
            }
            for m in results
        ],
        "verdict": said,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"results: {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
