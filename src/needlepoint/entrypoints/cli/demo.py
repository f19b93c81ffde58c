"""``needlepoint demo``: a demo clinic with staff and patients in every state of a programme.

Everything goes through the same services as the API (so it is screened, planned, charted and
audited for real): consultations from the example files, signed or left as a draft; series
agreed from the proceed and needs-clearance ones; the clinic's published consent form, signed
and witnessed for the series that have started or are about to (one series still awaits its
patient's consent); a first session charted and signed for one patient, charted and awaiting
sign-off for another; a baseline outcome. The demo logins are printed; they are for a local
demo only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from needlepoint.bootstrap import Services
from needlepoint.domain.charting import Cartridge, Numbing, SessionChart, ZoneTreatment
from needlepoint.domain.clearances import NewClearance
from needlepoint.domain.consent import ConsentRequest
from needlepoint.domain.consent_templates import Procedure, TemplateKey
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Device, Sex
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, OperatorContext, RequestContext
from needlepoint.services.consultation.consultations import ConsultationRequest
from needlepoint.services.portal.consents import NewSignature
from needlepoint.services.portal.sign_in import PatientContext
from needlepoint.services.records import outcomes, patients
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment.consent_templates import NewTemplate

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"

#: (example file stem prefix, given name, family name, what to do with it)
PATIENTS = (
    ("01", "Amira", "Okafor", "charted_and_signed"),
    ("02", "Helen", "Marsh", "charted_awaiting_signoff"),
    ("03", "Daniel", "Osei", "signed_awaiting_clearance"),
    ("04", "Priya", "Raman", "series_planned"),
    ("05", "Sofia", "Lindqvist", "signed"),
    ("06", "Tom", "Kowalski", "signed"),
    ("07", "Gareth", "Evans", "signed"),
    ("08", "Marcus", "Bell", "signed"),
    ("09", "Chloe", "Dubois", "draft"),
    ("10", "Ines", "Moreau", "signed"),
    ("11", "Kenji", "Sato", "series_planned"),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account and its password (shown once, for a local demo)."""

    role: Role
    email: str
    password: str


LOGINS = (
    DemoLogin(Role.ADMIN, "admin@demo.needlepoint.test", "demo admin passphrase"),
    DemoLogin(Role.CLINICIAN, "clinician@demo.needlepoint.test", "demo clinician passphrase"),
    DemoLogin(Role.FRONT_DESK, "desk@demo.needlepoint.test", "demo front desk passphrase"),
)


def seed(services: Services) -> tuple[DemoLogin, ...]:
    """Create the demo clinic, its staff and patients; returns the logins."""
    return seed_clinic(services)[0]


def seed_clinic(services: Services) -> tuple[tuple[DemoLogin, ...], RequestContext]:
    """Create the demo clinic, its staff and patients; the logins and the clinician acting."""
    clinic = services.accounts.add_clinic(
        name="Harbour Skin Clinic (demo)", time_zone="Europe/London"
    )
    staff = {login.role: _staff(services, clinic.id, login) for login in LOGINS}
    clinician = RequestContext(
        actor=staff[Role.CLINICIAN], request_id="demo-seed", auth=AuthMethod.COMMAND_LINE
    )
    admin = RequestContext(
        actor=staff[Role.ADMIN], request_id="demo-seed", auth=AuthMethod.COMMAND_LINE
    )
    _calendar(services, admin)
    _publish_consent_form(services, admin)
    shift = services.clock.now().date() - EXAMPLES_WRITTEN_ON
    for prefix, given, family, state in PATIENTS:
        document = _shifted(_example(prefix), shift)
        _patient(services, clinician, document, (given, family), state)
    return LOGINS, clinician


EXAMPLES_WRITTEN_ON = date(2026, 11, 22)
"""The day the example consultations were written as of. The demo moves every date in them
by the same number of days, to be as of the day it is seeded: a wait still runs, a recent
course is still recent, whenever the demo is made."""


def _shifted(value: Any, by: timedelta) -> Any:
    """A document with every date in it moved by the same span (ages and gaps unchanged)."""
    if isinstance(value, dict):
        return {key: _shifted(item, by) for key, item in value.items()}
    if isinstance(value, list):
        return [_shifted(item, by) for item in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value + by
    return value


#: The demo clinic's week: weekdays 09:00-18:00, Saturday mornings.
OPENING_HOURS = (
    *((day, time(9), time(18)) for day in range(5)),
    (5, time(9), time(13)),
)


DEMO_CONTACT = ClinicContact(
    phone="020 7946 0321",
    address="14 Harbour Street, London SE1 9XY",
    phone_hours="Monday to Friday 9:00 to 18:00, Saturday 9:00 to 13:00",
)
"""Fictional: 020 7946 0xxx is an Ofcom range kept for drama, never a real line."""


def _calendar(services: Services, admin: RequestContext) -> None:
    services.accounts.set_clinic_contact(admin.actor.clinic_id, DEMO_CONTACT, context=admin)
    services.scheduling.set_opening_hours(OPENING_HOURS, context=admin)
    for name in ("Treatment room 1", "Treatment room 2"):
        services.scheduling.add_room(name, context=admin)


def _book_the_rest(services: Services, context: RequestContext, series: TreatmentSeries) -> None:
    """Book every session still to book at the proposed slots (the demo's front desk)."""
    booking = services.scheduling.propose_series_booking(series.id, context=context)
    choices = [
        SlotChoice(number, slot.starts_at, slot.practitioner_id, slot.room_id)
        for number, slot in zip(booking.to_book, booking.proposed, strict=True)
        if slot is not None
    ]
    if choices:
        services.scheduling.book_series(series.id, choices, context=context)


def _staff(services: Services, clinic_id: Any, login: DemoLogin) -> StaffMember:
    licence = Decimal("1.5") if login.role is Role.CLINICIAN else None
    name = {Role.ADMIN: "Ada Admin", Role.CLINICIAN: "Dr Rowan Hale", Role.FRONT_DESK: "Sam Desk"}
    new = accounts.NewStaff(
        clinic_id, login.email, name[login.role], login.role, licence, login.password
    )
    return services.accounts.add_staff(new, context=OperatorContext(request_id="demo-seed"))


def _example(prefix: str) -> dict[str, Any]:
    path = next(EXAMPLES.glob(f"{prefix}-*.yaml"))
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def _patient(
    services: Services,
    context: RequestContext,
    document: dict[str, Any],
    name: tuple[str, str],
    state: str,
) -> None:
    facts = document["patient"]
    email = f"{name[0]}.{name[1]}@patients.demo.needlepoint.test".lower()
    new = patients.NewPatient(name[0], name[1], facts["born_on"], Sex(facts["sex"]), email=email)
    patient = services.records.register_patient(new, context=context)
    record = services.consultation.record_consultation(
        ConsultationRequest(patient_id=patient.id, document=document), context=context
    )
    if state == "draft":
        return
    services.consultation.sign_consultation(record.id, context=context)
    if state in {"signed", "signed_awaiting_clearance"}:
        return
    _clear_findings(services, context, record)
    series = services.treatment.create_series(
        treatment.NewSeries(consultation_id=record.id), context=context
    )
    if name[1] in CONSENTED:
        _consent(services, context, series, name, in_portal=CONSENTED[name[1]] == "portal")
    if state.startswith("charted"):
        _first_session(services, context, series, sign=state == "charted_and_signed")
    if state in {"charted_and_signed", "series_planned"}:
        _book_the_rest(services, context, series)


CONSENT_FORM = Path(__file__).with_name("demo_consent.md")
"""The demo clinic's consent form: a title line, then the body (ADR 0029)."""

CONSENTED = {"Okafor": "tablet", "Marsh": "portal", "Raman": "tablet"}
"""Who has signed their series' consent, and where; Kenji Sato's series still awaits his."""


def _publish_consent_form(services: Services, admin: RequestContext) -> None:
    """The clinic's microneedling consent form, for every indication, written and published."""
    title, _, body = CONSENT_FORM.read_text(encoding="utf-8").partition("\n")
    key = TemplateKey(Procedure.MICRONEEDLING, None)
    new = NewTemplate(key, title.removeprefix("# "), body)
    draft = services.treatment.create_consent_template(new, context=admin)
    services.treatment.publish_consent_template(
        draft.id, expected_sha256=draft.sha256, context=admin
    )


def _consent(
    services: Services,
    context: RequestContext,
    series: TreatmentSeries,
    name: tuple[str, str],
    *,
    in_portal: bool,
) -> None:
    """The patient signs the series' form, drawn on a tablet or typed in the portal.

    The clinician witnesses it, and the signed form is kept as a PDF.
    """
    form = services.treatment.series_consent(series.id, context=context).form
    if form is None:
        raise RuntimeError("the demo clinic has no published consent form")
    typed = " ".join(name)
    drawing = None if in_portal else _drawn(typed)
    signature = NewSignature(series.id, ConsentRequest(form.id, form.sha256, typed, drawing, True))
    if in_portal:
        patient = PatientContext(series.clinic_id, series.patient_id, "demo-seed")
        signed = services.portal.sign_consent(signature, patient)
    else:
        signed = services.portal.sign_consent_on_tablet(signature, context=context)
    services.treatment.witness_consent(signed.id, context=context)


def _drawn(name: str) -> bytes:
    """A signature as a signature pad draws it: a dark stroke on a transparent PNG."""
    from PIL import Image, ImageDraw  # noqa: PLC0415 - Pillow, only when seeding

    image = Image.new("RGBA", (480, 140), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    step = 400 // max(len(name), 1)
    points = [(30 + i * step, 90 - (25 if i % 2 else 0) - (i % 3) * 8) for i in range(len(name))]
    pen.line(points, fill=(20, 20, 60, 255), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _clear_findings(services: Services, context: RequestContext, record: Any) -> None:
    """The clinician clears each finding that has no wait, as after a physician's letter."""
    until = services.clock.now().date() + timedelta(days=CLEARED_FOR_DAYS)
    for finding in record.report.get("findings") or ():
        if finding.get("severity") == "relative" and not finding.get("clears_on"):
            why = (
                "Demo: the prescribing physician confirmed in writing that treatment may go ahead."
            )
            new = NewClearance(record.id, finding["rule_id"], why, until)
            services.consultation.record_clearance(new, context=context)


CLEARED_FOR_DAYS = 180
"""How long the demo's clearances hold (well within the limit ``clearance-validity``)."""


def _first_session(
    services: Services, context: RequestContext, series: TreatmentSeries, *, sign: bool
) -> None:
    session = services.treatment.start_session(series.id, rescreen_document={}, context=context)
    now = services.clock.now()
    chart = SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot="DEMO-LOT-2611", expires_on=now.date() + timedelta(days=180)),
        numbing=Numbing(
            "lidocaine 4% cream", now - timedelta(minutes=45), now - timedelta(minutes=5)
        ),
        zones=tuple(
            ZoneTreatment(z.zone, z.depth_min_mm, z.depth_min_mm, 3)
            for z in series.plan.zones
            if z.zone not in session.excluded_zones
        ),
        endpoint_reached=Endpoint.ERYTHEMA,
        products_applied=("hyaluronic acid serum (clinic-approved)",),
        adverse_events=(),
        overrides=(),
    )
    version = services.treatment.chart_session(
        charts.ChartEntry(session.id, chart, 0), context=context
    )
    if sign:
        services.treatment.sign_chart(session.id, version=version.version, context=context)
        _baseline(services, context, series, now)


def _baseline(
    services: Services, context: RequestContext, series: TreatmentSeries, now: datetime
) -> None:
    new = outcomes.NewOutcome(
        patient_id=series.patient_id,
        scale=OutcomeScale.GB_QUANTITATIVE,
        value=Decimal(8),
        measured_on=date(now.year, now.month, now.day),
        series_id=series.id,
        note="baseline, before the first session",
    )
    services.records.record_outcome(new, context=context)
