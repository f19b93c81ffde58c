"""The parameters a contraindication rule may give its predicate, as strict models.

``knowledge/predicates.py`` validates each rule's ``params`` with one of these before it builds
the predicate, so a misspelt key or a wrong type fails when the knowledge base loads.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from pydantic import Field, model_validator

from needlepoint.domain.dates import add_months
from needlepoint.domain.vocabulary import (
    Device,
    Indication,
    ProcedureKind,
    Zone,
    ZoneCondition,
)
from needlepoint.knowledge.schema import Strict

Count = Annotated[int, Field(strict=True, gt=0)]
FitzpatrickType = Annotated[int, Field(strict=True, ge=1, le=6)]


class NoParams(Strict):
    """Predicates that take nothing."""


class ZoneConditionParams(Strict):
    """A condition noted by the examiner in a zone."""

    condition: ZoneCondition


class ZonesParams(Strict):
    """A set of zones."""

    zones: tuple[Zone, ...] = Field(min_length=1)
    unless_only_for: Indication | None = None


class IndicationParams(Strict):
    """An indication."""

    indication: Indication


class DevicesParams(Strict):
    """A set of treatment devices."""

    devices: tuple[Device, ...] = Field(min_length=1)


class FitzpatrickParams(Strict):
    """Fitzpatrick skin types."""

    types: tuple[FitzpatrickType, ...] = Field(min_length=1)


class ZonesFitzpatrickParams(FitzpatrickParams):
    """Zones, for the given Fitzpatrick skin types."""

    zones: tuple[Zone, ...] = Field(min_length=1)


class AgeParams(Strict):
    """An age range in years."""

    min_years: Annotated[int, Field(strict=True, ge=0)] = 0
    below_years: Count

    @model_validator(mode="after")
    def _ordered(self) -> AgeParams:
        if self.min_years >= self.below_years:
            raise ValueError("min_years must be below below_years")
        return self


class MonthsParams(Strict):
    """A waiting period in months."""

    months: Count


class MonthWindowParams(Strict):
    """A window of months."""

    from_months: Count
    to_months: Count

    @model_validator(mode="after")
    def _ordered(self) -> MonthWindowParams:
        if self.from_months >= self.to_months:
            raise ValueError("from_months must be below to_months")
        return self


class RecentProcedureParams(Strict):
    """A kind of recent procedure and the wait after it, in days or months."""

    kinds: tuple[ProcedureKind, ...] = Field(min_length=1)
    days: Count | None = None
    months: Count | None = None

    @model_validator(mode="after")
    def _one_period(self) -> RecentProcedureParams:
        if (self.days is None) == (self.months is None):
            raise ValueError("give exactly one of days or months")
        return self

    def ends_on(self, performed_on: date) -> date:
        """The first day after the waiting period that follows a procedure."""
        if self.months is not None:
            return add_months(performed_on, self.months)
        return performed_on + timedelta(days=self.days or 0)

    @property
    def period(self) -> str:
        """The waiting period in words."""
        return f"{self.months} months" if self.months is not None else f"{self.days} days"
