"""Use case: create a clinic (the boundary no record crosses)."""

from __future__ import annotations

from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Clinic
from needlepoint.services.ports import UnitOfWork


def add_clinic(*, name: str, time_zone: str, uow: UnitOfWork) -> Clinic:
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


def time_zone_of(*, clinic_id: UUID, uow: UnitOfWork) -> str:
    """A clinic's IANA time zone (UTC for an unknown clinic: there is nothing of it to show)."""
    with uow:
        return str(clinic_zone(uow, clinic_id))


def clinic_zone(uow: UnitOfWork, clinic_id: UUID) -> ZoneInfo:
    """The clinic's zone, read in the caller's unit of work (UTC for an unknown clinic)."""
    clinic = uow.clinics.get(clinic_id)
    return ZoneInfo("UTC" if clinic is None else clinic.time_zone)
