"""Loading ``care.yaml``: the pre-care and aftercare templates and their conditions.

Each row names a condition from :mod:`needlepoint.knowledge.conditions` (with ``params`` if
it takes any); the loader resolves it into a callable, so YAML never holds expressions.
Semantic checks: ids are unique; start ≤ end; a ``pre`` item starts before the appointment
and a ``post`` item at or after it; the instruction uses no placeholder other than
``{starts_on}`` and ``{ends_on}``; the condition exists and its parameters fit. Any failure
raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from functools import cache
from string import Formatter
from typing import Any

from pydantic import Field

from needlepoint.domain.care import CarePhase, CareTemplate
from needlepoint.domain.errors import KnowledgeError
from needlepoint.knowledge import conditions, files
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, RuleId, TableHeader, check_unique

TABLE = "care"
PLACEHOLDERS = frozenset({"starts_on", "ends_on"})


class CareRow(IdentifiedRow):
    """One care instruction with its window and condition."""

    topic: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    phase: CarePhase
    instruction: str = Field(min_length=10)
    start_offset_hours: int
    end_offset_hours: int
    condition: RuleId
    params: dict[str, Any] = Field(default_factory=dict)


class CareFile(TableHeader):
    """``care.yaml``."""

    templates: tuple[CareRow, ...]


@cache
def load_care_file() -> CareFile:
    """``care.yaml`` parsed once per process.

    Raises:
        KnowledgeError: The file is missing, is not YAML, or does not fit its schema.
    """
    return files.parse_table(TABLE, CareFile)


@cache
def load_care_templates() -> tuple[CareTemplate, ...]:
    """Every care template, checked and with its condition resolved, in file order.

    Raises:
        KnowledgeError: The file is malformed or a row fails a semantic check.
    """
    return build_care_templates(load_care_file())


def care_version() -> str:
    """The ``table_version`` of ``care.yaml``."""
    return load_care_file().table_version


def build_care_templates(parsed: CareFile) -> tuple[CareTemplate, ...]:
    """Check the parsed rows and build the domain templates.

    Raises:
        KnowledgeError: An id repeats, a window is reversed or on the wrong side of the
            appointment, a placeholder is unknown, or the condition cannot be resolved.
    """
    check_unique(TABLE, ((row.id, row.id) for row in parsed.templates), "id")
    return tuple(_template(row) for row in parsed.templates)


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every care template."""
    return tuple((TABLE, row.id, row) for row in load_care_file().templates)


def _template(row: CareRow) -> CareTemplate:
    _check_window(row)
    _check_placeholders(row)
    try:
        condition = conditions.care_condition(row.condition, row.params)
    except ValueError as error:
        raise KnowledgeError(TABLE, row.id, str(error)) from error
    return CareTemplate(
        id=row.id,
        topic=row.topic,
        phase=row.phase,
        instruction=row.instruction,
        start_offset_hours=row.start_offset_hours,
        end_offset_hours=row.end_offset_hours,
        condition_name=row.condition,
        condition=condition,
        provenance=row.provenance(),
    )


def _check_window(row: CareRow) -> None:
    if row.start_offset_hours > row.end_offset_hours:
        raise KnowledgeError(TABLE, row.id, "start_offset_hours is after end_offset_hours")
    if row.phase is CarePhase.PRE and row.start_offset_hours >= 0:
        raise KnowledgeError(TABLE, row.id, "a pre item must start before the appointment")
    if row.phase is CarePhase.POST and row.start_offset_hours < 0:
        raise KnowledgeError(TABLE, row.id, "a post item must not start before the appointment")


def _check_placeholders(row: CareRow) -> None:
    try:
        names = {
            field for _, field, _, _ in Formatter().parse(row.instruction) if field is not None
        }
    except ValueError as error:
        raise KnowledgeError(TABLE, row.id, f"instruction braces: {error}") from error
    unknown = sorted(names - PLACEHOLDERS)
    if unknown:
        raise KnowledgeError(TABLE, row.id, f"unknown placeholder(s) {unknown} in instruction")
