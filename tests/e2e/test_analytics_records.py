"""The analytics reads (ADR 0045) over records made the ordinary way, on SQLite and PostgreSQL.

A series agreed through the API, its first session started through the web form, a baseline
score on the day and a follow-up score 95 days later: the series facts read back carry the
plan, the intake's skin type and device, the session days and the scores; the data version
moves with each new record; another clinic sees none of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from api_support import MovingClock, add_clinic, add_member, make_services, signed_in
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.records import Role
from web_charts import new_series, started
from web_support import CLINICIAN, Clinic, signed_in_browser

API = "/api/v1"


@pytest.fixture(params=BACKENDS)
def clinic(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Clinic]:
    with scratch_database(request, tmp_path) as url:
        services = make_services(url, MovingClock(), data_dir=tmp_path)
        clinic_id = add_clinic(services)
        add_member(services, clinic_id, Role.CLINICIAN, CLINICIAN)
        yield Clinic(services, clinic_id)
        services.database.close()


def _version(clinic: Clinic) -> str:
    with clinic.services.database.reading_unit_of_work() as uow:
        return uow.cohorts.data_version(clinic.clinic_id)


def test_a_treated_series_is_read_back_with_its_sessions_and_scores(clinic: Clinic) -> None:
    empty = _version(clinic)
    made = new_series(clinic)
    assert _version(clinic) != empty
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        started(browser, made["id"])
    api = signed_in(clinic.services, CLINICIAN)
    session_day = clinic.services.clock.today()
    url = f"{API}/patients/{made['patient_id']}/outcomes"
    baseline = {"scale": "gb_quantitative", "value": "24", "series_id": made["id"]}
    response = api.post(url, json={**baseline, "measured_on": session_day.isoformat()})
    assert response.status_code == 201, response.text
    before_follow_up = _version(clinic)
    clinic.services.clock.advance(timedelta(days=95))  # type: ignore[attr-defined]
    later = {**baseline, "value": "16", "measured_on": clinic.services.clock.today().isoformat()}
    api = signed_in(clinic.services, CLINICIAN)  # the earlier session has lapsed
    assert api.post(url, json=later).status_code == 201
    assert _version(clinic) != before_follow_up

    with clinic.services.database.reading_unit_of_work() as uow:
        (facts,) = uow.cohorts.series_facts(clinic.clinic_id, limit=10)
        assert uow.cohorts.series_facts(add_clinic(clinic.services, "Elsewhere"), limit=10) == []

    assert UUID(facts.series_id) == UUID(made["id"])
    assert facts.sessions_done == 1
    assert facts.first_session_on == facts.last_session_on == session_day
    assert 1 <= facts.fitzpatrick <= 6
    assert facts.device in {"pen", "roller", "rf"}
    assert facts.indications
    assert facts.zones
    assert facts.max_depth_mm > 0
    assert facts.interval_days > 0
    values = sorted((s.scale, s.value) for s in facts.scores)
    assert values == [
        (OutcomeScale.GB_QUANTITATIVE, Decimal(16)),
        (OutcomeScale.GB_QUANTITATIVE, Decimal(24)),
    ]
