"""Use case: consult — from a consultation document to a full programme proposal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from needlepoint.domain.clinic_time import SkippedWallTimeError, wall_time_to_instant
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.programme import (
    ClinicalKnowledge,
    FirstAppointment,
    Programme,
    propose_programme,
)
from needlepoint.services.consultation import intake

if TYPE_CHECKING:
    from needlepoint.services.ports import Clock


@dataclass(frozen=True, slots=True)
class ConsultationOutcome:
    """The programme, plus the clinic it was produced for."""

    clinic_name: str
    time_zone: str
    programme: Programme
    intake: dict[str, Any]


def consult(
    *,
    document: Any,
    knowledge: ClinicalKnowledge,
    clock: Clock,
    appointment: str | None,
    default_session_time: time,
) -> ConsultationOutcome:
    """Validate a consultation document, then screen, grade, plan and time its programme.

    ``appointment`` is the requested first session in ISO 8601; a time without an offset is
    read in the clinic's time zone. Raises ``InvalidInputError`` naming each bad field.
    """
    parsed = intake.parse_consultation(document)
    consultation = parsed.to_domain()
    clinic_tz = ZoneInfo(parsed.clinic.time_zone)
    today = clock.now().astimezone(clinic_tz).date()
    if consultation.consulted_on > today:
        raise InvalidInputError.single(
            "consulted_on",
            f"{consultation.consulted_on} is in the future (today is {today}).",
            "record the day the consultation actually took place.",
        )
    requested_at = _appointment_at(appointment, clinic_tz)
    _check_horizon(requested_at, consultation.consulted_on)
    first = FirstAppointment(
        requested_at=requested_at,
        clinic_tz=clinic_tz,
        default_time=default_session_time,
    )
    programme = propose_programme(
        consultation, knowledge, on=consultation.consulted_on, appointment=first
    )
    return ConsultationOutcome(
        clinic_name=parsed.clinic.name,
        time_zone=parsed.clinic.time_zone,
        programme=programme,
        intake=parsed.model_dump(mode="json"),
    )


#: How far ahead a first appointment may be proposed; a screening is stale long before this.
BOOKING_HORIZON = timedelta(days=731)


def _check_horizon(requested_at: datetime | None, consulted_on: date) -> None:
    if requested_at is not None and requested_at.date() > consulted_on + BOOKING_HORIZON:
        raise InvalidInputError.single(
            "appointment",
            f"{requested_at.date()} is more than two years after the consultation.",
            "book within two years, and re-screen the patient before a later start.",
        )


def _appointment_at(text: str | None, clinic_tz: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or len(text.strip()) <= len("YYYY-MM-DD"):
        raise InvalidInputError.single(
            "appointment",
            f"'{text}' is not a date and time.",
            "write it as YYYY-MM-DDTHH:MM, e.g. 2026-12-07T10:00 (clinic local time).",
        )
    if moment.tzinfo is None:
        return _localise(moment, clinic_tz)
    return moment.astimezone(clinic_tz)


def _localise(moment: datetime, clinic_tz: ZoneInfo) -> datetime:
    """Attach the clinic zone, refusing wall times that do not exist (DST gap)."""
    try:
        instant = wall_time_to_instant(moment.date(), moment.time(), clinic_tz)
    except SkippedWallTimeError:
        raise InvalidInputError.single(
            "appointment",
            f"{moment:%Y-%m-%d %H:%M} does not exist in {clinic_tz.key} (clocks go forward).",
            "choose a time outside the daylight-saving gap.",
        ) from None
    return instant.astimezone(clinic_tz)


@dataclass(frozen=True, slots=True)
class Engine:
    """The clinical engine and what it needs: knowledge, citations, default session time."""

    knowledge: ClinicalKnowledge
    citations: dict[str, str]
    default_session_time: time
