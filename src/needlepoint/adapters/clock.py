"""The real clock."""

from __future__ import annotations

from datetime import UTC, date, datetime


class SystemClock:
    """Reads the system clock, in UTC."""

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date (UTC)."""
        return self.now().date()
