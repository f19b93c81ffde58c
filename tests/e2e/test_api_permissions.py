"""The authorization matrix (ecosystem.md AC-1, AC-2): every route × every role × a second clinic.

Every route the app serves must be in the permission table; anonymous callers get 401, roles
the table leaves out get 403, allowed roles get neither (nor a 5xx). A second clinic's admin
asking for the first clinic's ids gets exactly what an unknown id gets. Runs on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from api_support import (
    BASE_URL,
    PASSWORD,
    PATIENT,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    make_services,
)
from consent_support import give_consent
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.adapters.fhir.codes import compartment_id
from needlepoint.bootstrap import Services
from needlepoint.domain.checkins import CheckInAnswers, Degree
from needlepoint.domain.photo_geometry import Landmarks, Point
from needlepoint.domain.photos import PhotoView
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.vocabulary import Sex
from needlepoint.entrypoints.api import permissions
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.schemas.treatment import ChartIn
from needlepoint.services import permissions as service_permissions
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.interop import bulk_export
from needlepoint.services.permissions import Action
from needlepoint.services.portal.check_ins import NewCheckIn
from needlepoint.services.portal.sign_in import PatientContext
from needlepoint.services.records import patients
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.treatment import charts, photos
from needlepoint.services.treatment import series as treatment
from photo_samples import jpeg_with_gps

pytest_plugins = ["api_fixtures"]

ROLES = ("anonymous", "front_desk", "clinician", "admin")
FHIR = "/fhir/R4B"
SERVED = (permissions.API, f"{FHIR}/")
"""The API's routes: ``/api/v1`` and FHIR R4B (issue 15)."""
_serial = itertools.count()


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route, including those behind ``include_router``.

    The web's pages are not, the API's reference page (``/api/v1/docs``, a page) included.
    The FHIR routes (``/fhir/R4B/...``) are API routes too.
    """
    found: list[APIRoute] = []

    def walk(routes: Any) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                if route.path.startswith(SERVED) and route.include_in_schema:
                    found.append(route)
            elif (inner := getattr(route, "original_router", None)) is not None:
                walk(inner.routes)

    walk(app.routes)
    return found


def operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path) for route in api_routes(app) for method in route.methods or ()
    )


@dataclass
class World:
    services: Services
    app: FastAPI
    clients: dict[str, TestClient]
    ids: dict[str, str]

    def call(self, who: str, method: str, path: str, ids: dict[str, str]) -> Any:
        body = BODIES[(method, path)](ids)
        client = self.clients[who]
        response = client.request(method, path.format(**ids), json=body)
        client.cookies.clear()  # a public login must not sign the anonymous caller in
        return response


def _context(member: StaffMember) -> RequestContext:
    return RequestContext(actor=member, request_id="matrix-setup", auth=AuthMethod.SESSION)


def _client(
    services: Services, app: FastAPI, member: StaffMember | None, issuer: StaffMember
) -> TestClient:
    """A caller holding an API token an admin issued for ``member`` (none for anonymous)."""
    if member is None:
        return TestClient(app, base_url=BASE_URL)
    issued = services.accounts.issue_api_token(
        "matrix", staff_id=member.id, context=_context(issuer)
    )
    headers = {"Authorization": f"Bearer {issued.token}"}
    return TestClient(app, base_url=BASE_URL, headers=headers)


def _records(services: Services, clinician: StaffMember, admin: StaffMember) -> dict[str, str]:
    context = _context(clinician)
    _open_clinic(services, _context(admin))
    new = patients.NewPatient("Amira", "Okafor", PATIENT_BORN_ON, Sex.FEMALE)
    patient = services.records.register_patient(new, context=context)
    request = consultation_records.ConsultationRequest(patient.id, intake_document())
    consultation = services.consultation.record_consultation(request, context=context)
    return {
        "patient_id": str(patient.id),
        "consultation_id": str(consultation.id),
        **_treatment_records(services, context, patient.id),
        **_photo_records(services, context, patient.id),
    }


def _photo_records(
    services: Services, context: RequestContext, patient_id: uuid.UUID
) -> dict[str, str]:
    """Two clinical photos of the patient, the first with its landmarks."""
    ids = []
    for day in ("2026-10-01", "2026-11-01"):
        new = photos.NewPhoto(patient_id, PhotoView.FRONT, date.fromisoformat(day), PHOTO)
        ids.append(services.treatment.upload_photo(new, context=context).id)
    marks = Landmarks(Point(10, 10), Point(50, 12))
    services.treatment.mark_landmarks(ids[0], marks, context=context)
    return {"photo_id": str(ids[0]), "other_id": str(ids[1])}


def _treatment_records(
    services: Services, context: RequestContext, patient_id: uuid.UUID
) -> dict[str, str]:
    """A series from a signed consultation, a started session and its first chart version."""
    request = consultation_records.ConsultationRequest(patient_id, intake_document())
    signed = services.consultation.sign_consultation(
        services.consultation.record_consultation(request, context=context).id, context=context
    )
    series = services.treatment.create_series(treatment.NewSeries(signed.id), context=context)
    consent = give_consent(services, series.id, context)  # witnessed (ADR 0029)
    session = services.treatment.start_session(series.id, rescreen_document={}, context=context)
    chart = ChartIn.model_validate(_chart_body({}, zones=("cheeks", "chin"))).chart
    services.treatment.chart_session(
        charts.ChartEntry(session.id, chart.to_domain(), 0), context=context
    )
    return {
        "series_id": str(series.id),
        "session_id": str(session.id),
        "version": "1",
        "number": "1",
        "lot": LOT,
        "consent_id": str(consent.id),
        "version_id": str(consent.template_id),
        **_appointment_records(services, context, series.id),
    }


def _appointment_records(
    services: Services, context: RequestContext, series_id: uuid.UUID
) -> dict[str, str]:
    """Session 2 of the series booked four weeks after the first."""
    (room,) = services.scheduling.clinic_setup(context=context).rooms
    choice = SlotChoice(2, SESSION_2_AT, context.actor.id, room.id)
    (appointment,) = services.scheduling.book_series(series_id, [choice], context=context)
    return {
        "appointment_id": str(appointment.id),
        "practitioner_id": str(context.actor.id),
        "room_id": str(room.id),
    }


def _open_clinic(services: Services, admin: RequestContext) -> None:
    """A room and an open week (an admin sets the clinic up)."""
    services.scheduling.set_opening_hours([(d, time(8), time(20)) for d in range(7)], context=admin)
    services.scheduling.add_room("Room 1", context=admin)


SESSION_2_AT = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)


LOT = "LOT-MATRIX-QX7"
PHOTO = jpeg_with_gps(80, 60, orientation=1)


def _chart_body(_ids: dict[str, str], *, zones: tuple[str, ...] = ()) -> dict[str, Any]:
    """A chart within the plan; in the walk its version 0 is stale (a 409, which is allowed).

    The walk charts no zone: an admin without a licensed depth may chart, but not a depth
    (403 ``licence-required`` is the domain's answer, not the permission table's).
    """
    treated = [
        {"zone": zone, "planned_depth_mm": "1.0", "delivered_depth_mm": "1.0", "passes": 1}
        for zone in zones
    ]
    chart = {
        "device": "pen",
        "cartridge": {"lot": LOT, "expires_on": "2099-01-01"},
        "zones": treated,
    }
    return {"expected_version": 0, "chart": chart}


PATIENT_BORN_ON = date.fromisoformat(PATIENT["born_on"])


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with scratch_database(request, tmp_path_factory.mktemp("matrix")) as url:
        services = make_services(url, MovingClock())
        yield _world(services)
        services.database.close()


def _world(services: Services) -> World:
    home, other = add_clinic(services), add_clinic(services, "Northgate Clinic")
    members = {
        role.value: add_member(services, home, role, f"{role.value}@home.test") for role in Role
    }
    add_member(services, home, Role.FRONT_DESK, "login@home.test")
    victim = add_member(services, home, Role.FRONT_DESK, "victim@home.test")
    stranger = add_member(services, other, Role.ADMIN, "admin@other.test")
    app = create_app(services)
    admin = members["admin"]
    clients = {role: _client(services, app, members.get(role), admin) for role in ROLES}
    clients["other_admin"] = _client(services, app, stranger, stranger)
    revocable = services.accounts.issue_api_token(
        "revocable", staff_id=victim.id, context=_context(admin)
    )
    ids = {
        **_records(services, members["clinician"], admin),
        "staff_id": str(victim.id),
        "token_id": str(revocable.record.id),
    }
    ids["check_in_id"] = _check_in(services, home, ids)
    ids["resource_type"] = "Procedure"  # a FHIR read: the charted session
    ids["resource_id"] = compartment_id(uuid.UUID(ids["patient_id"]), uuid.UUID(ids["session_id"]))
    ids["grant_id"] = _break_glass(services, members["front_desk"], ids)
    ids["job_id"], ids["file_name"] = _bulk_job(services, admin), "Patient.ndjson"
    return World(services, app, clients, ids)


def _bulk_job(services: Services, admin: StaffMember) -> str:
    """A FHIR bulk export of the home clinic, stored and left running (no runner starts it)."""
    job = bulk_export.start_export(
        request_url="https://testserver/fhir/R4B/$export",
        context=_context(admin),
        uow=services.database.unit_of_work(),
        clock=services.clock,
    )
    return str(job.id)


def _break_glass(services: Services, front_desk: StaffMember, ids: dict[str, str]) -> str:
    """Front desk's emergency access to the patient's record (ADR 0038)."""
    patient_id = uuid.UUID(ids["patient_id"])
    grant = services.records.open_break_glass(patient_id, REASON, context=_context(front_desk))
    return str(grant.id)


REASON = "patient phoned with facial swelling; clinician unreachable"


def _check_in(services: Services, clinic_id: uuid.UUID, ids: dict[str, str]) -> str:
    """A red check-in (fever) the patient sent after the started session."""
    patient = PatientContext(clinic_id, uuid.UUID(ids["patient_id"]), "matrix-setup")
    answers = CheckInAnswers(Degree.MILD, Degree.NONE, 2, pus=False, fever=True, blisters=False)
    new = NewCheckIn(uuid.UUID(ids["session_id"]), answers)
    return str(services.portal.submit_check_in(new, patient).id)


def _new_staff(_ids: dict[str, str]) -> dict[str, Any]:
    return {
        "email": f"new{next(_serial)}@home.test",
        "display_name": "New Starter",
        "role": "front_desk",
        "password": PASSWORD,
    }


API = permissions.API
BODIES: dict[tuple[str, str], Callable[[dict[str, str]], Any]] = {
    ("POST", f"{API}/auth/login"): lambda _: {"email": "login@home.test", "password": PASSWORD},
    ("POST", f"{API}/auth/logout"): lambda _: None,
    ("GET", f"{API}/auth/me"): lambda _: None,
    ("POST", f"{API}/auth/login/second-step"): lambda _: {"challenge": "gone", "code": "123456"},
    ("POST", f"{API}/auth/reauth"): lambda _: {"password": PASSWORD},
    ("PUT", f"{API}/auth/email"): lambda _: {"email": f"moved{next(_serial)}@home.test"},
    ("POST", f"{API}/auth/password"): lambda _: {
        "current_password": PASSWORD,
        "new_password": "copper kettle whistles at dawn",
    },
    ("GET", f"{API}/auth/two-step"): lambda _: None,
    ("POST", f"{API}/auth/two-step/enrolment"): lambda _: None,
    ("POST", f"{API}/auth/two-step/enrolment/confirm"): lambda _: {"code": "123456"},
    ("POST", f"{API}/auth/two-step/disable"): lambda _: None,
    ("POST", f"{API}/auth/two-step/recovery-codes"): lambda _: None,
    ("GET", f"{API}/clinic/two-step"): lambda _: None,
    ("PUT", f"{API}/clinic/two-step"): lambda _: {"required": False},
    ("POST", f"{API}/auth/tokens"): lambda ids: {"name": "script", "staff_id": ids["staff_id"]},
    ("POST", f"{API}/auth/tokens/{{token_id}}/revoke"): lambda _: None,
    ("GET", f"{API}/auth/tokens"): lambda _: None,
    ("POST", f"{API}/auth/password-reset"): lambda _: {"email": "someone@clinic.test"},
    ("POST", f"{API}/auth/password-reset/confirm"): lambda _: {
        "token": "not-a-token",
        "password": "a long and unusual passphrase",
    },
    ("POST", f"{API}/staff"): _new_staff,
    ("POST", f"{API}/staff/invites"): lambda ids: {
        k: v for k, v in _new_staff(ids).items() if k != "password"
    },
    ("POST", f"{API}/staff/{{staff_id}}/invite"): lambda _: None,
    ("POST", f"{API}/auth/invite/accept"): lambda _: {
        "token": "not-a-token",
        "password": "a long and unusual passphrase",
    },
    ("POST", f"{API}/staff/{{staff_id}}/deactivate"): lambda _: None,
    ("GET", f"{API}/clinic"): lambda _: None,
    ("PUT", f"{API}/clinic/contact"): lambda _: {"phone": "020 7946 0999"},
    ("GET", f"{API}/patients/{{patient_id}}/check-ins"): lambda _: None,
    ("GET", f"{API}/check-ins/{{check_in_id}}"): lambda _: None,
    ("POST", f"{API}/check-ins/{{check_in_id}}/review"): lambda _: {
        "outcome": "advice_given",
        "note": "Phoned the patient.",
    },
    ("GET", f"{API}/staff"): lambda _: None,
    ("POST", f"{API}/staff/{{staff_id}}/reactivate"): lambda _: None,
    ("POST", f"{API}/staff/{{staff_id}}/password"): lambda _: {"password": PASSWORD},
    ("PUT", f"{API}/staff/{{staff_id}}/licence"): lambda _: {"licence_max_depth_mm": "1.5"},
    ("GET", f"{API}/patients"): lambda _: None,
    ("POST", f"{API}/patients"): lambda _: PATIENT,
    ("GET", f"{API}/patients/{{patient_id}}"): lambda _: None,
    ("PUT", f"{API}/patients/{{patient_id}}"): lambda _: {**PATIENT, "expected_version": 1},
    ("GET", f"{API}/patients/{{patient_id}}/changes"): lambda _: None,
    ("POST", f"{API}/patients/{{patient_id}}/consultations"): lambda _: {
        "document": intake_document()
    },
    ("GET", f"{API}/consultations/{{consultation_id}}"): lambda _: None,
    ("POST", f"{API}/consultations/{{consultation_id}}/sign"): lambda _: None,
    ("POST", f"{API}/consultations/{{consultation_id}}/series"): lambda _: {},
    ("POST", f"{API}/consultations/{{consultation_id}}/clearances"): lambda _: {
        "rule_id": "cold-sore-history",
        "reason": "on valaciclovir from the day before",
        "valid_until": "2027-03-01",
    },
    ("GET", f"{API}/patients/{{patient_id}}/clearances"): lambda _: None,
    ("GET", f"{API}/series/{{series_id}}"): lambda _: None,
    ("GET", f"{API}/patients/{{patient_id}}/series"): lambda _: None,
    ("POST", f"{API}/series/{{series_id}}/cancel"): lambda _: {
        "expected_version": 9,
        "reason": "patient moved away",
    },
    ("GET", f"{API}/series/{{series_id}}/sessions"): lambda _: None,
    ("POST", f"{API}/series/{{series_id}}/sessions"): lambda _: {"rescreen": {}},
    ("GET", f"{API}/consent-templates"): lambda _: None,
    ("POST", f"{API}/consent-templates"): lambda _: {"title": "Consent", "body": "Risks: none."},
    ("GET", f"{API}/consent-templates/{{version_id}}"): lambda _: None,
    ("PUT", f"{API}/consent-templates/{{version_id}}"): lambda _: {
        "title": "Consent",
        "body": "Risks: some.",
        "expected_sha256": "0" * 64,
    },
    ("POST", f"{API}/consent-templates/{{version_id}}/publish"): lambda _: {
        "expected_sha256": "0" * 64
    },
    ("GET", f"{API}/series/{{series_id}}/consent"): lambda _: None,
    ("POST", f"{API}/series/{{series_id}}/consents"): lambda ids: {
        "template_id": ids["version_id"],
        "template_sha256": "0" * 64,
        "typed_name": "Amira Okafor",
        "agreed": True,
    },
    ("POST", f"{API}/consents/{{consent_id}}/witness"): lambda _: None,
    ("POST", f"{API}/consents/{{consent_id}}/withdraw"): lambda _: {"reason": "changed her mind"},
    ("GET", f"{API}/consents/{{consent_id}}/document"): lambda _: None,
    ("POST", f"{API}/sessions/{{session_id}}/chart"): _chart_body,
    ("POST", f"{API}/sessions/{{session_id}}/chart/{{version}}/sign"): lambda _: None,
    ("GET", f"{API}/sessions/{{session_id}}/chart"): lambda _: None,
    ("GET", f"{API}/recalls/{{lot}}"): lambda _: None,
    ("POST", f"{API}/patients/{{patient_id}}/outcomes"): lambda _: {
        "scale": "gais",
        "value": "2",
        "measured_on": "2026-11-20",
    },
    ("GET", f"{API}/patients/{{patient_id}}/outcomes"): lambda _: None,
    ("POST", f"{API}/series/{{series_id}}/care-documents"): lambda _: {
        "kind": "aftercare",
        "content": {"text": "No make-up for 24 hours."},
    },
    ("GET", f"{API}/patients/{{patient_id}}/care-documents"): lambda _: None,
    ("GET", f"{API}/series/{{series_id}}/sessions/{{number}}/handout"): lambda _: None,
    ("GET", f"{API}/sessions/{{session_id}}/summary"): lambda _: None,
    ("GET", f"{API}/patients/{{patient_id}}/outcome-report"): lambda _: None,
    ("POST", f"{API}/patients/{{patient_id}}/assessments"): lambda _: {
        "assessed_on": "2026-11-20",
        "zones": [{"zone": "cheeks", "ecca_counts": {"v_shaped_atrophic": 3}}],
    },
    ("GET", f"{API}/patients/{{patient_id}}/assessments"): lambda _: None,
    ("POST", f"{API}/patients/{{patient_id}}/photos"): lambda _: None,  # an image, as the body
    ("GET", f"{API}/patients/{{patient_id}}/photos"): lambda _: None,
    ("GET", f"{API}/photos/{{photo_id}}"): lambda _: None,
    ("GET", f"{API}/photos/{{photo_id}}/image"): lambda _: None,
    ("PUT", f"{API}/photos/{{photo_id}}/landmarks"): lambda _: {
        "first": {"x_px": 10, "y_px": 10},
        "second": {"x_px": 50, "y_px": 12},
    },
    ("POST", f"{API}/photos/{{photo_id}}/redness"): lambda _: {
        "points": [{"x_px": x, "y_px": y} for x, y in ((5, 5), (60, 5), (60, 40), (5, 40))]
    },
    ("GET", f"{API}/photos/{{photo_id}}/compare/{{other_id}}"): lambda _: None,
    ("GET", f"{API}/photos/{{photo_id}}/aligned/{{other_id}}"): lambda _: None,
    ("GET", f"{API}/schedule/setup"): lambda _: None,
    ("POST", f"{API}/schedule/rooms"): lambda _: {"name": f"Room {next(_serial) + 10}"},
    ("PUT", f"{API}/schedule/opening-hours"): lambda _: {
        "periods": [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]
    },
    ("GET", f"{API}/schedule/slots"): lambda _: None,
    ("GET", f"{API}/schedule/appointments"): lambda _: None,
    ("GET", f"{API}/series/{{series_id}}/booking"): lambda _: None,
    ("POST", f"{API}/series/{{series_id}}/appointments"): lambda ids: {
        "sessions": [
            {
                "number": 2,
                "starts_at": "2026-12-22T10:00:00Z",
                "practitioner_id": ids["practitioner_id"],
                "room_id": ids["room_id"],
            }
        ]
    },
    ("GET", f"{API}/patients/{{patient_id}}/appointments"): lambda _: None,
    ("POST", f"{API}/appointments/{{appointment_id}}/reschedule"): lambda ids: {
        "expected_version": 9,
        "starts_at": "2026-12-22T10:00:00Z",
        "practitioner_id": ids["practitioner_id"],
        "room_id": ids["room_id"],
    },
    ("POST", f"{API}/appointments/{{appointment_id}}/status"): lambda _: {
        "expected_version": 9,
        "status": "cancelled",
        "reason": "patient unwell",
    },
    ("POST", f"{API}/patients/{{patient_id}}/break-glass"): lambda _: {"reason": REASON},
    ("GET", f"{API}/break-glass/{{grant_id}}/record"): lambda _: None,
    ("GET", f"{API}/break-glass"): lambda _: None,
    ("GET", f"{API}/audit/events"): lambda _: None,
    ("GET", f"{API}/audit/export"): lambda _: None,
    ("GET", f"{API}/analytics/cohorts"): lambda _: None,
    ("GET", "/fhir/R4B/$export"): lambda _: None,  # no Prefer header: refused with 400
    ("GET", "/fhir/R4B/$export-status/{job_id}"): lambda _: None,
    ("DELETE", "/fhir/R4B/$export-status/{job_id}"): lambda _: None,
    ("GET", "/fhir/R4B/$export-files/{job_id}/{file_name}"): lambda _: None,
    ("GET", f"{FHIR}/metadata"): lambda _: None,
    ("GET", f"{FHIR}/Patient/{{patient_id}}/$everything"): lambda _: None,
    ("GET", f"{FHIR}/{{resource_type}}"): lambda _: None,
    ("GET", f"{FHIR}/{{resource_type}}/{{resource_id}}"): lambda _: None,
}
"""A valid request for every operation (a new route needs one here, and in the table)."""

BODY_IDS = {
    ("POST", f"{API}/auth/tokens"),
    ("GET", f"{API}/schedule/setup"),
    ("GET", f"{API}/schedule/slots"),
    ("GET", f"{API}/schedule/appointments"),
}
"""Operations that name a record in their body rather than their path."""

FRESH_PASSWORD = {
    ("POST", f"{API}/auth/two-step/enrolment"),
    ("POST", f"{API}/auth/two-step/disable"),
    ("POST", f"{API}/auth/password"),
    ("PUT", f"{API}/auth/email"),
    ("POST", f"{API}/auth/two-step/recovery-codes"),
}
"""Sensitive changes (SE-5): a password typed on the session minutes ago, so never a token's."""


def _expected(role: str, rule: permissions.Rule, operation: tuple[str, str] = ("", "")) -> str:
    """What a caller holding an API token for ``role`` should get (an API token never attests)."""
    if rule == permissions.PUBLIC:
        return "allowed"
    if role == "anonymous":
        return "401"
    if operation in FRESH_PASSWORD:
        return "403"
    if rule == permissions.SIGNED_IN:
        return "allowed"
    allowed = isinstance(rule, Action) and service_permissions.allows(Role(role), rule)
    return "allowed" if allowed and rule not in service_permissions.ATTESTED else "403"


def _outcome(status: int) -> str:
    if status in {401, 403}:
        return str(status)
    return "allowed" if status < 500 else f"server error {status}"


def test_the_walked_routes_are_exactly_the_documented_operations(world: World) -> None:
    documented = world.app.openapi()["paths"]
    served = {(method.upper(), path) for path, ops in documented.items() for method in ops}

    assert set(operations(world.app)) == served


def test_ac1_every_route_is_in_the_permission_table_and_has_a_test_request(world: World) -> None:
    walked = set(operations(world.app))

    assert walked - set(permissions.PERMISSIONS) == set()
    assert walked - set(BODIES) == set()
    assert set(permissions.PERMISSIONS) - walked == set()  # no stale entries


def test_ac1_every_route_answers_every_role_as_the_table_says(world: World) -> None:
    mismatches = []
    for (method, path), role in itertools.product(operations(world.app), ROLES):
        expected = _expected(role, permissions.PERMISSIONS[(method, path)], (method, path))
        response = world.call(role, method, path, world.ids)
        if _outcome(response.status_code) != expected:
            mismatches.append((method, path, role, expected, response.status_code))

    assert mismatches == []


def _record_ids(ids: dict[str, str]) -> dict[str, str]:
    """The ids naming records (not a chart version number or a cartridge lot)."""
    return {name: value for name, value in ids.items() if name.endswith("_id")}


def test_ac2_another_clinics_ids_get_exactly_what_unknown_ids_get(world: World) -> None:
    unknown = {**world.ids, **{name: str(uuid.uuid4()) for name in _record_ids(world.ids)}}
    differences = []
    for method, path in operations(world.app):
        if "{" not in path and (method, path) not in BODY_IDS:
            continue  # names no record: nothing of another clinic's to ask for
        theirs = world.call("other_admin", method, path, world.ids)
        nobodys = world.call("other_admin", method, path, unknown)
        if (theirs.status_code, theirs.content) != (nobodys.status_code, nobodys.content):
            differences.append((method, path, theirs.status_code, nobodys.status_code))
        leaked = _record_ids(world.ids).values()
        assert not any(value in theirs.text for value in leaked), (method, path)

    assert differences == []


def test_another_clinics_records_are_not_found(world: World) -> None:
    for path in (f"{API}/patients/{{patient_id}}", f"{API}/consultations/{{consultation_id}}"):
        response = world.call("other_admin", "GET", path, world.ids)

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_ac1_a_route_missing_from_the_table_is_refused_even_to_an_admin(world: World) -> None:
    app = create_app(world.services)

    @app.get(f"{API}/unlisted")
    def unlisted() -> dict[str, str]:
        return {"leaked": "yes"}

    token = world.clients["admin"].headers["authorization"]
    response = TestClient(app, base_url=BASE_URL).get(
        f"{API}/unlisted", headers={"Authorization": token}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"


def test_another_clinics_patient_list_leaves_out_the_first_clinics_patients(world: World) -> None:
    response = world.call("other_admin", "GET", f"{API}/patients", world.ids)

    assert response.status_code == 200
    assert world.ids["patient_id"] not in response.text


def test_a_cookie_session_signs_in_and_out_on_this_database(world: World) -> None:
    browser = TestClient(world.app, base_url=BASE_URL)
    login = {"email": "login@home.test", "password": PASSWORD}

    signed = browser.post(f"{API}/auth/login", json=login)
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}

    assert signed.status_code == 200
    assert browser.get(f"{API}/auth/me").json()["email"] == "login@home.test"
    assert browser.post(f"{API}/auth/logout").status_code == 403  # no CSRF token
    assert browser.post(f"{API}/auth/logout", headers=csrf).status_code == 204
    assert browser.get(f"{API}/auth/me").status_code == 401


def _audit_counts(world: World) -> tuple[int, int]:
    """(all audit events, refusals), read straight from the database."""
    engine = create_engine(world.services.database.url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            everything = connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
            refused = connection.execute(
                text("SELECT count(*) FROM audit_event WHERE action = 'refused'")
            ).scalar_one()
    finally:
        engine.dispose()
    return int(everything), int(refused)


def test_ad2_every_denied_authorization_in_the_matrix_leaves_exactly_one_refusal_event(
    world: World,
) -> None:
    """The AC-1 walk again for the roles the table refuses somewhere: each 403 adds exactly
    one audit event, a refusal, and nothing else."""
    uneven = []
    denied = 0
    for (method, path), role in itertools.product(
        operations(world.app), ("front_desk", "clinician")
    ):
        if _expected(role, permissions.PERMISSIONS[(method, path)]) != "403":
            continue
        before = _audit_counts(world)
        status = world.call(role, method, path, world.ids).status_code
        after = _audit_counts(world)
        denied += 1
        if (status, after[0] - before[0], after[1] - before[1]) != (403, 1, 1):
            uneven.append((method, path, role, status, after[0] - before[0]))

    assert denied > 20
    assert uneven == []
