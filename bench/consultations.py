"""Benchmark: consultations evaluated per second (in-process) and `needlepoint consult` time.

Not a test: it prints figures and writes bench/results/consultations.json. Every figure comes
with a baseline measured in the same run on the same machine, because these machines are
noisy and absolute numbers do not transfer:

* in-process throughput over every example (parse + validate + screen + grade + plan + time
  + report), single process = one core. Baseline: validating the same documents only
  (Pydantic intake), so the ratio shows what the clinical engine costs on top of parsing.
  Target: >= 2,000 consultations/s.
* whole-process time of `needlepoint consult EXAMPLE --json`, median of N runs, and of the
  readable (Rich) report for the same file. Baseline: the same interpreter starting and
  exiting (`python -c pass`). Target: <= 300 ms median.

Usage: python bench/consultations.py [--seconds 3] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FixedClock  # noqa: E402
from needlepoint.bootstrap import bootstrap  # noqa: E402
from needlepoint.config import Settings  # noqa: E402
from needlepoint.services import intake  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
APPOINTMENT = "2026-12-07T10:00"


def throughput(work: Callable[[Any], Any], documents: list[Any], seconds: float) -> float:
    """Calls per second of ``work`` cycling over the documents for about ``seconds``."""
    for document in documents:  # warm-up
        work(document)
    done = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for document in documents:
            work(document)
        done += len(documents)
    return done / elapsed


def process_times_ms(command: list[str], runs: int) -> list[float]:
    """Wall time of a whole process, ``runs`` times (after one warm-up)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    subprocess.run(command, check=True, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    services = bootstrap(Settings(), clock=FixedClock(date(2026, 11, 22)))
    documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES]

    def engine(document: Any) -> Any:
        return services.consultation_report(document, appointment=APPOINTMENT)

    def intake_only(document: Any) -> Any:
        return intake.parse_consultation(document).to_domain()

    engine_rate = throughput(engine, documents, args.seconds)
    baseline_rate = throughput(intake_only, documents, args.seconds)

    cli = str(ROOT / ".venv" / "bin" / "needlepoint")
    consult_ms = process_times_ms([cli, "consult", str(EXAMPLES[0]), "--json"], args.runs)
    text_ms = process_times_ms([cli, "consult", str(EXAMPLES[0])], args.runs)
    python_ms = process_times_ms([sys.executable, "-c", "pass"], args.runs)

    results = {
        "examples": len(documents),
        "in_process": {
            "consultations_per_s": round(engine_rate, 1),
            "baseline_intake_only_per_s": round(baseline_rate, 1),
            "ratio_engine_to_intake": round(engine_rate / baseline_rate, 3),
            "target_per_s": 2000,
            "meets_target": engine_rate >= 2000,
        },
        "whole_process": {
            "consult_median_ms": round(statistics.median(consult_ms), 1),
            "consult_p90_ms": round(statistics.quantiles(consult_ms, n=10)[-1], 1),
            "consult_text_report_median_ms": round(statistics.median(text_ms), 1),
            "baseline_python_start_median_ms": round(statistics.median(python_ms), 1),
            "ratio_consult_to_python_start": round(
                statistics.median(consult_ms) / statistics.median(python_ms), 2
            ),
            "target_median_ms": 300,
            "meets_target": statistics.median(consult_ms) <= 300,
            "text_meets_target": statistics.median(text_ms) <= 300,
            "runs": args.runs,
        },
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "consultations.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
