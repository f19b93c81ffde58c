"""Loading ``topicals.yaml``: products unsafe on freshly needled skin.

Semantic checks: ids are unique; every term is lower case, trimmed and non-empty, and no term
is listed under two rows. Any failure raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.topicals import TopicalTable, UnsafeTopical
from needlepoint.knowledge import files
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, TableHeader, check_unique

TABLE = "topicals"


class TopicalRow(IdentifiedRow):
    """One kind of unsafe product."""

    label: str = Field(min_length=3)
    terms: tuple[str, ...] = Field(min_length=1)
    concern: str = Field(min_length=10)


class TopicalsFile(TableHeader):
    """``topicals.yaml``."""

    topicals: tuple[TopicalRow, ...]


@cache
def load_topicals_file() -> TopicalsFile:
    """``topicals.yaml`` parsed once per process."""
    return files.parse_table(TABLE, TopicalsFile)


@cache
def load_topicals() -> TopicalTable:
    """The topicals table, checked.

    Raises:
        KnowledgeError: The file is malformed, an id or a term repeats, or a term is not
            lower case and trimmed.
    """
    return build_topicals(load_topicals_file())


def build_topicals(parsed: TopicalsFile) -> TopicalTable:
    """Check the parsed rows and build the domain table."""
    check_unique(TABLE, ((row.id, row.id) for row in parsed.topicals), "id")
    check_unique(TABLE, ((row.id, term) for row in parsed.topicals for term in row.terms), "term")
    for row in parsed.topicals:
        for term in row.terms:
            if not term or term != " ".join(term.lower().split()):
                raise KnowledgeError(TABLE, row.id, f"term {term!r} is not lower case and trimmed")
    return TopicalTable(
        topicals=tuple(
            UnsafeTopical(
                id=row.id,
                label=row.label,
                terms=row.terms,
                concern=" ".join(row.concern.split()),
                provenance=row.provenance(),
            )
            for row in parsed.topicals
        ),
        version=parsed.table_version,
    )


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every unsafe kind of product."""
    return tuple((TABLE, row.id, row) for row in load_topicals_file().topicals)
