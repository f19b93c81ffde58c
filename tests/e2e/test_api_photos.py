"""Clinical photos through the API: upload, integrity on every read, landmarks, alignment and
redness; who may see what (another clinic's photo reads as a missing one) and the audit trail.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from collections.abc import Iterator
from uuid import uuid4

import numpy as np
import pytest
from PIL import Image

from api_support import TestClient, add_clinic, add_member, signed_in
from needlepoint.domain.records import Role
from photo_faces import cie_a_star, face_pair, patch_image, png
from photo_samples import exif_of, gif, jpeg_with_gps
from photo_support import (
    API,
    audit_rows,
    flip_a_byte,
    flip_a_kept_copy,
    landmarks_body,
    new_patient,
    upload,
    uploaded,
)
from web_support import CLINICIAN, FRONT_DESK, Clinic

pytest_plugins = ["web_fixtures"]

OTHER_CLINICIAN = "rowan@elsewhere.test"


@pytest.fixture
def api(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in(clinic.services, CLINICIAN) as client:
        yield client


@pytest.fixture
def patient_id(api: TestClient) -> str:
    return new_patient(api)


def test_an_upload_is_stored_upright_without_exif_and_read_back_with_its_hash(
    api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, jpeg_with_gps(640, 320, orientation=6))

    image = api.get(f"{API}/photos/{kept['id']}/image")
    listed = api.get(f"{API}/patients/{patient_id}/photos").json()

    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(image.content).hexdigest() == kept["sha256"]
    assert exif_of(image.content) == {}
    assert (kept["width_px"], kept["height_px"]) == (320, 640)
    assert [p["id"] for p in listed["photos"]] == [kept["id"]]


def test_in2_a_flipped_byte_anywhere_in_a_stored_photo_is_detected_every_time(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    """IN-2: one byte flipped at the first, last and 20 random offsets of a stored photo is
    detected by its SHA-256 on read every time (100 %); restored, the photo reads again."""
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)
    url = f"{API}/photos/{kept['id']}/image"
    size = len(api.get(url).content)
    offsets = [0, size - 1, *random.Random(20261211).sample(range(1, size - 1), 20)]
    detected = 0
    for at in offsets:
        flip_a_byte(clinic.services, kept["id"], at=at)
        answer = api.get(url)
        detected += answer.status_code == 409 and answer.json()["code"] == "photo-integrity"
        flip_a_byte(clinic.services, kept["id"], at=at)  # the same flip undoes it
    assert detected == len(offsets)
    assert hashlib.sha256(api.get(url).content).hexdigest() == kept["sha256"]


def test_a_flipped_byte_in_a_stored_photo_is_a_clear_error_never_the_photo(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(800, 600).earlier)

    flip_a_byte(clinic.services, kept["id"])
    answers = [
        api.get(f"{API}/photos/{kept['id']}/image", params={"rendition": rendition})
        for rendition in ("original", "display", "thumbnail")
    ]

    for answer in answers:  # the photo itself, and each copy that would be made from it
        assert answer.status_code == 409
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "photo-integrity"
        assert "SHA-256" in answer.json()["detail"]
        assert "backup" in answer.json()["detail"]
    assert ("photo.read", "clinician", "integrity_failed") in audit_rows(
        clinic.services, kept["id"]
    )


def test_a_copy_kept_before_the_damage_is_still_served_but_never_the_damaged_photo(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(800, 600).earlier)
    url = f"{API}/photos/{kept['id']}/image"
    display = api.get(url, params={"rendition": "display"}).content

    flip_a_byte(clinic.services, kept["id"])

    # the copy was made from the verified photo and checks against its own hash
    assert api.get(url, params={"rendition": "display"}).content == display
    assert api.get(url).status_code == 409


def test_a_damaged_kept_copy_is_made_again_from_the_photo(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(800, 600).earlier)
    url = f"{API}/photos/{kept['id']}/image"
    display = api.get(url, params={"rendition": "display"}).content

    flip_a_kept_copy(clinic.services, kept["id"])
    again = api.get(url, params={"rendition": "display"})

    assert again.status_code == 200
    assert again.content == display


def test_another_clinic_s_photo_answers_exactly_like_a_missing_one(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)
    other_clinic = add_clinic(clinic.services, "Elsewhere Skin Clinic")
    add_member(clinic.services, other_clinic, Role.CLINICIAN, OTHER_CLINICIAN)
    stranger = signed_in(clinic.services, OTHER_CLINICIAN)
    missing = str(uuid4())

    for path in ("", "/image", "/image?rendition=thumbnail", f"/compare/{missing}"):
        theirs = stranger.get(f"{API}/photos/{kept['id']}{path}")
        nobody = stranger.get(f"{API}/photos/{missing}{path}")
        assert (theirs.status_code, theirs.json()) == (404, nobody.json())
    refused = stranger.put(
        f"{API}/photos/{kept['id']}/landmarks", json=landmarks_body([(1, 1), (90, 1)])
    )
    assert refused.status_code == 404
    assert stranger.get(f"{API}/patients/{patient_id}/photos").status_code == 404


def test_front_desk_may_neither_see_nor_take_clinical_photos(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)
    desk = signed_in(clinic.services, FRONT_DESK)

    assert desk.get(f"{API}/photos/{kept['id']}/image").status_code == 403
    assert desk.get(f"{API}/patients/{patient_id}/photos").status_code == 403
    assert upload(desk, patient_id, face_pair(400, 300).earlier).status_code == 403


def test_every_read_and_write_of_a_photo_is_audited(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    pair = face_pair(800, 600)
    kept = uploaded(api, patient_id, pair.earlier)

    api.get(f"{API}/photos/{kept['id']}")
    api.get(f"{API}/photos/{kept['id']}/image", params={"rendition": "thumbnail"})
    api.put(f"{API}/photos/{kept['id']}/landmarks", json=landmarks_body(pair.earlier_eyes))

    assert audit_rows(clinic.services, kept["id"]) == [
        ("photo.upload", "clinician", "success"),
        ("photo.details", "clinician", "success"),
        ("photo.read", "clinician", "success"),
        ("photo.landmarks", "clinician", "success"),
    ]


def test_two_photos_with_landmarks_are_aligned_by_the_known_transform(
    api: TestClient, patient_id: str
) -> None:
    pair = face_pair(1200, 900, scale=1.15, rotation_deg=-10.0, shift=(50.0, 20.0))
    earlier = uploaded(api, patient_id, pair.earlier, taken_on="2026-10-01")
    later = uploaded(api, patient_id, pair.later, taken_on="2026-11-01")
    for photo, eyes in ((earlier, pair.earlier_eyes), (later, pair.later_eyes)):
        marked = api.put(f"{API}/photos/{photo['id']}/landmarks", json=landmarks_body(eyes))
        assert marked.status_code == 200, marked.text

    # asked later-first, answered earlier-first
    comparison = api.get(f"{API}/photos/{later['id']}/compare/{earlier['id']}").json()
    aligned = api.get(f"{API}/photos/{later['id']}/aligned/{earlier['id']}")

    assert [comparison["earlier"]["id"], comparison["later"]["id"]] == [earlier["id"], later["id"]]
    assert comparison["similarity"]["rotation_deg"] == pytest.approx(10.0, abs=1.0)
    assert comparison["similarity"]["scale"] == pytest.approx(1 / 1.15, abs=0.01)
    assert aligned.status_code == 200
    assert Image.open(io.BytesIO(aligned.content)).size == (1200, 900)


def test_a_pair_without_landmarks_is_compared_but_not_aligned(
    api: TestClient, patient_id: str
) -> None:
    pair = face_pair(400, 300)
    earlier = uploaded(api, patient_id, pair.earlier, taken_on="2026-10-01")
    later = uploaded(api, patient_id, pair.later, taken_on="2026-11-01")

    comparison = api.get(f"{API}/photos/{earlier['id']}/compare/{later['id']}")
    aligned = api.get(f"{API}/photos/{earlier['id']}/aligned/{later['id']}")

    assert comparison.json()["similarity"] is None
    assert aligned.status_code == 409
    assert aligned.json()["code"] == "landmarks-missing"


def test_photos_of_two_views_are_not_compared(api: TestClient, patient_id: str) -> None:
    front = uploaded(api, patient_id, face_pair(400, 300).earlier)
    side = uploaded(api, patient_id, face_pair(400, 300).later, view="left_oblique")

    answer = api.get(f"{API}/photos/{front['id']}/compare/{side['id']}")

    assert answer.status_code == 409
    assert answer.json()["code"] == "photos-not-comparable"


def test_landmarks_off_the_photo_or_too_close_are_refused_by_field(
    api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)
    url = f"{API}/photos/{kept['id']}/landmarks"

    off = api.put(url, json=landmarks_body([(10, 10), (401, 20)]))
    close = api.put(url, json=landmarks_body([(10, 10), (15, 12)]))
    negative = api.put(url, json=landmarks_body([(-1, 10), (200, 20)]))

    assert (off.status_code, [e["field"] for e in off.json()["errors"]]) == (422, ["second.x_px"])
    assert [e["field"] for e in close.json()["errors"]] == ["second"]
    assert [e["field"] for e in negative.json()["errors"]] == ["first.x_px"]
    assert negative.json()["errors"][0]["code"] == "out-of-range"


def test_the_redness_of_an_uploaded_patch_is_its_a_star(api: TestClient, patient_id: str) -> None:
    colour = (205, 120, 110)
    kept = uploaded(api, patient_id, png(patch_image(colour)), content_type="image/png")
    region = {
        "points": [
            {"x_px": x, "y_px": y} for x, y in ((120, 80), (280, 80), (280, 180), (120, 180))
        ]
    }

    answer = api.post(f"{API}/photos/{kept['id']}/redness", json=region)
    listed = api.get(f"{API}/patients/{patient_id}/photos").json()

    assert answer.status_code == 201, answer.text
    # stored as JPEG (8-bit YCbCr): within one unit of the upload's own colour (ADR 0028)
    assert float(answer.json()["a_star"]) == pytest.approx(cie_a_star(colour), abs=1.0)
    assert [r["id"] for r in listed["readings"]] == [answer.json()["id"]]


def test_a_region_off_the_photo_is_refused_by_its_corner(api: TestClient, patient_id: str) -> None:
    kept = uploaded(api, patient_id, png(patch_image((200, 100, 100))), content_type="image/png")
    points = [{"x_px": x, "y_px": y} for x, y in ((10, 10), (500, 10), (10, 100))]

    answer = api.post(f"{API}/photos/{kept['id']}/redness", json={"points": points})

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["points[1].x_px"]


@pytest.mark.parametrize(
    ("data", "query", "expected"),
    [
        (gif(), {}, (415, "photo-type", "photo")),
        (b"not an image at all", {}, (415, "photo-type", "photo")),
        (b"\xff\xd8\xff" + b"\0" * 100, {}, (422, "photo-unreadable", "photo")),
        (None, {"view": "close_up"}, (422, "invalid-input", "zone")),
        (None, {"view": "front", "zone": "cheeks"}, (422, "invalid-input", "zone")),
        (None, {"taken_on": "2099-01-01"}, (422, "invalid-input", "taken_on")),
        (None, {"view": "sideways"}, (422, "invalid-input", "view")),
        (None, {"session_id": str(uuid4())}, (422, "invalid-input", "session_id")),
    ],
)
def test_a_refused_upload_names_its_field_and_stores_nothing(
    api: TestClient,
    patient_id: str,
    data: bytes | None,
    query: dict[str, str],
    expected: tuple[int, str, str],
) -> None:
    answer = upload(api, patient_id, data or face_pair(200, 150).earlier, **query)

    found = answer.json()
    assert (answer.status_code, found["code"], [e["field"] for e in found["errors"]]) == (
        expected[0],
        expected[1],
        [expected[2]],
    )
    assert api.get(f"{API}/patients/{patient_id}/photos").json()["photos"] == []


def test_a_12_megapixel_photo_is_kept_whole(api: TestClient, patient_id: str) -> None:
    big = face_pair(4000, 3000).earlier

    kept = uploaded(api, patient_id, big)
    display = api.get(f"{API}/photos/{kept['id']}/image", params={"rendition": "display"})

    assert (kept["width_px"], kept["height_px"]) == (4000, 3000)
    assert Image.open(io.BytesIO(display.content)).size == (1600, 1200)


def test_the_aligned_image_is_kept_and_made_again_only_when_the_landmarks_move(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    pair = face_pair(800, 600)
    earlier = uploaded(api, patient_id, pair.earlier, taken_on="2026-10-01")
    later = uploaded(api, patient_id, pair.later, taken_on="2026-11-01")
    for photo, eyes in ((earlier, pair.earlier_eyes), (later, pair.later_eyes)):
        api.put(f"{API}/photos/{photo['id']}/landmarks", json=landmarks_body(eyes))
    url = f"{API}/photos/{earlier['id']}/aligned/{later['id']}"

    first, again = api.get(url).content, api.get(url).content
    moved = [(x + 30, y) for x, y in pair.later_eyes]
    api.put(f"{API}/photos/{later['id']}/landmarks", json=landmarks_body(moved))
    remade = api.get(url).content

    assert first == again
    assert remade != first
    grey = np.asarray(Image.open(io.BytesIO(first)).convert("L"), dtype=float)
    assert not math.isclose(float(grey.std()), 0.0)
