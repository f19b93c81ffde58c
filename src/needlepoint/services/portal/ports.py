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
    HasConsultations,
    HasOutbox,
    HasOutcomes,
    HasPatients,
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

    def for_patient(self, clinic_id: UUID, patient_id: UUID, *, limit: int) -> Sequence[CheckIn]:
        """A patient's check-ins, newest first."""
        ...

    def needing_attention(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[CheckIn, PatientRecord]]:
        """Amber and red check-ins no clinician has reviewed: red first, then newest first."""
        ...

    def save_review(self, check_in: CheckIn) -> None:
        """Record that a clinician reviewed a check-in (the first review stays)."""
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


class PortalUnitOfWork(
    Transaction,
    HasAudit,
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
    Protocol,
):
    """One transaction over a patient's own records, sign-ins and check-ins."""
