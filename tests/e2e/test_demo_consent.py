"""The demo's consent form and consents (ADR 0029): cited, signed, witnessed, kept as PDFs.

The demo clinic publishes one plain-language microneedling form for every indication; its
risks come from the knowledge base's cited adverse events (``red_flags.yaml``) and every source
it cites is in ``sources.yaml``. Amira Okafor signed with a drawing on a clinic tablet, Helen
Marsh by typing her name in the portal; Kenji Sato's series still awaits his consent, so his
first session is refused. The signed PDF reads, as a person would read it, the typed name,
the form's version and each risk.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pypdf
import pytest

from api_support import MovingClock
from needlepoint.bootstrap import Services
from needlepoint.domain.consent import ConsentRequiredError, ConsentStanding
from needlepoint.domain.consent_templates import section_items
from needlepoint.domain.records import Role
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.entrypoints.cli import demo
from needlepoint.knowledge import catalogue
from needlepoint.services.audit import AuthMethod, RequestContext
from web_support import web_services

CITED = re.compile(r"\[([a-z0-9-]+)\]")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = web_services(tmp_path_factory.mktemp("consent"), MovingClock())
    demo.seed(services)
    yield services
    services.database.close()


@pytest.fixture(scope="module")
def clinician(seeded: Services) -> RequestContext:
    email = next(login.email for login in demo.LOGINS if login.role is Role.CLINICIAN)
    with seeded.database.unit_of_work() as uow:
        found = uow.staff.by_email(email)
    assert found is not None
    return RequestContext(actor=found[0], request_id="demo-test", auth=AuthMethod.SESSION)


def _series_of(services: Services, context: RequestContext, family: str) -> TreatmentSeries:
    (patient,) = [
        p
        for p in services.records.search_patients(family, page=(0, 10), context=context)
        if p.family_name == family
    ]
    (series,) = services.treatment.list_series(patient.id, page=(0, 10), context=context)
    return series


def test_every_source_the_demo_form_cites_is_in_the_bibliography() -> None:
    text = demo.CONSENT_FORM.read_text(encoding="utf-8")
    known = {source.id for source in catalogue.sources().sources}

    cited = set(CITED.findall(text))

    assert cited and cited <= known, cited - known
    risks = section_items(text.partition("\n")[2], "Risks")
    assert len(risks) >= 8
    assert all(CITED.search(risk) for risk in risks), "every risk cites its source"


def test_the_demo_consents_are_signed_where_the_demo_says_and_witnessed(
    seeded: Services, clinician: RequestContext
) -> None:
    found = {
        family: seeded.treatment.series_consent(
            _series_of(seeded, clinician, family).id,
            context=clinician,
        )
        for family in ("Okafor", "Marsh", "Sato")
    }

    okafor, marsh = found["Okafor"].current, found["Marsh"].current
    assert okafor is not None and marsh is not None
    assert (okafor.signed_via.value, okafor.signature.drawing_jpeg is not None) == ("clinic", True)
    assert (marsh.signed_via.value, marsh.signature.drawing_jpeg) == ("portal", None)
    assert okafor.standing is marsh.standing is ConsentStanding.VALID
    assert found["Sato"].current is None
    assert found["Sato"].form is not None


def test_kenjis_first_session_waits_for_his_consent(
    seeded: Services, clinician: RequestContext
) -> None:
    series = _series_of(seeded, clinician, "Sato")

    with pytest.raises(ConsentRequiredError) as refused:
        seeded.treatment.start_session(
            series.id,
            rescreen_document={"history": {"pregnant": False}},
            context=clinician,
        )

    assert refused.value.code == "consent-required"


def test_the_signed_pdf_reads_the_typed_name_the_version_and_every_risk(
    seeded: Services, clinician: RequestContext
) -> None:
    series = _series_of(seeded, clinician, "Okafor")
    consent = seeded.treatment.series_consent(
        series.id,
        context=clinician,
    ).current
    assert consent is not None

    pdf = seeded.treatment.consent_document(consent.id, context=clinician).data
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # A line broken after a hyphen (a source id) reads as one word, as a person reads it.
    joined = re.sub(r"-\s*\n\s*", "-", "\n".join(page.extract_text() for page in reader.pages))
    text = re.sub(r"\s+", " ", joined)
    body = demo.CONSENT_FORM.read_text(encoding="utf-8").partition("\n")[2]

    assert "Name typed by the patient Amira Okafor" in text
    assert "Consent form version 1, microneedling (all indications)" in text
    for risk in section_items(body, "Risks"):
        assert re.sub(r"\s+", " ", risk) in text, risk
    assert len(reader.pages) >= 2
