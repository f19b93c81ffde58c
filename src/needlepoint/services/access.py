"""Helpers every area's use cases share.

Finding a patient or a series of the actor's clinic, checking a page, and auditing a refusal.
A miss is audited before it is raised; another clinic's record is indistinguishable from one
that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Protocol
from uuid import UUID

from needlepoint.domain.charting import ContraindicatedError
from needlepoint.domain.clearances import ClearanceRequiredError
from needlepoint.domain.consent import ConsentRequiredError
from needlepoint.domain.errors import InvalidInputError, NotFoundError
from needlepoint.domain.intervals import IntervalLimitError
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import TreatmentSeries, TreatmentSession, VersionConflictError
from needlepoint.services import audit
from needlepoint.services.audit import AuditedTransaction
from needlepoint.services.ports import Clock, HasAudit, HasPatients, HasSeries, Transaction


class PatientsTransaction(Transaction, HasAudit, HasPatients, Protocol):
    """A transaction over the patients and the audit trail."""


MAX_PAGE_SIZE = 100


class PatientNotFoundError(NotFoundError):
    """No such patient in this clinic (also said for another clinic's patient)."""

    code = "patient-not-found"


class SeriesNotFoundError(NotFoundError):
    """No such treatment series in this clinic."""

    code = "series-not-found"


class SessionNotFoundError(NotFoundError):
    """No such treatment session in this clinic."""

    code = "session-not-found"


def check_page(page: tuple[int, int]) -> tuple[int, int]:
    """A valid (offset, limit) page, or ``InvalidInputError`` naming ``limit``."""
    offset, limit = page
    if offset < 0 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInputError.single(
            "limit", f"{limit} is not a page size.", f"use 1 to {MAX_PAGE_SIZE}, offset ≥ 0."
        )
    return offset, limit


def listed_patient(
    uow: PatientsTransaction,
    context: audit.RequestContext,
    patient_id: UUID,
    action: str,
    clock: Clock,
) -> PatientRecord:
    """The patient whose records are listed; a miss is audited (and committed) before raising."""
    patient = uow.patients.get(context.actor.clinic_id, patient_id)
    if patient is None:
        missing = audit.Access(action, "patient", str(patient_id), None, "not_found")
        audit.record(uow, context, missing, at=clock.now())
        uow.commit()
        raise PatientNotFoundError(f"no patient {patient_id}")
    return patient


def series_or_raise(
    uow: HasSeries, context: audit.RequestContext, series_id: UUID
) -> TreatmentSeries:
    """A series of the actor's clinic, or ``SeriesNotFoundError``."""
    series = uow.series.get(context.actor.clinic_id, series_id)
    if series is None:
        raise SeriesNotFoundError(f"no series {series_id}")
    return series


@contextmanager
def audited_refusal(
    uow: AuditedTransaction, context: audit.RequestContext, access: audit.Access, clock: Clock
) -> Iterator[None]:
    """On a refusal (contraindicated, not cleared, no consent, too soon…), audit it; re-raise.

    Whatever the block wrote is rolled back; the audit event of the refusal is committed.
    """
    try:
        yield
    except (
        ContraindicatedError,
        ClearanceRequiredError,
        ConsentRequiredError,
        IntervalLimitError,
        VersionConflictError,
    ) as error:
        uow.rollback()
        outcome = error.code.replace("-", "_")
        audit.record(uow, context, replace(access, outcome=outcome), at=clock.now())
        uow.commit()
        raise


def series_access(action: str, series: TreatmentSeries) -> audit.Access:
    """The audit record of an operation on a series."""
    return audit.Access(action, "treatment_series", str(series.id), series.patient_id)


def session_access(action: str, session: TreatmentSession) -> audit.Access:
    """The audit record of an operation on a session."""
    return audit.Access(action, "treatment_session", str(session.id), session.patient_id)
