"""Use cases: the pixels of clinical photos (the photo, smaller copies) and before/after pairs.

Every read hashes the stored bytes again (``domain.photos.verified``): a changed photo is
refused, and the refusal audited, never shown. Copies (the display copy, the thumbnail, and
the later photo of a pair aligned onto the earlier) are made by the ``ClinicalImaging`` port
from verified bytes and kept under a key naming the photos' ids, hashes and landmarks
(``rendition_key``, ``aligned_key``); a later read finds the copy, checks its own hash, and
makes it again if it is missing or damaged. A copy is made outside the transaction and kept in
a second one, so that a slow warp never holds the database.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol
from uuid import UUID

from needlepoint.domain import photos
from needlepoint.domain.photos import (
    ClinicalPhoto,
    Comparison,
    Derivative,
    LandmarksMissingError,
    Rendition,
    StoredPhoto,
)
from needlepoint.services import audit, permissions
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasAudit, HasPatients, HasPhotos, Transaction
from needlepoint.services.treatment.photos import (
    patient_of,
    photo_access,
    photo_or_raise,
    stored_or_raise,
    verified_or_refuse,
)
from needlepoint.services.treatment.ports import ClinicalImaging


class ImageReads(Transaction, HasAudit, HasPhotos, Protocol):
    """Read photos' bytes and the copies kept of them (audited); keep new copies."""


class PairReads(Transaction, HasAudit, HasPatients, HasPhotos, Protocol):
    """Read two photos of a patient to compare them (audited)."""


class DerivativeKeeping(Transaction, HasPhotos, Protocol):
    """Keep a copy made from a photo, in its own transaction."""


def photo_image(
    *,
    photo_id: UUID,
    rendition: Rendition,
    context: audit.RequestContext,
    uow: ImageReads,
    clock: Clock,
    imaging: ClinicalImaging,
) -> bytes:
    """A photo as stored, or a smaller copy of it (JPEG), once its bytes are verified.

    Raises:
        PhotoNotFoundError: No such photo in the actor's clinic.
        PhotoIntegrityError: The stored photo no longer matches its hash.
    """
    permissions.require(context, Action.PHOTO_READ)
    with uow:
        stored = stored_or_raise(uow, context, photo_id, "photo.read", clock)
        data = verified_or_refuse(uow, context, stored, "photo.read", clock)
        key = photos.rendition_key(stored.photo, rendition)
        kept = None if rendition is Rendition.ORIGINAL else _kept(uow, stored.photo, key)
        audit.record(uow, context, photo_access("photo.read", stored.photo), at=clock.now())
        uow.commit()
    edge_px = rendition.max_edge_px
    if edge_px is None:
        return data
    if kept is not None:
        return kept
    made = imaging.rendition(data, edge_px)
    _keep(uow, Derivative(key, made, photos.fingerprint(made)), stored.photo, clock)
    return made


def compare_photos(
    *,
    photo_ids: tuple[UUID, UUID],
    context: audit.RequestContext,
    uow: PairReads,
    clock: Clock,
    imaging: ClinicalImaging,
) -> Comparison:
    """Two photos of the same view of a patient, earlier first, and how they align.

    Raises:
        PhotoNotFoundError: Either photo is not of the actor's clinic.
        PhotosNotComparableError: The same photo twice, or two patients or views.
    """
    permissions.require(context, Action.PHOTO_READ)
    with uow:
        one, other = (
            photo_or_raise(uow, context, photo_id, "photo.compare", clock) for photo_id in photo_ids
        )
        earlier, later = photos.in_order(one, other)
        patient = patient_of(uow, earlier)
        for photo in (earlier, later):
            audit.record(uow, context, photo_access("photo.compare", photo), at=clock.now())
        uow.commit()
    comparison = Comparison(patient, earlier, later)
    if not comparison.alignable:
        return comparison
    return replace(comparison, similarity=imaging.similarity(earlier, later))


def aligned_image(
    *,
    photo_ids: tuple[UUID, UUID],
    context: audit.RequestContext,
    uow: ImageReads,
    clock: Clock,
    imaging: ClinicalImaging,
) -> bytes:
    """The later photo of a pair aligned onto the earlier (a JPEG the earlier's display size).

    Raises:
        PhotoNotFoundError: Either photo is not of the actor's clinic.
        PhotosNotComparableError: The same photo twice, or two patients or views.
        LandmarksMissingError: A photo has no landmarks yet.
        PhotoIntegrityError: A stored photo no longer matches its hash.
    """
    permissions.require(context, Action.PHOTO_READ)
    with uow:
        first, second = (
            stored_or_raise(uow, context, photo_id, "photo.read_aligned", clock)
            for photo_id in photo_ids
        )
        earlier, later = _marked_pair(first, second)
        data = {
            s.photo.id: verified_or_refuse(uow, context, s, "photo.read_aligned", clock)
            for s in (first, second)
        }
        key = photos.aligned_key(earlier, later)
        kept = _kept(uow, later, key)
        for photo in (earlier, later):
            audit.record(uow, context, photo_access("photo.read_aligned", photo), at=clock.now())
        uow.commit()
    if kept is not None:
        return kept
    made = imaging.aligned(data[later.id], earlier, later, photos.DISPLAY_EDGE_PX)
    _keep(uow, Derivative(key, made, photos.fingerprint(made)), later, clock)
    return made


def _marked_pair(first: StoredPhoto, second: StoredPhoto) -> tuple[ClinicalPhoto, ClinicalPhoto]:
    earlier, later = photos.in_order(first.photo, second.photo)
    for photo in (earlier, later):
        if photo.landmarks is None:
            raise LandmarksMissingError(photo.id)
    return earlier, later


def _kept(uow: HasPhotos, photo: ClinicalPhoto, key: str) -> bytes | None:
    """A kept copy that still matches its hash, else None (it is then made again)."""
    found = uow.photos.derivative(photo.clinic_id, key)
    return found.data if found is not None and photos.is_intact(found) else None


def _keep(
    uow: DerivativeKeeping, derivative: Derivative, photo: ClinicalPhoto, clock: Clock
) -> None:
    with uow:
        uow.photos.keep_derivative(derivative, photo=photo, at=clock.now())
        uow.commit()
