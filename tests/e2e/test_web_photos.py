"""Clinical photo pages: upload from the form (multipart, as a tablet sends it), landmarks and
regions typed or refused by field, the before/after page, and the patient's own photos in the
portal (read-only, and no one else's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from api_support import TestClient, signed_in
from photo_faces import face_pair, patch_image, png
from photo_support import API, landmarks_body, new_patient, uploaded
from portal_support import Treated, portal_browser
from web_support import CLINICIAN, Clinic, page_token

pytest_plugins = ["web_fixtures"]

EMAIL = "amira.okafor@patient.test"
_PHOTO_PAGE = re.compile(r"^/photos/([0-9a-f-]{36})$")


@pytest.fixture
def api(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in(clinic.services, CLINICIAN) as client:
        yield client


@pytest.fixture
def patient_id(api: TestClient) -> str:
    return new_patient(api, email=EMAIL)


def upload_form(clinician: TestClient, patient_id: str, data: bytes | None, **fields: str) -> Any:
    """Send the upload form as the browser does (multipart, with the page's CSRF token)."""
    url = f"/patients/{patient_id}/photos"
    form = {"view": "front", "taken_on": "2026-11-20", "zone": "", "session_id": ""}
    form |= {**fields, "csrf_token": page_token(clinician, url)}
    photo = ("face.jpg", data, "image/jpeg") if data else ("", b"", "application/octet-stream")
    return clinician.post(url, data=form, files={"photo": photo})


def test_the_photos_page_offers_the_camera_on_a_tablet(
    clinician: TestClient, patient_id: str
) -> None:
    page = clinician.get(f"/patients/{patient_id}/photos")

    assert page.status_code == 200
    assert 'type="file" accept="image/*" capture="environment"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert '<script src="/static/photos.js"' in page.text


def test_a_photo_uploaded_through_the_form_opens_to_mark_its_landmarks(
    clinician: TestClient, patient_id: str
) -> None:
    answer = upload_form(clinician, patient_id, face_pair(800, 600).earlier)

    assert answer.status_code == 303, answer.text
    found = _PHOTO_PAGE.match(answer.headers["location"])
    assert found
    page = clinician.get(answer.headers["location"])
    image = clinician.get(f"/photos/{found.group(1)}/image/display")
    listed = clinician.get(f"/patients/{patient_id}/photos")
    assert page.status_code == 200
    assert "Save landmarks" in page.text
    assert image.headers["content-type"] == "image/jpeg"
    assert f'src="/photos/{found.group(1)}/image/thumbnail"' in listed.text


def test_an_upload_without_a_photo_or_with_a_bad_day_names_the_field(
    clinician: TestClient, patient_id: str
) -> None:
    nothing = upload_form(clinician, patient_id, None)
    future = upload_form(clinician, patient_id, face_pair(200, 150).earlier, taken_on="2099-01-01")
    not_image = upload_form(clinician, patient_id, b"GIF89a not a photo")

    assert nothing.status_code == 422
    assert 'data-field="photo" data-code="required"' in nothing.text
    assert 'data-field="taken_on" data-code="in-the-future"' in future.text
    assert not_image.status_code == 415
    assert "is not a JPEG or PNG image" in not_image.text


def test_landmarks_typed_into_the_page_are_saved_and_a_bad_one_is_named(
    clinician: TestClient, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)
    url = f"/photos/{kept['id']}"
    token = page_token(clinician, url)
    good = {"first.x_px": "120.5", "first.y_px": "100", "second.x_px": "280", "second.y_px": "101"}

    saved = clinician.post(f"{url}/landmarks", data={**good, "csrf_token": token})
    refused = clinician.post(
        f"{url}/landmarks", data={**good, "second.x_px": "999", "csrf_token": token}
    )

    assert saved.status_code == 303
    assert api.get(f"{API}/photos/{kept['id']}").json()["photo"]["landmarks"]["first"] == {
        "x_px": 120.5,
        "y_px": 100.0,
    }
    assert refused.status_code == 422
    assert 'data-field="second.x_px" data-code="out-of-range"' in refused.text
    assert 'value="999"' in refused.text


def test_a_region_drawn_on_a_photo_gives_a_redness_reading_on_the_chart(
    clinician: TestClient, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, png(patch_image((205, 120, 110))), content_type="image/png")
    url = f"/photos/{kept['id']}"
    corners = "120,80 280,80 280,180 120,180"

    measured = clinician.post(
        f"{url}/redness", data={"points": corners, "csrf_token": page_token(clinician, url)}
    )
    chart = clinician.get(f"/patients/{patient_id}/photos")

    assert measured.status_code == 303
    assert 'class="outcome-chart"' in chart.text
    assert "Redness readings, in the order the photos were taken" in chart.text


@pytest.mark.parametrize(
    ("corners", "problem"),
    [
        ("120,80 280,80", 'data-code="too-short"'),
        ("ten,eleven 1,2 3,4", "is not a list of corners"),
        ("120,80 2800,80 280,180", "points[1].x_px"),
    ],
)
def test_a_bad_region_is_refused_beside_its_input(
    clinician: TestClient, api: TestClient, patient_id: str, corners: str, problem: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)
    url = f"/photos/{kept['id']}"

    answer = clinician.post(
        f"{url}/redness", data={"points": corners, "csrf_token": page_token(clinician, url)}
    )

    assert answer.status_code == 422
    assert 'data-field="points"' in answer.text
    assert problem in answer.text


def test_the_before_and_after_page_shows_the_aligned_pair_with_a_slider(
    clinician: TestClient, api: TestClient, patient_id: str
) -> None:
    pair = face_pair(800, 600)
    earlier = uploaded(api, patient_id, pair.earlier, taken_on="2026-10-01")
    later = uploaded(api, patient_id, pair.later, taken_on="2026-11-01")
    for photo, eyes in ((earlier, pair.earlier_eyes), (later, pair.later_eyes)):
        api.put(f"{API}/photos/{photo['id']}/landmarks", json=landmarks_body(eyes))

    page = clinician.get("/photos/compare", params={"first": later["id"], "second": earlier["id"]})
    aligned = clinician.get(f"/photos/{later['id']}/aligned/{earlier['id']}")

    assert page.status_code == 200
    assert "Aligned by their landmarks" in page.text
    assert 'type="range"' in page.text
    assert f'src="/photos/{later["id"]}/aligned/{earlier["id"]}"' in page.text
    assert aligned.headers["content-type"] == "image/jpeg"


def test_the_before_and_after_page_asks_for_the_missing_landmarks(
    clinician: TestClient, api: TestClient, patient_id: str
) -> None:
    earlier = uploaded(api, patient_id, face_pair(400, 300).earlier, taken_on="2026-10-01")
    later = uploaded(api, patient_id, face_pair(400, 300).later, taken_on="2026-11-01")

    page = clinician.get("/photos/compare", params={"first": earlier["id"], "second": later["id"]})

    assert "Not aligned yet" in page.text
    assert f'href="/photos/{earlier["id"]}#landmarks-title"' in page.text


def test_front_desk_is_refused_the_photo_pages(
    front_desk: TestClient, api: TestClient, patient_id: str
) -> None:
    kept = uploaded(api, patient_id, face_pair(400, 300).earlier)

    assert front_desk.get(f"/patients/{patient_id}/photos").status_code == 403
    assert front_desk.get(f"/photos/{kept['id']}/image/display").status_code == 403


def test_a_patient_sees_their_own_clinical_photos_in_the_portal_and_no_one_else_s(
    clinic: Clinic, api: TestClient, patient_id: str
) -> None:
    own = uploaded(api, patient_id, face_pair(400, 300).earlier)
    someone_else = new_patient(api, family="Marsh", email="helen.marsh@patient.test")
    theirs = uploaded(api, someone_else, face_pair(400, 300).later)
    treated = Treated(UUID(patient_id), EMAIL, "", "")

    with portal_browser(clinic, treated) as portal:
        gallery = portal.get("/portal/clinical-photos")
        mine = portal.get(f"/portal/clinical-photos/{own['id']}/thumbnail")
        other = portal.get(f"/portal/clinical-photos/{theirs['id']}/thumbnail")
        upload = portal.post("/portal/clinical-photos", data={})

    assert gallery.status_code == 200
    assert f"/portal/clinical-photos/{own['id']}/thumbnail" in gallery.text
    assert theirs["id"] not in gallery.text
    assert mine.headers["content-type"] == "image/jpeg"
    assert other.status_code == 404
    assert upload.status_code == 405  # patients see their photos; the clinic takes them


def test_pb2_photo_urls_are_private_no_store_and_answer_nothing_to_strangers_or_guesses(
    clinic: Clinic, api: TestClient, clinician: TestClient, browser: TestClient, patient_id: str
) -> None:
    """PB-2: a photo fetched logged out, as another patient or by a guessed id gets 404 (or the
    sign-in page), never the image; ids are random UUIDs; photos go out ``private, no-store``."""
    own = uploaded(api, patient_id, face_pair(400, 300).earlier)
    someone_else = new_patient(api, family="Marsh", email="helen.marsh@patient.test")
    theirs = uploaded(api, someone_else, face_pair(400, 300).later)
    guessed = str(uuid4())
    treated = Treated(UUID(patient_id), EMAIL, "", "")

    with portal_browser(clinic, treated) as portal:
        mine = portal.get(f"/portal/clinical-photos/{own['id']}/thumbnail")
        other = portal.get(f"/portal/clinical-photos/{theirs['id']}/thumbnail")
        guess = portal.get(f"/portal/clinical-photos/{guessed}/thumbnail")
    staff_api = api.get(f"{API}/photos/{own['id']}/image")
    staff_web = clinician.get(f"/photos/{own['id']}/image/display")
    logged_out = [
        browser.get(path, follow_redirects=False)
        for path in (
            f"/portal/clinical-photos/{own['id']}/thumbnail",
            f"/photos/{own['id']}/image/display",
            f"{API}/photos/{own['id']}/image",
        )
    ]

    for image in (mine, staff_api, staff_web):
        assert image.headers["content-type"] == "image/jpeg"
        assert image.headers["cache-control"] == "private, no-store", image.url
    assert (other.status_code, other.text) == (guess.status_code, guess.text)
    assert other.status_code == 404
    for answer in logged_out:
        assert answer.status_code in (303, 401, 403, 404), answer.status_code
        assert not answer.headers.get("content-type", "").startswith("image/")
    ids = [UUID(photo["id"]) for photo in (own, theirs)]
    assert {i.version for i in ids} == {4}  # 122 random bits from the OS's CSPRNG
    assert ids[0] != ids[1]
