"""Use cases: the pixels of clinical photos (the photo, smaller copies) and before/after pairs.

Every read verifies the bytes it serves. The photo itself is hashed again and compared with the
SHA-256 recorded when it was stored (``domain.photos.verified``): a changed photo is refused, and
the refusal audited, never shown. A copy (the display copy, the thumbnail, or the later photo of
a pair aligned onto the earlier) is made by the ``ClinicalImaging`` port from the photo's
verified bytes only, and kept under a key naming the photos' ids, recorded hashes and landmarks
(``rendition_key``, ``aligned_key``) with its own SHA-256; a later read serves it once that hash
verifies, and makes it again if it is missing or damaged. So a 12-megapixel photo is read and
hashed when it is shown whole or copied, not each time its copies are (ADR 0028). A copy is made
outside the transaction and kept in a second one, so that a slow warp never holds the database.
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
)
from needlepoint.services import audit, permissions
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasAudit, HasPatients, HasPhotos, Transaction
from needlepoint.services.treatment.photos import (
    PhotoLookup,
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
    """A photo as stored (its bytes verified), or a smaller copy of it (JPEG).

    A kept copy is served once its own hash verifies; a missing or damaged one is made again
    from the photo's verified bytes.

    Raises:
        PhotoNotFoundError: No such photo in the actor's clinic.
        PhotoIntegrityError: The stored photo no longer matches its hash (when it is read).
    """
    permissions.require(context, Action.PHOTO_READ)
    edge_px = rendition.max_edge_px
    with uow:
        photo = photo_or_raise(uow, context, photo_id, "photo.read", clock)
        key = photos.rendition_key(photo, rendition)
        kept = None if edge_px is None else _kept(uow, photo, key)
        data = None if kept is not None else _verified_bytes(uow, context, photo, clock)
        audit.record(uow, context, photo_access("photo.read", photo), at=clock.now())
        uow.commit()
    if kept is not None:
        return kept
    assert data is not None
    if edge_px is None:
        return data
    made = imaging.rendition(data, edge_px)
    _keep(uow, Derivative(key, made, photos.fingerprint(made)), photo, clock)
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
        earlier, later = _pair(uow, context, photo_ids, "photo.compare", clock)
        patient = patient_of(uow, earlier)
        audit.record(uow, context, pair_access("photo.compare", earlier, later), at=clock.now())
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

    A kept aligned image is served once its own hash verifies; otherwise it is made from the
    later photo's verified bytes.

    Raises:
        PhotoNotFoundError: Either photo is not of the actor's clinic.
        PhotosNotComparableError: The same photo twice, or two patients or views.
        LandmarksMissingError: A photo has no landmarks yet.
        PhotoIntegrityError: A stored photo no longer matches its hash (when it is read).
    """
    permissions.require(context, Action.PHOTO_READ)
    action = "photo.read_aligned"
    with uow:
        earlier, later = _pair(uow, context, photo_ids, action, clock)
        for photo in (earlier, later):
            if photo.landmarks is None:
                raise LandmarksMissingError(photo.id)
        key = photos.aligned_key(earlier, later)
        kept = _kept(uow, later, key)
        data = None if kept is not None else _verified_bytes(uow, context, later, clock)
        audit.record(uow, context, pair_access(action, earlier, later), at=clock.now())
        uow.commit()
    if kept is not None:
        return kept
    assert data is not None
    made = imaging.aligned(data, earlier, later, photos.DISPLAY_EDGE_PX)
    _keep(uow, Derivative(key, made, photos.fingerprint(made)), later, clock)
    return made


def pair_access(action: str, earlier: ClinicalPhoto, later: ClinicalPhoto) -> audit.Access:
    """The audit record of one operation on a pair of photos (one event, both ids)."""
    pair = f"{earlier.id},{later.id}"
    return audit.Access(action, "clinical_photo_pair", pair, earlier.patient_id)


def _pair(
    uow: PhotoLookup,
    context: audit.RequestContext,
    photo_ids: tuple[UUID, UUID],
    action: str,
    clock: Clock,
) -> tuple[ClinicalPhoto, ClinicalPhoto]:
    one, other = (photo_or_raise(uow, context, photo_id, action, clock) for photo_id in photo_ids)
    return photos.in_order(one, other)


def _verified_bytes(
    uow: PhotoLookup, context: audit.RequestContext, photo: ClinicalPhoto, clock: Clock
) -> bytes:
    """The photo's stored bytes, once they match the hash recorded when it was stored."""
    stored = stored_or_raise(uow, context, photo.id, "photo.read", clock)
    return verified_or_refuse(uow, context, stored, "photo.read", clock)


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
