"""Loading ``adjuncts.yaml``: treatments to suggest alongside needling, with named triggers.

Each row names a trigger from :data:`needlepoint.knowledge.conditions.ADJUNCT_TRIGGERS`;
YAML never holds expressions. Semantic checks: ids are unique and every trigger exists. Any
failure raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from needlepoint.domain.adjuncts import Adjunct
from needlepoint.domain.errors import KnowledgeError
from needlepoint.knowledge import conditions, files
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, RuleId, TableHeader, check_unique

TABLE = "adjuncts"


class AdjunctRow(IdentifiedRow):
    """One suggestion, its reason and the trigger that raises it."""

    suggestion: str = Field(min_length=10)
    reason: str = Field(min_length=10)
    trigger: RuleId


class AdjunctsFile(TableHeader):
    """``adjuncts.yaml``."""

    adjuncts: tuple[AdjunctRow, ...]


@cache
def load_adjuncts_file() -> AdjunctsFile:
    """``adjuncts.yaml`` parsed once per process.

    Raises:
        KnowledgeError: The file is missing, is not YAML, or does not fit its schema.
    """
    return files.parse_table(TABLE, AdjunctsFile)


@cache
def load_adjuncts() -> tuple[tuple[Adjunct, ...], str]:
    """Every adjunct suggestion with its trigger resolved, in file order, and the version.

    Raises:
        KnowledgeError: The file is malformed, an id repeats or a trigger is unknown.
    """
    return build_adjuncts(load_adjuncts_file())


def build_adjuncts(parsed: AdjunctsFile) -> tuple[tuple[Adjunct, ...], str]:
    """Check the parsed rows and build the domain adjuncts.

    Raises:
        KnowledgeError: An id repeats or a trigger is unknown.
    """
    check_unique(TABLE, ((row.id, row.id) for row in parsed.adjuncts), "id")
    return tuple(_adjunct(row) for row in parsed.adjuncts), parsed.table_version


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every adjunct row."""
    return tuple((TABLE, row.id, row) for row in load_adjuncts_file().adjuncts)


def _adjunct(row: AdjunctRow) -> Adjunct:
    try:
        trigger = conditions.adjunct_trigger(row.trigger)
    except ValueError as error:
        raise KnowledgeError(TABLE, row.id, str(error)) from error
    return Adjunct(
        id=row.id,
        suggestion=row.suggestion,
        reason=row.reason,
        trigger_name=row.trigger,
        trigger=trigger,
        provenance=row.provenance(),
    )
