"""The patient portal in a real browser (issue 5 acceptance), on a phone and a tablet.

A patient signs in through the one-time link (read from the mail the worker sends; it makes the
link's secret then, ADR 0037), checks in with a fever, is told to call the clinic; the clinician's
dashboard then lists the check-in under "Check-ins that need attention". Patient B cannot
reach patient A's pages, check-in or photo. No page breaks its Content-Security-Policy.

The module runs its own server: ``needlepoint demo``, then two patients with an email and a
session started today are added through the services, then ``needlepoint serve`` with the
public URL set (``NEEDLEPOINT_PUBLIC_URL``).

The red-flag loop: a red check-in shows the demo clinic's phone number as a ``tel:`` link, and
the clinician's review (an outcome and a note) then appears in the patient's check-in history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from uuid import UUID

import pytest
import yaml
from playwright.sync_api import Page, ViewportSize, expect

from browser.conftest import TABLET, SeededDemo, Server
from consent_support import give_consent
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.messages import MessageKind
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import ConsultationRequest
from needlepoint.services.records import patients
from needlepoint.services.treatment import series as treatment
from photo_samples import jpeg_with_gps
from portal_support import deliver
from serving import free_port, local_url, serving

PHONE: Final = ViewportSize(width=390, height=844)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples/01-proceed-rolling-boxcar-cheeks.yaml"
_LINK = re.compile(r"(http://\S+/portal/sign-in/[A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class PortalPatient:
    patient_id: UUID
    email: str
    given: str
    family: str


@dataclass(frozen=True)
class PortalServer:
    server: Server
    services: Services
    clinic_id: UUID
    a: PortalPatient
    b: PortalPatient


@pytest.fixture(scope="module")
def portal_server(
    tmp_path_factory: pytest.TempPathFactory, seeded_demo: SeededDemo
) -> Iterator[PortalServer]:
    env = seeded_demo.copy(tmp_path_factory, "portal")
    port = free_port()
    # The links the in-process worker renders must name this server (ADR 0037).
    env["NEEDLEPOINT_PUBLIC_URL"] = local_url(port)
    logins = seeded_demo.logins
    services = bootstrap(Settings.from_env(env))
    clinician = _clinician(services, logins["clinician"][0])
    a = _treated(services, clinician, "Nadia", "Quinn")
    b = _treated(services, clinician, "Ben", "Holt")
    try:
        with serving(env, port) as url:
            yield PortalServer(Server(url, logins), services, clinician.actor.clinic_id, a, b)
    finally:
        services.database.close()


@pytest.fixture(scope="module")
def server(portal_server: PortalServer) -> Server:
    """The conftest's staff fixtures (``clinician``) sign in to this module's server."""
    return portal_server.server


def _clinician(services: Services, email: str) -> RequestContext:
    uow = services.database.unit_of_work()
    with uow:
        found = uow.staff.by_email(email)
    assert found is not None
    return RequestContext(actor=found[0], request_id="browser-portal-seed", auth=AuthMethod.SESSION)


def _treated(services: Services, context: RequestContext, given: str, family: str) -> PortalPatient:
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
    give_consent(services, series.id, context)  # the patient's witnessed consent (ADR 0029)
    services.treatment.start_session(series.id, rescreen_document={}, context=context)
    return PortalPatient(patient.id, email, given, family)


@pytest.fixture
def patient_tab(open_tab: Callable[..., Page]) -> Callable[[ViewportSize], Page]:
    """Opens a signed-out tab at a viewport; every tab must keep the CSP (see ``open_tab``)."""
    return lambda viewport: open_tab(viewport=viewport)


def sign_in_by_link(page: Page, portal: PortalServer, patient: PortalPatient) -> None:
    """Ask for a link in the form, read it from the mail the worker sends, follow it."""
    earlier = set(_links(portal, patient))
    page.goto("/portal/sign-in")
    page.get_by_label("Your email address").fill(patient.email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    (link,) = (found for found in _links(portal, patient) if found not in earlier)

    page.goto(link)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name=f"Hello, {patient.given}", level=1)).to_be_visible()


def _links(portal: PortalServer, patient: PortalPatient) -> list[str]:
    """The links the worker sends now (it makes each link's secret as it sends, ADR 0037)."""
    bodies = (
        m.body
        for m in deliver(portal.services)
        if m.kind is MessageKind.PORTAL_SIGN_IN and m.patient_id == patient.patient_id
    )
    return [found.group(1) for body in bodies if (found := _LINK.search(body))]


def answer(page: Page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_a_check_in_with_fever_turns_red_and_reaches_the_clinic_dashboard(
    patient_tab: Callable[[ViewportSize], Page], portal_server: PortalServer, clinician: Page
) -> None:
    page = patient_tab(PHONE)
    sign_in_by_link(page, portal_server, portal_server.a)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name=re.compile(r"^Check in now")).click()
    expect(page.get_by_role("heading", name="How is your skin today?")).to_be_visible()
    answer(page, "Redness", "Mild")
    answer(page, "Swelling", "Mild")
    page.get_by_label("Pain right now").select_option("3")
    answer(page, "Is there pus, or yellow crusts, on the treated skin?", "No")
    answer(page, "Do you have a fever, or feel hot and shivery?", "Yes")
    answer(page, "Are there small blisters, especially around the lips?", "No")
    page.get_by_role("button", name="Send my check-in").click()

    expect(page.get_by_role("heading", name="Call your clinic today")).to_be_visible()
    expect(page.get_by_text("A fever after a session can be a sign of infection.")).to_be_visible()
    clinician.goto("/")
    listed = clinician.get_by_role("region", name="Check-ins that need attention")
    expect(listed.get_by_role("link", name="Quinn, Nadia")).to_be_visible()
    expect(listed.get_by_text("Red", exact=True)).to_be_visible()
    listed.get_by_role("link", name="Quinn, Nadia").click()
    expect(clinician.get_by_role("heading", name="Quinn, Nadia", level=1)).to_be_visible()


def test_a_red_check_in_shows_the_phone_and_the_review_note_joins_the_history(
    patient_tab: Callable[[ViewportSize], Page], portal_server: PortalServer, clinician: Page
) -> None:
    page = patient_tab(PHONE)
    sign_in_by_link(page, portal_server, portal_server.b)
    page.get_by_role("link", name=re.compile(r"^(Check in now|Send another check-in)")).click()
    answer(page, "Redness", "Mild")
    answer(page, "Swelling", "None")
    page.get_by_label("Pain right now").select_option("2")
    answer(page, "Is there pus, or yellow crusts, on the treated skin?", "Yes")
    answer(page, "Do you have a fever, or feel hot and shivery?", "No")
    answer(page, "Are there small blisters, especially around the lips?", "No")
    page.get_by_role("button", name="Send my check-in").click()

    expect(page.get_by_role("heading", name="Call your clinic today")).to_be_visible()
    phone = page.get_by_role("region", name="Call your clinic today").get_by_role(
        "link", name="020 7946 0321"
    )
    expect(phone).to_have_attribute("href", "tel:02079460321")
    expect(page.get_by_text("Monday to Friday 9:00 to 18:00").first).to_be_visible()
    check_in_id = page.url.rsplit("/", 1)[1]

    note = "Seen at 14:00: early infection, swabbed, antibiotics started."
    clinician.goto(f"/check-ins/{check_in_id}")
    clinician.get_by_label("Seen in clinic").check()
    clinician.get_by_label("Note").fill(note)
    clinician.get_by_role("button", name="Mark reviewed").click()
    clinician.goto(f"/patients/{portal_server.b.patient_id}")

    history = clinician.get_by_role("region", name="Check-ins", exact=True)
    row = history.get_by_role("row").filter(
        has=clinician.locator(f'a[href="/check-ins/{check_in_id}"]')
    )
    expect(row.get_by_text(note)).to_be_visible()
    expect(row.get_by_text("Seen in clinic")).to_be_visible()
    expect(row.get_by_text("Red", exact=True)).to_be_visible()


def test_patient_b_cannot_reach_patient_as_pages_check_ins_or_photos(
    patient_tab: Callable[[ViewportSize], Page], portal_server: PortalServer
) -> None:
    a_tab = patient_tab(TABLET)
    sign_in_by_link(a_tab, portal_server, portal_server.a)
    a_tab.get_by_role("link", name=re.compile(r"^(Check in now|Send another check-in)")).click()
    for question, choice in (("Redness", "None"), ("Swelling", "None")):
        answer(a_tab, question, choice)
    a_tab.get_by_label("Pain right now").select_option("0")
    for question in ("pus", "fever", "blisters"):
        a_tab.locator(f"#{question}-no").check()
    photo = {"name": "skin.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    a_tab.get_by_label("A photo of the treated skin").set_input_files(photo)  # type: ignore[arg-type]
    a_tab.get_by_role("button", name="Send my check-in").click()
    expect(a_tab.get_by_role("heading", name="Healing as expected")).to_be_visible()
    check_in_url = a_tab.url
    photo_url = a_tab.locator(".check-in-photo img").get_attribute("src")
    series_url = _series_url(a_tab)

    b_tab = patient_tab(TABLET)
    sign_in_by_link(b_tab, portal_server, portal_server.b)
    for url in (check_in_url, photo_url, series_url):
        assert url is not None
        response = b_tab.goto(url)
        assert response is not None and response.status == 404, url
        expect(b_tab.get_by_text("There is no such page among your records.")).to_be_visible()
        expect(b_tab.get_by_text("Quinn")).to_have_count(0)


def _series_url(page: Page) -> str:
    page.goto("/portal")
    link = page.get_by_role("region", name="Your treatment plan").get_by_role("link").first
    href = link.get_attribute("href")
    assert href is not None
    return href


def test_todays_care_is_marked_read_from_the_keyboard(
    patient_tab: Callable[[ViewportSize], Page], portal_server: PortalServer
) -> None:
    page = patient_tab(TABLET)
    sign_in_by_link(page, portal_server, portal_server.b)
    care = page.get_by_role("region", name="Today’s care instructions")
    button = care.get_by_role("button", name=re.compile(r"^I’ve read this")).first

    button.focus()
    page.keyboard.press("Enter")

    expect(care.get_by_text("Read today").first).to_be_visible()
