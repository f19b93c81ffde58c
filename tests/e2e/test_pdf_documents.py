"""The handout, the session summary and the outcome report as PDF, read as a reader would.

Each is downloaded from the API as a clinic does (the web app's downloads call the same use
cases), its text extracted with pypdf and its pages rendered to PNG with pypdfium2. The
handout names the clinic's phone, every red flag and every dated care item of that session;
the summary what was done (never a rule id); the report each score with its chart. Rendering
fetches nothing: the renderer raises on any refused resource, so a download that succeeds made
no outside request, and a template naming an http URL fails. Downloads follow the action
table and are audited like the page.
"""

from __future__ import annotations

import io
import re
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any
from uuid import uuid4

import pypdf
import pypdfium2  # type: ignore[import-untyped]
import pytest

from api_support import TestClient, add_member, signed_in
from needlepoint.adapters.pdf import PdfRenderer, RefusedResourceError
from needlepoint.domain.records import Role
from needlepoint.services.printouts import EMERGENCY, HANDOUT
from web_charts import LOT, held_session, new_series
from web_support import ADMIN, CLINICIAN, FRONT_DESK, Clinic, signed_in_browser

pytest_plugins = ["web_fixtures"]

API = "/api/v1"
PHONE = "020 7946 0321"
CONTACT = {
    "phone": PHONE,
    "address": "14 Harbour Street, London SE1 9XY",
    "phone_hours": "Monday to Friday 9:00 to 18:00",
}


def text_of(pdf: bytes) -> str:
    """The PDF's text as a reader copies it, with runs of white space as one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("-\n", "-"))  # a line broken after a hyphen


def plain(words: str) -> str:
    return re.sub(r"\s+", " ", words)


def assert_renders_with_ink(pdf: bytes) -> None:
    """Every page renders to a PNG that is not blank."""
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) >= 1
    for page in document:
        image = page.render(scale=1).to_pil()
        png = io.BytesIO()
        image.save(png, format="PNG")
        assert png.getvalue().startswith(b"\x89PNG")
        dark = sum(image.convert("L").histogram()[:128])
        assert dark > 500, "a blank page"


def pdf_of(response: Any) -> bytes:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    data: bytes = response.content
    assert data.startswith(b"%PDF")
    return data


@pytest.fixture
def series(clinic: Clinic) -> dict[str, Any]:
    admin = signed_in(clinic.services, ADMIN)
    assert admin.put(f"{API}/clinic/contact", json=CONTACT).status_code == 200
    return new_series(clinic)


@pytest.fixture
def clinician(clinic: Clinic) -> Any:
    with signed_in_browser(clinic.services, CLINICIAN) as client:
        yield client


def test_the_handout_pdf_has_the_phone_every_red_flag_and_every_dated_care_item(
    clinic: Clinic, series: dict[str, Any], clinician: TestClient
) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    pdf = pdf_of(api.get(f"{API}/series/{series['id']}/sessions/1/handout"))
    text = text_of(pdf)
    page = clinician.get(f"/series/{series['id']}/handout?session=1").text

    assert f"Call Harbour Skin Clinic on {PHONE} (Monday to Friday 9:00 to 18:00)" in text
    assert CONTACT["address"] in text
    flags = clinic.services.knowledge.care.red_flags
    assert flags
    for flag in flags:
        assert plain(flag.sign) in text, flag.sign
    items = re.findall(r"<li><strong>([^<]+)</strong> \(([^)]+)\): ([^<]+)</li>", page)
    assert len(items) >= 5  # the HTML handout's dated items, each in the PDF too
    for topic, dates, instruction in items:
        assert plain(f"{topic} ({dates}): {instruction}").replace("&#39;", "'") in text
    assert "Call emergency services now if you notice" in text
    assert any(f.urgency == EMERGENCY for f in flags)
    assert_renders_with_ink(pdf)


def test_a_session_number_out_of_range_is_named(series: dict[str, Any], clinic: Clinic) -> None:
    api = signed_in(clinic.services, CLINICIAN)

    too_far = api.get(f"{API}/series/{series['id']}/sessions/51/handout")
    not_planned = api.get(f"{API}/series/{series['id']}/sessions/9/handout")

    assert not_planned.status_code == 404
    assert too_far.status_code == 422
    assert "number" in too_far.text


def test_the_session_summary_shows_what_was_done_and_no_rule_id(
    series: dict[str, Any], clinician: TestClient, clinic: Clinic
) -> None:
    session_id = held_session(clinician, series["id"])

    api = signed_in(clinic.services, CLINICIAN)
    pdf = pdf_of(api.get(f"{API}/sessions/{session_id}/summary"))
    text = text_of(pdf)

    assert "Treatment session 1 of" in text
    assert LOT in text
    assert "cheeks" in text and " mm" in text
    assert "Device pen" in text
    assert "charted by clinician" in text and "Signed clinician," in text
    assert "Amira Okafor" in text
    for rule_id in ("deeper-than-plan", "device-depth-cap", "licence-depth", "zone-depth"):
        assert rule_id not in text
    assert_renders_with_ink(pdf)


def test_the_outcome_report_lists_each_score_and_draws_its_chart(
    series: dict[str, Any], clinician: TestClient, clinic: Clinic
) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    patient_id = series["patient_id"]
    for value, on in (("22", "2026-11-16"), ("17", "2026-11-20")):
        score = {"scale": "gb_quantitative", "value": value, "measured_on": on}
        answer = api.post(f"{API}/patients/{patient_id}/outcomes", json=score)
        assert answer.status_code == 201, answer.text

    pdf = pdf_of(api.get(f"{API}/patients/{patient_id}/outcome-report"))
    text = text_of(pdf)

    assert "Outcome report" in text and "Amira Okafor" in text
    assert "16 Nov 2026" in text and "20 Nov 2026" in text
    assert "22.00" in text and "17.00" in text
    assert "Visit date" in text  # the SVG chart's axis label, drawn into the PDF
    assert_renders_with_ink(pdf)


def test_front_desk_may_not_download_clinical_documents(
    series: dict[str, Any], clinic: Clinic
) -> None:
    api = signed_in(clinic.services, FRONT_DESK)
    patient_id = series["patient_id"]

    answers = [
        api.get(f"{API}/series/{series['id']}/sessions/1/handout"),
        api.get(f"{API}/patients/{patient_id}/outcome-report"),
        api.get(f"{API}/sessions/{uuid4()}/summary"),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert {a.json()["code"] for a in answers} == {"permission-denied"}


def test_another_clinics_documents_answer_like_missing_ones(
    series: dict[str, Any], clinician: TestClient, clinic: Clinic
) -> None:
    session_id = held_session(clinician, series["id"])
    other_id = clinic.services.accounts.add_clinic(name="Elsewhere", time_zone="Europe/London").id
    add_member(clinic.services, other_id, Role.CLINICIAN, "other@clinic.test")
    other = signed_in(clinic.services, "other@clinic.test")
    theirs = {
        "handout": f"{API}/series/{series['id']}/sessions/1/handout",
        "summary": f"{API}/sessions/{session_id}/summary",
        "report": f"{API}/patients/{series['patient_id']}/outcome-report",
    }
    missing = {
        "handout": f"{API}/series/{uuid4()}/sessions/1/handout",
        "summary": f"{API}/sessions/{uuid4()}/summary",
        "report": f"{API}/patients/{uuid4()}/outcome-report",
    }

    for name, url in theirs.items():
        answer, absent = other.get(url), other.get(missing[name])
        assert answer.status_code == absent.status_code == 404, name
        assert answer.json()["code"] == absent.json()["code"], name


def test_each_download_is_audited_like_its_page(
    series: dict[str, Any], clinician: TestClient, clinic: Clinic
) -> None:
    database = clinic.services.settings.data_dir / "needlepoint.sqlite3"

    def count(action: str) -> int:
        with sqlite3.connect(database) as raw:
            found = raw.execute("SELECT COUNT(*) FROM audit_event WHERE action = ?", (action,))
            return int(found.fetchone()[0])

    api = signed_in(clinic.services, CLINICIAN)
    before = count("care_document.read")
    pdf_of(api.get(f"{API}/series/{series['id']}/sessions/1/handout"))
    session_id = held_session(clinician, series["id"])
    charted = count("chart.read")
    pdf_of(api.get(f"{API}/sessions/{session_id}/summary"))
    listed = count("outcome.list")
    pdf_of(api.get(f"{API}/patients/{series['patient_id']}/outcome-report"))

    assert count("care_document.read") == before + 1
    assert count("chart.read") == charted + 1
    assert count("outcome.list") == listed + 1


def test_a_handout_template_naming_an_http_url_is_refused(tmp_path: Path) -> None:
    bundled = resources.files("needlepoint.adapters") / "documents"
    for name in ("document.css", "printouts.css", HANDOUT):
        (tmp_path / name).write_text((bundled / name).read_text(encoding="utf-8"))
    leaky = (
        (tmp_path / HANDOUT)
        .read_text()
        .replace("<body>", '<body><img src="http://127.0.0.1:9/logo.png">', 1)
    )
    (tmp_path / HANDOUT).write_text(leaky)
    values = {
        "title": "Handout",
        "clinic_name": "Harbour",
        "clinic_address": "",
        "clinic_phone": PHONE,
        "clinic_hours": "",
        "patient_name": "Amira Okafor",
        "treatment": "treatment 1 of 3",
        "dated_line": "For your appointment.",
        "provisional": False,
        "pre": [],
        "post": [],
        "call_flags": [],
        "emergency_flags": [],
    }

    with pytest.raises(RefusedResourceError) as refused:
        PdfRenderer(tmp_path).render_pdf(HANDOUT, values)
    assert refused.value.urls == ("http://127.0.0.1:9/logo.png",)
