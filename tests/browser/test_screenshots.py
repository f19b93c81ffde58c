"""``make screenshots`` (tools/screenshots.py) writes a PNG of every main page.

The script seeds and serves its own demo and drives the system Chromium itself, so this test
uses no fixture of conftest's; like the other browser tests it is skipped where Chromium is
missing, unless ``NEEDLEPOINT_REQUIRE_BROWSER=1`` (CI), which fails it instead.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from browser.conftest import require_chromium
from depth import DEEP

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "screenshots.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXPECTED = (
    "01-login",
    "02-dashboard",
    "03-patients",
    "04-patient",
    "05-new-patient",
    "06-consultation-intake",
    "07-consultation-result",
    "08-face-map",
    "09-plan",
    "10-session-start",
    "11-session-chart",
    "12-handout",
    "13-outcomes",
    "14-dashboard-tablet",
    "15-booking",
    "16-analytics",
)


@pytest.fixture(scope="module")
def screenshots() -> Iterator[ModuleType]:
    require_chromium()
    spec = importlib.util.spec_from_file_location("tools_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.mark.slow
@pytest.mark.skipif(not DEEP, reason="make test-deep runs it (make screenshots is its own command)")
def test_every_main_page_is_saved_as_a_png(
    screenshots: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert screenshots.main(["--out", str(tmp_path)]) == 0, capsys.readouterr().err

    written = sorted(path.stem for path in tmp_path.iterdir())
    assert written == sorted(EXPECTED)
    for name in EXPECTED:
        png = tmp_path / f"{name}.png"
        assert png.read_bytes()[: len(PNG_MAGIC)] == PNG_MAGIC, name
        assert png.stat().st_size > 10_000, f"{name}.png is suspiciously small"
    listed = capsys.readouterr().out
    assert all(f"{name}.png" in listed for name in EXPECTED)
