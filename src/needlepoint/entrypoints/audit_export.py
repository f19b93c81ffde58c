"""The audit export's two formats (ADR 0038), written the same by the API and the web app.

CSV: one header line, then one line per event; a cell a spreadsheet would run as a formula
(it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP, CSV injection)
is written with a leading ``'``. JSON lines: one JSON object per event. Both are produced line
by line, so a long export is streamed rather than held in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Final

from needlepoint.domain.audit_view import AuditEntry

COLUMNS: Final = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "patient_id",
    "outcome",
    "request_id",
    "severity",
    "break_glass_id",
)
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES: Final = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def fields_of(entry: AuditEntry) -> dict[str, object]:
    """The event's fields by column, as text (or null)."""
    e = entry.event
    values: tuple[object, ...] = (
        entry.seq,
        e.at.isoformat(),
        e.actor_id,
        e.actor_role,
        e.action,
        e.resource_type,
        e.resource_id,
        e.patient_id,
        e.outcome,
        e.request_id,
        e.severity,
        e.break_glass_id,
    )
    return {
        name: value if value is None or isinstance(value, int) else str(value)
        for name, value in zip(COLUMNS, values, strict=True)
    }


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The header, then one CSV line per event."""
    yield _csv_line(COLUMNS)
    for entry in entries:
        yield _csv_line(_safe(v) for v in fields_of(entry).values())


def jsonl_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """One JSON object per event, a line each."""
    for entry in entries:
        yield json.dumps(fields_of(entry), separators=(",", ":")) + "\n"


def lines(entries: Iterable[AuditEntry], export_format: str) -> Iterator[str]:
    """The export in ``csv`` or ``jsonl``."""
    return jsonl_lines(entries) if export_format == "jsonl" else csv_lines(entries)


def _csv_line(cells: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(list(cells))
    return out.getvalue()


def _safe(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
