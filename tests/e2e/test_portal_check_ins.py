"""The daily check-in through the app: triage, photos, the clinic's alert, list and review."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from PIL import Image

from api_support import TestClient
from needlepoint.domain.checkins import MAX_PHOTO_BYTES
from needlepoint.domain.messages import MessageKind, MessageStatus
from photo_samples import exif_of, gif, jpeg_with_gps, png
from portal_support import Treated, check_in, portal_browser, treated_patient
from web_support import CLINICIAN, Clinic, page_token

pytest_plugins = ["web_fixtures"]

EMAIL = "amira.okafor@patient.test"
_RESULT = re.compile(r"^/portal/check-ins/([0-9a-f-]{36})$")


@pytest.fixture
def patient(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, EMAIL, "Okafor")


@pytest.fixture
def portal(clinic: Clinic, patient: Treated) -> Iterator[TestClient]:
    with portal_browser(clinic, patient) as client:
        yield client


def sent(response: Any) -> str:
    assert response.status_code == 303, response.text
    found = _RESULT.match(response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def attention(client: TestClient) -> str:
    page: str = client.get("/").text
    if 'id="attention-title"' not in page:
        return ""
    return page.split('id="attention-title"', 1)[1].split("</section>", 1)[0]


def alerts(clinic: Clinic) -> list[Any]:
    uow = clinic.services.database.unit_of_work()
    with uow:
        pending = uow.outbox.in_status(clinic.clinic_id, MessageStatus.PENDING)
    return [m for m in pending if m.kind is MessageKind.CLINIC_ALERT]


def test_a_check_in_with_fever_is_red_and_tells_the_patient_to_call(
    portal: TestClient, patient: Treated
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id, fever="yes"))

    page = portal.get(f"/portal/check-ins/{check_in_id}")

    assert page.status_code == 200
    assert "Call your clinic today" in page.text
    assert "A fever after a session can be a sign of infection." in page.text
    assert "Call emergency services now if you notice" in page.text


def test_a_healing_check_in_is_green_and_alerts_nobody(
    clinic: Clinic, portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id))

    assert "Healing as expected" in portal.get(f"/portal/check-ins/{check_in_id}").text
    assert alerts(clinic) == []
    assert "No patient check-in needs attention." in attention(clinician)


def test_a_red_check_in_reaches_the_dashboard_and_every_clinicians_inbox(
    clinic: Clinic, portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id, fever="yes"))

    listed = attention(clinician)
    (alert,) = alerts(clinic)

    assert f'href="/patients/{patient.patient_id}">Okafor, Amira</a>' in listed
    assert f'href="/check-ins/{check_in_id}"' in listed
    assert ">Red<" in listed
    assert alert.recipient == CLINICIAN
    assert alert.subject == "A red check-in needs attention today"
    assert "fever" not in alert.body.lower() and "Okafor" not in alert.body
    assert f"http://127.0.0.1:8000/check-ins/{check_in_id}\n" in alert.body


def test_the_list_shows_red_before_amber_whatever_came_first(
    portal: TestClient, patient: Treated, clinician: TestClient, clinic: Clinic
) -> None:
    red = sent(check_in(portal, patient.session_id, blisters="yes"))
    clinic.services.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    amber = sent(check_in(portal, patient.session_id, pain="8"))

    listed = attention(clinician)

    assert listed.index(red) < listed.index(amber)


def test_front_desk_does_not_see_check_ins(
    portal: TestClient, patient: Treated, front_desk: TestClient
) -> None:
    sent(check_in(portal, patient.session_id, fever="yes"))

    assert attention(front_desk) == ""
    assert "Check-ins that need attention" not in front_desk.get("/").text


def test_a_clinician_reviews_a_check_in_and_it_leaves_the_list(
    portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id, fever="yes"))
    page = clinician.get(f"/check-ins/{check_in_id}")
    assert page.status_code == 200
    assert "rule <code>fever</code>; sources: fda-den160029-skinpen" in page.text

    response = clinician.post(
        f"/check-ins/{check_in_id}/reviewed",
        data={
            "csrf_token": page_token(clinician),
            "outcome": "advice_given",
            "note": "Phoned the patient:\nkeep it clean, come in tomorrow.",
        },
    )

    assert response.status_code == 303
    assert check_in_id not in attention(clinician)
    shown = clinician.get(f"/check-ins/{check_in_id}").text
    assert (
        "Reviewed 23 Nov 2026" in shown and "by clinician: <strong>Advice given</strong>" in shown
    )
    assert "Phoned the patient: keep it clean, come in tomorrow." in shown


def test_the_photo_is_kept_without_gps_for_the_patient_and_the_clinician(
    portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id, photo=jpeg_with_gps()))
    result = portal.get(f"/portal/check-ins/{check_in_id}").text
    photo_path = re.search(r'<img src="(/portal/photos/[0-9a-f-]{36})"', result)
    assert photo_path

    mine = portal.get(photo_path.group(1))
    theirs = clinician.get(f"/check-ins/{check_in_id}/photo")

    assert mine.status_code == theirs.status_code == 200
    assert mine.headers["content-type"] == "image/jpeg"
    assert mine.headers["cache-control"] == "private, no-store"  # PB-2
    assert mine.content == theirs.content
    assert exif_of(mine.content) == {}


@pytest.mark.parametrize(
    ("upload", "status"),
    [(gif(), 415), (b"%PDF-1.7", 415), (png(7000, 6000, mode="1"), 422)],
)
def test_a_photo_that_cannot_be_accepted_is_named_and_nothing_is_kept(
    portal: TestClient, patient: Treated, clinician: TestClient, upload: bytes, status: int
) -> None:
    response = check_in(portal, patient.session_id, photo=upload, fever="yes")

    assert response.status_code == status
    assert 'id="photo-problem"' in response.text
    assert "No patient check-in needs attention." in attention(clinician)


def test_an_upload_over_the_limit_is_refused_with_413(portal: TestClient, patient: Treated) -> None:
    response = check_in(portal, patient.session_id, photo=b"\xff\xd8\xff" + b"\0" * MAX_PHOTO_BYTES)

    assert response.status_code == 413
    assert "larger than 20 MB" in response.text


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` × ``height`` (1-bit) in a few dozen bytes: a bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


PHP_AS_JPEG = b"<?php system($_GET['c']); ?>"
SVG_AS_JPEG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>1</script></svg>'


def test_iv2_uploads_gps_stripped_oversize_413_bomb_422_disguised_415(
    portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    """IV-2 over HTTP: a JPEG with GPS and orientation 6 is kept with 0 EXIF tags, upright; a
    50 MB file → 413; a 20,000 × 20,000 PNG (400 MP) → 422; PHP and SVG sent as image/jpeg →
    415; nothing refused is kept."""
    check_in_id = sent(
        check_in(portal, patient.session_id, photo=jpeg_with_gps(64, 32, orientation=6))
    )
    result = portal.get(f"/portal/check-ins/{check_in_id}").text
    photo_path = re.search(r'<img src="(/portal/photos/[0-9a-f-]{36})"', result)
    assert photo_path
    kept = portal.get(photo_path.group(1)).content
    assert exif_of(kept) == {}
    with Image.open(io.BytesIO(kept)) as image:
        assert image.size == (32, 64)  # turned upright

    refused = {
        "50 MB": check_in(portal, patient.session_id, photo=b"\xff\xd8\xff" + bytes(50 << 20)),
        "400 MP": check_in(portal, patient.session_id, photo=_png_header_only(20_000, 20_000)),
        "PHP": check_in(portal, patient.session_id, photo=PHP_AS_JPEG),
        "SVG": check_in(portal, patient.session_id, photo=SVG_AS_JPEG),
    }

    assert {name: r.status_code for name, r in refused.items()} == {
        "50 MB": 413,
        "400 MP": 422,
        "PHP": 415,
        "SVG": 415,
    }
    for name in ("400 MP", "PHP", "SVG"):
        assert 'id="photo-problem"' in refused[name].text, name


def test_unanswered_questions_are_named_beside_their_fields(
    portal: TestClient, patient: Treated
) -> None:
    response = check_in(portal, patient.session_id, redness="", fever="maybe", pain="11")

    assert response.status_code == 422
    for field in ("redness", "fever", "pain"):
        assert f'id="{field}-problem"' in response.text


def test_check_ins_close_after_day_seven(clinic: Clinic, patient: Treated) -> None:
    clinic.services.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    late = portal_browser(clinic, patient)

    home = late.get("/portal").text
    form = late.get(f"/portal/treatments/{patient.session_id}/check-in")

    assert "Your daily check-in" not in home
    assert form.status_code == 409
    assert "day 7" in form.text


def test_the_home_page_shows_todays_check_in_with_its_level(
    portal: TestClient, patient: Treated
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id, pain="7"))

    home = portal.get("/portal").text

    assert "You checked in today" in home
    assert f'href="/portal/check-ins/{check_in_id}"' in home
    assert "Send another check-in" in home
    assert UUID(check_in_id)
