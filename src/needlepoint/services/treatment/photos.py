"""Use cases: clinical photos taken by the clinic's staff, their landmarks and redness readings.

A photo is uploaded by a clinician for a patient of their clinic, in a standard view, for the
day it was taken and perhaps for one of the patient's started sessions. The upload passes the
same checks as a check-in photo (type by content, size, pixel count before decoding) and is
re-encoded by the ``ClinicalImaging`` port (upright, no EXIF or GPS) before anything is
written: a refused file leaves nothing behind. The stored bytes keep their SHA-256.

Landmarks and redness regions are drawn on a photo by a clinician. The redness index is
computed by the port on the photo's verified bytes, outside the transaction (it may take a
moment on a large photo), and recorded with its region.

Every use case checks its action, audits what it reads or writes, and says of another
clinic's photo exactly what it says of a missing one. Reading the pixels of a photo is in
``photo_images``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Final, NoReturn, Protocol
from uuid import UUID, uuid4

from needlepoint.domain import photo_geometry, photos
from needlepoint.domain.clinic_time import local_day
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.photo_geometry import Landmarks, Region
from needlepoint.domain.photos import (
    ClinicalPhoto,
    PatientPhotos,
    PhotoDetails,
    PhotoNotFoundError,
    PhotoView,
    RednessReading,
)
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import TreatmentSession
from needlepoint.domain.vocabulary import Zone
from needlepoint.services import audit, permissions
from needlepoint.services.access import MAX_PAGE_SIZE, PatientNotFoundError, listed_patient
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.ports import (
    Clock,
    HasAudit,
    HasClinics,
    HasPatients,
    HasPhotos,
    HasSeries,
    HasSessions,
    Transaction,
)
from needlepoint.services.treatment.ports import ClinicalImaging

A_STAR_PLACES: Final = Decimal("0.01")


class PhotoUpload(Transaction, HasAudit, HasClinics, HasPatients, HasSessions, HasPhotos, Protocol):
    """Store a photo of a patient, dated in the clinic's calendar, perhaps for a session."""


class PatientPhotoReads(
    Transaction, HasAudit, HasPatients, HasSeries, HasSessions, HasPhotos, Protocol
):
    """List a patient's photos, readings and started sessions (audited)."""


class PhotoReads(Transaction, HasAudit, HasPatients, HasPhotos, Protocol):
    """Read or annotate one photo with its patient (audited)."""


class PhotoLookup(Transaction, HasAudit, HasPhotos, Protocol):
    """Find (and annotate) a photo; a miss is audited and committed before it is raised."""


@dataclass(frozen=True, slots=True)
class NewPhoto:
    """A photo as a clinician uploads it: whose, which view, which day, the file."""

    patient_id: UUID
    view: PhotoView
    taken_on: date
    data: bytes
    zone: Zone | None = None
    session_id: UUID | None = None


def upload_photo(
    *,
    new: NewPhoto,
    context: audit.RequestContext,
    uow: PhotoUpload,
    clock: Clock,
    imaging: ClinicalImaging,
) -> ClinicalPhoto:
    """Check, re-encode and store a clinical photo (nothing is stored if any check fails).

    Raises:
        PhotoRejectedError: The file is refused (type, size, pixels, unreadable).
        InvalidInputError: The zone, the day or the session does not fit.
        PatientNotFoundError: No such patient in the actor's clinic.
    """
    permissions.require(context, Action.PHOTO_UPLOAD)
    photos.check_view(new.view, new.zone)
    data, width_px, height_px = imaging.reencode(new.data)
    now = clock.now()
    with uow:
        patient = listed_patient(uow, context, new.patient_id, "photo.upload", clock)
        today = local_day(now, clinic_zone(uow, patient.clinic_id))
        photos.check_taken_on(new.taken_on, born_on=patient.born_on, today=today)
        _check_session(uow, patient, new.session_id)
        photo = ClinicalPhoto(
            id=uuid4(),
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            session_id=new.session_id,
            view=new.view,
            zone=new.zone,
            taken_on=new.taken_on,
            width_px=width_px,
            height_px=height_px,
            size_bytes=len(data),
            sha256=photos.fingerprint(data),
            created_at=now,
            created_by=context.actor.id,
        )
        uow.photos.add(photo, data)
        audit.record(uow, context, photo_access("photo.upload", photo), at=now)
        uow.commit()
    return photo


def _check_session(
    uow: HasSessions, patient: PatientRecord, session_id: UUID | None
) -> TreatmentSession | None:
    """The started session of this patient a photo is for, if one is named."""
    if session_id is None:
        return None
    session = uow.sessions.get(patient.clinic_id, session_id)
    if session is None or session.patient_id != patient.id or session.started_at is None:
        raise InvalidInputError.single(
            "session_id",
            "is not a started session of this patient.",
            "choose one of the patient's sessions, or none.",
            InputCode.NOT_A_CHOICE,
        )
    return session


def patient_photos(
    *, patient_id: UUID, context: audit.RequestContext, uow: PatientPhotoReads, clock: Clock
) -> PatientPhotos:
    """A patient's photos and redness readings, oldest first, and their started sessions."""
    permissions.require(context, Action.PHOTO_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        patient = listed_patient(uow, context, patient_id, "photo.list", clock)
        found = tuple(uow.photos.for_patient(clinic_id, patient.id))
        readings = tuple(uow.photos.readings_for_patient(clinic_id, patient.id))
        sessions = tuple(
            session
            for series in uow.series.for_patient(
                clinic_id, patient.id, offset=0, limit=MAX_PAGE_SIZE
            )
            for session in uow.sessions.for_series(clinic_id, series.id)
            if session.started_at is not None
        )
        access = audit.Access("photo.list", "clinical_photo", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return PatientPhotos(patient, found, readings, sessions)


def photo_details(
    *, photo_id: UUID, context: audit.RequestContext, uow: PhotoReads, clock: Clock
) -> PhotoDetails:
    """One photo (without its pixels), its patient, its readings and photos of its view."""
    permissions.require(context, Action.PHOTO_READ)
    with uow:
        photo = photo_or_raise(uow, context, photo_id, "photo.details", clock)
        patient = patient_of(uow, photo)
        readings = tuple(
            r
            for r in uow.photos.readings_for_patient(photo.clinic_id, photo.patient_id)
            if r.photo_id == photo.id
        )
        same_view = tuple(
            other
            for other in uow.photos.for_patient(photo.clinic_id, photo.patient_id)
            if (other.view, other.zone) == (photo.view, photo.zone) and other.id != photo.id
        )
        audit.record(uow, context, photo_access("photo.details", photo), at=clock.now())
        uow.commit()
    return PhotoDetails(patient, photo, readings, same_view)


def mark_landmarks(
    *,
    photo_id: UUID,
    landmarks: Landmarks,
    context: audit.RequestContext,
    uow: PhotoLookup,
    clock: Clock,
) -> ClinicalPhoto:
    """Mark (or mark again) the two landmarks of a photo.

    Raises:
        InvalidInputError: A landmark is off the photo, or the two are too close.
    """
    permissions.require(context, Action.PHOTO_ANNOTATE)
    with uow:
        photo = photo_or_raise(uow, context, photo_id, "photo.landmarks", clock)
        photo_geometry.check_landmarks(
            landmarks, width_px=photo.width_px, height_px=photo.height_px
        )
        marked = replace(photo, landmarks=landmarks)
        uow.photos.save_landmarks(marked)
        audit.record(uow, context, photo_access("photo.landmarks", marked), at=clock.now())
        uow.commit()
    return marked


def record_redness(
    *,
    photo_id: UUID,
    region: Region,
    context: audit.RequestContext,
    uow: PhotoLookup,
    clock: Clock,
    imaging: ClinicalImaging,
) -> RednessReading:
    """Measure and record the redness index (mean a*) of a region drawn on a photo.

    Raises:
        InvalidInputError: The region is off the photo, too small, or has too few corners.
        PhotoIntegrityError: The stored photo no longer matches its hash (nothing recorded).
    """
    permissions.require(context, Action.PHOTO_ANNOTATE)
    with uow:
        stored = stored_or_raise(uow, context, photo_id, "photo.redness", clock)
        photo = stored.photo
        photo_geometry.check_region(region, width_px=photo.width_px, height_px=photo.height_px)
        data = verified_or_refuse(uow, context, stored, "photo.redness", clock)
    a_star = Decimal(repr(imaging.mean_a_star(data, region))).quantize(A_STAR_PLACES)
    now = clock.now()
    reading = RednessReading(
        id=uuid4(),
        clinic_id=photo.clinic_id,
        patient_id=photo.patient_id,
        photo_id=photo.id,
        session_id=photo.session_id,
        taken_on=photo.taken_on,
        view=photo.view,
        zone=photo.zone,
        region=region,
        a_star=a_star,
        recorded_at=now,
        recorded_by=context.actor.id,
    )
    with uow:
        photo_or_raise(uow, context, photo_id, "photo.redness", clock)  # still there
        uow.photos.add_reading(reading)
        audit.record(uow, context, photo_access("photo.redness", photo), at=now)
        uow.commit()
    return reading


# --- steps the photo use cases share ---------------------------------------------------------


def photo_access(action: str, photo: ClinicalPhoto, outcome: str = "success") -> audit.Access:
    """The audit record of an operation on a photo."""
    return audit.Access(action, "clinical_photo", str(photo.id), photo.patient_id, outcome)


def photo_or_raise(
    uow: PhotoLookup,
    context: audit.RequestContext,
    photo_id: UUID,
    action: str,
    clock: Clock,
) -> ClinicalPhoto:
    """A photo of the actor's clinic; a miss is audited (and committed) before raising."""
    found = uow.photos.get(context.actor.clinic_id, photo_id)
    if found is None:
        _refuse_missing(uow, context, photo_id, action, clock)
    return found


def stored_or_raise(
    uow: PhotoLookup,
    context: audit.RequestContext,
    photo_id: UUID,
    action: str,
    clock: Clock,
) -> photos.StoredPhoto:
    """A photo of the actor's clinic with its bytes; a miss is audited before raising."""
    found = uow.photos.stored(context.actor.clinic_id, photo_id)
    if found is None:
        _refuse_missing(uow, context, photo_id, action, clock)
    return found


def verified_or_refuse(
    uow: audit.AuditedTransaction,
    context: audit.RequestContext,
    stored: photos.StoredPhoto,
    action: str,
    clock: Clock,
) -> bytes:
    """The photo's bytes once their hash matches; a damaged photo is audited, then refused."""
    try:
        return photos.verified(stored)
    except photos.PhotoIntegrityError:
        uow.rollback()
        failed = photo_access(action, stored.photo, "integrity_failed")
        audit.record(uow, context, failed, at=clock.now())
        uow.commit()
        raise


def _refuse_missing(
    uow: audit.AuditedTransaction,
    context: audit.RequestContext,
    photo_id: UUID,
    action: str,
    clock: Clock,
) -> NoReturn:
    uow.rollback()
    missing = audit.Access(action, "clinical_photo", str(photo_id), None, "not_found")
    audit.record(uow, context, missing, at=clock.now())
    uow.commit()
    raise PhotoNotFoundError(f"no photo {photo_id}")


def patient_of(uow: HasPatients, photo: ClinicalPhoto) -> PatientRecord:
    """The patient a photo is of (in the caller's transaction)."""
    patient = uow.patients.get(photo.clinic_id, photo.patient_id)
    if patient is None:  # a photo's patient is kept by a foreign key
        raise PatientNotFoundError(f"no patient {photo.patient_id}")
    return patient
