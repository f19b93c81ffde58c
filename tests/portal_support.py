"""Patient portal test helpers: a patient with an email and a session held today, signing in
through the one-time link read back from the outbox, and the portal's CSRF token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from api_support import PATIENT, TestClient, intake_document, signed_in
from consent_support import consent_via_api
from needlepoint.bootstrap import Services
from needlepoint.domain.messages import Channel, MessageKind, OutboxMessage
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from web_charts import ok, started
from web_support import CLINICIAN, Clinic, csrf_token, web_client

API = "/api/v1"
_TOKEN = re.compile(r"/portal/sign-in/([A-Za-z0-9_-]{43})\b")


@dataclass(frozen=True)
class Treated:
    """A patient of the clinic with a signed consultation, a series and its first session."""

    patient_id: UUID
    email: str
    series_id: str
    session_id: str


def treated_patient(clinic: Clinic, clinician: TestClient, email: str, family: str) -> Treated:
    """A patient with an email, a series agreed through the API and a session started today."""
    api = signed_in(clinic.services, CLINICIAN)
    document = json.loads(json.dumps(intake_document()))
    facts = {"born_on": document["patient"]["born_on"], "sex": document["patient"]["sex"]}
    body = {**PATIENT, **facts, "family_name": family, "email": email}
    patient = ok(api.post(f"{API}/patients", json=body), 201)
    url = f"{API}/patients/{patient['id']}/consultations"
    consultation = ok(api.post(url, json={"document": document}), 201)
    ok(api.post(f"{API}/consultations/{consultation['id']}/sign"))
    series = ok(api.post(f"{API}/consultations/{consultation['id']}/series", json={}), 201)
    consent_via_api(api, series["id"])  # the patient's witnessed consent (ADR 0029)
    session = started(clinician, series["id"])
    return Treated(UUID(patient["id"]), email, series["id"], session)


def ask_for_link(client: TestClient, email: str) -> Any:
    """Ask for a sign-in link through the form, as a browser does."""
    token = csrf_token(client.get("/portal/sign-in").text)
    return client.post("/portal/sign-in", data={"email": email, "csrf_token": token})


@dataclass
class SentMail:
    """A channel that keeps every message handed to it, as it was sent (links put in)."""

    sent: list[OutboxMessage] = field(default_factory=list)

    def prepare(self, message: OutboxMessage) -> SentMail:
        self.sent.append(message)
        return self

    def complete(self) -> None:
        pass

    def abort(self) -> None:
        pass


def deliver(services: Services) -> list[OutboxMessage]:
    """Run the worker once over what is due, as ``needlepoint worker`` would; what it sent."""
    mail = SentMail()
    services.messaging.run_worker(
        WorkerSettings(worker_id="test-worker"),
        WorkerLoop(once=True),
        channels={Channel.EMAIL: mail, Channel.SMS: mail},
    )
    return mail.sent


def link_tokens(services: Services, clinic_id: UUID, patient_id: UUID) -> list[str]:
    """The tokens of the sign-in links sent to a patient now (the worker makes them)."""
    sent = [
        m
        for m in deliver(services)
        if (m.clinic_id, m.patient_id, m.kind)
        == (clinic_id, patient_id, MessageKind.PORTAL_SIGN_IN)
    ]
    found = (_TOKEN.search(m.body) for m in sent)
    return [match.group(1) for match in found if match]


def follow_link(client: TestClient, token: str) -> Any:
    """Open the link's page and press its button."""
    page = client.get(f"/portal/sign-in/{token}")
    assert page.status_code == 200, page.text
    return client.post(f"/portal/sign-in/{token}", data={"csrf_token": csrf_token(page.text)})


def portal_browser(clinic: Clinic, patient: Treated) -> TestClient:
    """A new client signed in to the portal as ``patient`` through a one-time link."""
    client = web_client(clinic.services)
    earlier = set(link_tokens(clinic.services, clinic.clinic_id, patient.patient_id))
    assert ask_for_link(client, patient.email).status_code == 200
    tokens = link_tokens(clinic.services, clinic.clinic_id, patient.patient_id)
    (token,) = (t for t in tokens if t not in earlier)
    response = follow_link(client, token)
    assert response.status_code == 303, response.text
    return client


def portal_token(client: TestClient, path: str = "/portal") -> str:
    """The CSRF token of a signed-in portal client, read from one of its pages."""
    return csrf_token(client.get(path).text)


HEALING = {"redness": "mild", "swelling": "mild", "pain": "2", "pus": "no", "fever": "no"}
HEALING |= {"blisters": "no"}


def check_in(
    client: TestClient, treatment_id: str, photo: bytes | None = None, **answers: str
) -> Any:
    """Send a check-in through the form (multipart, as the browser sends it)."""
    url = f"/portal/treatments/{treatment_id}/check-in"
    data = {**HEALING, **answers, "csrf_token": portal_token(client, url)}
    files = {"photo": ("skin.jpg", photo, "image/jpeg")} if photo is not None else None
    if files is None:
        files = {"photo": ("", b"", "application/octet-stream")}
    return client.post(url, data=data, files=files)
