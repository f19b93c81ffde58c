"""bench/agenda.py's pure helpers, so that the calendar benchmark does not rot between runs.

No timing here: the figures are the benchmark's business (``python bench/agenda.py``).
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from needlepoint.entrypoints.web.routes import PAGES

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """bench/agenda.py, imported with bench/ on the path (it borrows web.py's and api.py's)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_agenda", BENCH / "agenda.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up by name
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_every_measured_page_is_a_page_of_the_web_app(bench: ModuleType) -> None:
    served = {page.path for page in PAGES if page.method == "GET"}

    assert {route for _, route, _ in bench.PAGES} <= served


def test_the_busiest_week_and_its_busiest_day_are_measured(bench: ModuleType) -> None:
    days = [date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 16), date(2026, 12, 16)]

    assert bench.busiest(days) == (date(2026, 12, 14), date(2026, 12, 16), 3)


def test_the_urls_name_the_week_and_the_day(bench: ModuleType) -> None:
    urls = bench.page_urls(date(2026, 12, 14), date(2026, 12, 16))

    assert urls == {
        "calendar_week": "/calendar?view=week&by=practitioner&on=2026-12-14",
        "calendar_week_rooms": "/calendar?view=week&by=room&on=2026-12-14",
        "calendar_day": "/calendar?view=day&by=practitioner&on=2026-12-16",
    }
