"""Times on the web pages are the clinic's: its IANA zone, one format, the zone named.

Instants are kept in UTC; a clinic in Sydney reads its chart times in Sydney time, and a clinic
in New York reads the hour repeated when summer time ends as two different times (EDT, EST).
Times typed into the chart form are wall times in the clinic's zone, and come back the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api_support import START, MovingClock, add_member, signed_in
from needlepoint.domain.records import Role
from web_charts import chart_form, history, new_series, ok, post_chart, started
from web_support import CLINICIAN, Clinic, signed_in_browser, web_services

SYDNEY_NOW = "23 Nov 2026, 20:00 AEDT"
"""``START`` (23 Nov 2026 09:00 UTC) in Sydney, where summer time (UTC+11) is on."""

BEFORE_FALL_BACK = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
"""01:30 EDT in New York, half an hour before the clocks go back to 01:00 EST (06:00 UTC)."""


def clinic_in(tmp_path: Path, time_zone: str, at: datetime) -> Clinic:
    services = web_services(tmp_path, MovingClock(at))
    clinic_id = services.accounts.add_clinic(name="Harbour Skin Clinic", time_zone=time_zone).id
    add_member(services, clinic_id, Role.CLINICIAN, CLINICIAN)
    return Clinic(services, clinic_id)


@pytest.fixture
def sydney(tmp_path: Path) -> Iterator[Clinic]:
    clinic = clinic_in(tmp_path, "Australia/Sydney", START)
    yield clinic
    clinic.services.database.close()


@pytest.fixture
def new_york(tmp_path: Path) -> Iterator[Clinic]:
    clinic = clinic_in(tmp_path, "America/New_York", BEFORE_FALL_BACK)
    yield clinic
    clinic.services.database.close()


def charted_session(clinic: Clinic, **changes: str) -> tuple[Any, dict[str, Any], str]:
    """A signed-in browser, a series and its first session, charted (version 1)."""
    series = new_series(clinic, consulted_on=clinic.services.clock.now().date().isoformat())
    client = signed_in_browser(clinic.services, CLINICIAN)
    session = started(client, series["id"])
    assert post_chart(client, session, chart_form(client, session, **changes)).status_code == 303
    return client, series, session


def test_the_chart_dashboard_and_patient_page_give_times_in_the_clinic_zone(
    sydney: Clinic,
) -> None:
    client, series, session = charted_session(sydney)

    chart = client.get(f"/sessions/{session}/chart").text
    assert f"started {SYDNEY_NOW}" in chart
    assert f"<td>{SYDNEY_NOW}</td>" in history(client, session)  # version 1, created
    signoff = client.get("/").text.split("Charts waiting for sign-off", 1)[1]
    assert f"<td>{SYDNEY_NOW}</td>" in signoff.split("</section>", 1)[0]
    patient = client.get(f"/patients/{series['patient_id']}").text
    assert f"<td>{SYDNEY_NOW}</td>" in patient
    for html in (chart, signoff, patient):
        assert "UTC" not in html


def test_a_day_shown_for_an_instant_is_the_clinic_day(sydney: Clinic) -> None:
    client, series, session = charted_session(sydney)
    sign = {"csrf_token": chart_form(client, session)["csrf_token"], "version": "1"}
    sydney.services.clock.advance(timedelta(hours=4, minutes=30))  # type: ignore[attr-defined]
    # 13:30 UTC on 23 Nov is 00:30 on 24 Nov in Sydney: signed, and "today", on the 24th.
    client = signed_in_browser(sydney.services, CLINICIAN)
    sign["csrf_token"] = chart_form(client, session)["csrf_token"]
    assert client.post(f"/sessions/{session}/chart/sign", data=sign).status_code == 303

    assert "signed 24 Nov 2026, 00:30 AEDT" in history(client, session)
    assert (
        "version 1, signed 24 Nov 2026 <a" in client.get(f"/patients/{series['patient_id']}").text
    )
    outcomes = client.get(f"/patients/{series['patient_id']}/outcomes").text
    assert 'name="measured_on" type="date" value="2026-11-24"' in outcomes


def test_the_hour_repeated_when_summer_time_ends_reads_as_two_times(new_york: Clinic) -> None:
    _, _, session = charted_session(new_york)
    new_york.services.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    client = signed_in_browser(new_york.services, CLINICIAN)  # the first sign-in idled out
    amended = chart_form(client, session, notes="passes corrected after review")
    assert post_chart(client, session, amended).status_code == 303

    shown = history(client, session)
    assert "<td>1 Nov 2026, 01:30 EDT</td>" in shown  # version 1: 05:30 UTC
    assert "<td>1 Nov 2026, 01:30 EST</td>" in shown  # version 2: 06:30 UTC
    assert "started 1 Nov 2026, 01:30 EDT" in client.get(f"/sessions/{session}/chart").text


def test_numbing_times_are_typed_and_shown_as_clinic_wall_times(sydney: Clinic) -> None:
    numbing = {
        "chart.numbing.product": "lidocaine 5%",
        "chart.numbing.applied_at": "2026-11-23T19:15",
    }
    client, _, session = charted_session(sydney, **numbing)

    assert chart_form(client, session)["chart.numbing.applied_at"] == "2026-11-23T19:15"
    api = signed_in(sydney.services, CLINICIAN)
    saved = ok(api.get(f"/api/v1/sessions/{session}/chart"))["items"][-1]["chart"]
    assert saved["numbing"]["applied_at"] == "2026-11-23T08:15:00Z"
    page = client.get(f"/sessions/{session}/chart").text
    assert "Numbing applied at (Australia/Sydney time)" in page
    assert 'data-time-zone="Australia/Sydney"' in page  # the "Now" button fills Sydney time


def test_a_time_the_clocks_skipped_is_refused_beside_its_field(new_york: Clinic) -> None:
    series = new_series(new_york, consulted_on="2026-11-01")
    client = signed_in_browser(new_york.services, CLINICIAN)
    session = started(client, series["id"])
    skipped = {
        "chart.numbing.product": "lidocaine 5%",
        "chart.numbing.applied_at": "2027-03-14T02:30",
    }

    refused = post_chart(client, session, chart_form(client, session, **skipped))

    assert refused.status_code == 422
    problem = refused.text.split('id="chart-numbing-applied_at-problem"', 1)[1].split("</p>", 1)[0]
    assert "Is a time the clocks skipped." in problem  # 02:00 EST went straight to 03:00 EDT
