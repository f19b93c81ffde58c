"""``reminders.yaml``: follow-up timings, as issue 5 and clinical.md §3.2 and §4.2 give them."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.evidence import EvidenceLevel
from needlepoint.domain.messages import MessageKind
from needlepoint.knowledge import reminders
from needlepoint.knowledge.reminders import RemindersFile, build_reminder_schedule


def _rows() -> list[dict[str, Any]]:
    return [row.model_dump() for row in reminders.load_reminders_file().reminders]


def _build(rows: list[dict[str, Any]]) -> None:
    build_reminder_schedule(
        RemindersFile.model_validate(
            {"schema_version": 1, "table_version": "test", "reminders": rows}
        )
    )


def test_aftercare_follows_days_0_1_3_and_7_in_the_evening_then_the_morning() -> None:
    schedule = reminders.load_reminder_schedule()

    aftercare = [m for m in schedule.milestones if m.kind is MessageKind.AFTERCARE]

    assert [(m.after_days, m.at) for m in aftercare] == [
        (0, time(18, 0)),
        (1, time(9, 0)),
        (3, time(9, 0)),
        (7, time(9, 0)),
    ]


def test_outcome_reviews_are_at_3_and_6_months_after_the_last_session() -> None:
    schedule = reminders.load_reminder_schedule()

    reviews = [m.after_months for m in schedule.milestones if m.kind is MessageKind.OUTCOME_REVIEW]

    assert reviews == [3, 6]


def test_the_recall_comes_a_week_before_the_next_session_is_due() -> None:
    schedule = reminders.load_reminder_schedule()

    assert (schedule.recall_lead_days, schedule.recall_at) == (7, time(9, 0))


def test_sending_times_are_inferred_defaults_and_reviews_cite_the_trial() -> None:
    rows = reminders.load_reminders_file().reminders

    inferred = {r.id for r in rows if r.evidence is EvidenceLevel.INFERRED}
    assert {r.id for r in rows} - inferred == {
        "outcome-review-3-months",
        "outcome-review-6-months",
    }
    assert all("alam-2014-rct" in r.sources for r in rows if r.kind == "outcome_review")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows.append(dict(rows[0])), "id"),
        (lambda rows: rows[0].update(after_months=1), "does not use"),
        (lambda rows: rows[5].update(after_months=0), "after_months of 1 or more"),
        (lambda rows: rows[-1].update(lead_days=0), "lead_days of 1 or more"),
        (lambda rows: rows.pop(), "expected one next_session_recall"),
        (lambda rows: rows.append({**rows[-1], "id": "second-recall"}), "expected one"),
        (
            lambda rows: [rows.remove(r) for r in list(rows) if r["kind"] == "aftercare"],
            "aftercare",
        ),
    ],
)
def test_a_malformed_table_is_refused_naming_the_problem(change: Any, message: str) -> None:
    rows = _rows()
    change(rows)

    with pytest.raises(KnowledgeError, match=message):
        _build(rows)
