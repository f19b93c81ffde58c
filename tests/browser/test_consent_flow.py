"""Consent in a real browser (issue 12 acceptance): signed in the portal with a drawn
signature, then session 1 started in the clinic app: refused before, allowed after.

The module runs its own server over a copy of the demo, with one more patient added through
the services: a signed consultation and a series, but no consent. The clinician's first try
to start session 1 is refused (the patient has not consented). The patient signs in to the
portal by the one-time link, reads the form, types their name, draws a signature with the
mouse on the canvas (pointer events) and ticks that they agree. The clinician's next try is
refused again (the consent awaits a witness); the clinician confirms the witness and the
session starts. No page breaks its Content-Security-Policy (the ``open_tab`` fixture).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
import yaml
from playwright.sync_api import Page, expect

from browser.conftest import TABLET, SeededDemo, Server
from browser.test_portal_flow import PHONE, PortalPatient, PortalServer, sign_in_by_link
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import ConsultationRequest
from needlepoint.services.records import patients
from needlepoint.services.treatment import series as treatment
from serving import free_port, local_url, serving

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/01-proceed-rolling-boxcar-cheeks.yaml"


@dataclass(frozen=True)
class ConsentServer:
    portal: PortalServer
    series_id: UUID


@pytest.fixture(scope="module")
def consent_server(
    tmp_path_factory: pytest.TempPathFactory, seeded_demo: SeededDemo
) -> Iterator[ConsentServer]:
    env = seeded_demo.copy(tmp_path_factory, "consent")
    port = free_port()
    # The links the in-process worker renders must name this server (ADR 0037).
    env["NEEDLEPOINT_PUBLIC_URL"] = local_url(port)
    services = bootstrap(Settings.from_env(env))
    clinician = _clinician(services, seeded_demo.logins["clinician"][0])
    patient, series_id = _unconsented(services, clinician, "Leila", "Farah")
    try:
        with serving(env, port) as url:
            portal = PortalServer(
                Server(url, seeded_demo.logins),
                services,
                clinician.actor.clinic_id,
                patient,
                patient,
            )
            yield ConsentServer(portal, series_id)
    finally:
        services.database.close()


@pytest.fixture(scope="module")
def server(consent_server: ConsentServer) -> Server:
    """The conftest's staff fixtures (``clinician``) sign in to this module's server."""
    return consent_server.portal.server


def _clinician(services: Services, email: str) -> RequestContext:
    with services.database.unit_of_work() as uow:
        found = uow.staff.by_email(email)
    assert found is not None
    return RequestContext(actor=found[0], request_id="browser-consent", auth=AuthMethod.SESSION)


def _unconsented(
    services: Services, context: RequestContext, given: str, family: str
) -> tuple[PortalPatient, UUID]:
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    facts = document["patient"]
    email = f"{given.lower()}.{family.lower()}@patient.test"
    new = patients.NewPatient(given, family, facts["born_on"], Sex(facts["sex"]), email=email)
    patient = services.records.register_patient(new, context=context)
    record = services.consultation.record_consultation(
        ConsultationRequest(patient_id=patient.id, document=document), context=context
    )
    services.consultation.sign_consultation(record.id, context=context)
    series = services.treatment.create_series(
        treatment.NewSeries(consultation_id=record.id), context=context
    )
    return PortalPatient(patient.id, email, given, family), series.id


def _try_to_start(clinician: Page, series_id: UUID) -> None:
    clinician.goto(f"/series/{series_id}/sessions/new")
    clinician.get_by_label("Pregnant, or could be pregnant").select_option("no")
    clinician.get_by_role("button", name="Re-screen and start the session").click()


def _draw_a_signature(page: Page) -> None:
    """Mouse moves over the canvas, as a hand draws: down, a zigzag, up."""
    canvas = page.locator("[data-signature-pad] canvas")
    expect(canvas).to_be_visible()  # the script shows the pad (hidden without it)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(left + width * 0.1, top + height * 0.7)
    page.mouse.down()
    for step in range(1, 9):
        x = left + width * (0.1 + 0.1 * step)
        y = top + height * (0.3 if step % 2 else 0.7)
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def test_consent_signed_in_the_portal_with_a_drawn_signature_lets_session_one_start(
    consent_server: ConsentServer,
    clinician: Page,
    open_tab: Callable[..., Page],
) -> None:
    portal, series_id = consent_server.portal, consent_server.series_id
    _try_to_start(clinician, series_id)
    refusal = clinician.locator('[data-code="consent-required"]')
    expect(refusal).to_contain_text("the patient has not consented")
    expect(refusal).to_contain_text("Nothing was started")

    patient_tab: Page = open_tab(viewport=PHONE)
    sign_in_by_link(patient_tab, portal, portal.a)
    patient_tab.get_by_role("region", name="Your treatment plan").get_by_role("link").first.click()
    patient_tab.get_by_role("link", name=re.compile("^Read the consent form")).click()
    expect(patient_tab.get_by_role("heading", name="Consent to microneedling")).to_be_visible()
    expect(patient_tab.get_by_role("heading", name="Risks")).to_be_visible()
    patient_tab.get_by_label("Your full name").fill("Leila Farah")
    _draw_a_signature(patient_tab)
    drawn = patient_tab.locator('input[name="signature"]').input_value()
    assert drawn.startswith("data:image/png;base64,") and len(drawn) > 200
    patient_tab.get_by_label(re.compile("^I have read this form")).check()
    patient_tab.get_by_role("button", name="Sign the consent form").click()
    expect(patient_tab.get_by_role("status")).to_contain_text("your signature is recorded")

    _try_to_start(clinician, series_id)
    expect(clinician.locator('[data-code="consent-unwitnessed"]')).to_contain_text(
        "awaits a witness"
    )
    clinician.get_by_role("link", name="Open the series' consent").click()
    expect(clinician.get_by_text("with a drawn signature")).to_be_visible()
    clinician.get_by_role("button", name="Confirm I witnessed this signature").click()
    expect(clinician.get_by_role("status")).to_contain_text("Witnessed")
    href = clinician.get_by_role("link", name="Download the signed form (PDF)").get_attribute(
        "href"
    )
    assert href is not None
    pdf = clinician.request.get(href)
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body().startswith(b"%PDF-")

    _try_to_start(clinician, series_id)
    expect(clinician).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/chart$"))
    expect(
        clinician.get_by_role("heading", name=re.compile(r"Session 1 of \d+: chart"))
    ).to_be_visible()


def test_a_demo_patients_consent_page_says_it_holds_and_fits_a_tablet(
    consent_server: ConsentServer, clinician: Page
) -> None:
    clinician.set_viewport_size(TABLET)
    clinician.goto("/patients?q=Raman")
    clinician.locator("#patient-results").get_by_role("link", name="Raman, Priya").click()
    clinician.get_by_role("link", name="Consent").first.click()

    expect(clinician.get_by_text("Consent holds.")).to_be_visible()
    assert clinician.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
