"""Every error the records and accounts services raise has its own HTTP status in the table."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from types import ModuleType
from uuid import UUID

import pytest

import needlepoint
from needlepoint.domain import (
    charting,
    errors,
    intervals,
    outcomes,
    records,
    scheduling,
    series_plan,
    treatment,
)
from needlepoint.domain.errors import DomainError
from needlepoint.entrypoints.api.errors import NOT_FOUND_DETAIL, domain_problem
from needlepoint.entrypoints.statuses import STATUS_BY_ERROR, UNLISTED_STATUS, status_of
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.portal.check_ins import CheckInNotFoundError
from needlepoint.services.records import patients
from needlepoint.services.scheduling import booking as scheduling_services
from needlepoint.services.scheduling import steps as scheduling_steps
from needlepoint.services.scheduling import visits
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment_services
from needlepoint.services.treatment import sessions as rescreen

ID = UUID(int=1)
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SERVED_MODULES = (
    errors,
    records,
    charting,
    treatment,
    series_plan,
    outcomes,
    accounts,
    patients,
    consultation_records,
    sessions,
    treatment_services,
    charts,
    rescreen,
    intervals,
    scheduling,
    scheduling_services,
    scheduling_steps,
    visits,
)


def _errors_in(module: ModuleType) -> list[type[DomainError]]:
    return [
        kind
        for _, kind in inspect.getmembers(module, inspect.isclass)
        if issubclass(kind, DomainError) and kind is not DomainError
    ]


@pytest.mark.parametrize(
    "kind", [k for m in SERVED_MODULES for k in _errors_in(m)], ids=lambda k: k.__name__
)
def test_every_error_the_api_can_meet_has_a_listed_status(kind: type[DomainError]) -> None:
    assert any(base in STATUS_BY_ERROR for base in kind.__mro__)


def test_a_subclass_takes_its_nearest_listed_base_and_an_unlisted_error_is_a_400() -> None:
    class Unlisted(DomainError):
        code = "unlisted"

    assert status_of(errors.InvalidDepthRangeError(Decimal(1), Decimal(0))) == 422
    assert status_of(Unlisted()) == UNLISTED_STATUS


def _every_error() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(needlepoint.__path__, "needlepoint."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    waiting = [DomainError]
    while waiting:
        for kind in waiting.pop().__subclasses__():
            if kind.__module__.startswith("needlepoint.") and kind not in found:
                found.append(kind)
                waiting.append(kind)
    return found


def test_every_missing_record_is_a_not_found_error_and_the_table_lists_only_the_bases() -> None:
    kinds = _every_error()
    missing = [k for k in kinds if k.__name__.endswith("NotFoundError")]

    assert len(missing) >= 9
    assert all(issubclass(k, errors.NotFoundError) for k in missing)
    bases = (errors.NotFoundError, errors.ConflictError)
    assert [k for k in STATUS_BY_ERROR if issubclass(k, bases) and k not in bases] == []
    assert {k for k in kinds if status_of(k.__new__(k)) == 404} == {
        k for k in kinds if issubclass(k, errors.NotFoundError)
    }
    assert {k for k in kinds if status_of(k.__new__(k)) == 409} == {
        k for k in kinds if issubclass(k, errors.ConflictError)
    }


@pytest.mark.parametrize(
    ("error", "status", "code", "detail"),
    [
        (PatientNotFoundError("no patient"), 404, "patient-not-found", NOT_FOUND_DETAIL),
        (CheckInNotFoundError("no check-in"), 404, "check-in-not-found", NOT_FOUND_DETAIL),
        (treatment.VersionConflictError("series", ID, 1, 2), 409, "version-conflict", None),
        (scheduling.SlotTakenError("room", AT), 409, "slot-taken", None),
        (accounts.EmailTakenError("taken"), 409, "email-taken", None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_missing_record_and_conflict_keeps_its_own_code_and_words(
    error: DomainError, status: int, code: str, detail: str | None
) -> None:
    body = json.loads(bytes(domain_problem(error).body))

    assert body == {
        "type": f"urn:needlepoint:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or str(error),
        "code": code,
        "errors": [],
    }
