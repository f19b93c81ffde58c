"""Clinic wall times typed into a form, read as the instants the API's models take."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.entrypoints.api.schemas.scheduling import RescheduleIn
from needlepoint.entrypoints.web.templates import moment
from needlepoint.entrypoints.web.wall_times import instant, parsed, read_instants

SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")


def refusal(raw: str, zone: ZoneInfo = NEW_YORK) -> tuple[str, str, str, str]:
    with pytest.raises(InvalidInputError) as caught:
        instant(raw, zone, "sessions[2].starts_at")
    (problem,) = caught.value.problems
    return problem.field, problem.code, problem.problem, problem.fix


def test_a_wall_time_is_its_instant_in_the_clinic_zone() -> None:
    assert instant("2026-11-23T19:15", SYDNEY, "starts_at") == datetime(
        2026, 11, 23, 8, 15, tzinfo=UTC
    )


def test_a_time_repeated_when_the_clocks_go_back_is_its_first_occurrence() -> None:
    assert instant("2026-11-01T01:30", NEW_YORK, "starts_at") == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_a_time_with_an_offset_is_that_instant() -> None:
    assert instant("2026-11-23T10:00+01:00", SYDNEY, "starts_at") == datetime(
        2026, 11, 23, 9, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_skipped_is_refused_as_not_a_time_naming_the_api_field() -> None:
    assert refusal("2027-03-14T02:30") == (
        "sessions[2].starts_at",
        InputCode.NOT_A_TIME,
        "is a time the clocks skipped.",
        "give the time the clock showed.",
    )


@pytest.mark.parametrize("raw", ["tomorrow", "1700000000", "10:00"])
def test_text_that_is_not_a_wall_time_is_refused_not_read_as_something_else(raw: str) -> None:
    assert refusal(raw)[1:3] == (InputCode.NOT_A_TIME, "is not a time.")


def test_the_times_refused_are_named_once_beside_every_other_problem_of_the_model() -> None:
    given: dict[str, object] = {
        "expected_version": "1",
        "starts_at": "2027-03-14T02:15",
        "practitioner_id": "nobody",
        "room_id": str(uuid4()),
    }

    refused = read_instants(given, {"starts_at": "starts_at"}, NEW_YORK)
    with pytest.raises(InvalidInputError) as caught:
        parsed(RescheduleIn, given, refused)

    assert sorted((p.field, p.code) for p in caught.value.problems) == [
        ("practitioner_id", InputCode.NOT_AN_ID),
        ("starts_at", InputCode.NOT_A_TIME),
    ]


def test_a_time_refused_before_is_refused_though_the_model_takes_the_body() -> None:
    skipped = FieldProblem("starts_at", "is a time the clocks skipped.", "…", InputCode.NOT_A_TIME)
    given: dict[str, object] = {
        "expected_version": "1",
        "starts_at": "2027-03-14T07:15+00:00",
        "practitioner_id": str(uuid4()),
        "room_id": str(uuid4()),
    }

    with pytest.raises(InvalidInputError) as caught:
        parsed(RescheduleIn, given, [skipped])

    assert caught.value.problems == (skipped,)


def test_read_times_become_instants_the_model_takes() -> None:
    given: dict[str, object] = {
        "expected_version": "3",
        "starts_at": "2026-11-23T19:15",
        "practitioner_id": str(uuid4()),
        "room_id": str(uuid4()),
    }

    assert read_instants(given, {"starts_at": "starts_at"}, SYDNEY) == []
    assert parsed(RescheduleIn, given, []).starts_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def test_tz2_spring_forward_gap_is_refused_and_fall_back_fold_is_the_first_shown_as_such() -> None:
    """TZ-2: 02:30 on New York's spring-forward day → 422 ``not-a-time`` with a message saying
    why and what to give; 01:30 on the fall-back day → fold 0 (the first, EDT), and the page
    shows it with its zone so the user sees which of the two it is."""
    field, code, problem, fix = refusal("2027-03-14T02:30")
    assert (field, code) == ("sessions[2].starts_at", InputCode.NOT_A_TIME)
    assert (problem, fix) == ("is a time the clocks skipped.", "give the time the clock showed.")

    first = instant("2026-11-01T01:30", NEW_YORK, "starts_at")
    assert first == datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=NEW_YORK).astimezone(UTC)
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert moment(first, NEW_YORK) == "1 Nov 2026, 01:30 EDT"
