"""The stored "next session due" of each treatment series, for the dashboard (ADR 0034).

* ``treatment_series.next_due_on``: the UTC day the series' next session falls due, NULL when
  nothing is to book (the series is not planned or in progress, every planned session is held,
  or the next one was attended).
* ``treatment_series.next_booked_at``: the latest start of a booked appointment for that next
  session, NULL when none is booked or nothing is due.
* ``ix_treatment_series_to_book``: ``(clinic_id, next_due_on, id)`` over the series due with
  nothing booked; ``ix_treatment_series_next_booked``: ``(clinic_id, next_booked_at)`` over the
  series with a booking (those booked before today were missed and are listed again).

The application keeps both columns (``domain.series_due.next_due``, called by every write of a
series, session or appointment). The backfill here is the same rule in SQL, statement for
statement: ``next_due`` leaves NULL unless the series is active, has held fewer sessions than
its plan's ``sessions`` and no attended appointment for session ``held + 1``; then the last
start's UTC day plus ``interval_days``, else the proposal's first date, else the UTC day of
``created_at``; and the latest start of a booked appointment for session ``held + 1``. A test
compares the two on the same rows (tests/integration/test_series_next_due.py).

Revision ID: 20261210_series_next_due
Revises: 20261209_audit_writers
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261210_series_next_due"
down_revision: str | Sequence[str] | None = "20261209_audit_writers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HELD = "(SELECT count(*) FROM treatment_session s WHERE s.series_id = treatment_series.id)"

_DIALECT = {
    "postgresql": {
        "sessions": "CAST(plan ->> 'sessions' AS INTEGER)",
        "last_day_plus_interval": (
            "CAST((max(s.started_at) AT TIME ZONE 'UTC') AS DATE)"
            " + CAST(treatment_series.plan ->> 'interval_days' AS INTEGER)"
        ),
        "first_proposed_on": "CAST(proposal -> 'series' -> 'dated' -> 0 ->> 'on' AS DATE)",
        "created_on": "CAST((created_at AT TIME ZONE 'UTC') AS DATE)",
    },
    "sqlite": {
        "sessions": "CAST(json_extract(plan, '$.sessions') AS INTEGER)",
        "last_day_plus_interval": (
            "date(max(s.started_at), '+' ||"
            " json_extract(treatment_series.plan, '$.interval_days') || ' days')"
        ),
        "first_proposed_on": "date(json_extract(proposal, '$.series.dated[0].on'))",
        "created_on": "date(created_at)",
    },
}

_FILL_DUE = """
UPDATE treatment_series SET next_due_on = COALESCE(
    (SELECT {last_day_plus_interval} FROM treatment_session s
     WHERE s.series_id = treatment_series.id AND s.started_at IS NOT NULL),
    {first_proposed_on},
    {created_on})
WHERE status IN ('planned', 'in_progress')
  AND {held} < {sessions}
  AND NOT EXISTS (
    SELECT 1 FROM appointment a
    WHERE a.series_id = treatment_series.id AND a.session_number = {held} + 1
      AND a.status = 'attended')
"""

_FILL_BOOKED = """
UPDATE treatment_series SET next_booked_at = (
    SELECT max(a.starts_at) FROM appointment a
    WHERE a.series_id = treatment_series.id AND a.session_number = {held} + 1
      AND a.status = 'booked')
WHERE next_due_on IS NOT NULL
"""


def upgrade() -> None:
    """Add the two columns, fill them for the series already stored, then index them."""
    op.add_column("treatment_series", sa.Column("next_due_on", sa.Date, nullable=True))
    op.add_column(
        "treatment_series", sa.Column("next_booked_at", sa.DateTime(timezone=True), nullable=True)
    )
    parts = _DIALECT[op.get_bind().dialect.name]
    op.execute(_FILL_DUE.format(held=_HELD, **parts))
    op.execute(_FILL_BOOKED.format(held=_HELD))
    op.create_index(
        "ix_treatment_series_to_book",
        "treatment_series",
        ["clinic_id", "next_due_on", "id"],
        postgresql_where=sa.text("next_due_on IS NOT NULL AND next_booked_at IS NULL"),
        sqlite_where=sa.text("next_due_on IS NOT NULL AND next_booked_at IS NULL"),
    )
    op.create_index(
        "ix_treatment_series_next_booked",
        "treatment_series",
        ["clinic_id", "next_booked_at"],
        postgresql_where=sa.text("next_booked_at IS NOT NULL"),
        sqlite_where=sa.text("next_booked_at IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop the indexes and the columns."""
    op.drop_index("ix_treatment_series_next_booked", table_name="treatment_series")
    op.drop_index("ix_treatment_series_to_book", table_name="treatment_series")
    op.drop_column("treatment_series", "next_booked_at")
    op.drop_column("treatment_series", "next_due_on")
