"""The in-memory database every fake repository reads and writes, and its transactions.

``FakeDatabase`` holds the rows, one dict (or list) per table, as plain domain values; the fake
repositories (one module per area) are views over it, so the units of work of different areas
built on one database see each other's writes, as they would on PostgreSQL. A checkpoint saves
every table and puts it back in place, so a repository's ``rows`` stays the same object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from types import TracebackType
from typing import Self, TypeVar
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.break_glass import BreakGlassGrant
from needlepoint.domain.calendar import CalendarFeed
from needlepoint.domain.checkins import CheckIn, CheckInPhoto
from needlepoint.domain.clearances import Clearance
from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.consent_templates import ConsentTemplateVersion
from needlepoint.domain.documents import StoredDocument
from needlepoint.domain.messages import OutboxMessage
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.patient_changes import PatientChange
from needlepoint.domain.photos import Derivative, RednessReading, StoredPhoto
from needlepoint.domain.portal import CareAcknowledgement, PatientSession, SignInLink
from needlepoint.domain.records import (
    AuditEvent,
    Clinic,
    ConsultationRecord,
    PatientRecord,
    StaffMember,
)
from needlepoint.domain.scheduling import Appointment, OpeningHours, Room
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession

K = TypeVar("K")
V = TypeVar("V")

Restore = Callable[[], None]
"""Puts what a checkpoint saved back in place."""


def saved_rows(rows: dict[K, V]) -> Restore:
    """A checkpoint of one table kept as a dict."""
    saved = dict(rows)

    def restore() -> None:
        rows.clear()
        rows.update(saved)

    return restore


def saved_list(items: list[V]) -> Restore:
    """A checkpoint of one table kept as a list."""
    saved = list(items)

    def restore() -> None:
        items[:] = saved

    return restore


def restoring_all(restores: list[Restore]) -> Restore:
    """One restore for several checkpoints."""

    def restore() -> None:
        for each in restores:
            each()

    return restore


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued message with the worker lease the table keeps beside it."""

    message: OutboxMessage
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class SignInRequest:
    """One request for a portal sign-in link, kept for throttling."""

    email_hash: str
    ip: str
    at: datetime


AcknowledgementKey = tuple[UUID, UUID, str, date]
"""Clinic, patient, item and day: one acknowledgement each (the table's unique key)."""


@dataclass(eq=False)
class FakeDatabase:
    """Every table of the clinic database, in memory."""

    clinics: dict[UUID, Clinic] = field(default_factory=dict)
    staff: dict[UUID, tuple[StaffMember, str]] = field(default_factory=dict)
    patients: dict[UUID, PatientRecord] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    consultations: dict[UUID, ConsultationRecord] = field(default_factory=dict)
    clearances: dict[UUID, Clearance] = field(default_factory=dict)
    series: dict[UUID, TreatmentSeries] = field(default_factory=dict)
    sessions: dict[UUID, TreatmentSession] = field(default_factory=dict)
    charts: dict[tuple[UUID, int], ChartVersion] = field(default_factory=dict)
    """Keyed by (session, version), like the table's UNIQUE constraint."""
    outcomes: dict[UUID, OutcomeMeasurement] = field(default_factory=dict)
    care_documents: dict[UUID, CareDocument] = field(default_factory=dict)
    assessments: dict[UUID, ScarAssessmentRecord] = field(default_factory=dict)
    rooms: dict[UUID, Room] = field(default_factory=dict)
    opening_hours: dict[UUID, list[OpeningHours]] = field(default_factory=dict)
    """Each clinic's week, by clinic."""
    appointments: dict[UUID, Appointment] = field(default_factory=dict)
    calendar_feeds: dict[UUID, CalendarFeed] = field(default_factory=dict)
    outbox: dict[UUID, OutboxRow] = field(default_factory=dict)
    sign_in_links: dict[UUID, SignInLink] = field(default_factory=dict)
    sign_in_requests: list[SignInRequest] = field(default_factory=list)
    patient_sessions: dict[str, PatientSession] = field(default_factory=dict)
    care_acknowledgements: dict[AcknowledgementKey, CareAcknowledgement] = field(
        default_factory=dict
    )
    check_ins: dict[UUID, CheckIn] = field(default_factory=dict)
    check_in_photos: dict[UUID, CheckInPhoto] = field(default_factory=dict)
    consent_templates: dict[UUID, ConsentTemplateVersion] = field(default_factory=dict)
    consents: dict[UUID, SignedConsent] = field(default_factory=dict)
    documents: dict[UUID, StoredDocument] = field(default_factory=dict)
    clinical_photos: dict[UUID, StoredPhoto] = field(default_factory=dict)
    redness_readings: dict[UUID, RednessReading] = field(default_factory=dict)
    photo_derivatives: dict[str, tuple[UUID, Derivative]] = field(default_factory=dict)
    """Keyed by the derivative's key: the clinic and the copy."""
    patient_changes: list[PatientChange] = field(default_factory=list)
    break_glass_grants: dict[UUID, BreakGlassGrant] = field(default_factory=dict)

    def checkpoint(self) -> Restore:
        """Save every table; the result puts them all back as they are now."""
        restores = [
            saved_rows(self.clinics),
            saved_rows(self.staff),
            saved_rows(self.patients),
            saved_list(self.audit),
            saved_rows(self.consultations),
            saved_rows(self.clearances),
            saved_rows(self.series),
            saved_rows(self.sessions),
            saved_rows(self.charts),
            saved_rows(self.outcomes),
            saved_rows(self.care_documents),
            saved_rows(self.assessments),
            saved_rows(self.rooms),
            saved_rows(self.opening_hours),
            saved_rows(self.appointments),
            saved_rows(self.calendar_feeds),
            saved_rows(self.outbox),
            saved_rows(self.sign_in_links),
            saved_list(self.sign_in_requests),
            saved_rows(self.patient_sessions),
            saved_rows(self.care_acknowledgements),
            saved_rows(self.check_ins),
            saved_rows(self.check_in_photos),
            saved_rows(self.consent_templates),
            saved_rows(self.consents),
            saved_rows(self.documents),
            saved_rows(self.clinical_photos),
            saved_rows(self.redness_readings),
            saved_rows(self.photo_derivatives),
            saved_list(self.patient_changes),
            saved_rows(self.break_glass_grants),
        ]
        assert len(restores) == len(fields(self)), "a table is missing from the checkpoint"
        return restoring_all(restores)


class FakeTransaction:
    """Commits by keeping what was staged; rolls back to the last commit (or the start).

    Several units of work may share one database (pass it in); each keeps its own last commit.
    """

    def __init__(self, database: FakeDatabase | None = None) -> None:
        self.database = FakeDatabase() if database is None else database
        self.commits = 0
        self._restore = self.database.checkpoint()

    def __enter__(self) -> Self:
        self._restore = self.database.checkpoint()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._restore()

    def commit(self) -> None:
        self._restore = self.database.checkpoint()
        self.commits += 1

    def rollback(self) -> None:
        self._restore()
