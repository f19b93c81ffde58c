"""The treatment area's ports: treatment series, sessions, chart versions and clinical photos.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    Procedure,
    TemplateKey,
    TemplateText,
)
from needlepoint.domain.documents import StoredDocument
from needlepoint.domain.photo_geometry import Region, Similarity
from needlepoint.domain.photos import ClinicalPhoto, Derivative, RednessReading, StoredPhoto
from needlepoint.domain.recalls import LotUse
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.services.ports import (
    HasAppointments,
    HasAudit,
    HasCharts,
    HasClearances,
    HasClinics,
    HasConsents,
    HasConsentTemplates,
    HasConsultations,
    HasDocuments,
    HasOutbox,
    HasOutcomes,
    HasPatients,
    HasPhotos,
    HasSeries,
    HasSessions,
    HasStaff,
    Transaction,
)


class SeriesRepository(Protocol):
    """Treatment series of one clinic."""

    def add(self, series: TreatmentSeries) -> None:
        """Store a new series."""
        ...

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        """A series of this clinic, or None (also for another clinic's)."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[TreatmentSeries]:
        """A patient's series, newest first."""
        ...

    def active_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[TreatmentSeries]:
        """The patient's planned and in-progress series, oldest first."""
        ...

    def save(self, series: TreatmentSeries) -> None:
        """Store a changed series whose ``version`` is one more than the stored one.

        Raises ``VersionConflictError`` if the stored series is not at ``version - 1``.
        """
        ...


class SessionRepository(Protocol):
    """Treatment sessions of one clinic."""

    def add(self, session: TreatmentSession) -> None:
        """Store a new session; ``VersionConflictError`` if its number is already taken."""
        ...

    def get(self, clinic_id: UUID, session_id: UUID) -> TreatmentSession | None:
        """A session of this clinic, or None (also for another clinic's)."""
        ...

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[TreatmentSession]:
        """The sessions of a series, by number."""
        ...

    def save_status(self, session: TreatmentSession) -> None:
        """Store a session's new status."""
        ...


class ChartRepository(Protocol):
    """Chart versions. A version is only ever added; a signed version never changes."""

    def add(self, version: ChartVersion) -> None:
        """Store a new version; ``VersionConflictError`` if that version number exists."""
        ...

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        """The newest version of a session's chart, or None if it has none."""
        ...

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        """Every version of a session's chart, oldest first."""
        ...

    def save_signature(self, version: ChartVersion) -> None:
        """Record the signature of an unsigned version; ``AlreadySignedError`` if signed."""
        ...

    def lot_uses(self, clinic_id: UUID, lot: str) -> Sequence[LotUse]:
        """Every chart version of this clinic naming a lot, with its session, patient, charter."""
        ...


class PhotoRepository(Protocol):
    """Clinical photos, their redness readings, and the copies made from them.

    ``patient_id``, when given, narrows a read to that patient's photos (the portal's reads).
    """

    def add(self, photo: ClinicalPhoto, data: bytes) -> None:
        """Store a new photo with its (re-encoded) bytes."""
        ...

    def get(
        self, clinic_id: UUID, photo_id: UUID, *, patient_id: UUID | None = None
    ) -> ClinicalPhoto | None:
        """A photo of this clinic without its bytes, or None (also for another clinic's)."""
        ...

    def stored(
        self, clinic_id: UUID, photo_id: UUID, *, patient_id: UUID | None = None
    ) -> StoredPhoto | None:
        """A photo of this clinic with its bytes as stored (not checked), or None."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ClinicalPhoto]:
        """A patient's photos, oldest first (by the day taken, then by when stored)."""
        ...

    def save_landmarks(self, photo: ClinicalPhoto) -> None:
        """Store a photo's (new) landmarks."""
        ...

    def add_reading(self, reading: RednessReading) -> None:
        """Store a redness reading made on a stored photo."""
        ...

    def readings_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[RednessReading]:
        """A patient's redness readings, oldest first (by the photo's day, then recorded)."""
        ...

    def derivative(self, clinic_id: UUID, key: str) -> Derivative | None:
        """A copy kept under ``key`` for this clinic, or None."""
        ...

    def keep_derivative(
        self, derivative: Derivative, *, photo: ClinicalPhoto, at: datetime
    ) -> None:
        """Keep a copy made from ``photo`` (and perhaps another); it replaces one of that key."""
        ...


class ClinicalImaging(Protocol):
    """The image maths clinical photos need (an adapter: Pillow and scikit-image)."""

    def reencode(self, data: bytes) -> tuple[bytes, int, int]:
        """An upload checked and written again as an upright JPEG without metadata.

        Returns the bytes and the width and height in pixels; raises ``PhotoRejectedError``
        (``domain.checkins``) for a file it refuses.
        """
        ...

    def rendition(self, data: bytes, max_edge_px: int) -> bytes:
        """A smaller JPEG copy whose long side is at most ``max_edge_px``."""
        ...

    def similarity(self, earlier: ClinicalPhoto, later: ClinicalPhoto) -> Similarity:
        """The transform mapping the later photo's landmarks onto the earlier's."""
        ...

    def aligned(
        self, later_data: bytes, earlier: ClinicalPhoto, later: ClinicalPhoto, max_edge_px: int
    ) -> bytes:
        """The later photo warped onto the earlier's frame, at most ``max_edge_px``, as a JPEG."""
        ...

    def mean_a_star(self, data: bytes, region: Region) -> float:
        """The mean CIELAB a* (D65) of the photo's pixels inside the region."""
        ...


class TreatmentUnitOfWork(
    Transaction,
    HasAudit,
    HasConsentTemplates,
    HasConsents,
    HasDocuments,
    HasStaff,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasClearances,
    HasSeries,
    HasSessions,
    HasCharts,
    HasOutcomes,
    HasAppointments,
    HasOutbox,
    HasPhotos,
    Protocol,
):
    """One transaction over series, sessions, charts and photos, with what their gates read."""


class SeriesSessions(HasSeries, HasSessions, Protocol):
    """Read a series and its sessions."""


class SeriesReads(Transaction, HasAudit, HasSeries, Protocol):
    """Read one treatment series (audited)."""


class PatientSeriesReads(Transaction, HasAudit, HasPatients, HasSeries, Protocol):
    """List a patient's treatment series (audited)."""


class SessionReads(Transaction, HasAudit, HasSeries, HasSessions, Protocol):
    """List the sessions of a series (audited)."""


class AppointmentWithdrawal(HasAppointments, HasOutbox, Protocol):
    """Cancel a stopped series' future appointments and withdraw their messages."""


class SeriesEnding(HasAudit, HasSeries, AppointmentWithdrawal, Protocol):
    """Stop series and their future appointments, in the caller's transaction (audited)."""


class SeriesCancelling(Transaction, SeriesEnding, Protocol):
    """Cancel a series with its future appointments (audited)."""


class SeriesCreation(
    Transaction,
    HasClinics,
    HasConsultations,
    HasClearances,
    SeriesEnding,
    Protocol,
):
    """Agree a series from a signed consultation: cleared, superseding overlapping ones."""


class SessionStart(
    Transaction,
    HasAudit,
    HasConsentTemplates,
    HasConsents,
    HasClinics,
    HasConsultations,
    HasClearances,
    HasSeries,
    HasSessions,
    HasAppointments,
    HasOutbox,
    Protocol,
):
    """Start a session: rescreen, check clearances and consent, attend the day's appointment.

    It holds what scheduling's ``attend_session`` takes (``VisitsUnitOfWork``).
    """


class Charting(Transaction, HasAudit, HasClinics, HasSeries, HasSessions, HasCharts, Protocol):
    """Chart a session of a series, dated in the clinic's zone (audited)."""


class PastSessionWrites(HasAudit, HasSessions, HasCharts, Protocol):
    """Writing one past session and its signed chart, inside ``PastSessionRecording``."""


class PastSessionRecording(Transaction, HasAudit, HasSeries, HasSessions, HasCharts, Protocol):
    """Recording a finished course's sessions and signed charts at once (``past_sessions``)."""


class ChartSigning(Transaction, HasAudit, HasSeries, HasSessions, HasCharts, Protocol):
    """Sign a session's latest chart version (audited)."""


class ChartHistoryReads(Transaction, HasAudit, HasSessions, HasCharts, Protocol):
    """Read every version of a session's chart (audited)."""


class SeriesOverviewReads(
    Transaction, HasAudit, HasPatients, HasSeries, HasSessions, HasAppointments, Protocol
):
    """Read a series with its patient, sessions and appointments (audited)."""


class ReplacementReads(Transaction, HasAudit, HasSeries, HasConsultations, Protocol):
    """Read the consultations a new series could replace a series from (audited)."""


class LotRecall(Transaction, HasAudit, HasClinics, HasCharts, Protocol):
    """Find the sessions and patients charted with a cartridge lot (audited)."""


class ChartSheetReads(
    Transaction, HasAudit, HasConsultations, HasSeries, HasSessions, HasCharts, Protocol
):
    """Read a session's chart sheet: its chart, series and planned device (audited)."""


class HandoutReads(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasSeries,
    HasSessions,
    HasAppointments,
    Protocol,
):
    """Read what a session's handout is made from: patient, plan, care and next visit."""


class OutcomeChartReads(
    Transaction, HasAudit, HasPatients, HasSeries, HasSessions, HasOutcomes, Protocol
):
    """Read a patient's outcome chart: measurements beside their series' sessions (audited)."""


# --- consent (ADR 0029) ----------------------------------------------------------------------


class ConsentTemplateRepository(Protocol):
    """A clinic's consent template versions; a published version is never written again."""

    def add(self, version: ConsentTemplateVersion) -> None:
        """Store a new version; ``DraftExistsError`` if its template has a draft already."""
        ...

    def get(self, clinic_id: UUID, version_id: UUID) -> ConsentTemplateVersion | None:
        """A version of this clinic's templates, or None (also for another clinic's)."""
        ...

    def of_template(self, clinic_id: UUID, key: TemplateKey) -> Sequence[ConsentTemplateVersion]:
        """Every version of one template, oldest first."""
        ...

    def for_clinic(self, clinic_id: UUID) -> Sequence[ConsentTemplateVersion]:
        """Every version of every template of the clinic, by template then newest first."""
        ...

    def published(self, clinic_id: UUID, procedure: Procedure) -> Sequence[ConsentTemplateVersion]:
        """The published versions of a procedure's templates."""
        ...

    def save_draft(self, version: ConsentTemplateVersion, *, replacing: TemplateText) -> None:
        """Store a draft's new text, or its publication, over the text it was read with.

        ``TemplatePublishedError`` once published (never written again); ``TemplateChangedError``
        if someone else changed the draft since it was read.
        """
        ...


class ConsentRepository(Protocol):
    """Signed consents; a series has at most one that is not withdrawn."""

    def add(self, consent: SignedConsent) -> None:
        """Store a new consent; ``ConsentExistsError`` if the series has one not withdrawn."""
        ...

    def get(
        self, clinic_id: UUID, consent_id: UUID, *, patient_id: UUID | None = None
    ) -> SignedConsent | None:
        """A consent of this clinic (of this patient only, when given), or None."""
        ...

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[SignedConsent]:
        """The consents of a series, oldest first."""
        ...

    def save_witness(self, consent: SignedConsent) -> None:
        """Record a consent's witness and its signed document (once)."""
        ...

    def save_withdrawal(self, consent: SignedConsent) -> None:
        """Record a consent's withdrawal (once)."""
        ...


class DocumentRepository(Protocol):
    """Stored documents: added once, never changed, read back exactly as stored."""

    def add(self, document: StoredDocument) -> None:
        """Store a new document."""
        ...

    def get(
        self, clinic_id: UUID, document_id: UUID, *, patient_id: UUID | None = None
    ) -> StoredDocument | None:
        """A document of this clinic (of this patient only, when given), as stored, or None."""
        ...


class ConsentTemplateReads(Transaction, HasConsentTemplates, Protocol):
    """Read the clinic's consent template versions."""


class ConsentTemplateWriting(Transaction, HasAudit, HasConsentTemplates, Protocol):
    """Create, edit and publish consent template versions (audited)."""


class ConsentReads(
    Transaction, HasAudit, HasStaff, HasSeries, HasConsentTemplates, HasConsents, Protocol
):
    """Read a series' consent, the form it is signed with, and who acted on it (audited)."""


class ConsentWitnessing(
    Transaction,
    HasAudit,
    HasClinics,
    HasStaff,
    HasPatients,
    HasConsentTemplates,
    HasConsents,
    HasDocuments,
    Protocol,
):
    """Witness a consent and keep its signed form as a PDF (audited)."""


class ConsentWithdrawing(Transaction, HasAudit, HasConsents, Protocol):
    """Record a consent's withdrawal (audited)."""


class ConsentDocumentReads(Transaction, HasAudit, HasConsents, HasDocuments, Protocol):
    """Read a consent's signed PDF, checked against its hash (audited)."""
