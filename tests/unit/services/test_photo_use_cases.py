"""Clinical photo use cases over the treatment area's fakes and a fake image port.

The fake port counts what it is asked to do, so these tests can say when a photo's bytes are
read (and hashed): when it is shown whole or a copy is made, not when a kept copy is served.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from fakes import FakeTreatmentUnitOfWork, FixedClock
from needlepoint.domain.checkins import PhotoTypeError
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.photo_geometry import Landmarks, Point, Region, Similarity
from needlepoint.domain.photos import (
    ClinicalPhoto,
    LandmarksMissingError,
    PhotoIntegrityError,
    PhotoNotFoundError,
    PhotoView,
    Rendition,
    StoredPhoto,
)
from needlepoint.domain.records import Clinic, PatientRecord, Role, StaffMember
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import PermissionDeniedError
from needlepoint.services.treatment import photo_images, photos

CLOCK = FixedClock(date(2026, 12, 8), time(10, 0))
UPLOAD = b"\xff\xd8\xff an upload"
KEPT = b"\xff\xd8\xff re-encoded"


@dataclass
class FakeImaging:
    """The image port, answering fixed bytes and counting each call by name."""

    a_star: float = 23.456
    calls: list[str] = field(default_factory=list)

    def reencode(self, data: bytes) -> tuple[bytes, int, int]:
        self.calls.append("reencode")
        if not data.startswith(b"\xff\xd8\xff"):
            raise PhotoTypeError
        return KEPT, 400, 300

    def rendition(self, data: bytes, max_edge_px: int) -> bytes:
        self.calls.append(f"rendition:{max_edge_px}")
        return b"copy of " + data

    def similarity(self, earlier: ClinicalPhoto, later: ClinicalPhoto) -> Similarity:
        self.calls.append(f"similarity:{earlier.taken_on}<{later.taken_on}")
        return Similarity(1.0, 0.0, 0.0, 0.0)

    def aligned(
        self, later_data: bytes, earlier: ClinicalPhoto, later: ClinicalPhoto, max_edge_px: int
    ) -> bytes:
        self.calls.append(f"aligned:{earlier.taken_on}<{later.taken_on}:{max_edge_px}")
        return b"aligned " + later_data

    def mean_a_star(self, data: bytes, region: Region) -> float:
        self.calls.append(f"mean_a_star:{len(region.vertices)} corners, {len(data)} bytes")
        return self.a_star


@dataclass
class PhotoClinic:
    """A clinic with a clinician and a patient, over the treatment area's fake unit of work."""

    uow: FakeTreatmentUnitOfWork
    context: RequestContext
    patient: PatientRecord


def staff(clinic_id: UUID, role: Role) -> RequestContext:
    member = StaffMember(uuid4(), clinic_id, f"{role}@c.test", "A", role, None)
    return RequestContext(actor=member, request_id="req", auth=AuthMethod.SESSION)


@pytest.fixture
def clinic() -> PhotoClinic:
    uow = FakeTreatmentUnitOfWork()
    here = Clinic(uuid4(), "Harbour Skin Clinic", "Europe/London")
    uow.clinics.add(here)
    patient = PatientRecord(
        uuid4(),
        here.id,
        "Amira",
        "Okafor",
        date(1997, 4, 22),
        Sex.FEMALE,
        None,
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    uow.patients.add(patient)
    return PhotoClinic(uow, staff(here.id, Role.CLINICIAN), patient)


def upload(
    clinic: PhotoClinic, imaging: FakeImaging, day: date = date(2026, 11, 1)
) -> ClinicalPhoto:
    new = photos.NewPhoto(clinic.patient.id, PhotoView.FRONT, day, UPLOAD)
    return photos.upload_photo(
        new=new, context=clinic.context, uow=clinic.uow, clock=CLOCK, imaging=imaging
    )


def marked(clinic: PhotoClinic, photo: ClinicalPhoto) -> ClinicalPhoto:
    marks = Landmarks(Point(10, 10), Point(200, 12))
    return photos.mark_landmarks(
        photo_id=photo.id, landmarks=marks, context=clinic.context, uow=clinic.uow, clock=CLOCK
    )


def image(
    clinic: PhotoClinic, imaging: FakeImaging, photo: ClinicalPhoto, rendition: Rendition
) -> bytes:
    return photo_images.photo_image(
        photo_id=photo.id,
        rendition=rendition,
        context=clinic.context,
        uow=clinic.uow,
        clock=CLOCK,
        imaging=imaging,
    )


def actions(clinic: PhotoClinic) -> list[tuple[str, str]]:
    return [(e.action, e.outcome) for e in clinic.uow.database.audit]


def test_an_upload_keeps_the_re_encoded_bytes_and_their_hash(clinic: PhotoClinic) -> None:
    photo = upload(clinic, FakeImaging())

    stored = clinic.uow.photos.stored(photo.clinic_id, photo.id)

    assert stored == StoredPhoto(photo, KEPT)
    assert photo.sha256 == hashlib.sha256(KEPT).hexdigest()
    assert (photo.width_px, photo.height_px, photo.size_bytes) == (400, 300, len(KEPT))
    assert actions(clinic) == [("photo.upload", "success")]


def test_a_refused_file_or_day_writes_nothing(clinic: PhotoClinic) -> None:
    imaging = FakeImaging()
    bad_file = photos.NewPhoto(clinic.patient.id, PhotoView.FRONT, date(2026, 11, 1), b"GIF89a")
    bad_day = photos.NewPhoto(clinic.patient.id, PhotoView.FRONT, date(2026, 12, 9), UPLOAD)

    for new, error in ((bad_file, PhotoTypeError), (bad_day, InvalidInputError)):
        with pytest.raises(error):
            photos.upload_photo(
                new=new, context=clinic.context, uow=clinic.uow, clock=CLOCK, imaging=imaging
            )

    assert clinic.uow.database.clinical_photos == {}


def test_a_photo_of_an_unknown_patient_is_refused_and_the_miss_audited(clinic: PhotoClinic) -> None:
    new = photos.NewPhoto(uuid4(), PhotoView.FRONT, date(2026, 11, 1), UPLOAD)

    with pytest.raises(PatientNotFoundError):
        photos.upload_photo(
            new=new, context=clinic.context, uow=clinic.uow, clock=CLOCK, imaging=FakeImaging()
        )

    assert actions(clinic) == [("photo.upload", "not_found")]


def test_front_desk_is_refused_before_anything_is_read(clinic: PhotoClinic) -> None:
    desk = staff(clinic.context.actor.clinic_id, Role.FRONT_DESK)
    imaging = FakeImaging()

    with pytest.raises(PermissionDeniedError):
        photos.upload_photo(
            new=photos.NewPhoto(clinic.patient.id, PhotoView.FRONT, date(2026, 11, 1), UPLOAD),
            context=desk,
            uow=clinic.uow,
            clock=CLOCK,
            imaging=imaging,
        )

    assert imaging.calls == []


def test_a_kept_copy_is_served_without_reading_the_photo_again(clinic: PhotoClinic) -> None:
    imaging = FakeImaging()
    photo = upload(clinic, imaging)

    first = image(clinic, imaging, photo, Rendition.THUMBNAIL)
    # damage the stored photo: the kept copy, made from the verified bytes, is still served
    stored = clinic.uow.database.clinical_photos[photo.id]
    clinic.uow.database.clinical_photos[photo.id] = replace(stored, data=b"damaged")
    second = image(clinic, imaging, photo, Rendition.THUMBNAIL)

    assert first == second == b"copy of " + KEPT
    assert imaging.calls == ["reencode", "rendition:320"]
    with pytest.raises(PhotoIntegrityError):
        image(clinic, imaging, photo, Rendition.ORIGINAL)
    assert actions(clinic)[-1] == ("photo.read", "integrity_failed")


def test_a_copy_of_a_damaged_photo_is_never_made(clinic: PhotoClinic) -> None:
    imaging = FakeImaging()
    photo = upload(clinic, imaging)
    stored = clinic.uow.database.clinical_photos[photo.id]
    clinic.uow.database.clinical_photos[photo.id] = replace(stored, data=KEPT[:-1] + b"!")

    with pytest.raises(PhotoIntegrityError):
        image(clinic, imaging, photo, Rendition.DISPLAY)

    assert imaging.calls == ["reencode"]
    assert clinic.uow.database.photo_derivatives == {}


def test_another_clinic_s_photo_is_missing_and_the_miss_is_audited(clinic: PhotoClinic) -> None:
    photo = upload(clinic, FakeImaging())
    elsewhere = staff(uuid4(), Role.CLINICIAN)

    with pytest.raises(PhotoNotFoundError):
        photo_images.photo_image(
            photo_id=photo.id,
            rendition=Rendition.ORIGINAL,
            context=elsewhere,
            uow=clinic.uow,
            clock=CLOCK,
            imaging=FakeImaging(),
        )

    assert actions(clinic)[-1] == ("photo.read", "not_found")


def test_a_pair_is_aligned_once_both_have_landmarks_and_the_copy_is_kept(
    clinic: PhotoClinic,
) -> None:
    imaging = FakeImaging()
    earlier = upload(clinic, imaging, date(2026, 10, 1))
    later = upload(clinic, imaging, date(2026, 11, 1))

    def aligned() -> bytes:
        return photo_images.aligned_image(
            photo_ids=(later.id, earlier.id),
            context=clinic.context,
            uow=clinic.uow,
            clock=CLOCK,
            imaging=imaging,
        )

    with pytest.raises(LandmarksMissingError):
        aligned()
    marked(clinic, earlier)
    marked(clinic, later)
    first, second = aligned(), aligned()

    assert first == second == b"aligned " + KEPT
    made = [call for call in imaging.calls if call.startswith("aligned")]
    assert made == ["aligned:2026-10-01<2026-11-01:1600"]  # made once, the later onto the earlier
    assert actions(clinic)[-1] == ("photo.read_aligned", "success")


def test_the_redness_index_is_recorded_to_two_places(clinic: PhotoClinic) -> None:
    photo = upload(clinic, FakeImaging())
    square = Region((Point(10, 10), Point(110, 10), Point(110, 110), Point(10, 110)))

    imaging = FakeImaging(a_star=23.456)

    reading = photos.record_redness(
        photo_id=photo.id,
        region=square,
        context=clinic.context,
        uow=clinic.uow,
        clock=CLOCK,
        imaging=imaging,
    )

    assert reading.a_star == Decimal("23.46")
    assert imaging.calls == [f"mean_a_star:4 corners, {len(KEPT)} bytes"]
    assert list(clinic.uow.database.redness_readings.values()) == [reading]
    assert actions(clinic)[-1] == ("photo.redness", "success")
