"""Loading ``limits.yaml``: the hard and soft limits of the safety gate (ADR 0020).

Semantic checks: ids are unique; every limit the code applies (``domain.limits.REQUIRED``)
is stated, with the kind the code expects; a soft limit whose code reads a bound has it.
Any failure raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from needlepoint.domain import limits as domain
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.limits import Limit, LimitKind, LimitTable
from needlepoint.knowledge import files
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, TableHeader, check_unique

TABLE = "limits"


class LimitRow(IdentifiedRow):
    """One limit as the table states it."""

    kind: LimitKind
    statement: str = Field(min_length=10)
    bound: dict[str, int] = Field(default_factory=dict)


class LimitsFile(TableHeader):
    """``limits.yaml``."""

    limits: tuple[LimitRow, ...]


@cache
def load_limits_file() -> LimitsFile:
    """``limits.yaml`` parsed once per process.

    Raises:
        KnowledgeError: The file is missing, is not YAML, or does not fit its schema.
    """
    return files.parse_table(TABLE, LimitsFile)


@cache
def load_limits() -> LimitTable:
    """The limit table, checked.

    Raises:
        KnowledgeError: The file is malformed, or a limit the code applies is missing or of
            another kind than the code expects.
    """
    return build_limits(load_limits_file())


def build_limits(parsed: LimitsFile) -> LimitTable:
    """Check the parsed rows and build the domain table."""
    check_unique(TABLE, ((row.id, row.id) for row in parsed.limits), "id")
    by_id = {row.id: row for row in parsed.limits}
    for limit_id, kind in domain.REQUIRED.items():
        row = by_id.get(limit_id)
        if row is None:
            raise KnowledgeError(TABLE, limit_id, "the code applies this limit; state it")
        if row.kind.value != kind:
            raise KnowledgeError(TABLE, limit_id, f"the code treats this limit as {kind}")
    return LimitTable(
        limits={row.id: _limit(row) for row in parsed.limits}, version=parsed.table_version
    )


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every limit."""
    return tuple((TABLE, row.id, row) for row in load_limits_file().limits)


def _limit(row: LimitRow) -> Limit:
    return Limit(
        id=row.id,
        kind=row.kind,
        statement=" ".join(row.statement.split()),
        provenance=row.provenance(),
        bound=dict(row.bound),
    )
