"""Ports the services need from the outside world, as Protocols."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time. The domain never asks; services pass "today" in."""

    def now(self) -> datetime:
        """The current instant, time-zone aware (UTC)."""
        ...

    def today(self) -> date:
        """Today's date in UTC."""
        ...
