"""bench/scale.py's pure helpers, so that the scale benchmark's table and verdicts do not rot.

No timing and no database here: tests/integration/test_bench_scale_seed.py seeds for real.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.entrypoints.web.routes import PAGES

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """bench/scale.py, imported with bench/ on the path (it borrows web.py's and api.py's)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_scale", BENCH / "scale.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up by name
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def _size(p95_by_target: dict[str, float], errors: int = 0) -> dict[str, Any]:
    targets = {
        name: {"p50_ms": p95 / 2, "p95_ms": p95, "non_200": 0, "socket_errors": errors}
        for name, p95 in p95_by_target.items()
    }
    return {"targets": targets, "baseline": {"p50_ms": 1.0, "p95_ms": 2.0}}


def test_every_measured_web_page_is_a_page_of_the_web_app(bench: ModuleType) -> None:
    person = bench.Someone("p-id", "Helen", "Marsh", "h@example.test", date(1990, 3, 14))
    paths = bench.target_paths(person, 900, "after-id", date(2026, 12, 7))
    served = [
        re.compile(re.sub(r"\{[^}]+\}", "[^/]+", page.path) + "$")
        for page in PAGES
        if page.method == "GET"
    ]
    web = {path.split("?")[0] for name, path in paths.items() if not name.startswith("api_")}

    assert all(any(route.match(path) for route in served) for path in web), web
    assert paths["search_full_name"] == "/patients?q=Helen+Marsh"
    assert paths["api_list_deep_offset"].endswith("offset=900")


@given(patients=st.integers(0, 3000), clinics=st.integers(1, 6))
def test_the_patients_by_clinic_are_those_the_seeding_sql_assigns(
    patients: int, clinics: int
) -> None:
    seed = _seed_module()
    plan = seed.Plan(patients, clinics, date(2026, 12, 7))
    assigned = Counter(plan.clinic_of(number) for number in range(1, patients + 1))

    assert plan.patients_by_clinic() == [assigned[clinic] for clinic in range(clinics)]


def test_growth_is_p95_over_the_smallest_sizes(bench: ModuleType) -> None:
    sizes = {10_000: _size({"dashboard": 20.0}), 1_000_000: _size({"dashboard": 50.0})}

    assert bench.growth(sizes) == {"dashboard": {"10000": 1.0, "1000000": 2.5}}


def test_targets_are_judged_only_at_a_million(bench: ModuleType) -> None:
    small = {10_000: _size({"dashboard": 20.0}), 100_000: _size({"dashboard": 900.0})}

    assert bench.verdicts(small) == {}


def test_each_target_fails_for_every_reason_it_has(bench: ModuleType) -> None:
    sizes = {
        10_000: _size({"dashboard": 20.0, "search_email": 10.0, "api_list_first": 10.0}),
        1_000_000: _size({"dashboard": 45.0, "search_email": 30.0, "api_list_first": 15.0}),
    }

    assert bench.verdicts(sizes) == {
        "dashboard": "FAIL (growth > 2x)",
        "search_email": "FAIL (p95 > 25 ms, growth > 2x)",
        "api_list_first": "pass",
    }


def _seed_module() -> ModuleType:
    return sys.modules.get("bench_scale_seed_unit") or _load_seed()


def _load_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scale_seed_unit", BENCH / "scale_seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
