"""Use cases: register, read, search and edit patients. Every access is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from needlepoint.domain import dates, patient_search
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Sex
from needlepoint.services import audit, permissions
from needlepoint.services.access import PatientNotFoundError, PatientsTransaction, check_page
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock


@dataclass(frozen=True, slots=True)
class NewPatient:
    """What front desk records to register a patient."""

    given_name: str
    family_name: str
    born_on: date
    sex: Sex
    email: str | None = None
    phone: str | None = None


def register_patient(
    *,
    new: NewPatient,
    context: audit.RequestContext,
    uow: PatientsTransaction,
    clock: Clock,
    max_age_years: int,
) -> PatientRecord:
    """Register a patient in the actor's clinic (a birth date giving an impossible age is refused).

    ``max_age_years`` is the limit ``patient-age`` (``knowledge/data/limits.yaml``).
    """
    permissions.require(context, Action.PATIENT_REGISTER)
    now = clock.now()
    dates.check_birth_date(new.born_on, today=now.date(), max_age_years=max_age_years)
    patient = PatientRecord(
        id=uuid4(),
        clinic_id=context.actor.clinic_id,
        given_name=new.given_name.strip(),
        family_name=new.family_name.strip(),
        born_on=new.born_on,
        sex=new.sex,
        email=new.email.strip().lower() if new.email else None,
        phone=new.phone.strip() if new.phone else None,
        created_at=now,
    )
    with uow:
        uow.patients.add(patient)
        audit.record(uow, context, _access("patient.create", patient.id), at=now)
        uow.commit()
    return patient


def get_patient(
    *, patient_id: UUID, context: audit.RequestContext, uow: PatientsTransaction, clock: Clock
) -> PatientRecord:
    """One patient of the actor's clinic; the read is audited, so is a miss."""
    permissions.require(context, Action.PATIENT_READ)
    with uow:
        patient = uow.patients.get(context.actor.clinic_id, patient_id)
        outcome = "success" if patient else "not_found"
        access = _access("patient.read", patient_id, outcome=outcome)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    if patient is None:
        raise PatientNotFoundError(f"no patient {patient_id}")
    return patient


def search_patients(
    *,
    search: str | None,
    page: tuple[int, int],
    context: audit.RequestContext,
    uow: PatientsTransaction,
    clock: Clock,
    after: str | UUID | None = None,
) -> Sequence[PatientRecord]:
    """A page of the clinic's patients found by name, email or birth date; audited.

    The text is read by ``domain.patient_search.read_search`` (a full name in either order, an
    email, a date of birth). The page starts ``after`` a cursor (``patient_search.cursor_of``
    the last patient of the page before), or after the patient of that id (deprecated; none,
    if that is no patient of this clinic); ``page`` is (offset, limit), counted from there.

    Raises:
        InvalidInputError: The search is an impossible date, or ``after`` is no cursor (fields
            ``search``, ``cursor``), before anything is read.
    """
    permissions.require(context, Action.PATIENT_LIST)
    offset, limit = check_page(page)
    wanted = patient_search.read_search(search)
    start = patient_search.read_cursor(after) if isinstance(after, str) else None
    with uow:
        if isinstance(after, UUID):
            start = _key_of(uow.patients.get(context.actor.clinic_id, after))
        found: Sequence[PatientRecord] = []
        if after is None or start is not None:
            found = uow.patients.list(
                context.actor.clinic_id, search=wanted, offset=offset, limit=limit, after=start
            )
        access = audit.Access("patient.list", "patient", "*", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def key_of(patient: PatientRecord) -> patient_search.PatientKey:
    """Where ``patient`` stands in the clinic's list (its cursor is ``cursor_of`` this)."""
    return patient_search.PatientKey(patient.family_name, patient.given_name, patient.id)


def _key_of(patient: PatientRecord | None) -> patient_search.PatientKey | None:
    return None if patient is None else key_of(patient)


def _access(action: str, patient_id: UUID, *, outcome: str = "success") -> audit.Access:
    return audit.Access(action, "patient", str(patient_id), patient_id, outcome)
