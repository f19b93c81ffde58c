"""The portal area's ports.

Patients' sign-in links and sessions, care acknowledgements, check-ins and photos.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from needlepoint.domain.checkins import CheckIn, CheckInPhoto
from needlepoint.domain.portal import CareAcknowledgement, PatientSession, SignInLink
from needlepoint.domain.records import (
    PatientRecord,
)
from needlepoint.services.ports import (
    HasAppointments,
    HasAudit,
    HasCareAcknowledgements,
    HasCharts,
    HasCheckIns,
    HasClinics,
    HasConsents,
    HasConsentTemplates,
    HasConsultations,
    HasDocuments,
    HasOutbox,
    HasOutcomes,
    HasPatients,
    HasPhotos,
    HasPortalAccess,
    HasSeries,
    HasSessions,
    HasStaff,
    Transaction,
)


class PortalAccessRepository(Protocol):
    """The patient portal's sign-in: one-time links, link requests and patient sessions."""

    def patients_with_email(self, email: str) -> Sequence[PatientRecord]:
        """Every patient record with this email (ignoring case), in any clinic."""
        ...

    def add_link(self, link: SignInLink) -> None:
        """Store a new sign-in link (its token's hash)."""
        ...

    def link(self, token_hash: str) -> SignInLink | None:
        """A sign-in link by the hash of its token."""
        ...

    def use_link(self, link_id: UUID, at: datetime) -> bool:
        """Mark a link used; False when it was used already (two clicks: one wins)."""
        ...

    def rekey_link(self, link_id: UUID, token_hash: str, now: datetime) -> bool:
        """Give an unused, unexpired link a new token (its hash); False if there is none."""
        ...

    def add_request(self, email_hash: str, ip: str, at: datetime) -> None:
        """Record one request for a link, for throttling."""
        ...

    def requests_for_email(self, email_hash: str, *, since: datetime) -> int:
        """Requests for one email after ``since``."""
        ...

    def requests_from_ip(self, ip: str, *, since: datetime) -> int:
        """Requests from one address after ``since``."""
        ...

    def add_session(self, session: PatientSession) -> None:
        """Store a new patient session."""
        ...

    def session(self, id_hash: str) -> PatientSession | None:
        """A patient session by the hash of its token."""
        ...

    def touch_session(self, id_hash: str, at: datetime) -> None:
        """Record use of a session."""
        ...

    def revoke_session(self, id_hash: str, at: datetime) -> None:
        """End a session (a no-op if it has ended)."""
        ...


class CareAcknowledgementRepository(Protocol):
    """Care instructions a patient has marked as read, per item and day."""

    def add(self, acknowledgement: CareAcknowledgement) -> bool:
        """Store it; False (and nothing written) when that item was read that day already."""
        ...

    def for_day(self, clinic_id: UUID, patient_id: UUID, care_on: date) -> frozenset[str]:
        """The ids of the items a patient marked as read for one day."""
        ...


class CheckInRepository(Protocol):
    """Daily check-ins after a session, and their photos."""

    def add(self, check_in: CheckIn) -> None:
        """Store a new check-in."""
        ...

    def add_photo(self, photo: CheckInPhoto) -> None:
        """Store the photo of a stored check-in."""
        ...

    def get(self, clinic_id: UUID, check_in_id: UUID) -> CheckIn | None:
        """A check-in of this clinic (for its staff)."""
        ...

    def get_for_patient(
        self, clinic_id: UUID, patient_id: UUID, check_in_id: UUID
    ) -> CheckIn | None:
        """A check-in of this patient only (None for anyone else's)."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, limit: int, offset: int = 0
    ) -> Sequence[CheckIn]:
        """A patient's check-ins, newest first (``limit`` of them after the first ``offset``)."""
        ...

    def needing_attention(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[CheckIn, PatientRecord]]:
        """Amber and red check-ins no clinician has reviewed: red first, then newest first."""
        ...

    def save_review(self, check_in: CheckIn) -> bool:
        """Record a clinician's review of a check-in; False when it had one already."""
        ...

    def photo(self, clinic_id: UUID, photo_id: UUID) -> CheckInPhoto | None:
        """A check-in photo of this clinic (for its staff)."""
        ...

    def photo_for_patient(
        self, clinic_id: UUID, patient_id: UUID, photo_id: UUID
    ) -> CheckInPhoto | None:
        """A check-in photo of this patient only (None for anyone else's)."""
        ...


class PhotoEncoder(Protocol):
    """Turns an uploaded photo into the bytes kept: JPEG, upright, without any metadata."""

    def reencode(self, data: bytes) -> tuple[bytes, int, int]:
        """The re-encoded JPEG and its width and height in pixels.

        Raises ``PhotoRejectedError`` subclasses: not JPEG or PNG, too large, too many
        pixels, or unreadable.
        """
        ...


class PhotoRenditions(Protocol):
    """Makes smaller copies of a stored photo (for the patient's photo pages)."""

    def rendition(self, data: bytes, max_edge_px: int) -> bytes:
        """A JPEG copy whose long side is at most ``max_edge_px``."""
        ...


class PhotoTools(PhotoEncoder, PhotoRenditions, Protocol):
    """What the portal does with photos: re-encode check-in photos, copy clinical ones."""


class PortalUnitOfWork(
    Transaction,
    HasAudit,
    HasConsentTemplates,
    HasConsents,
    HasDocuments,
    HasClinics,
    HasStaff,
    HasPatients,
    HasConsultations,
    HasSeries,
    HasSessions,
    HasCharts,
    HasOutcomes,
    HasAppointments,
    HasOutbox,
    HasPortalAccess,
    HasCareAcknowledgements,
    HasCheckIns,
    HasPhotos,
    Protocol,
):
    """One transaction over a patient's own records, sign-ins, check-ins and photos."""


class PortalPatientReads(HasClinics, HasPatients, Protocol):
    """Read a patient of the portal with their clinic."""


class SignInLinkQueue(HasPortalAccess, HasOutbox, Protocol):
    """Store a patient's sign-in link and queue the email carrying it."""


class SignInLinkRequest(Transaction, HasAudit, SignInLinkQueue, Protocol):
    """Ask for sign-in links: one per patient record with the email, throttled (audited)."""


class SignInLinkMaking(Transaction, HasPortalAccess, Protocol):
    """Give a queued sign-in link its secret when its email is sent."""


class PatientSessionLookup(Transaction, HasPortalAccess, PortalPatientReads, Protocol):
    """Resolve a patient session: touch it, with its patient and clinic."""


class PatientSessionOpening(PatientSessionLookup, HasAudit, Protocol):
    """Use a sign-in link to open a patient session (audited)."""


class PatientSessionEnd(Transaction, HasAudit, HasPortalAccess, Protocol):
    """End a patient session (audited)."""


class TreatmentHistory(HasSeries, HasSessions, HasAppointments, Protocol):
    """Read what a patient was treated with: their series' sessions and attended visits."""


class CheckInsDue(TreatmentHistory, HasClinics, HasCheckIns, Protocol):
    """Work out which check-ins a patient is asked for today, in the clinic's calendar."""


class CheckInForm(Transaction, HasAudit, CheckInsDue, Protocol):
    """Open the check-in form of a treatment (audited)."""


class ClinicAlert(HasStaff, HasOutbox, Protocol):
    """Queue an email to the clinic's clinicians about a check-in needing attention."""


class CheckInSubmission(CheckInForm, ClinicAlert, Protocol):
    """Submit a check-in, with its photo; an amber or red one alerts the clinic (audited)."""


class CheckInReads(Transaction, HasAudit, HasCheckIns, Protocol):
    """Read check-ins and their photos (audited)."""


class ClinicCheckIns(CheckInReads, HasPatients, Protocol):
    """Read or review a check-in of the clinic, with its patient (audited)."""


class ClinicCheckInPage(ClinicCheckIns, HasStaff, Protocol):
    """Read a check-in of the clinic with its patient and its reviewer's name (audited)."""


class CheckInHistoryReads(Transaction, HasAudit, HasPatients, HasStaff, HasCheckIns, Protocol):
    """Read a patient's check-ins with their reviewers' names (audited)."""


class SessionSummaries(HasConsultations, HasSessions, HasCharts, Protocol):
    """Summarise the sessions of a series for the patient: zones and aftercare, no depths."""


class CareTodayReads(
    HasConsultations, HasSeries, HasSessions, HasAppointments, HasCareAcknowledgements, Protocol
):
    """Read today's care instructions of a patient, and which of them they marked as read."""


class CareAcknowledging(Transaction, HasAudit, HasClinics, CareTodayReads, Protocol):
    """Mark one of today's care instructions as read (audited)."""


class PortalHomeReads(CareAcknowledging, HasCheckIns, Protocol):
    """Read the portal's home page: today's care and check-ins, visits, series (audited)."""


class PortalSeriesReads(
    Transaction,
    HasAudit,
    HasClinics,
    HasConsultations,
    HasSeries,
    HasSessions,
    HasCharts,
    HasAppointments,
    Protocol,
):
    """Read one of the patient's series with a summary of each session held (audited)."""


class PortalAppointmentReads(
    Transaction, HasAudit, HasClinics, HasConsultations, HasSeries, HasAppointments, Protocol
):
    """Read one of the patient's appointments with the care before and after it (audited)."""


class ScoreTrendReads(Transaction, HasAudit, HasPatients, HasOutcomes, Protocol):
    """Read the patient's scar scores over time (audited)."""
