"""Benchmark: consultations evaluated per second (in-process) and `needlepoint consult` time.

Not a test: it prints figures and writes bench/results/consultations.json. Every figure comes
with a baseline measured in the same run on the same machine, because these machines are
noisy and absolute numbers do not transfer:

Measurements are interleaved (engine round, baseline round, …; consult run, python run, …) so
that drift on a shared machine hits both sides alike.

* in-process throughput over every example (parse + validate + screen + grade + plan + time
  + report), single process = one core. Baseline: validating the same documents only
  (Pydantic intake), so the ratio shows what the clinical engine costs on top of parsing.
  Targets: >= 2,000 consultations/s, and (issue 13) engine/intake >= 0.2.
* whole-process time of `needlepoint consult EXAMPLE --json`, median of N runs, and of the
  readable (Rich) report for the same file. Baseline: the same interpreter starting and
  exiting (`python -c pass`). Targets: <= 300 ms median, and (issue 13) <= 15x the baseline.

Usage: python bench/consultations.py [--rounds 5] [--runs 21]   (or: make bench)
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
from needlepoint.services.consultation import intake  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
APPOINTMENT = "2026-12-07T10:00"


def throughput(work: Callable[[Any], Any], documents: list[Any], seconds: float) -> float:
    """Calls per second of ``work`` cycling over the documents for about ``seconds``."""
    done = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for document in documents:
            work(document)
        done += len(documents)
    return done / elapsed


def interleaved_rates(
    engine: Callable[[Any], Any], baseline: Callable[[Any], Any], documents: list[Any], rounds: int
) -> tuple[list[float], list[float]]:
    """Alternate engine and baseline rounds so that both see the same machine conditions."""
    for document in documents:  # warm-up: first calls build validators and caches
        engine(document)
        baseline(document)
    engine_rates, baseline_rates = [], []
    for _ in range(rounds):
        engine_rates.append(throughput(engine, documents, 1.0))
        baseline_rates.append(throughput(baseline, documents, 1.0))
    return engine_rates, baseline_rates


def process_times_ms(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Wall time of whole processes, the commands interleaved run by run (after a warm-up)."""
    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="1 s engine + 1 s baseline each")
    parser.add_argument("--runs", type=int, default=21, help="process runs per command")
    args = parser.parse_args()

    services = bootstrap(Settings(), clock=FixedClock(date(2026, 11, 22)))
    documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES]

    def engine(document: Any) -> Any:
        return services.consultation.consultation_report(document, appointment=APPOINTMENT)

    def intake_only(document: Any) -> Any:
        return intake.parse_consultation(document).to_domain()

    engine_rates, baseline_rates = interleaved_rates(engine, intake_only, documents, args.rounds)
    ratios = [e / b for e, b in zip(engine_rates, baseline_rates, strict=True)]

    cli = str(ROOT / ".venv" / "bin" / "needlepoint")
    example = str(EXAMPLES[0])
    times = process_times_ms(
        {
            "json": [cli, "consult", example, "--json"],
            "text": [cli, "consult", example],
            "python": [sys.executable, "-c", "pass"],
        },
        args.runs,
    )
    json_ms, text_ms, python_ms = (_median(times[k]) for k in ("json", "text", "python"))
    engine_rate = statistics.median(engine_rates)

    results = {
        "examples": len(documents),
        "in_process": {
            "consultations_per_s_median": round(engine_rate, 1),
            "consultations_per_s_best": round(max(engine_rates), 1),
            "baseline_intake_only_per_s_median": round(statistics.median(baseline_rates), 1),
            "ratio_engine_to_intake_median": round(statistics.median(ratios), 3),
            "rounds": args.rounds,
            "target_per_s": 2000,
            "meets_target": engine_rate >= 2000,
            "target_ratio_engine_to_intake": 0.2,
            "meets_ratio_target": statistics.median(ratios) >= 0.2,
        },
        "whole_process": {
            "consult_json_median_ms": json_ms,
            "consult_text_median_ms": text_ms,
            "baseline_python_start_median_ms": python_ms,
            "ratio_json_to_python_start": round(json_ms / python_ms, 2),
            "ratio_text_to_python_start": round(text_ms / python_ms, 2),
            "target_median_ms": 300,
            "json_meets_target": json_ms <= 300,
            "target_ratio_to_python_start": 15,
            "json_meets_ratio_target": json_ms / python_ms <= 15,
            "text_meets_target": text_ms <= 300,
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
