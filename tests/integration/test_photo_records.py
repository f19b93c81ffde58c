"""Clinical photo records on a real database (SQLite, and PostgreSQL when reachable).

Photos with their bytes, landmarks and readings round-trip through the services; a patient's
query never reaches another patient's photo; a kept copy is kept once per key, and a second
maker of the same copy (two readers at once) replaces it instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import func, select

from api_support import MovingClock, add_clinic, add_member, make_services
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.adapters.db import tables as t
from needlepoint.bootstrap import Services
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.photo_geometry import Landmarks, Point, Region
from needlepoint.domain.photos import Derivative, PhotoView, Rendition, fingerprint
from needlepoint.domain.records import Role
from needlepoint.domain.vocabulary import Sex, Zone
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.records import patients
from needlepoint.services.treatment import photos
from photo_faces import face_pair, patch_image, png


@pytest.fixture(params=BACKENDS)
def services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    with scratch_database(request, tmp_path) as url:
        made = make_services(url, MovingClock())
        yield made
        made.database.close()


def clinician(services: Services) -> RequestContext:
    member = add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@clinic.test")
    return RequestContext(actor=member, request_id="test", auth=AuthMethod.SESSION)


def patient(services: Services, context: RequestContext, family: str = "Okafor") -> UUID:
    new = patients.NewPatient("Amira", family, date(1997, 4, 22), Sex.FEMALE)
    return services.records.register_patient(new, context=context).id


def test_a_photo_its_landmarks_and_a_reading_round_trip(services: Services) -> None:
    context = clinician(services)
    patient_id = patient(services, context)
    data = png(patch_image((205, 120, 110)))
    new = photos.NewPhoto(patient_id, PhotoView.CLOSE_UP, date(2026, 11, 20), data, Zone.CHEEKS)
    photo = services.treatment.upload_photo(new, context=context)
    marks = Landmarks(Point(110.25, 70.5), Point(290.0, 190.75))
    services.treatment.mark_landmarks(photo.id, marks, context=context)
    square = Region((Point(120, 80), Point(280, 80), Point(280, 180), Point(120, 180)))
    reading = services.treatment.record_redness(photo.id, square, context=context)

    found = services.treatment.patient_photos(patient_id, context=context)
    details = services.treatment.photo_details(photo.id, context=context)
    original = services.treatment.photo_image(photo.id, Rendition.ORIGINAL, context=context)

    assert [p.id for p in found.photos] == [photo.id]
    assert found.photos[0].landmarks == marks
    assert (found.photos[0].view, found.photos[0].zone) == (PhotoView.CLOSE_UP, Zone.CHEEKS)
    assert found.readings == (reading,)
    assert details.readings[0].region == square
    assert isinstance(reading.a_star, Decimal)
    assert reading.a_star == reading.a_star.quantize(Decimal("0.01"))
    assert fingerprint(original) == photo.sha256


def test_photos_are_listed_by_the_day_they_were_taken(services: Services) -> None:
    context = clinician(services)
    patient_id = patient(services, context)
    faces = face_pair(200, 150)
    days = (date(2026, 11, 1), date(2026, 9, 1), date(2026, 10, 1))
    for day in days:
        new = photos.NewPhoto(patient_id, PhotoView.FRONT, day, faces.earlier)
        services.treatment.upload_photo(new, context=context)

    found = services.treatment.patient_photos(patient_id, context=context)

    assert [p.taken_on for p in found.photos] == sorted(days)


def test_a_patient_s_read_never_reaches_another_patient_s_photo(services: Services) -> None:
    context = clinician(services)
    amira, helen = patient(services, context), patient(services, context, "Marsh")
    new = photos.NewPhoto(amira, PhotoView.FRONT, date(2026, 11, 1), face_pair(200, 150).earlier)
    photo = services.treatment.upload_photo(new, context=context)

    uow = services.database.unit_of_work()
    with uow:
        own = uow.photos.stored(photo.clinic_id, photo.id, patient_id=amira)
        theirs = uow.photos.stored(photo.clinic_id, photo.id, patient_id=helen)
        described = uow.photos.get(photo.clinic_id, photo.id, patient_id=helen)

    assert own is not None
    assert own.data
    assert (theirs, described) == (None, None)


def test_a_copy_is_kept_once_and_a_second_maker_replaces_it(services: Services) -> None:
    context = clinician(services)
    patient_id = patient(services, context)
    new = photos.NewPhoto(
        patient_id, PhotoView.FRONT, date(2026, 11, 1), face_pair(800, 600).earlier
    )
    photo = services.treatment.upload_photo(new, context=context)

    first = services.treatment.photo_image(photo.id, Rendition.DISPLAY, context=context)
    again = services.treatment.photo_image(photo.id, Rendition.DISPLAY, context=context)
    (key,) = _keys(services, photo.id)
    uow = services.database.unit_of_work()
    with uow:
        remade = Derivative(key, b"a copy made again", fingerprint(b"a copy made again"))
        uow.photos.keep_derivative(remade, photo=photo, at=datetime(2026, 12, 1, tzinfo=UTC))
        uow.commit()
    with uow:
        kept = uow.photos.derivative(photo.clinic_id, key)

    assert first == again
    assert _keys(services, photo.id) == [key]
    assert kept == remade


def _keys(services: Services, photo_id: UUID) -> list[str]:
    with services.database._opened().connect() as connection:
        table = t.photo_derivative
        found = connection.execute(select(table.c.key).where(table.c.photo_id == photo_id))
        return [str(k) for (k,) in found]


def test_nothing_is_stored_when_an_upload_is_refused(services: Services) -> None:
    context = clinician(services)
    patient_id = patient(services, context)
    future = photos.NewPhoto(
        patient_id, PhotoView.FRONT, date(2099, 1, 1), face_pair(80, 60).earlier
    )

    with pytest.raises(InvalidInputError, match="in the future"):
        services.treatment.upload_photo(future, context=context)

    with services.database._opened().connect() as connection:
        count = connection.execute(select(func.count()).select_from(t.clinical_photo))
        assert count.scalar_one() == 0
