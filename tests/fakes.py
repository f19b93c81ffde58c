"""Hand-written fakes for ports (no mocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


class FixedClock:
    """A clock stopped at one instant."""

    def __init__(self, today: date, at: time = time(12, 0)) -> None:
        self._now = datetime.combine(today, at, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()
