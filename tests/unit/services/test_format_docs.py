"""docs/consultation-format.md keeps up with the consultation file it describes.

These tests read the JSON Schema and the vocabularies, never a hand-kept list, so a new field,
a new enum value or a new example file fails here until the page mentions it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import yaml

from needlepoint.domain.scales.inputs import EccaItem, GbLesionType
from needlepoint.domain.vocabulary import (
    Device,
    Indication,
    ProcedureKind,
    TopicalActive,
    Zone,
    ZoneCondition,
)
from needlepoint.services.consultation import intake

ROOT = Path(__file__).resolve().parents[3]
FORMAT_DOC = ROOT / "docs" / "consultation-format.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DOCUMENTED_ENUMS: tuple[type[StrEnum], ...] = (
    Zone,
    Indication,
    Device,
    ZoneCondition,
    TopicalActive,
    ProcedureKind,
    GbLesionType,
    EccaItem,
)


def _doc() -> str:
    return FORMAT_DOC.read_text(encoding="utf-8")


def _in_backticks(text: str) -> set[str]:
    """Every `code span` of the page (fenced code blocks are not spans and are left out)."""
    without_blocks = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return set(re.findall(r"`([^`\n]+)`", without_blocks))


# --- walking the JSON Schema -------------------------------------------------------------


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` and unwrap ``X | None`` so that only the real shape is left."""
    if "$ref" in node:
        return _resolve(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    options = [option for option in node.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        return _resolve(options[0], defs)
    return node


def _field_paths(node: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted paths of every field, e.g. ``scar_assessments[].morphology[].width_mm``."""
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        shape = _resolve(child, defs)
        if shape.get("type") == "array":
            items = _resolve(shape["items"], defs)
            yield from _field_paths(items, defs, f"{path}[]")
        else:
            yield from _field_paths(shape, defs, path)


def schema_field_paths() -> list[str]:
    """Every field path of the consultation file, from its JSON Schema."""
    schema = intake.consultation_schema()
    return list(_field_paths(schema, schema["$defs"]))


# --- the tests ---------------------------------------------------------------------------


def test_the_walker_finds_nested_sections_lists_and_leaves() -> None:
    paths = schema_field_paths()

    assert "consulted_on" in paths
    assert "history.isotretinoin" in paths
    assert "history.isotretinoin.stopped_on" in paths
    assert "history.recent_procedures[].performed_on" in paths
    assert "scar_assessments[].morphology[].width_mm" in paths
    assert "scar_assessments[].qualitative.flattens_on_stretch" in paths
    assert "scar_assessments[].ecca_counts" in paths
    assert "history.topical_actives[]" not in paths


@pytest.mark.parametrize("path", schema_field_paths())
def test_every_field_of_the_schema_is_documented_by_its_full_path(path: str) -> None:
    assert path in _in_backticks(_doc()), (
        f"docs/consultation-format.md does not describe `{path}`: add a row for it, with "
        "the full path in backticks."
    )


@pytest.mark.parametrize(
    "value",
    [member.value for enum in DOCUMENTED_ENUMS for member in enum],
)
def test_every_enum_value_is_documented(value: str) -> None:
    assert value in _in_backticks(_doc()), (
        f"docs/consultation-format.md does not mention the value `{value}`: add it, in "
        "backticks, with its meaning."
    )


def test_every_value_list_of_the_schema_is_documented() -> None:
    """Short lists (sex, diabetes, scar edges…) are spelt out in their field's row."""
    defs = intake.consultation_schema()["$defs"]
    missing = {
        f"{name}: {value}"
        for name, shape in defs.items()
        for value in shape.get("enum", [])
        if value not in _in_backticks(_doc())
    }
    assert not missing, f"values the page does not mention in backticks: {sorted(missing)}"


def test_every_example_file_is_listed() -> None:
    assert EXAMPLES, "no example files found"
    for example in EXAMPLES:
        assert f"`{example.name}`" in _doc(), f"{example.name} is not in the examples table"


def test_no_stale_field_path_is_documented() -> None:
    """A backticked path that looks like a field must still exist (a rename leaves none behind).

    Positions are normalised (``treatments[0].zones`` → ``treatments[].zones``) and a trailing
    ``[]`` ("an entry of the list") is allowed.
    """
    known = set(schema_field_paths())
    top = {path for path in known if "." not in path and "[" not in path}
    stale = []
    for span in _in_backticks(_doc()):
        head = re.split(r"[.\[]", span, maxsplit=1)[0]
        looks_like_a_path = head in top and span != head and " " not in span
        as_documented = re.sub(r"\[\d+\]", "[]", span).removesuffix("[]")
        if looks_like_a_path and as_documented not in known:
            stale.append(span)
    assert not stale, f"paths in the page that the schema does not have: {sorted(stale)}"


def test_the_annotated_example_is_a_valid_consultation() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", _doc(), flags=re.DOTALL)
    consultations = [block for block in blocks if "consulted_on:" in block]

    assert consultations, "the page has no complete YAML example"
    for block in consultations:
        intake.parse_consultation(yaml.safe_load(block)).to_domain()
