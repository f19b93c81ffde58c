"""The web app offers each PDF on the page it prints: the handout, the session chart and the
outcomes page link to their download, which answers the same document as the API, is closed
to the front desk as the action table says, and reads another clinic's record as missing.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from test_pdf_documents import CONTACT, PHONE, pdf_of, text_of

from api_support import TestClient, add_member, signed_in
from needlepoint.domain.records import Role
from web_charts import held_session, new_series
from web_support import ADMIN, CLINICIAN, FRONT_DESK, Clinic, signed_in_browser

pytest_plugins = ["web_fixtures"]

API = "/api/v1"


@pytest.fixture
def series(clinic: Clinic) -> dict[str, Any]:
    admin = signed_in(clinic.services, ADMIN)
    assert admin.put(f"{API}/clinic/contact", json=CONTACT).status_code == 200
    return new_series(clinic)


def test_each_page_links_its_pdf_and_the_download_is_the_apis_document(
    clinic: Clinic, series: dict[str, Any], clinician: TestClient
) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    session_id = held_session(clinician, series["id"])
    patient_id = series["patient_id"]
    pairs = {
        f"/series/{series['id']}/handout?session=1": (
            f"/series/{series['id']}/handout.pdf?session=1",
            f"{API}/series/{series['id']}/sessions/1/handout",
        ),
        f"/sessions/{session_id}/chart": (
            f"/sessions/{session_id}/summary.pdf",
            f"{API}/sessions/{session_id}/summary",
        ),
        f"/patients/{patient_id}/outcomes": (
            f"/patients/{patient_id}/outcomes/report.pdf",
            f"{API}/patients/{patient_id}/outcome-report",
        ),
    }

    for page, (download, api_url) in pairs.items():
        html = clinician.get(page).text
        assert f'href="{download}" download' in html, page
        assert text_of(pdf_of(clinician.get(download))) == text_of(pdf_of(api.get(api_url)))
    assert PHONE in text_of(pdf_of(clinician.get(f"/series/{series['id']}/handout.pdf")))


def test_front_desk_is_refused_each_download(clinic: Clinic, series: dict[str, Any]) -> None:
    with signed_in_browser(clinic.services, FRONT_DESK) as desk:
        answers = [
            desk.get(f"/series/{series['id']}/handout.pdf").status_code,
            desk.get(f"/patients/{series['patient_id']}/outcomes/report.pdf").status_code,
            desk.get(f"/sessions/{uuid4()}/summary.pdf").status_code,
        ]

    assert answers == [403, 403, 403]


def test_another_clinics_handout_reads_like_a_missing_one(
    clinic: Clinic, series: dict[str, Any]
) -> None:
    other_id = clinic.services.accounts.add_clinic(name="Elsewhere", time_zone="Europe/London").id
    add_member(clinic.services, other_id, Role.CLINICIAN, "other@clinic.test")
    with signed_in_browser(clinic.services, "other@clinic.test") as other:
        theirs = other.get(f"/series/{series['id']}/handout.pdf")
        missing = other.get(f"/series/{uuid4()}/handout.pdf")
        bad_number = other.get(f"/series/{series['id']}/handout.pdf?session=x")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.text == missing.text
    assert bad_number.status_code == 422
