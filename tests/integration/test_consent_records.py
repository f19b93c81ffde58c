"""Consent records on SQLite and PostgreSQL (ADR 0029): round trips, and the database's own rules.

The repositories keep template versions, consents and documents as the domain made them; the
database refuses what the application must never do even if it tried: change or delete a
published form, change a stored document, keep two drafts of a form or two live consents of
a series. A byte changed in a stored PDF behind the application's back is caught on reading.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from conftest import load_example
from consent_support import FORM, GENERAL, publish_form, record_consent
from integration.test_treatment_records import (
    CLOCK,
    ENGINE,
    PROCEED,
    Clinic,
    new_patient,
    read,
    row_id,
    seed,
)
from needlepoint.domain.consent import (
    ConsentExistsError,
    SignedConsent,
    Withdrawal,
)
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    DraftExistsError,
    Procedure,
    TemplateChangedError,
    TemplateKey,
    TemplatePublishedError,
    template_text,
)
from needlepoint.domain.documents import DocumentCorruptedError
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Indication
from needlepoint.services.consultation.consultations import (
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.treatment import consent_documents
from needlepoint.services.treatment import series as treatment

ACNE = TemplateKey(Procedure.MICRONEEDLING, Indication.ACNE_SCARS)


def unconsented_series(clinic: Clinic) -> TreatmentSeries:
    request = ConsultationRequest(patient_id=new_patient(clinic), document=load_example(PROCEED))
    record = record_consultation(
        request=request, context=clinic.context, uow=clinic.uow(), engine=ENGINE, clock=CLOCK
    )
    sign_consultation(
        consultation_id=record.id, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    )
    return treatment.create_series_from_consultation(
        new=treatment.NewSeries(consultation_id=record.id),
        context=clinic.context,
        uow=clinic.uow(),
        engine=ENGINE,
        clock=CLOCK,
    )


def draft(clinic: Clinic, key: TemplateKey = ACNE, number: int = 1) -> ConsentTemplateVersion:
    return ConsentTemplateVersion(
        uuid4(),
        clinic.context.actor.clinic_id,
        key,
        number,
        FORM,
        CLOCK.now(),
        clinic.context.actor.id,
    )


def consented(clinic: Clinic) -> SignedConsent:
    series = unconsented_series(clinic)
    with clinic.uow() as uow:
        consent = record_consent(uow, series, by=clinic.context.actor.id, at=CLOCK.now())
        uow.commit()
    return consent


def test_template_versions_round_trip_and_a_draft_is_written_over_as_read(engine: Engine) -> None:
    clinic = seed(engine)
    written = draft(clinic)
    with clinic.uow() as uow:
        uow.consent_templates.add(written)
        uow.commit()
    edited = written.edited(template_text("New title", "New body."), expected_sha256=written.sha256)
    with clinic.uow() as uow:
        uow.consent_templates.save_draft(edited, replacing=written.text)
        uow.commit()
    with clinic.uow() as uow, pytest.raises(TemplateChangedError):
        uow.consent_templates.save_draft(written, replacing=written.text)  # read before the edit
    published = edited.published(
        by=clinic.context.actor.id, at=CLOCK.now(), expected_sha256=edited.sha256
    )
    with clinic.uow() as uow:
        uow.consent_templates.save_draft(published, replacing=edited.text)
        uow.commit()
    with clinic.uow() as uow, pytest.raises(TemplatePublishedError):
        uow.consent_templates.save_draft(published, replacing=published.text)

    stored = read(clinic, lambda uow: uow.consent_templates.get(written.clinic_id, written.id))
    listed = read(clinic, lambda uow: uow.consent_templates.of_template(written.clinic_id, ACNE))
    live = read(
        clinic,
        lambda uow: uow.consent_templates.published(written.clinic_id, Procedure.MICRONEEDLING),
    )
    assert stored == published
    assert stored is not None and stored.verified() == published
    assert listed == [published]
    assert live == [published]


def test_a_form_has_one_draft_at_a_time_in_the_database(engine: Engine) -> None:
    clinic = seed(engine)
    first = draft(clinic, GENERAL)
    with clinic.uow() as uow:
        uow.consent_templates.add(first)
        uow.commit()

    with clinic.uow() as uow, pytest.raises(DraftExistsError) as refused:
        uow.consent_templates.add(draft(clinic, GENERAL, number=2))

    assert refused.value.draft_id == first.id


def test_the_database_refuses_to_change_or_delete_a_published_form(engine: Engine) -> None:
    clinic = seed(engine)
    with clinic.uow() as uow:
        form = publish_form(
            uow, clinic.context.actor.clinic_id, by=clinic.context.actor.id, at=CLOCK.now()
        )
        uow.commit()

    for statement in (
        "UPDATE consent_template_version SET body = 'Risks: none.' WHERE id = :id",
        "DELETE FROM consent_template_version WHERE id = :id",
    ):
        with engine.begin() as connection, pytest.raises(DBAPIError):
            connection.execute(text(statement), {"id": row_id(engine, form.id)})

    stored = read(clinic, lambda uow: uow.consent_templates.get(form.clinic_id, form.id))
    assert stored == form


def test_consents_round_trip_and_a_series_keeps_one_live_consent(engine: Engine) -> None:
    clinic = seed(engine)
    consent = consented(clinic)
    stopped = consent.withdrawn(
        Withdrawal(CLOCK.now(), "changed her mind", clinic.context.actor.id)
    )
    with clinic.uow() as uow, pytest.raises(ConsentExistsError) as refused:
        uow.consents.add(replace(consent, id=uuid4(), witness=None, document_id=None))
    with clinic.uow() as uow:
        uow.consents.save_withdrawal(stopped)
        uow.commit()
    again = replace(
        consent,
        id=uuid4(),
        witness=None,
        document_id=None,
        signed_at=CLOCK.now() + timedelta(minutes=1),
    )
    with clinic.uow() as uow:
        uow.consents.add(again)
        uow.commit()

    listed = read(clinic, lambda uow: uow.consents.for_series(consent.clinic_id, consent.series_id))
    theirs = read(
        clinic,
        lambda uow: uow.consents.get(consent.clinic_id, consent.id, patient_id=uuid4()),
    )
    assert refused.value.consent_id == consent.id
    assert listed == [stopped, again]
    assert theirs is None


def test_a_byte_changed_in_a_stored_pdf_is_refused_on_reading_never_served(engine: Engine) -> None:
    clinic = seed(engine)
    consent = consented(clinic)
    assert consent.document_id is not None
    with engine.begin() as connection, pytest.raises(DBAPIError):
        connection.execute(
            text("DELETE FROM stored_document WHERE id = :id"),
            {"id": row_id(engine, consent.document_id)},
        )
    _flip_a_byte_behind_the_applications_back(engine, consent.document_id)

    with pytest.raises(DocumentCorruptedError) as refused:
        consent_documents.consent_document(
            consent_id=consent.id, context=clinic.context, uow=clinic.uow(), clock=CLOCK
        )

    assert "does not match the SHA-256" in str(refused.value)
    with engine.connect() as connection:
        last = connection.execute(
            text("SELECT action, outcome FROM audit_event ORDER BY seq DESC LIMIT 1")
        ).one()
    assert tuple(last) == ("consent_document.read", "corrupted")


def _flip_a_byte_behind_the_applications_back(engine: Engine, document_id: UUID) -> None:
    """As a disk or an operator might: the guard that refuses UPDATE is lifted for this alone."""
    key = {"id": row_id(engine, document_id)}
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        data = connection.execute(
            text("SELECT data FROM stored_document WHERE id = :id"), key
        ).scalar_one()
        flipped = bytearray(data)
        flipped[11] ^= 0x01
        connection.execute(text(LIFT_GUARD[postgres]))
        connection.execute(
            text("UPDATE stored_document SET data = :data WHERE id = :id"),
            {**key, "data": bytes(flipped)},
        )
        connection.execute(text(RESTORE_GUARD[postgres]))


LIFT_GUARD = {
    True: "ALTER TABLE stored_document DISABLE TRIGGER stored_document_guard",
    False: "DROP TRIGGER stored_document_no_update",
}
RESTORE_GUARD = {
    True: "ALTER TABLE stored_document ENABLE TRIGGER stored_document_guard",
    False: "CREATE TRIGGER stored_document_no_update BEFORE UPDATE ON stored_document "
    "BEGIN SELECT RAISE(ABORT, 'a stored document never changes'); END",
}
