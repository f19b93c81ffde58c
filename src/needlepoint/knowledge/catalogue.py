"""The whole knowledge base as one versioned bundle, and a listing of its tables."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from needlepoint.domain.care import CareTables
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.knowledge import (
    adjuncts,
    care,
    checkins,
    expectations,
    files,
    limits,
    planning,
    reminders,
    rules,
    scales,
    schema,
    topicals,
)
from needlepoint.knowledge.schema import CitedRow


@dataclass(frozen=True, slots=True)
class TableInfo:
    """One table's name, version, row count and the sources its rows cite."""

    name: str
    version: str
    rows: int
    sources: tuple[str, ...]
    unverified_rows: int


@dataclass(frozen=True, slots=True)
class RowInfo:
    """One row of a table: its id and provenance."""

    row_id: str
    evidence: str
    sources: tuple[str, ...]
    notes: str
    unverified: bool


def describe_rows(table: str) -> tuple[RowInfo, ...]:
    """The rows of one table (raises ``KnowledgeError`` for an unknown table)."""
    rows = [
        RowInfo(
            row_id=row_id,
            evidence=row.evidence.value,
            sources=row.sources,
            notes=row.notes,
            unverified=row.provenance().is_unverified,
        )
        for name, row_id, row in cited_rows()
        if name == table
    ]
    if not rows:
        known = ", ".join(sorted({name for name, _, _ in cited_rows()}))
        raise KnowledgeError(table, "-", f"no such table; known tables: {known}")
    return tuple(rows)


@cache
def load_knowledge() -> ClinicalKnowledge:
    """Every table, loaded and validated once per process."""
    ruleset = rules.load_ruleset()
    adjunct_rows, _version = adjuncts.load_adjuncts()
    care_tables = CareTables(
        templates=care.load_care_templates(),
        red_flags=rules.load_red_flags(),
        version=care.care_version(),
    )
    return ClinicalKnowledge(
        ruleset=ruleset,
        scales=scales.load_scale_tables(),
        planning=planning.load_planning_tables(),
        care=care_tables,
        expectations=expectations.load_expectation_tables(),
        adjuncts=adjunct_rows,
        limits=limits.load_limits(),
        topicals=topicals.load_topicals(),
        versions=table_versions(),
    )


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every cited row in every table."""
    return (
        *rules.cited_rows(),
        *scales.cited_rows(),
        *planning.cited_rows(),
        *care.cited_rows(),
        *expectations.cited_rows(),
        *adjuncts.cited_rows(),
        *reminders.cited_rows(),
        *checkins.cited_rows(),
        *limits.cited_rows(),
        *topicals.cited_rows(),
    )


def table_versions() -> dict[str, str]:
    """``table_version`` of every table file, by table name."""
    versions: dict[str, str] = {}
    for name in files.table_names():
        versions[name] = files.parse_table(name, _Header).table_version
    return versions


def sources() -> schema.SourcesFile:
    """The bibliography."""
    return files.parse_table("sources", schema.SourcesFile)


def describe_tables() -> tuple[TableInfo, ...]:
    """One line per table: version, rows, sources cited and rows awaiting verification."""
    by_table: dict[str, list[CitedRow]] = {}
    for table, _row_id, row in cited_rows():
        by_table.setdefault(table, []).append(row)
    versions = table_versions()
    return tuple(
        TableInfo(
            name=name,
            version=versions.get(name, "?"),
            rows=len(rows),
            sources=tuple(sorted({s for r in rows for s in r.sources})),
            unverified_rows=sum(1 for r in rows if r.provenance().is_unverified),
        )
        for name, rows in sorted(by_table.items())
    )


class _Header(schema.TableHeader):
    """Reads only the header of a table file."""

    model_config = schema.Strict.model_config | {"extra": "ignore"}
