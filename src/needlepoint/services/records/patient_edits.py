"""Use cases: edit a patient's details, and read the record of what each edit changed.

An edit names the version of the patient it was based on (``expected_version``); if someone
else saved first it is refused (``version-conflict``, audited) and nothing is overwritten. An
edit that changes something saves the next version and, in the same transaction, a
``PatientChange`` (field, old → new, who, when; ``domain.patient_changes``) and one audit event
``patient.update``. An edit that changes nothing writes nothing but its audit event (outcome
``unchanged``). The birth date is checked as at registration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from needlepoint.domain import dates, patient_changes
from needlepoint.domain.patient_changes import PatientChange, PatientDetails
from needlepoint.domain.records import PatientRecord
from needlepoint.services import audit, permissions
from needlepoint.services.access import audited_refusal, listed_patient
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.records.ports import PatientChanges

SHOWN_CHANGES = 50
"""Edits a patient's record of changes shows, newest first."""


@dataclass(frozen=True, slots=True)
class PatientEdit:
    """An edit of a patient's details: whose, the version the editor saw, the details as given."""

    patient_id: UUID
    expected_version: int
    details: PatientDetails


def edit_patient(
    *,
    edit: PatientEdit,
    context: audit.RequestContext,
    uow: PatientChanges,
    clock: Clock,
    max_age_years: int,
) -> PatientRecord:
    """Save a patient's edited details and what changed, if the patient is still as seen.

    ``max_age_years`` is the limit ``patient-age`` (``knowledge/data/limits.yaml``).

    Raises:
        PatientNotFoundError: No such patient in the actor's clinic (audited).
        VersionConflictError: Someone saved the patient since ``expected_version`` (audited).
        InvalidInputError: The birth date is in the future or gives an impossible age.
    """
    permissions.require(context, Action.PATIENT_EDIT)
    now = clock.now()
    dates.check_birth_date(edit.details.born_on, today=now.date(), max_age_years=max_age_years)
    with uow:
        patient = listed_patient(uow, context, edit.patient_id, "patient.update", clock)
        access = _update(patient.id)
        with audited_refusal(uow, context, access, clock):
            updated, change = patient_changes.edited(
                patient,
                edit.details,
                expected_version=edit.expected_version,
                by=context.actor.id,
                at=now,
            )
        if change is not None:
            uow.patients.save(updated)
            uow.patient_changes.add(change)
        outcome = "success" if change is not None else "unchanged"
        audit.record(uow, context, _update(patient.id, outcome), at=now)
        uow.commit()
    return updated


def list_patient_changes(
    *, patient_id: UUID, context: audit.RequestContext, uow: PatientChanges, clock: Clock
) -> Sequence[PatientChange]:
    """The last ``SHOWN_CHANGES`` edits of a patient's details, newest first; audited."""
    permissions.require(context, Action.PATIENT_READ)
    with uow:
        patient = listed_patient(uow, context, patient_id, "patient_change.list", clock)
        found = uow.patient_changes.for_patient(
            context.actor.clinic_id, patient.id, limit=SHOWN_CHANGES
        )
        access = audit.Access("patient_change.list", "patient", str(patient.id), patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def _update(patient_id: UUID, outcome: str = "success") -> audit.Access:
    return audit.Access("patient.update", "patient", str(patient_id), patient_id, outcome)
