"""When a treatment series' next session falls due, as the dashboard's "series to book" stores it.

One rule, used by every write that changes its inputs (``adapters/db/treatment/series_due.py``)
and by the tests; the migration that added the stored values (2026-12-10_series_next_due)
fills them with the same rule written in SQL. A series is **to book** when it is planned or in
progress, has held fewer sessions than planned, and its next session was not attended. Its next
session falls due on the UTC day of the last session's start plus the agreed interval; before
the first session, on the proposal's first date; failing that, on the UTC day the series was
created. The latest start of a booked appointment for that next session is kept beside it: the
series needs no call while that start is still ahead (ADR 0034).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from needlepoint.domain.scheduling import AppointmentStatus
from needlepoint.domain.treatment import SeriesStatus

_ACTIVE = frozenset({SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS})


@dataclass(frozen=True, slots=True)
class SeriesProgress:
    """What decides a series' next session: its plan, its sessions and their appointments.

    ``next_session``: the appointments for session ``sessions_held + 1``, as (status, start).
    """

    status: SeriesStatus
    sessions_planned: int
    interval_days: int
    first_proposed_on: date | None
    created_at: datetime
    sessions_held: int
    last_started_at: datetime | None
    next_session: tuple[tuple[AppointmentStatus, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class NextDue:
    """The stored "next session due": None and None when there is nothing to book.

    ``due_on``: the UTC day the next session falls due. ``booked_at``: the latest start of a
    booked appointment for it, None when none is booked (and whenever ``due_on`` is None).
    """

    due_on: date | None
    booked_at: datetime | None

    def to_book(self, booked_from: datetime) -> bool:
        """Listed when something is due and nothing is booked from ``booked_from`` on."""
        return self.due_on is not None and (self.booked_at is None or self.booked_at < booked_from)


NOTHING_DUE = NextDue(None, None)


def next_due(progress: SeriesProgress) -> NextDue:
    """The series' next session due and its booking; ``NOTHING_DUE`` when none is to book."""
    if progress.status not in _ACTIVE or progress.sessions_held >= progress.sessions_planned:
        return NOTHING_DUE
    statuses = {status for status, _ in progress.next_session}
    if AppointmentStatus.ATTENDED in statuses:
        return NOTHING_DUE
    return NextDue(_due_on(progress), _latest_booked(progress.next_session))


def _due_on(progress: SeriesProgress) -> date:
    if progress.last_started_at is not None:
        return utc_day(progress.last_started_at) + timedelta(days=progress.interval_days)
    if progress.first_proposed_on is not None:
        return progress.first_proposed_on
    return utc_day(progress.created_at)


def _latest_booked(appointments: Iterable[tuple[AppointmentStatus, datetime]]) -> datetime | None:
    starts = [at for status, at in appointments if status is AppointmentStatus.BOOKED]
    return max(starts, default=None)


def utc_day(instant: datetime) -> date:
    """The UTC calendar day of an aware instant."""
    return instant.astimezone(UTC).date()
