"""Use case: create a clinic (the boundary no record crosses)."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Clinic
from needlepoint.services.ports import Clock, HasClinics, Transaction


class ClinicsTransaction(Transaction, HasClinics, Protocol):
    """A transaction over the clinics."""


def add_clinic(*, name: str, time_zone: str, uow: ClinicsTransaction) -> Clinic:
    """Create a clinic with its IANA time zone."""
    if not name.strip():
        raise InvalidInputError.single("name", "the clinic has no name.", "give its name.")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError.single(
            "time_zone",
            f"'{time_zone}' is not an IANA time zone.",
            "use a name such as Europe/London or America/New_York.",
        ) from None
    clinic = Clinic(id=uuid4(), name=name.strip(), time_zone=time_zone)
    with uow:
        uow.clinics.add(clinic)
        uow.commit()
    return clinic


def time_zone_of(*, clinic_id: UUID, uow: ClinicsTransaction) -> str:
    """A clinic's IANA time zone (UTC for an unknown clinic: there is nothing of it to show)."""
    with uow:
        return str(clinic_zone(uow, clinic_id))


def clinic_zone(uow: HasClinics, clinic_id: UUID) -> ZoneInfo:
    """The clinic's zone, read in the caller's unit of work (UTC for an unknown clinic)."""
    clinic = uow.clinics.get(clinic_id)
    return ZoneInfo("UTC" if clinic is None else clinic.time_zone)


def clinic_today(time_zone: str, clock: Clock) -> date:
    """Today's date where the clinic is."""
    return clock.now().astimezone(ZoneInfo(time_zone)).date()
