"""bench/photos.py's pure parts, so that the photo benchmark does not rot between runs.

No timing here: the figures are the benchmark's business (`make bench`).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from needlepoint.entrypoints.web.routes import PAGES

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """bench/photos.py, imported with bench/ on the path (it borrows bench/web.py's helpers)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_photos", BENCH / "photos.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up by name
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def figures(p95: float, **extra: Any) -> dict[str, Any]:
    return {
        "rps": 100.0,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 + 1,
        "non_200": 0,
        "socket_errors": 0,
        **extra,
    }


def test_every_measured_target_is_a_page_of_the_web_app(bench: ModuleType) -> None:
    pair = bench.Pair("e" * 8, "l" * 8, (1.0, 1.0), (1, 1))
    routes = [re.sub(r"\{[^}]+\}", "[^/]+", page.path) for page in PAGES if page.method == "GET"]

    for path in pair.paths().values():
        bare = path.split("?")[0]
        assert any(re.fullmatch(route, bare) for route in routes), path


def test_the_table_names_each_target_its_first_view_and_its_verdict(bench: ModuleType) -> None:
    targets = {
        "compare_page": {**figures(80.0), "first_view_ms": 900.0, "bytes": 3600, "ratio": 0.1},
        "aligned_later": {**figures(120.0), "first_view_ms": 600.0, "bytes": 9, "ratio": 0.05},
    }
    for target in targets.values():
        target["pass"] = target["p95_ms"] <= bench.TARGET_P95_MS
    result = {
        "targets": targets,
        "baselines": {"bare_html": figures(5.0)},
        "whole_view": {"views": 60, "p50_ms": 40.0, "p95_ms": 55.0},
        "photos": {"size_px": "4000 x 3000", "bytes": [1, 2], "upload_s": [0.5, 0.6]},
    }

    table = bench.markdown(result)

    assert "| compare_page (3600 B) | 900 |" in table
    assert "| pass |" in table
    assert "FAIL (p95 > 100 ms)" in table
    assert "p95 55.0 ms" in table
