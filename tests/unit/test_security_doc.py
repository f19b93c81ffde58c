"""docs/security.md stays true: a row for every §2.7 id, and every test it names exists.

The ids come from §2.7 of the shared reference (``ecosystem.md``) when it is beside the
checkout, else from the list below, kept as §2.7 was when the table was written. Every row
names its tests (IN-4, the FHIR export, since issue 15).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/security.md"
REFERENCE = ROOT.parent / "shared/reference/ecosystem.md"
NOT_YET = "not yet: issue 15"
NOT_YET_IDS: frozenset[str] = frozenset()
SECTION_27_IDS = (
    *("AC-1", "AC-2", "AC-3", "AC-4", "AC-5", "AC-6", "AC-7"),
    *("AU-1", "AU-2", "AU-3", "AU-4", "AU-5", "AU-6"),
    *("SE-1", "SE-2", "SE-3", "SE-4", "SE-5", "SE-6"),
    *("AD-1", "AD-2", "AD-3", "AD-4", "AD-5"),
    *("IN-1", "IN-2", "IN-3", "IN-4", "TR-1", "TR-2", "TR-3"),
    *("IV-1", "IV-2", "IV-3", "IV-4", "CB-1", "CB-2", "CB-3"),
    *("DU-1", "DU-2", "DU-3", "DU-4", "DU-5", "TZ-1", "TZ-2", "TZ-3", "PB-1", "PB-2"),
)
ROW = re.compile(r"^\| ([A-Z]{2}-\d+) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$", re.MULTILINE)
NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def section_27_ids() -> tuple[str, ...]:
    """The ids of §2.7 in their order: from the reference when present, else the list above."""
    if not REFERENCE.is_file():
        return SECTION_27_IDS
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("### 2.7", 1)[1].split("\n## ", 1)[0]
    return tuple(re.findall(r"^\| ([A-Z]{2}-\d+) \|", section, re.MULTILINE))


def rows() -> list[tuple[str, str, str, str]]:
    found: list[tuple[str, str, str, str]] = ROW.findall(DOC.read_text(encoding="utf-8"))
    return [(a.strip(), b.strip(), c.strip(), d.strip()) for a, b, c, d in found]


@cache
def defined_tests(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )


def test_the_committed_list_is_section_27_as_the_reference_has_it() -> None:
    assert len(SECTION_27_IDS) == len(set(SECTION_27_IDS)) == 48
    if REFERENCE.is_file():
        assert section_27_ids() == SECTION_27_IDS


def test_every_section_27_id_has_one_row_in_order() -> None:
    assert [row[0] for row in rows()] == list(section_27_ids())


@pytest.mark.parametrize("row", rows(), ids=lambda row: row[0])
def test_every_named_test_exists_and_is_named_after_its_id(
    row: tuple[str, str, str, str],
) -> None:
    scenario_id, scenario, tests, figure = row
    assert scenario, f"{scenario_id}: say what the scenario is"
    assert "in progress" not in f"{tests} {figure}", f"{scenario_id}: still in progress"
    if scenario_id in NOT_YET_IDS:
        assert tests == NOT_YET, f"{scenario_id}: its row says {NOT_YET!r} until it is built"
        assert figure.startswith(NOT_YET), f"{scenario_id}: its figure says {NOT_YET!r}"
        return
    named = NAMED_TEST.findall(tests)
    assert named, f"{scenario_id}: name a test as `tests/…/file.py::test_name`"
    assert NOT_YET not in f"{tests} {figure}", f"{scenario_id}: every row is built now"
    unnamed = NAMED_TEST.sub("", tests)
    assert "::" not in unnamed, f"{scenario_id}: name every test as `tests/…/file.py::test_name`"
    assert figure, f"{scenario_id}: give the figure asserted"
    prefix = "test_" + scenario_id.lower().replace("-", "") + "_"
    for path, name in named:
        assert (ROOT / path).is_file(), f"{scenario_id}: no file {path}"
        assert name in defined_tests(path), f"{scenario_id}: no {name} in {path}"
        assert name.startswith(prefix), f"{scenario_id}: {name} does not start with {prefix}"


def test_no_row_is_left_in_progress() -> None:
    assert "in progress" not in DOC.read_text(encoding="utf-8").lower()
