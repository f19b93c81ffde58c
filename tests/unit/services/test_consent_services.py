"""Consent use cases over the fakes (ADR 0029): forms, signing, witness, the gate, the PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from conftest import EXAMPLES, TODAY, load_example
from consent_support import BODY, TITLE, consent_request, drawing_png, publish_form
from fakes import OPERATOR, SETUP_CLOCK, FakeUnitOfWork, FixedClock, PlainHasher
from fakes.consent import FakeRenderer
from needlepoint.adapters.photos import JpegReencoder
from needlepoint.domain.charting import Cartridge, SessionChart, ZoneTreatment
from needlepoint.domain.consent import (
    ConsentRequiredError,
    ConsentStanding,
    ConsentUnwitnessedError,
    ConsentWithdrawnError,
)
from needlepoint.domain.consent_templates import Procedure, TemplateKey
from needlepoint.domain.documents import DocumentCorruptedError
from needlepoint.domain.errors import InvalidTransitionError, NotFoundError
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import Clinic, Role
from needlepoint.domain.signatures import SignatureRejectedError
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries
from needlepoint.domain.vocabulary import Device, Sex, Zone
from needlepoint.knowledge import catalogue
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine
from needlepoint.services.permissions import PermissionDeniedError
from needlepoint.services.portal import consents as portal_consents
from needlepoint.services.portal.sign_in import PatientContext, PortalRecordNotFoundError
from needlepoint.services.records import patients
from needlepoint.services.treatment import charts, consent_documents, consent_templates, consents
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment import sessions as rescreen

PHOTOS = JpegReencoder()
CLOCK = FixedClock(TODAY, time(10, 0))
ENGINE = Engine(
    knowledge=catalogue.load_knowledge(),
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))
CLEAN_DAY: dict[str, Any] = {"history": {"pregnant": False}}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for name in ("Harbour Skin Clinic", "Other Clinic"):
        fake.clinics.add(Clinic(id=uuid4(), name=name, time_zone="Europe/London"))
    return fake


def staff(
    uow: FakeUnitOfWork, clinic: int = 0, role: Role = Role.CLINICIAN, licence: str | None = "1.5"
) -> RequestContext:
    new = accounts.NewStaff(
        clinic_id=list(uow.clinics.rows)[clinic],
        email=f"{uuid4().hex[:8]}@clinic.test",
        display_name="Dr Rowan Hale",
        role=role,
        licence_max_depth_mm=None if licence is None else Decimal(licence),
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(actor=member, request_id="req-consent", auth=AuthMethod.SESSION)


def chart(uow: FakeUnitOfWork, context: RequestContext, session_id: UUID) -> ChartVersion:
    zones = (ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5"), 3),)
    written = SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot="LOT-CONSENT", expires_on=TODAY + timedelta(days=90)),
        numbing=None,
        zones=zones,
        endpoint_reached=Endpoint.PINPOINT_BLEEDING,
        products_applied=(),
        adverse_events=(),
        overrides=(),
    )
    entry = charts.ChartEntry(session_id=session_id, chart=written, expected_version=0)
    return charts.chart_session(
        entry=entry, context=context, uow=uow, clock=CLOCK, knowledge=ENGINE.knowledge
    )


def unconsented_series(uow: FakeUnitOfWork, context: RequestContext) -> TreatmentSeries:
    born = patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE)
    patient = patients.register_patient(
        new=born, context=context, uow=uow, clock=CLOCK, max_age_years=120
    )
    document = load_example(PROCEED)
    document["patient"].pop("born_on", None)
    document["patient"].pop("sex", None)
    request = ConsultationRequest(patient_id=patient.id, document=document)
    record = record_consultation(
        request=request, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )
    signed = sign_consultation(consultation_id=record.id, context=context, uow=uow, clock=CLOCK)
    new = treatment.NewSeries(consultation_id=signed.id)
    return treatment.create_series_from_consultation(
        new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )


def published_form(uow: FakeUnitOfWork, context: RequestContext) -> Any:
    with uow:
        form = publish_form(uow, context.actor.clinic_id, by=context.actor.id, at=CLOCK.now())
        uow.commit()
    return form


def sign_on_tablet(
    uow: FakeUnitOfWork, context: RequestContext, series_id: UUID, *, drawn: bool = True
) -> Any:
    form = published_form(uow, context)
    signature = portal_consents.NewSignature(series_id, consent_request(form, drawn=drawn))
    return portal_consents.sign_on_tablet(
        signature=signature, context=context, uow=uow, photos=PHOTOS, clock=CLOCK
    )


def witness(
    uow: FakeUnitOfWork, context: RequestContext, consent_id: UUID, renderer: Any = None
) -> Any:
    return consent_documents.witness_consent(
        consent_id=consent_id,
        context=context,
        uow=uow,
        renderer=renderer or FakeRenderer(),
        clock=CLOCK,
    )


def start(uow: FakeUnitOfWork, context: RequestContext, series_id: UUID, at: Any = CLOCK) -> Any:
    return rescreen.start_session(
        series_id=series_id,
        rescreen_document=CLEAN_DAY,
        context=context,
        uow=uow,
        engine=ENGINE,
        clock=at,
    )


def test_the_gate_refuses_before_consent_and_before_its_witness_then_lets_the_session_start(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)

    with pytest.raises(ConsentRequiredError) as none:
        start(uow, context, created.id)
    refused_event = uow.audit.events[-1]
    signed = sign_on_tablet(uow, context, created.id)
    with pytest.raises(ConsentUnwitnessedError):
        start(uow, context, created.id)
    witnessed = witness(uow, context, signed.id)
    session = start(uow, context, created.id)

    assert none.value.code == "consent-required"
    assert (refused_event.action, refused_event.outcome) == ("session.start", "consent_required")
    assert (signed.standing, witnessed.standing) == (
        ConsentStanding.AWAITING_WITNESS,
        ConsentStanding.VALID,
    )
    assert session.number == 1


def test_a_withdrawal_stops_the_next_session_of_a_series_already_under_way(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    consent = witness(uow, context, sign_on_tablet(uow, context, created.id).id)
    first = start(uow, context, created.id)
    version = chart(uow, context, first.id)
    charts.sign_chart(
        session_id=first.id, version=version.version, context=context, uow=uow, clock=CLOCK
    )
    later = FixedClock(CLOCK.today() + timedelta(days=28), CLOCK.now().time())

    stopped = consents.withdraw_consent(
        withdrawal=consents.WithdrawalRequest(consent.id, "The patient moved abroad."),
        context=context,
        uow=uow,
        clock=CLOCK,
    )
    with pytest.raises(ConsentWithdrawnError):
        start(uow, context, created.id, later)

    assert stopped.withdrawal is not None
    assert (stopped.withdrawal.by, stopped.withdrawal.reason) == (
        context.actor.id,
        "The patient moved abroad.",
    )
    assert len(uow.sessions.for_series(created.clinic_id, created.id)) == 1
    assert uow.audit.events[-1].outcome == "consent_withdrawn"


def test_another_clinics_consent_answers_exactly_like_a_missing_one(uow: FakeUnitOfWork) -> None:
    context, stranger = staff(uow), staff(uow, clinic=1)
    created = unconsented_series(uow, context)
    consent = witness(uow, context, sign_on_tablet(uow, context, created.id).id)
    withdrawal = consents.WithdrawalRequest(consent.id, "reason")

    attempts: list[Callable[[UUID], object]] = [
        lambda which: witness(uow, stranger, which),
        lambda which: consents.withdraw_consent(
            withdrawal=replace(withdrawal, consent_id=which),
            context=stranger,
            uow=uow,
            clock=CLOCK,
        ),
        lambda which: consent_documents.consent_document(
            consent_id=which, context=stranger, uow=uow, clock=CLOCK
        ),
    ]
    for attempt in attempts:
        with pytest.raises(NotFoundError) as theirs:
            attempt(consent.id)
        with pytest.raises(NotFoundError) as nobodys:
            attempt(uuid4())
        assert type(theirs.value) is type(nobodys.value)
        assert theirs.value.code in {"consent-not-found", "consent-document-not-found"}

    with pytest.raises(NotFoundError) as series_elsewhere:
        consents.series_consent(series_id=created.id, context=stranger, uow=uow, clock=CLOCK)
    assert series_elsewhere.value.code == "series-not-found"
    assert uow.consents.rows[consent.id].withdrawal is None


def test_witnessing_lays_out_the_signed_form_and_keeps_it_with_its_hash(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    signed = sign_on_tablet(uow, context, created.id)
    renderer = FakeRenderer()

    witnessed = witness(uow, context, signed.id, renderer)
    document = consent_documents.consent_document(
        consent_id=witnessed.id, context=context, uow=uow, clock=CLOCK
    )

    ((template, values, images),) = renderer.rendered
    assert template == "signed_consent.html"
    assert (values["typed_name"], values["template_version"], values["title"]) == (
        "Amira Okafor",
        1,
        TITLE,
    )
    assert values["witness_name"] == "Dr Rowan Hale"
    assert "tablet handed over by Dr Rowan Hale" in values["signed_where"]
    assert images["signature"][1] == "image/jpeg"
    assert images["signature"][0].startswith(b"\xff\xd8\xff")  # re-encoded, never the upload
    assert document.id == witnessed.document_id
    assert document.verified() is document
    assert uow.audit.events[-1].action == "consent_document.read"


def test_a_flipped_byte_in_the_stored_pdf_is_refused_and_audited_never_served(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    witnessed = witness(uow, context, sign_on_tablet(uow, context, created.id).id)
    stored = uow.documents.rows[witnessed.document_id]
    flipped = bytearray(stored.data)
    flipped[10] ^= 0x01
    uow.documents.rows[stored.id] = replace(stored, data=bytes(flipped))

    with pytest.raises(DocumentCorruptedError) as refused:
        consent_documents.consent_document(
            consent_id=witnessed.id, context=context, uow=uow, clock=CLOCK
        )

    assert refused.value.code == "document-corrupted"
    last = uow.audit.events[-1]
    assert (last.action, last.outcome) == ("consent_document.read", "corrupted")


def test_a_drawing_that_is_not_an_image_is_refused_and_nothing_is_signed(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    form = published_form(uow, context)
    request = replace(consent_request(form), drawing_png=b"<svg onload=alert(1)>")
    before = len(uow.audit.events)

    with pytest.raises(SignatureRejectedError) as refused:
        portal_consents.sign_on_tablet(
            signature=portal_consents.NewSignature(created.id, request),
            context=context,
            uow=uow,
            photos=PHOTOS,
            clock=CLOCK,
        )

    assert [(p.field, p.code) for p in refused.value.problems] == [("signature", "photo-type")]
    assert uow.consents.rows == {}
    assert len(uow.audit.events) == before


def test_a_patient_signs_their_own_series_in_the_portal_and_reads_it_back_once_witnessed(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    other = unconsented_series(uow, context)
    form = published_form(uow, context)
    them = PatientContext(created.clinic_id, created.patient_id, "portal-request")
    signature = portal_consents.NewSignature(created.id, consent_request(form))

    shown = portal_consents.consent_form(series_id=created.id, context=them, uow=uow, clock=CLOCK)
    signed = portal_consents.sign_consent(
        signature=signature, context=them, uow=uow, photos=PHOTOS, clock=CLOCK
    )
    with pytest.raises(PortalRecordNotFoundError):
        portal_consents.consent_document(consent_id=signed.id, context=them, uow=uow, clock=CLOCK)
    witness(uow, context, signed.id)
    document = portal_consents.consent_document(
        consent_id=signed.id, context=them, uow=uow, clock=CLOCK
    )
    with pytest.raises(PortalRecordNotFoundError):
        portal_consents.consent_form(series_id=other.id, context=them, uow=uow, clock=CLOCK)

    assert shown.form == form
    assert (signed.signed_via.value, signed.recorded_by) == ("portal", None)
    assert document.data.startswith(b"%PDF")
    actors = {(e.actor_role, e.action) for e in uow.audit.events}
    assert {("patient", "consent.sign"), ("patient", "consent_document.read")} <= actors


def test_only_an_admin_writes_forms_and_each_write_is_audited(uow: FakeUnitOfWork) -> None:
    admin, clinician = staff(uow, role=Role.ADMIN, licence=None), staff(uow)
    new = consent_templates.NewTemplate(TemplateKey(Procedure.MICRONEEDLING, None), TITLE, BODY)

    with pytest.raises(PermissionDeniedError):
        consent_templates.create_template(new=new, context=clinician, uow=uow, clock=CLOCK)
    made = consent_templates.create_template(new=new, context=admin, uow=uow, clock=CLOCK)
    published = consent_templates.publish_template(
        version_id=made.id, expected_sha256=made.sha256, context=admin, uow=uow, clock=CLOCK
    )
    revision = consent_templates.TemplateRevision(made.id, TITLE, BODY + "\n\nNew.", made.sha256)
    successor = consent_templates.revise_template(
        revision=revision, context=admin, uow=uow, clock=CLOCK
    )

    assert published.is_published and uow.consent_templates.rows[made.id] == published
    assert (successor.version, successor.is_published) == (2, False)
    writes = [e.action for e in uow.audit.events if e.resource_type == "consent_template_version"]
    assert writes == [
        "consent_template.create",
        "consent_template.publish",
        "consent_template.create",
    ]


def test_an_api_token_never_witnesses_a_consent(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    signed = sign_on_tablet(uow, context, created.id)
    script = replace(context, auth=AuthMethod.API_TOKEN)

    with pytest.raises(PermissionDeniedError):
        witness(uow, script, signed.id)

    assert uow.consents.rows[signed.id].witness is None


def test_a_drawing_is_optional_a_typed_name_signs_on_its_own(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)

    signed = sign_on_tablet(uow, context, created.id, drawn=False)

    assert signed.signature.drawing_jpeg is None
    assert signed.signature.typed_name == "Amira Okafor"
    assert drawing_png().startswith(b"\x89PNG")


def test_a_consent_withdrawn_while_its_pdf_is_laid_out_is_not_witnessed_and_keeps_no_pdf(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = unconsented_series(uow, context)
    signed = sign_on_tablet(uow, context, created.id)

    class WithdrawnMeanwhile(FakeRenderer):
        """Someone records the patient's withdrawal while the PDF renders."""

        def render_pdf(self, template: str, values: Any, **options: Any) -> bytes:
            withdrawal = consents.WithdrawalRequest(signed.id, "Called to withdraw.")
            consents.withdraw_consent(withdrawal=withdrawal, context=context, uow=uow, clock=CLOCK)
            return super().render_pdf(template, values, **options)

    with pytest.raises(InvalidTransitionError):
        witness(uow, context, signed.id, WithdrawnMeanwhile())

    stored = uow.consents.rows[signed.id]
    assert (stored.witness, stored.withdrawal is not None) == (None, True)
    assert uow.documents.rows == {}
