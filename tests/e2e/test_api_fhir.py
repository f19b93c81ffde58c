"""FHIR R4B over HTTP (issue 15): metadata, $everything, read and search, errors, audit.

A clinic's patient with a signed consultation, a series, a witnessed consent, a charted
session, a booked appointment, an outcome, a care document, a photo and a redness reading;
a second clinic's admin asks for all of it and gets exactly what an unknown id gets.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources import R4B
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from api_support import (
    BASE_URL,
    PATIENT,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    make_services,
)
from consent_support import give_consent
from needlepoint.bootstrap import Services
from needlepoint.domain.outcomes import CareDocumentKind, OutcomeScale
from needlepoint.domain.photo_geometry import Point, Region
from needlepoint.domain.photos import PhotoView
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.vocabulary import Sex
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.schemas.treatment import ChartIn
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.records import outcomes, patients
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.treatment import charts, photos
from needlepoint.services.treatment import series as treatment
from photo_samples import jpeg_with_gps

FHIR = "/fhir/R4B"
FHIR_JSON = "application/fhir+json"


@dataclass
class World:
    services: Services
    clients: dict[str, TestClient]
    patient_id: str
    bundle: dict[str, Any]


def _context(member: StaffMember) -> RequestContext:
    return RequestContext(actor=member, request_id="fhir-setup", auth=AuthMethod.SESSION)


def _client(services: Services, app: Any, member: StaffMember, issuer: StaffMember) -> TestClient:
    issued = services.accounts.issue_api_token("fhir", staff_id=member.id, context=_context(issuer))
    return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {issued.token}"})


def _patient_record(services: Services, clinician: StaffMember, admin: StaffMember) -> str:
    context, admin_context = _context(clinician), _context(admin)
    services.scheduling.set_opening_hours(
        [(d, time(8), time(20)) for d in range(7)], context=admin_context
    )
    services.scheduling.add_room("Room 1", context=admin_context)
    new = patients.NewPatient("Amira", "Okafor", date.fromisoformat(PATIENT["born_on"]), Sex.FEMALE)
    patient = services.records.register_patient(new, context=context)
    request = consultation_records.ConsultationRequest(patient.id, intake_document())
    recorded = services.consultation.record_consultation(request, context=context)
    signed = services.consultation.sign_consultation(recorded.id, context=context)
    series = services.treatment.create_series(treatment.NewSeries(signed.id), context=context)
    give_consent(services, series.id, context)
    session = services.treatment.start_session(series.id, rescreen_document={}, context=context)
    chart_body = {
        "device": "pen",
        "cartridge": {"lot": "LOT-FHIR-1", "expires_on": "2099-01-01"},
        "zones": [
            {"zone": "cheeks", "planned_depth_mm": "1.0", "delivered_depth_mm": "1.0", "passes": 2}
        ],
        "endpoint_reached": "erythema",
        "adverse_events": ["mild petechiae"],
    }
    chart = ChartIn.model_validate({"expected_version": 0, "chart": chart_body}).chart
    services.treatment.chart_session(
        charts.ChartEntry(session.id, chart.to_domain(), 0), context=context
    )
    (room,) = services.scheduling.clinic_setup(context=context).rooms
    at = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
    services.scheduling.book_series(
        series.id, [SlotChoice(2, at, clinician.id, room.id)], context=context
    )
    services.records.record_outcome(
        outcomes.NewOutcome(patient.id, OutcomeScale.GAIS, Decimal(2), date(2026, 11, 20)),
        context=context,
    )
    services.records.issue_care_document(
        outcomes.NewCareDocument(series.id, CareDocumentKind.AFTERCARE, {"text": "No make-up."}),
        context=context,
    )
    photo = services.treatment.upload_photo(
        photos.NewPhoto(patient.id, PhotoView.FRONT, date(2026, 11, 1), PHOTO), context=context
    )
    square = Region(tuple(Point(x, y) for x, y in ((5, 5), (60, 5), (60, 40), (5, 40))))
    services.treatment.record_redness(photo.id, square, context=context)
    return str(patient.id)


PHOTO = jpeg_with_gps(80, 60, orientation=1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fhir') / 'fhir.db'}"
    services = make_services(url, MovingClock())
    home, other = add_clinic(services), add_clinic(services, "Northgate Clinic")
    members = {r.value: add_member(services, home, r, f"{r.value}@home.test") for r in Role}
    stranger = add_member(services, other, Role.ADMIN, "admin@other.test")
    app = create_app(services)
    clients = {role: _client(services, app, m, members["admin"]) for role, m in members.items()}
    clients["other_admin"] = _client(services, app, stranger, stranger)
    clients["anonymous"] = TestClient(app, base_url=BASE_URL)
    patient_id = _patient_record(services, members["clinician"], members["admin"])
    everything = clients["clinician"].get(f"{FHIR}/Patient/{patient_id}/$everything")
    assert everything.status_code == 200, everything.text
    yield World(services, clients, patient_id, everything.json())
    services.database.close()


def _entries(world: World) -> list[dict[str, Any]]:
    return [e["resource"] for e in world.bundle["entry"]]


def test_everything_is_a_valid_searchset_bundle_of_every_kind_of_record(world: World) -> None:
    bundle = Bundle.model_validate(world.bundle)
    kinds = {r["resourceType"] for r in _entries(world)}

    assert bundle.type == "searchset"
    assert kinds >= {
        "Organization",
        "Practitioner",
        "Location",
        "Patient",
        "Condition",
        "CarePlan",
        "Appointment",
        "Procedure",
        "AdverseEvent",
        "Observation",
        "Consent",
        "DocumentReference",
        "Media",
        "MedicationStatement",
    }


def test_fhir_answers_are_fhir_json_and_not_stored(world: World) -> None:
    response = world.clients["clinician"].get(f"{FHIR}/Patient/{world.patient_id}/$everything")

    assert response.headers["content-type"] == FHIR_JSON
    assert "no-store" in response.headers["cache-control"]


def test_metadata_is_a_valid_capability_statement(world: World) -> None:
    response = world.clients["front_desk"].get(f"{FHIR}/metadata")
    statement = CapabilityStatement.model_validate(response.json())

    assert response.status_code == 200
    assert statement.fhirVersion == "4.3.0"


def test_every_resource_of_everything_reads_by_type_and_id(world: World) -> None:
    client = world.clients["clinician"]
    for resource in _entries(world):
        kind, ident = resource["resourceType"], resource["id"]
        response = client.get(f"{FHIR}/{kind}/{ident}")

        assert response.status_code == 200, (kind, response.text)
        assert response.json() == resource
        R4B.get_fhir_model_class(kind).model_validate(response.json())


def test_search_by_patient_finds_each_type_of_the_patients_record(world: World) -> None:
    client = world.clients["clinician"]
    by_type: dict[str, set[str]] = {}
    for resource in _entries(world):
        by_type.setdefault(resource["resourceType"], set()).add(resource["id"])
    for kind in sorted(by_type.keys() - {"Organization", "Practitioner", "Location"}):
        for patient in (world.patient_id, f"Patient/{world.patient_id}"):
            response = client.get(f"{FHIR}/{kind}", params={"patient": patient})
            found = Bundle.model_validate(response.json())

            assert {e.resource.id for e in found.entry or () if e.resource is not None} == by_type[
                kind
            ], kind


def test_front_desk_and_anonymous_callers_get_no_patient_data(world: World) -> None:
    for who, status in (("front_desk", 403), ("anonymous", 401)):
        response = world.clients[who].get(f"{FHIR}/Patient/{world.patient_id}/$everything")

        assert response.status_code == status
        assert response.headers["content-type"] == FHIR_JSON
        assert OperationOutcome.model_validate(response.json()).issue[0].severity == "error"


def test_another_clinics_resources_answer_exactly_as_unknown_ones(world: World) -> None:
    stranger = world.clients["other_admin"]
    differences = []
    for resource in _entries(world):
        kind = resource["resourceType"]
        theirs = stranger.get(f"{FHIR}/{kind}/{resource['id']}")
        unknown_id = (
            f"{uuid.uuid4().hex}-{resource['id'][33:]}" if kind != "Patient" else str(uuid.uuid4())
        )
        nobodys = stranger.get(f"{FHIR}/{kind}/{unknown_id}")
        if kind in {"Organization", "Practitioner", "Location"}:
            nobodys = stranger.get(f"{FHIR}/{kind}/{uuid.uuid4()}")
        if (theirs.status_code, theirs.content) != (nobodys.status_code, nobodys.content):
            differences.append((kind, theirs.status_code, nobodys.status_code))
        assert theirs.status_code == 404
        assert resource["id"] not in theirs.text
        assert OperationOutcome.model_validate(theirs.json()).issue[0].code == "not-found"
    searches = [
        stranger.get(f"{FHIR}/Procedure", params={"patient": p})
        for p in (world.patient_id, str(uuid.uuid4()))
    ]
    everything = [
        stranger.get(f"{FHIR}/Patient/{p}/$everything")
        for p in (world.patient_id, str(uuid.uuid4()))
    ]

    assert differences == []
    for pair in (searches, everything):
        assert (pair[0].status_code, pair[0].content) == (pair[1].status_code, pair[1].content)
        assert pair[0].status_code == 404


def test_bad_input_is_an_operation_outcome_naming_the_field_and_the_fix(world: World) -> None:
    client = world.clients["clinician"]
    missing = client.get(f"{FHIR}/Procedure")
    malformed = client.get(f"{FHIR}/Procedure", params={"patient": "not-a-uuid"})
    unknown_type = client.get(f"{FHIR}/Encounter/abc")
    unknown_query = client.get(f"{FHIR}/Procedure", params={"patient": world.patient_id, "x": 1})

    for response, status in ((missing, 422), (malformed, 422), (unknown_type, 404)):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == FHIR_JSON
    diagnostics = OperationOutcome.model_validate(missing.json()).issue[0].diagnostics or ""
    assert "patient" in diagnostics and "?patient=" in diagnostics
    assert unknown_query.status_code == 422
    assert "x" in (OperationOutcome.model_validate(unknown_query.json()).issue[0].diagnostics or "")


def _audit_actions(world: World) -> list[str]:
    engine = create_engine(world.services.database.url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT action FROM audit_event ORDER BY rowid"))
            return [str(row[0]) for row in rows]
    finally:
        engine.dispose()


def test_every_fhir_read_of_patient_data_is_audited(world: World) -> None:
    before = len(_audit_actions(world))
    world.clients["clinician"].get(f"{FHIR}/Patient/{world.patient_id}/$everything")
    world.clients["clinician"].get(f"{FHIR}/Patient/{world.patient_id}")
    world.clients["clinician"].get(f"{FHIR}/Procedure", params={"patient": world.patient_id})
    added = _audit_actions(world)[before:]

    assert {"fhir.everything", "fhir.read", "fhir.search"} <= set(added)
    assert {"consultation.list", "chart.list", "photo.list", "consent.list"} <= set(added)
