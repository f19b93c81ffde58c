"""Loading ``reminders.yaml``: when follow-up messages go out after a session and a series.

Semantic checks: ids are unique; there is at least one aftercare row and exactly one
next-session recall; each row uses only the timing fields of its kind (aftercare and
series_end: ``after_days``; outcome_review: ``after_months`` ≥ 1; recall: ``lead_days`` ≥ 1).
Any failure raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from datetime import time
from functools import cache
from typing import Literal

from pydantic import Field

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.messages import MessageKind
from needlepoint.domain.reminders import Milestone, ReminderSchedule
from needlepoint.knowledge import files
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, TableHeader, check_unique

TABLE = "reminders"
RECALL = "next_session_recall"
_TIMING_FIELDS = {
    "aftercare": {"after_days"},
    "series_end": {"after_days"},
    "outcome_review": {"after_months"},
    RECALL: {"lead_days"},
}


class ReminderRow(IdentifiedRow):
    """One follow-up message's timing."""

    kind: Literal["aftercare", "series_end", "outcome_review", "next_session_recall"]
    at: time
    after_days: int = Field(default=0, ge=0)
    after_months: int = Field(default=0, ge=0)
    lead_days: int = Field(default=0, ge=0)


class RemindersFile(TableHeader):
    """``reminders.yaml``."""

    reminders: tuple[ReminderRow, ...]


@cache
def load_reminders_file() -> RemindersFile:
    """``reminders.yaml`` parsed once per process.

    Raises:
        KnowledgeError: The file is missing, is not YAML, or does not fit its schema.
    """
    return files.parse_table(TABLE, RemindersFile)


@cache
def load_reminder_schedule() -> ReminderSchedule:
    """The follow-up schedule, checked.

    Raises:
        KnowledgeError: The file is malformed or a row fails a semantic check.
    """
    return build_reminder_schedule(load_reminders_file())


def build_reminder_schedule(parsed: RemindersFile) -> ReminderSchedule:
    """Check the parsed rows and build the domain schedule.

    Raises:
        KnowledgeError: An id repeats, a row sets a timing field its kind does not use, an
            outcome review or the recall has no time after the session, there is no aftercare
            row, or there is not exactly one recall.
    """
    check_unique(TABLE, ((row.id, row.id) for row in parsed.reminders), "id")
    for row in parsed.reminders:
        _check_fields(row)
    recalls = [row for row in parsed.reminders if row.kind == RECALL]
    if len(recalls) != 1:
        raise KnowledgeError(TABLE, "-", f"expected one {RECALL} row, found {len(recalls)}")
    if not any(row.kind == "aftercare" for row in parsed.reminders):
        raise KnowledgeError(TABLE, "-", "no aftercare row")
    return ReminderSchedule(
        milestones=tuple(_milestone(row) for row in parsed.reminders if row.kind != RECALL),
        recall_lead_days=recalls[0].lead_days,
        recall_at=recalls[0].at,
        version=parsed.table_version,
    )


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every reminder timing."""
    return tuple((TABLE, row.id, row) for row in load_reminders_file().reminders)


def _check_fields(row: ReminderRow) -> None:
    used = {name for name in ("after_days", "after_months", "lead_days") if getattr(row, name)}
    extra = sorted(used - _TIMING_FIELDS[row.kind])
    if extra:
        raise KnowledgeError(TABLE, row.id, f"a {row.kind} row does not use {extra}")
    if row.kind == "outcome_review" and not row.after_months:
        raise KnowledgeError(TABLE, row.id, "an outcome review needs after_months of 1 or more")
    if row.kind == RECALL and not row.lead_days:
        raise KnowledgeError(TABLE, row.id, "the recall needs lead_days of 1 or more")


def _milestone(row: ReminderRow) -> Milestone:
    return Milestone(
        id=row.id,
        kind=MessageKind(row.kind),
        at=row.at,
        after_days=row.after_days,
        after_months=row.after_months,
    )
