"""Use cases: a patient sees their own clinical photos in the portal (read-only).

Clinical photos are taken and uploaded by the clinic's staff only (ADR 0028): a standard view
needs the clinic's lighting and framing to be compared. Patients send photos of how their skin
heals with a check-in (``check_ins``); here they only look at the clinic's photos of them.

Every read is scoped to the signed-in patient in the query itself (another patient's photo is
a missing one), hashes the stored bytes again (a damaged photo is refused, never shown) and is
audited. Smaller copies are made on each request from the verified bytes: patients look rarely,
and the clinic's pages have the kept copies.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from needlepoint.domain import photos
from needlepoint.domain.photos import ClinicalPhoto, Rendition
from needlepoint.services.audit import AuditedTransaction
from needlepoint.services.portal.ports import PhotoRenditions
from needlepoint.services.portal.sign_in import (
    PatientContext,
    PortalRecordNotFoundError,
    patient_event,
)
from needlepoint.services.ports import Clock, HasAudit, HasPhotos, Transaction

RESOURCE = "clinical_photo"


class OwnPhotoReads(Transaction, HasAudit, HasPhotos, Protocol):
    """Read the signed-in patient's own clinical photos (audited)."""


def own_photos(
    *, context: PatientContext, uow: OwnPhotoReads, clock: Clock
) -> tuple[ClinicalPhoto, ...]:
    """The signed-in patient's clinical photos, oldest first (without their pixels)."""
    with uow:
        found = tuple(uow.photos.for_patient(context.clinic_id, context.patient_id))
        event = patient_event(context, "clinical_photo.list", RESOURCE, "*", clock.now())
        uow.audit.append(event)
        uow.commit()
    return found


def own_photo_image(
    *,
    photo_id: UUID,
    rendition: Rendition,
    context: PatientContext,
    uow: OwnPhotoReads,
    clock: Clock,
    renditions: PhotoRenditions,
) -> bytes:
    """One of the patient's own clinical photos, or a smaller copy, once its bytes verify.

    Raises:
        PortalRecordNotFoundError: Not a photo of this patient.
        PhotoIntegrityError: The stored photo no longer matches its hash.
    """
    action = "clinical_photo.read"
    with uow:
        stored = uow.photos.stored(context.clinic_id, photo_id, patient_id=context.patient_id)
        if stored is None:
            _audit_refusal(uow, context, photo_id, clock, "not_found")
            raise PortalRecordNotFoundError(f"no photo {photo_id}")
        try:
            data = photos.verified(stored)
        except photos.PhotoIntegrityError:
            _audit_refusal(uow, context, photo_id, clock, "integrity_failed")
            raise
        uow.audit.append(patient_event(context, action, RESOURCE, photo_id, clock.now()))
        uow.commit()
    edge_px = rendition.max_edge_px
    return data if edge_px is None else renditions.rendition(data, edge_px)


def _audit_refusal(
    uow: AuditedTransaction, context: PatientContext, photo_id: UUID, clock: Clock, outcome: str
) -> None:
    """Audit a refused read, committed on its own (the caller raises)."""
    uow.rollback()
    at = clock.now()
    event = patient_event(context, "clinical_photo.read", RESOURCE, photo_id, at, outcome=outcome)
    uow.audit.append(event)
    uow.commit()
