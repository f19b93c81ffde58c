"""The compiled knowledge snapshot: equal to the validated YAML, rebuilt when stale (ADR 0035)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Mapping
from datetime import date, time
from enum import Enum
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest
from pydantic import BaseModel

from conftest import EXAMPLES, TODAY, load_example
from fakes import FixedClock
from needlepoint.domain.consultation import Consultation
from needlepoint.domain.screening import Match
from needlepoint.knowledge import compiled
from needlepoint.services.consultation.consulting import Consulting
from needlepoint.services.consultation.engine import Engine


def plain(value: Any) -> Any:
    """A comparable picture of a knowledge object: closures by their recipe, sets sorted."""
    if isinstance(value, FunctionType):
        return _function(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return (type(value).__qualname__, fields)
    if isinstance(value, BaseModel):
        return (type(value).__qualname__, plain(value.model_dump()))
    return _container(value)


def _function(value: FunctionType) -> Any:
    recipe = getattr(value, "__recipe__", None)
    if recipe is None:
        return f"{value.__module__}.{value.__qualname__}"
    build, args = recipe
    return ("recipe", f"{build.__module__}.{build.__qualname__}", plain(args))


def _container(value: Any) -> Any:
    if isinstance(value, Enum):
        return (type(value).__qualname__, value.value)
    if isinstance(value, Mapping):
        return sorted((repr(plain(k)), plain(v)) for k, v in value.items())
    if isinstance(value, frozenset | set):
        return ("set", sorted(repr(plain(item)) for item in value))
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


@pytest.fixture(scope="module")
def validated() -> compiled.CompiledKnowledge:
    return compiled.compile_tables()


def test_the_snapshot_read_back_equals_the_validated_yaml(
    tmp_path: Path, validated: compiled.CompiledKnowledge
) -> None:
    path = tmp_path / "compiled.pickle"
    compiled.load_from(path)

    stored = compiled._read(path, compiled.fingerprint())

    assert stored is not None
    assert plain(stored) == plain(validated)


def test_every_example_reports_the_same_from_the_snapshot_and_from_the_yaml(
    tmp_path: Path, validated: compiled.CompiledKnowledge
) -> None:
    path = tmp_path / "compiled.pickle"
    compiled.load_from(path)
    stored = compiled._read(path, compiled.fingerprint())
    assert stored is not None

    def consulting(knowledge: compiled.CompiledKnowledge) -> Consulting:
        engine = Engine(knowledge.knowledge, dict(knowledge.citations), time(9, 0))
        return Consulting(engine, FixedClock(TODAY))

    for example in EXAMPLES:
        document = load_example(example)
        for appointment in (None, "2026-12-07T10:00", "2027-03-01T09:30"):
            expected = consulting(validated).consultation_report(document, appointment=appointment)
            got = consulting(stored).consultation_report(document, appointment=appointment)
            assert got == expected, (example.name, appointment)


def test_a_snapshot_of_other_tables_is_rebuilt_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "compiled.pickle"
    path.write_bytes(b"0" * 64 + b"\nnot a pickle")

    loaded = compiled.load_from(path)

    assert loaded.knowledge.ruleset.rules
    header = path.read_bytes().partition(b"\n")[0]
    assert header == compiled.fingerprint().encode("ascii")


def test_a_damaged_snapshot_with_the_right_fingerprint_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "compiled.pickle"
    path.write_bytes(compiled.fingerprint().encode("ascii") + b"\n\x80\x05garbage")

    loaded = compiled.load_from(path)

    assert loaded.citations
    assert compiled._read(path, compiled.fingerprint()) is not None


def test_a_folder_that_cannot_be_written_still_gets_the_knowledge(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "compiled.pickle"

    loaded = compiled.load_from(path)

    assert loaded.knowledge.ruleset.rules
    assert not path.exists()


def test_the_fingerprint_covers_every_table_and_the_code_that_builds_it() -> None:
    covered = {p.relative_to(compiled.PACKAGE_DIR.parent) for p in compiled._fingerprinted_files()}
    package = compiled.PACKAGE_DIR.parent
    tables = {p.relative_to(package) for p in (package / "knowledge" / "data").glob("*.yaml")}
    code = {p.relative_to(package) for p in (package / "domain").rglob("*.py")}

    assert tables | code | {Path("knowledge/compiled.py"), Path("knowledge/rules.py")} <= covered


def test_loading_the_snapshot_validates_no_table() -> None:
    compiled.load()  # makes sure the package's snapshot exists and is current
    probe = (
        "import sys; from needlepoint.knowledge import compiled; compiled.load(); "
        "import json; print(json.dumps(sorted(sys.modules)))"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    loaded = set(json.loads(result.stdout))
    assert "needlepoint.knowledge.catalogue" not in loaded
    assert "needlepoint.knowledge.rules" not in loaded
    assert "needlepoint.knowledge.planning" not in loaded


def test_knowledge_that_cannot_be_pickled_is_used_but_not_stored(
    tmp_path: Path, validated: compiled.CompiledKnowledge
) -> None:
    def never(_consultation: Consultation, _on: date) -> Match | None:
        return None  # a local function: pickle cannot name it, and it has no recipe

    rules = validated.knowledge.ruleset.rules
    bare = dataclasses.replace(rules[0], predicate=never)
    ruleset = dataclasses.replace(validated.knowledge.ruleset, rules=(bare, *rules[1:]))
    knowledge = dataclasses.replace(validated.knowledge, ruleset=ruleset)
    unpicklable = compiled.CompiledKnowledge(knowledge, validated.citations)
    path = tmp_path / "compiled.pickle"

    compiled._write(path, compiled.fingerprint(), unpicklable)

    assert list(tmp_path.iterdir()) == []
