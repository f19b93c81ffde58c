"""bench/web.py's pure helpers, so that the page benchmark does not rot between runs.

No timing here: the figures themselves are the benchmark's business (`make bench`).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from needlepoint.entrypoints.web.routes import PAGES

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """bench/web.py, imported with bench/ on the path (it borrows bench/api.py's helpers)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_web", BENCH / "web.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up by name
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def wrk_output(**overrides: int) -> str:
    """What wrk prints with the figures script: its own table, then the script's line."""
    figures = {
        "requests": 1500,
        "duration_us": 3_000_000,
        "non_200": 0,
        "socket_errors": 0,
        "p50_us": 12_345,
        "p90_us": 40_000,
        "p95_us": 61_500,
        "p99_us": 99_999,
        "max_us": 150_000,
        **overrides,
    }
    return (
        "Running 3s test @ http://127.0.0.1:1234/\n  1 threads and 4 connections\n"
        "Requests/sec:    500.00\nTransfer/sec:      1.00MB\n"
        f"WEB-BENCH {json.dumps(figures)}\n"
    )


def run(rps: float, p95: float, **counts: int) -> dict[str, Any]:
    return {
        "rps": rps,
        "requests": counts.get("requests", 100),
        "p50_ms": p95 / 2,
        "p90_ms": p95 - 1,
        "p95_ms": p95,
        "p99_ms": p95 + 1,
        "max_ms": p95 + 2,
        "non_200": counts.get("non_200", 0),
        "socket_errors": counts.get("socket_errors", 0),
    }


def test_figures_are_read_from_the_lua_line_in_milliseconds(bench: ModuleType) -> None:
    figures = bench.parse_figures(wrk_output())

    assert figures["rps"] == 500.0
    assert figures["requests"] == 1500
    assert figures["p50_ms"] == 12.35
    assert figures["p95_ms"] == 61.5
    assert figures["p99_ms"] == 100.0
    assert figures["max_ms"] == 150.0
    assert figures["non_200"] == 0


def test_non_200_answers_and_socket_errors_are_carried_through(bench: ModuleType) -> None:
    figures = bench.parse_figures(wrk_output(non_200=7, socket_errors=2))

    assert (figures["non_200"], figures["socket_errors"]) == (7, 2)


def test_output_without_the_lua_line_is_refused(bench: ModuleType) -> None:
    with pytest.raises(ValueError, match="WEB-BENCH"):
        bench.parse_figures("Requests/sec:    500.00\n")


def test_a_run_of_no_duration_is_refused(bench: ModuleType) -> None:
    with pytest.raises(ValueError, match="no duration"):
        bench.parse_figures(wrk_output(duration_us=0))


def test_the_lua_script_prints_p95_and_counts_every_non_200(bench: ModuleType) -> None:
    assert "latency:percentile(95)" in bench.LUA
    assert "status ~= 200" in bench.LUA
    assert "WEB-BENCH {" in bench.LUA


def test_a_summary_takes_medians_and_sums_the_errors(bench: ModuleType) -> None:
    summary = bench.summarise(
        [run(100, 30), run(300, 90, non_200=1), run(200, 50, socket_errors=4)]
    )

    assert summary["rps"] == 200
    assert summary["p95_ms"] == 50
    assert summary["requests"] == 300
    assert (summary["non_200"], summary["socket_errors"]) == (1, 4)


@pytest.mark.parametrize(
    ("summary", "passes"),
    [
        (run(500, 100.0), True),
        (run(500, 100.01), False),
        (run(500, 20, non_200=1), False),
        (run(500, 20, socket_errors=1), False),
        (run(0, 0, requests=0), False),
    ],
)
def test_a_page_passes_on_p95_within_target_and_only_200s(
    bench: ModuleType, summary: dict[str, Any], passes: bool
) -> None:
    assert bench.judge(summary, 1000.0)["pass"] is passes


def test_the_ratio_is_page_rps_over_baseline_rps(bench: ModuleType) -> None:
    assert bench.judge(run(250, 10), 1000.0)["ratio"] == 0.25
    assert bench.judge(run(250, 10), 0.0)["ratio"] is None


def test_every_measured_page_is_a_get_page_of_the_web_app(bench: ModuleType) -> None:
    routes = {page.path for page in PAGES if page.method == "GET"}

    assert {route for _, route, _ in bench.PAGES} <= routes
    assert len({name for name, _, _ in bench.PAGES}) == len(bench.PAGES)


def test_page_urls_fill_in_the_demo_ids(bench: ModuleType) -> None:
    programme = bench.Programme("p-1", "Okafor", "s-1", "v-1")

    urls = bench.page_urls(programme)

    assert urls["dashboard"] == "/"
    assert urls["patient_search"] == "/patients?q=Okafor"
    assert urls["session_chart"] == "/sessions/v-1/chart"
    assert urls["handout"] == "/series/s-1/handout"
    assert urls["consultation_intake"] == "/patients/p-1/consultations/new"
    assert all("{" not in url for url in urls.values())


def test_the_table_has_a_row_per_page_and_the_baseline(bench: ModuleType) -> None:
    page = {**run(120, 42.0), "ratio": 0.04, "pass": True}
    failed = {**run(40, 180.0, non_200=3), "ratio": 0.013, "pass": False}

    table = bench.markdown({"dashboard": page, "handout": failed}, run(3000, 5.0))

    rows = table.splitlines()
    assert len(rows) == 5
    assert rows[2].startswith("| dashboard | 120 |") and rows[2].endswith("| pass |")
    assert rows[3].endswith("| FAIL (p95 > 100 ms, 3 non-200) |")
    assert rows[4].startswith("| bare Starlette")


@pytest.mark.parametrize(
    ("page", "verdict"),
    [
        ({**run(10, 20), "pass": True}, "pass"),
        ({**run(10, 150), "pass": False}, "FAIL (p95 > 100 ms)"),
        ({**run(10, 20, non_200=5), "pass": False}, "FAIL (5 non-200)"),
        ({**run(10, 20, socket_errors=2), "pass": False}, "FAIL (2 socket errors)"),
        ({**run(0, 0, requests=0), "pass": False}, "FAIL (no requests)"),
    ],
)
def test_a_failed_page_says_why(bench: ModuleType, page: dict[str, Any], verdict: str) -> None:
    assert bench.verdict_text(page) == verdict
