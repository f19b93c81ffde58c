"""docs/architecture.md stays true: its picture names every area, and its file list exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/architecture.md"
SERVICES = ROOT / "src/needlepoint/services"


def _mermaid() -> str:
    found = re.search(r"```mermaid\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert found, "docs/architecture.md has no Mermaid picture"
    return found.group(1)


def test_the_picture_names_exactly_the_areas_that_exist() -> None:
    drawn = set(re.findall(r"\barea_(\w+)\[", _mermaid()))
    packages = {p.parent.name for p in SERVICES.glob("*/facade.py")}

    assert drawn == packages, "update the Mermaid picture in docs/architecture.md"


def test_the_areas_table_lists_every_area_and_each_module_it_names() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| .* \| `(\w+)` \| (.*) \|$", text, re.MULTILINE)
    assert {area for area, _, _ in rows} == {p.parent.name for p in SERVICES.glob("*/facade.py")}
    for area, _, modules in rows:
        for module in re.findall(r"`(\w+)`", modules):
            assert (SERVICES / area / f"{module}.py").is_file(), f"{area}/{module}.py"


def test_the_photo_example_names_at_most_eight_source_files_that_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Example: a photo on a session chart", 1)[1].split("Tests:", 1)[0]
    files = re.findall(r"^- `(src/[^`]+)`", section, re.MULTILINE)

    assert 0 < len(files) <= 8
    for name in files:
        assert (ROOT / name).exists(), name
