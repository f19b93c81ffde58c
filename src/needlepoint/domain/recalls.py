"""A cartridge lot recall: every session charted with the lot, whom it treated, when, where.

A session counts if any version of its chart names the lot: an amendment may itself be the
mistake, and a recall notice too many is safer than one too few. A session is listed once,
as its newest version naming the lot charted it: its zones and the clinician who charted it.
Its day is the local date the session started, in the clinic's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from uuid import UUID

from needlepoint.domain.clinic_time import local_day
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Zone


@dataclass(frozen=True, slots=True)
class LotUse:
    """One chart version naming a lot, with its session, patient and who charted it."""

    patient: PatientRecord
    session_id: UUID
    session_number: int
    started_at: datetime | None
    chart_version: int
    zones: tuple[Zone, ...]
    charted_by: UUID
    charted_by_name: str


@dataclass(frozen=True, slots=True)
class RecallEntry:
    """One session treated with the lot: the patient, the day, the zones, the clinician."""

    patient: PatientRecord
    session_id: UUID
    session_number: int
    treated_on: date | None
    zones: tuple[Zone, ...]
    clinician: str
    chart_version: int


@dataclass(frozen=True, slots=True)
class LotRecall:
    """What a recall of one lot found, a row per session, by patient then day."""

    lot: str
    treatments: tuple[RecallEntry, ...]

    @property
    def patients(self) -> tuple[PatientRecord, ...]:
        """Each patient treated with the lot once, by family name, given name and id."""
        unique = {entry.patient.id: entry.patient for entry in self.treatments}
        return tuple(sorted(unique.values(), key=_by_name))


def recall_of(lot: str, uses: Iterable[LotUse], zone: tzinfo) -> LotRecall:
    """The recall of ``lot`` from every chart version naming it (see the module docstring)."""
    newest: dict[UUID, LotUse] = {}
    for use in uses:
        kept = newest.get(use.session_id)
        if kept is None or use.chart_version > kept.chart_version:
            newest[use.session_id] = use
    entries = [_entry(use, zone) for use in newest.values()]
    entries.sort(key=lambda e: (*_by_name(e.patient), e.treated_on or date.max, e.session_number))
    return LotRecall(lot, tuple(entries))


def _entry(use: LotUse, zone: tzinfo) -> RecallEntry:
    day = None if use.started_at is None else local_day(use.started_at, zone)
    return RecallEntry(
        patient=use.patient,
        session_id=use.session_id,
        session_number=use.session_number,
        treated_on=day,
        zones=use.zones,
        clinician=use.charted_by_name,
        chart_version=use.chart_version,
    )


def _by_name(patient: PatientRecord) -> tuple[str, str, str]:
    return (patient.family_name, patient.given_name, str(patient.id))
