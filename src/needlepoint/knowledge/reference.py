"""A Markdown rendering of every knowledge table, for clinicians reviewing the data.

``docs/knowledge-tables.md`` is this rendering, checked in; a test fails when it is stale
(regenerate with ``make docs``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from needlepoint.knowledge import catalogue
from needlepoint.knowledge.schema import CitedRow

_PROVENANCE_FIELDS = {"sources", "evidence", "notes", "unverified", "id"}


def render_markdown() -> str:
    """Every table: version, then one row per entry with its values and provenance."""
    versions = catalogue.table_versions()
    rows_by_table: dict[str, list[tuple[str, CitedRow]]] = {}
    for table, row_id, row in catalogue.cited_rows():
        rows_by_table.setdefault(table, []).append((row_id, row))
    parts = [
        "# Knowledge tables (generated)",
        "",
        "Generated from `src/needlepoint/knowledge/data/` by `make docs`; do not edit by hand.",
        "† marks a row that is an inferred default (INF) or awaits verification.",
        "",
    ]
    for table in sorted(rows_by_table):
        parts.extend(_table(table, versions.get(table, "?"), rows_by_table[table]))
    parts.extend(_sources())
    return "\n".join(parts) + "\n"


def _table(name: str, version: str, rows: Iterable[tuple[str, CitedRow]]) -> list[str]:
    lines = [
        f"## `{name}.yaml` (version {version})",
        "",
        "| Row | Values | Evidence | Sources | Notes |",
        "|---|---|---|---|---|",
    ]
    for row_id, row in rows:
        mark = " †" if row.provenance().is_unverified else ""
        lines.append(
            f"| `{row_id}` | {_values(row)} | {row.evidence.value}{mark} | "
            f"{', '.join(row.sources)} | {_cell(row.notes)} |"
        )
    lines.append("")
    return lines


def _values(row: CitedRow) -> str:
    data = row.model_dump(mode="json", exclude=_PROVENANCE_FIELDS)
    return "; ".join(f"{key}: {_cell(_short(value))}" for key, value in data.items())


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sources() -> list[str]:
    lines = ["## `sources.yaml`", "", "| Id | Citation | Used for |", "|---|---|---|"]
    for source in catalogue.sources().sources:
        lines.append(f"| `{source.id}` | {_cell(source.citation)} | {_cell(source.used_for)} |")
    lines.append("")
    return lines
