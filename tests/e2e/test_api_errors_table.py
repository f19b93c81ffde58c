"""Every error the records and accounts services raise has its own HTTP status in the table."""

from __future__ import annotations

import inspect
from decimal import Decimal
from types import ModuleType

import pytest

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
from needlepoint.entrypoints.statuses import STATUS_BY_ERROR, UNLISTED_STATUS, status_of
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.records import patients
from needlepoint.services.scheduling import booking as scheduling_services
from needlepoint.services.scheduling import visits
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment_services
from needlepoint.services.treatment import sessions as rescreen

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
