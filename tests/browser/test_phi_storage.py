"""PB-1: no patient data lands in the browser's storage, and every answer is ``no-store``.

A patient is registered with canary strings for name, date of birth, email and phone, and
treated (signed consultation, series, consent, a session). The patient signs in to the portal
and sends a check-in; a clinician reviews it with a canary note, then visits the patient's
page, the search, the chart, the photos, the series, the check-in and the calendar; the
patient visits the portal's pages. Then, in both browser profiles, ``localStorage``,
``sessionStorage`` and the Cache Storage API hold no canary, and every answer the server gave
(pages, fragments, images) carried ``Cache-Control: no-store``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final
from uuid import UUID

import pytest
import yaml
from playwright.sync_api import Page, Response, expect

from browser.conftest import SeededDemo, Server
from consent_support import give_consent
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.messages import MessageKind
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import ConsultationRequest
from needlepoint.services.records import patients
from needlepoint.services.treatment import series as treatment
from portal_support import deliver
from serving import free_port, local_url, serving

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/01-proceed-rolling-boxcar-cheeks.yaml"
GIVEN: Final = "Canaryvq"
FAMILY: Final = "Phiwatchzx"
BORN_ON: Final = date(1991, 7, 13)
EMAIL: Final = "canary.phiwatch@patient.test"
PHONE: Final = "07700 900417"
NOTE: Final = "Canarynote seen at noon, swab taken."
CANARIES: Final = (GIVEN, FAMILY, EMAIL, PHONE, PHONE.replace(" ", ""), "1991-07-13", "13 Jul")
_LINK = re.compile(r"(http://\S+/portal/sign-in/[A-Za-z0-9_-]{43})")

READ_STORAGE: Final = """async () => {
  const cached = [];
  if (window.caches) {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        cached.push(name, request.url, response ? await response.text() : "");
      }
    }
  }
  const dump = (store) => Object.keys(store).map((k) => k + "=" + store.getItem(k));
  return {
    local: dump(window.localStorage),
    session: dump(window.sessionStorage),
    cache: cached,
    hasCaches: Boolean(window.caches),
  };
}"""


@dataclass(frozen=True)
class Canary:
    server: Server
    services: Services
    clinic_id: UUID
    patient_id: UUID
    series_id: UUID
    session_id: UUID


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory, seeded_demo: SeededDemo) -> Iterator[Canary]:
    env = seeded_demo.copy(tmp_path_factory, "phi-storage")
    port = free_port()
    # The links the in-process worker renders must name this server (ADR 0037).
    env["NEEDLEPOINT_PUBLIC_URL"] = local_url(port)
    services = bootstrap(Settings.from_env(env))
    uow = services.database.unit_of_work()
    with uow:
        found = uow.staff.by_email(seeded_demo.logins["clinician"][0])
    assert found is not None
    context = RequestContext(actor=found[0], request_id="pb1-seed", auth=AuthMethod.SESSION)
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    document["patient"]["born_on"] = BORN_ON.isoformat()
    new = patients.NewPatient(
        GIVEN, FAMILY, BORN_ON, Sex(document["patient"]["sex"]), email=EMAIL, phone=PHONE
    )
    patient = services.records.register_patient(new, context=context)
    record = services.consultation.record_consultation(
        ConsultationRequest(patient_id=patient.id, document=document), context=context
    )
    services.consultation.sign_consultation(record.id, context=context)
    series = services.treatment.create_series(
        treatment.NewSeries(consultation_id=record.id), context=context
    )
    give_consent(services, series.id, context)
    session = services.treatment.start_session(series.id, rescreen_document={}, context=context)
    try:
        with serving(env, port) as url:
            yield Canary(
                Server(url, seeded_demo.logins),
                services,
                context.actor.clinic_id,
                patient.id,
                series.id,
                session.id,
            )
    finally:
        services.database.close()


@pytest.fixture(scope="module")
def server(canary: Canary) -> Server:
    """The conftest's ``clinician`` tab signs in to this module's server."""
    return canary.server


def _sign_in_link(canary: Canary) -> str:
    """The link the worker mails now: the outbox keeps only a placeholder (ADR 0037)."""
    bodies = [
        m.body
        for m in deliver(canary.services)
        if m.kind is MessageKind.PORTAL_SIGN_IN and m.patient_id == canary.patient_id
    ]
    found = _LINK.search(bodies[-1])
    assert found is not None
    return found.group(1)


def _record(page: Page, answers: list[Response]) -> None:
    def note(answer: Response) -> None:  # a bound builtin is not accepted as a listener
        answers.append(answer)

    page.on("response", note)


def _leaks(page: Page) -> list[str]:
    stored = page.evaluate(READ_STORAGE)
    assert stored["hasCaches"], "the Cache Storage API was not there to read"
    text = "\n".join([*stored["local"], *stored["session"], *stored["cache"]])
    return [c for c in CANARIES if c.lower() in text.lower()]


def test_pb1_no_patient_data_in_browser_storage_and_every_answer_is_no_store(
    canary: Canary, open_tab: Callable[..., Page], clinician: Page
) -> None:
    answers: list[Response] = []
    patient = open_tab()
    _record(patient, answers)
    _record(clinician, answers)

    patient.goto("/portal/sign-in")
    patient.get_by_label("Your email address").fill(EMAIL)
    patient.get_by_role("button", name="Email me a sign-in link").click()
    expect(patient.get_by_role("heading", name="Check your email")).to_be_visible()
    patient.goto(_sign_in_link(canary))
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("heading", name=f"Hello, {GIVEN}", level=1)).to_be_visible()
    patient.get_by_role("link", name=re.compile(r"^Check in now")).click()
    for question, choice in (("Redness", "Mild"), ("Swelling", "None")):
        patient.get_by_role("group", name=question).get_by_label(choice, exact=True).check()
    patient.get_by_label("Pain right now").select_option("2")
    for question in ("pus", "fever", "blisters"):
        patient.locator(f"#{question}-no").check()
    patient.get_by_role("button", name="Send my check-in").click()
    check_in_id = patient.url.rsplit("/", 1)[1]
    for path in ("/portal", f"/portal/series/{canary.series_id}", "/portal/progress"):
        patient.goto(path)
    patient.goto("/portal/clinical-photos")

    clinician.goto(f"/check-ins/{check_in_id}")
    clinician.get_by_label("Seen in clinic").check()
    clinician.get_by_label("Note").fill(NOTE)
    clinician.get_by_role("button", name="Mark reviewed").click()
    clinician.goto(f"/patients?q={FAMILY}")
    expect(clinician.get_by_role("link", name=f"{FAMILY}, {GIVEN}")).to_be_visible()
    pages = (
        f"/patients/{canary.patient_id}",
        f"/patients/{canary.patient_id}/photos",
        f"/patients/{canary.patient_id}/outcomes",
        f"/series/{canary.series_id}",
        f"/sessions/{canary.session_id}/chart",
        "/calendar",
        "/",
    )
    for path in pages:
        clinician.goto(path)
    clinician.goto(f"/patients/{canary.patient_id}")
    expect(clinician.get_by_text(NOTE).first).to_be_visible()

    ours = [a for a in answers if a.url.startswith(canary.server.url)]
    not_no_store = sorted(
        {a.url for a in ours if "no-store" not in (a.headers.get("cache-control") or "")}
    )
    leaks = {"patient": _leaks(patient), "clinician": _leaks(clinician)}

    assert len(ours) >= len(pages) + 8
    assert not_no_store == []
    assert leaks == {"patient": [], "clinician": []}
