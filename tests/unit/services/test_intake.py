"""The consultation file: bad input gets a message naming the field and the fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conftest import EXAMPLES, load_example
from needlepoint.domain.errors import InvalidInputError
from needlepoint.services.consultation import intake
from needlepoint.services.problems import field_path

BASE = load_example(EXAMPLES[0])


def _with(path: str, value: Any) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(BASE)
    node: Any = document  # a JSON node: a mapping or a list
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return document


_DELETE = object()


def _problems(document: Any) -> dict[str, str]:
    with pytest.raises(InvalidInputError) as caught:
        intake.parse_consultation(document).to_domain()
    return {p.field: f"{p.problem} {p.fix}" for p in caught.value.problems}


def test_every_example_is_a_valid_consultation() -> None:
    for path in EXAMPLES:
        intake.parse_consultation(load_example(path)).to_domain()


def test_fitzpatrick_seven_is_refused_naming_the_field() -> None:
    problems = _problems(_with("patient.fitzpatrick", 7))

    assert "patient.fitzpatrick" in problems
    assert "at most 6" in problems["patient.fitzpatrick"]


def test_an_unknown_field_is_rejected() -> None:
    problems = _problems(_with("history.smoker", True))

    assert "history.smoker" in problems
    assert "remove this field" in problems["history.smoker"]


def test_an_unanswered_safety_question_is_an_incomplete_file() -> None:
    problems = _problems(_with("history.pregnant", _DELETE))

    assert "history.pregnant" in problems
    assert "every question must be answered" in problems["history.pregnant"]


def test_a_negative_lesion_count_is_refused() -> None:
    document = _with("scar_assessments.0.quantitative_counts", {"b1_moderate_atrophic": -3})

    problems = _problems(document)

    assert "scar_assessments[0].quantitative_counts.b1_moderate_atrophic" in problems


def test_an_isotretinoin_stop_date_after_the_consultation_is_refused() -> None:
    document = _with("history.isotretinoin", {"status": "stopped", "stopped_on": "2027-01-10"})

    problems = _problems(document)

    assert "history.isotretinoin.stopped_on" in problems
    assert "status to 'current'" in problems["history.isotretinoin.stopped_on"]


def test_a_stopped_isotretinoin_course_needs_its_stop_date() -> None:
    problems = _problems(_with("history.isotretinoin", {"status": "stopped"}))

    assert "history.isotretinoin.stopped_on" in problems


def test_an_unknown_zone_lists_the_allowed_zones() -> None:
    problems = _problems(_with("treatments.0.zones", ["cheekz"]))

    assert "treatments[0].zones[0]" in problems
    assert "cheeks" in problems["treatments[0].zones[0]"]


def test_an_unknown_time_zone_is_refused() -> None:
    problems = _problems(_with("clinic.time_zone", "Mars/Olympus"))

    assert "clinic.time_zone" in problems


def test_a_bad_date_asks_for_iso_format() -> None:
    problems = _problems(_with("consulted_on", "16/11/2026"))

    assert "YYYY-MM-DD" in problems["consulted_on"]


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    problems = _problems(["not", "a", "consultation"])

    assert "(file)" in problems


def test_an_assessed_zone_must_be_requested() -> None:
    document = _with("scar_assessments.1.zone", "forehead")

    problems = _problems(document)

    assert "scar_assessments[1].zone" in problems


def test_the_schema_forbids_unknown_fields_everywhere() -> None:
    schema = intake.consultation_schema()

    assert schema["additionalProperties"] is False
    assert all(
        d.get("additionalProperties") is False
        for d in schema["$defs"].values()
        if "properties" in d
    )


def test_field_paths_read_like_the_file() -> None:
    assert (
        field_path(("history", "recent_procedures", 0, "kind"))
        == "history.recent_procedures[0].kind"
    )
    assert field_path(()) == "(file)"
