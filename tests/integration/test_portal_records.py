"""The patient portal's records on a real database (SQLite, and PostgreSQL when reachable).

One-time sign-in links (single use, expiry, one link per record sharing an email), patient
sessions (idle and absolute ends, sign-out), check-ins stored with their triage and photo,
the clinic's attention list (red first, newest first) and its review, care read receipts.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, func, select

from conftest import EXAMPLES, load_example
from consent_support import record_consent
from fakes import OPERATOR, SETUP_CLOCK, PlainHasher
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.adapters.photos import JpegReencoder
from needlepoint.domain.check_in_reviews import CheckInReview, CheckInReviewedError, ReviewOutcome
from needlepoint.domain.checkins import CheckInAnswers, CheckInClosedError, Degree, TriageLevel
from needlepoint.domain.messages import (
    LINK_PLACEHOLDER,
    MessageKind,
    MessageStatus,
    link_reference,
    with_link,
)
from needlepoint.domain.portal import CareAcknowledgement
from needlepoint.domain.records import Role
from needlepoint.domain.treatment import TreatmentSeries, TreatmentSession
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.knowledge import checkins as triage_table
from needlepoint.services import clinics
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine as ClinicalEngine
from needlepoint.services.portal import check_ins as checkins
from needlepoint.services.portal import clinic_check_ins
from needlepoint.services.portal import sign_in as portal_access
from needlepoint.services.portal.sign_in import LinkRequest, SignInLinkError
from needlepoint.services.records import patients
from needlepoint.services.treatment import series as treatment_service
from needlepoint.services.treatment import sessions as rescreen
from photo_samples import jpeg_with_gps

KNOWLEDGE = catalogue.load_knowledge()
ENGINE = ClinicalEngine(
    knowledge=KNOWLEDGE,
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
RULES = triage_table.load_triage_rules()
PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))
PORTAL_URL = "https://clinic.example/portal"
LIFETIME = timedelta(minutes=15)
_TOKEN = re.compile(r"/portal/sign-in/([A-Za-z0-9_-]{43})\b")


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


@dataclass
class Seeded:
    engine: Engine
    clock: Clock
    context: RequestContext
    patient_id: UUID
    email: str

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)


def seed(engine: Engine) -> Seeded:
    clock = Clock()
    clinic = clinics.add_clinic(
        name="Harbour Skin Clinic", time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
    )
    new = accounts.NewStaff(
        clinic.id,
        f"{uuid4().hex[:10]}@clinic.test",
        "Dr Rowan Hale",
        Role.CLINICIAN,
        Decimal("1.5"),
        "a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new,
        uow=SqlAlchemyUnitOfWork(engine),
        hasher=PlainHasher(),
        context=OPERATOR,
        clock=SETUP_CLOCK,
    )
    context = RequestContext(actor=member, request_id="req-portal", auth=AuthMethod.SESSION)
    email = f"{uuid4().hex[:8]}@patient.test"
    patient = _patient(engine, context, clock, email)
    return Seeded(engine, clock, context, patient, email)


def _patient(engine: Engine, context: RequestContext, clock: Clock, email: str) -> UUID:
    new = patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE, email=email)
    uow = SqlAlchemyUnitOfWork(engine)
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=clock, max_age_years=120
    ).id


def series_with_session(seeded: Seeded) -> tuple[TreatmentSeries, TreatmentSession]:
    request = ConsultationRequest(patient_id=seeded.patient_id, document=load_example(PROCEED))
    kw: dict[str, Any] = {"context": seeded.context, "clock": seeded.clock}
    record = record_consultation(request=request, uow=seeded.uow(), engine=ENGINE, **kw)
    sign_consultation(consultation_id=record.id, uow=seeded.uow(), **kw)
    series = treatment_service.create_series_from_consultation(
        new=treatment_service.NewSeries(consultation_id=record.id),
        uow=seeded.uow(),
        engine=ENGINE,
        **kw,
    )
    with seeded.uow() as uow:  # the patient's witnessed consent opens the gate (ADR 0029)
        record_consent(uow, series, by=seeded.context.actor.id, at=seeded.clock.now())
        uow.commit()
    session = rescreen.start_session(
        series_id=series.id,
        rescreen_document={"history": {"pregnant": False}},
        uow=seeded.uow(),
        engine=ENGINE,
        **kw,
    )
    return series, session


def ask(seeded: Seeded, email: str | None = None, ip: str = "192.0.2.1") -> int:
    return portal_access.request_sign_in_links(
        request=LinkRequest(email or seeded.email, ip, "req-link"),
        lifetime=LIFETIME,
        uow=seeded.uow(),
        clock=seeded.clock,
    )


def tokens(seeded: Seeded, patient_id: UUID | None = None) -> list[str]:
    """The tokens of the patient's queued links, made as the worker makes them when it sends."""
    uow = seeded.uow()
    with uow:
        messages = uow.outbox.for_patient(
            seeded.context.actor.clinic_id, patient_id or seeded.patient_id
        )
    sent = [
        with_link(m.body, url)
        for m in messages
        if m.kind is MessageKind.PORTAL_SIGN_IN
        and (url := make_link(seeded, link_reference(m.idempotency_key))) is not None
    ]
    return [found.group(1) for body in sent if (found := _TOKEN.search(body))]


def make_link(seeded: Seeded, link_id: str) -> str | None:
    return portal_access.make_sign_in_link(
        link_id=link_id, portal_url=PORTAL_URL, uow=seeded.uow(), clock=seeded.clock
    )


def sign_in(seeded: Seeded, token: str) -> portal_access.IssuedPatientSession:
    return portal_access.open_patient_session(
        token=token, replacing=None, request_id="req-open", uow=seeded.uow(), clock=seeded.clock
    )


def resolve(seeded: Seeded, token: str) -> portal_access.PortalPatient | None:
    return portal_access.resolve_patient_session(token=token, uow=seeded.uow(), clock=seeded.clock)


# --- sign-in links --------------------------------------------------------------------------


def test_a_link_is_queued_for_the_patients_email_with_only_the_link(engine: Engine) -> None:
    seeded = seed(engine)

    queued = ask(seeded, seeded.email.upper())

    uow = seeded.uow()
    with uow:
        (message,) = uow.outbox.for_patient(seeded.context.actor.clinic_id, seeded.patient_id)
    assert queued == 1
    assert message.recipient == seeded.email
    assert message.body.count(LINK_PLACEHOLDER) == 1  # the link is made when it is sent
    assert "Okafor" not in message.body and "cheek" not in message.body.lower()
    (token,) = tokens(seeded)
    assert token not in message.body


def test_the_token_is_stored_only_as_its_hash(engine: Engine) -> None:
    seeded = seed(engine)
    ask(seeded)
    (token,) = tokens(seeded)

    with engine.connect() as connection:
        stored = connection.execute(select(t.portal_sign_in_link.c.token_hash)).scalars().all()

    assert portal_access.digest(token) in stored
    assert token not in stored


def test_an_unknown_email_queues_nothing_and_returns_normally(engine: Engine) -> None:
    seeded = seed(engine)

    assert ask(seeded, "nobody@nowhere.test") == 0


def test_a_link_opens_one_session_and_then_never_again(engine: Engine) -> None:
    seeded = seed(engine)
    ask(seeded)
    (token,) = tokens(seeded)

    issued = sign_in(seeded, token)

    assert resolve(seeded, issued.token) is not None
    with pytest.raises(SignInLinkError):
        sign_in(seeded, token)


def test_two_presses_of_the_same_link_at_once_open_one_session(engine: Engine) -> None:
    seeded = seed(engine)
    ask(seeded)
    (token,) = tokens(seeded)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def press() -> None:
        barrier.wait()
        try:
            sign_in(seeded, token)
            outcomes.append("opened")
        except SignInLinkError:
            outcomes.append("refused")

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["opened", "refused"]


def test_a_link_expires_after_its_lifetime(engine: Engine) -> None:
    seeded = seed(engine)
    ask(seeded)
    (token,) = tokens(seeded)

    seeded.clock.at += LIFETIME

    with pytest.raises(SignInLinkError):
        sign_in(seeded, token)


def test_two_records_sharing_an_email_get_one_link_each(engine: Engine) -> None:
    seeded = seed(engine)
    other_clinic = seed(engine)
    twin = _patient(engine, other_clinic.context, seeded.clock, seeded.email)

    queued = ask(seeded)

    assert queued == 2
    mine, theirs = tokens(seeded)[0], tokens(other_clinic, twin)[0]
    assert resolve(seeded, sign_in(seeded, mine).token).patient_id == seeded.patient_id  # type: ignore[union-attr]
    assert resolve(seeded, sign_in(seeded, theirs).token).patient_id == twin  # type: ignore[union-attr]


def test_a_fourth_request_within_the_window_sends_nothing(engine: Engine) -> None:
    seeded = seed(engine)

    sent = [ask(seeded) for _ in range(4)]

    assert sent == [1, 1, 1, 0]


def test_an_address_asking_too_often_is_told_to_wait(engine: Engine) -> None:
    seeded = seed(engine)
    for n in range(portal_access.MAX_REQUESTS_PER_IP):
        ask(seeded, f"someone{n}@nowhere.test", ip="198.51.100.7")

    with pytest.raises(portal_access.TooManyLinkRequestsError):
        ask(seeded, ip="198.51.100.7")


# --- sessions -------------------------------------------------------------------------------


def _session(seeded: Seeded) -> str:
    ask(seeded)
    return sign_in(seeded, tokens(seeded)[-1]).token


def test_a_session_ends_after_it_is_left_unused(engine: Engine) -> None:
    seeded = seed(engine)
    token = _session(seeded)

    seeded.clock.at += portal_access.IDLE_TIMEOUT

    assert resolve(seeded, token) is None


def test_ac7_a_patient_session_lives_30_minutes_unused_to_the_second(engine: Engine) -> None:
    """Two sessions opened together: one used at 30 min - 1 s still works; the other, first
    used at 30 min + 1 s, is refused and its row is ended on the server."""
    seeded = seed(engine)
    used, left = _session(seeded), _session(seeded)

    seeded.clock.at += portal_access.IDLE_TIMEOUT - timedelta(seconds=1)
    just_before = resolve(seeded, used)
    seeded.clock.at += timedelta(seconds=2)
    just_after = resolve(seeded, left)

    assert timedelta(minutes=30) == portal_access.IDLE_TIMEOUT
    assert just_before is not None
    assert just_after is None
    uow = seeded.uow()
    with uow:
        row = uow.portal_access.session(portal_access.digest(left))
    assert row is not None
    assert row.revoked_at == seeded.clock.at


def test_a_used_session_still_ends_at_its_absolute_limit(engine: Engine) -> None:
    seeded = seed(engine)
    token = _session(seeded)
    step = portal_access.IDLE_TIMEOUT / 2
    while (
        seeded.clock.at + step
        < datetime(2026, 11, 22, 10, tzinfo=UTC) + portal_access.ABSOLUTE_TIMEOUT
    ):
        seeded.clock.at += step
        assert resolve(seeded, token) is not None

    seeded.clock.at += step

    assert resolve(seeded, token) is None


def test_signing_out_ends_the_session(engine: Engine) -> None:
    seeded = seed(engine)
    token = _session(seeded)

    portal_access.end_patient_session(
        token=token, request_id="req-out", uow=seeded.uow(), clock=seeded.clock
    )

    assert resolve(seeded, token) is None


def test_sign_in_and_out_are_audited_with_the_patient_as_actor(engine: Engine) -> None:
    seeded = seed(engine)
    token = _session(seeded)
    portal_access.end_patient_session(
        token=token, request_id="req-out", uow=seeded.uow(), clock=seeded.clock
    )

    columns = t.audit_event.c
    query = select(columns.action, columns.actor_role, columns.actor_id).where(
        columns.patient_id == seeded.patient_id, columns.action.like("portal.sign_%")
    )
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(columns.seq)).all()

    assert [(r.action, r.actor_role) for r in rows] == [
        ("portal.sign_in.request", "anonymous"),
        ("portal.sign_in", "patient"),
        ("portal.sign_out", "patient"),
    ]
    assert rows[1].actor_id == seeded.patient_id


# --- check-ins ------------------------------------------------------------------------------


def _context(seeded: Seeded) -> portal_access.PatientContext:
    return portal_access.PatientContext(
        seeded.context.actor.clinic_id, seeded.patient_id, "req-check-in"
    )


def _submit(seeded: Seeded, treatment_id: UUID, photo: bytes | None = None, **answers: Any) -> Any:
    values: dict[str, Any] = {
        "redness": Degree.MILD,
        "swelling": Degree.NONE,
        "pain": 2,
        "pus": False,
        "fever": False,
        "blisters": False,
    }
    values.update(answers)
    return checkins.submit_check_in(
        new=checkins.NewCheckIn(treatment_id, CheckInAnswers(**values), photo),
        context=_context(seeded),
        uow=seeded.uow(),
        clock=seeded.clock,
        tools=checkins.CheckInTools(RULES, JpegReencoder(), "https://clinic.example/"),
    )


def test_a_check_in_is_stored_with_its_answers_and_triage(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)

    sent = _submit(seeded, session.id, fever=True, note="feel hot since last night")

    stored = checkins.patient_check_in(
        check_in_id=sent.id, context=_context(seeded), uow=seeded.uow(), clock=seeded.clock
    )
    assert stored == sent
    assert stored.triage.level is TriageLevel.RED
    assert stored.triage.reasons[0].rule_id == "fever"
    assert stored.triage.reasons[0].sources == ("fda-den160029-skinpen", "chu-2021-safety-sr")
    assert stored.answers.note == "feel hot since last night"


def test_a_red_check_in_alerts_every_active_clinician_without_symptoms(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)

    sent = _submit(seeded, session.id, pus=True)

    uow = seeded.uow()
    with uow:
        alerts = [
            m
            for m in uow.outbox.in_status(seeded.context.actor.clinic_id, _pending())
            if m.kind is MessageKind.CLINIC_ALERT
        ]
    assert [m.recipient for m in alerts] == [seeded.context.actor.email]
    assert "pus" not in alerts[0].body.lower() and "Okafor" not in alerts[0].body
    assert alerts[0].subject == "A red check-in needs attention today"
    assert f"https://clinic.example/check-ins/{sent.id}\n" in alerts[0].body
    assert alerts[0].idempotency_key == f"clinic-alert:{sent.id}:{seeded.context.actor.id}"


def _pending() -> Any:
    return MessageStatus.PENDING


def test_a_green_check_in_alerts_nobody(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)

    _submit(seeded, session.id)

    with engine.connect() as connection:
        query = select(func.count()).where(
            t.outbox_message.c.clinic_id == seeded.context.actor.clinic_id,
            t.outbox_message.c.kind == MessageKind.CLINIC_ALERT.value,
        )
        assert connection.execute(query).scalar_one() == 0


def test_the_attention_list_puts_red_first_then_the_newest(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)
    first_amber = _submit(seeded, session.id, pain=8)
    seeded.clock.at += timedelta(minutes=5)
    red = _submit(seeded, session.id, blisters=True)
    seeded.clock.at += timedelta(minutes=5)
    second_amber = _submit(seeded, session.id, swelling=Degree.SEVERE)
    seeded.clock.at += timedelta(minutes=5)
    _submit(seeded, session.id)

    listed = clinic_check_ins.needing_attention(
        context=seeded.context, uow=seeded.uow(), clock=seeded.clock
    )

    assert [item.check_in.id for item in listed] == [red.id, second_amber.id, first_amber.id]
    assert {item.patient.id for item in listed} == {seeded.patient_id}


def test_a_reviewed_check_in_leaves_the_list_and_keeps_its_first_reviewer(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)
    red = _submit(seeded, session.id, fever=True)
    kw: dict[str, Any] = {"context": seeded.context, "clock": seeded.clock}
    review = CheckInReview(ReviewOutcome.SEEN_IN_CLINIC, "Seen today: early infection, swabbed.")

    first = clinic_check_ins.review_check_in(
        check_in_id=red.id, review=review, uow=seeded.uow(), **kw
    )
    seeded.clock.at += timedelta(minutes=1)
    again = clinic_check_ins.review_check_in(
        check_in_id=red.id, review=review, uow=seeded.uow(), **kw
    )
    other = CheckInReview(ReviewOutcome.ADVICE_GIVEN, "A second opinion.")
    with pytest.raises(CheckInReviewedError):
        clinic_check_ins.review_check_in(check_in_id=red.id, review=other, uow=seeded.uow(), **kw)

    assert clinic_check_ins.needing_attention(uow=seeded.uow(), **kw) == ()
    assert again.reviewed_at == first.reviewed_at == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert again.reviewed_by == seeded.context.actor.id
    kept = clinic_check_ins.clinic_check_in(check_in_id=red.id, uow=seeded.uow(), **kw)
    assert (kept.check_in.review_outcome, kept.check_in.review_note) == (
        ReviewOutcome.SEEN_IN_CLINIC,
        "Seen today: early infection, swabbed.",
    )
    assert kept.reviewer == seeded.context.actor.display_name


def test_a_patients_history_keeps_reviewed_check_ins_newest_first_in_pages(
    engine: Engine,
) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)
    kw: dict[str, Any] = {"context": seeded.context, "clock": seeded.clock}
    sent = []
    for pain in (8, 2, 9):
        sent.append(_submit(seeded, session.id, pain=pain))
        seeded.clock.at += timedelta(minutes=5)
    review = CheckInReview(ReviewOutcome.ADVICE_GIVEN, "Phoned: paracetamol, cool compress.")
    clinic_check_ins.review_check_in(check_in_id=sent[0].id, review=review, uow=seeded.uow(), **kw)

    first = clinic_check_ins.patient_check_ins(
        patient_id=seeded.patient_id, page=(0, 2), uow=seeded.uow(), **kw
    )
    second = clinic_check_ins.patient_check_ins(
        patient_id=seeded.patient_id, page=(2, 2), uow=seeded.uow(), **kw
    )

    assert [e.check_in.id for e in first.entries] == [sent[2].id, sent[1].id]
    assert [e.check_in.id for e in second.entries] == [sent[0].id]
    assert (first.more, second.more) == (True, False)
    (reviewed,) = second.entries
    assert reviewed.check_in.review_note == "Phoned: paracetamol, cool compress."
    assert reviewed.reviewer == seeded.context.actor.display_name


def test_a_check_in_photo_is_kept_re_encoded_and_scoped_to_its_patient(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)
    upload = jpeg_with_gps()

    sent = _submit(seeded, session.id, photo=upload)

    assert sent.photo_id is not None
    photo = checkins.patient_photo(
        photo_id=sent.photo_id, context=_context(seeded), uow=seeded.uow(), clock=seeded.clock
    )
    assert photo.data != upload and photo.data.startswith(b"\xff\xd8")
    assert b"Exif" not in photo.data
    stranger = portal_access.PatientContext(seeded.context.actor.clinic_id, uuid4(), "req-x")
    with pytest.raises(portal_access.PortalRecordNotFoundError):
        checkins.patient_photo(
            photo_id=sent.photo_id, context=stranger, uow=seeded.uow(), clock=seeded.clock
        )


def test_check_ins_close_after_the_last_day(engine: Engine) -> None:
    seeded = seed(engine)
    _, session = series_with_session(seeded)

    seeded.clock.at += timedelta(days=RULES.last_day + 1)

    with pytest.raises(CheckInClosedError):
        _submit(seeded, session.id)


def test_a_care_item_is_read_once_per_day(engine: Engine) -> None:
    seeded = seed(engine)
    clinic_id = seeded.context.actor.clinic_id
    on = date(2026, 11, 22)
    read = CareAcknowledgement(clinic_id, seeded.patient_id, "post-sun", on, seeded.clock.at)

    uow = seeded.uow()
    with uow:
        added = [uow.care_acknowledgements.add(read), uow.care_acknowledgements.add(read)]
        next_day = CareAcknowledgement(
            clinic_id, seeded.patient_id, "post-sun", on + timedelta(days=1), seeded.clock.at
        )
        added.append(uow.care_acknowledgements.add(next_day))
        found = uow.care_acknowledgements.for_day(clinic_id, seeded.patient_id, on)
        uow.commit()

    assert added == [True, False, True]
    assert found == frozenset({"post-sun"})
