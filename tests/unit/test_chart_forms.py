"""The chart and re-screen forms, read by the API's models (``ChartIn``, ``SessionStartIn``).

The form is laid out as the API's body: wall times become instants first (a skipped time is
refused, a repeated one is its first occurrence), textarea lines become lists, reasons become
overrides. Problems carry the API's codes but name the input the form shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from needlepoint.domain.charting import OverrideKind
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.vocabulary import Zone
from needlepoint.entrypoints.web.chart_forms import (
    ZoneRow,
    chart_entry,
    product_reason_field,
    rescreen_answers,
    zone_field,
)

SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")
ROWS = (
    ZoneRow(Zone.CHEEKS, Decimal("1.5"), None),
    ZoneRow(Zone.CHIN, Decimal("1.25"), None),
)


def chart_form(**changes: str) -> dict[str, str]:
    form = {
        "csrf_token": "token",
        "expected_version": "0",
        "chart.device": "pen",
        "chart.endpoint_reached": "",
        "chart.cartridge.lot": "LOT-1",
        "chart.cartridge.expires_on": "2027-02-21",
        "chart.numbing.product": "",
        "chart.numbing.applied_at": "",
        "chart.numbing.removed_at": "",
        zone_field(Zone.CHEEKS, "delivered_depth_mm"): "1.5",
        zone_field(Zone.CHEEKS, "passes"): "2",
        zone_field(Zone.CHIN, "delivered_depth_mm"): " 1.0 ",
        zone_field(Zone.CHIN, "passes"): "3",
        "chart.products_applied": "",
        "chart.adverse_events": "",
        "notes": "",
    }
    return form | changes


def refused(form: dict[str, str], zone: ZoneInfo = SYDNEY) -> dict[str, tuple[str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        chart_entry(form, session_id=uuid4(), rows=ROWS, time_zone=zone)
    return {p.field: (p.code, p.problem) for p in caught.value.problems}


def test_a_filled_form_is_the_chart_the_api_would_take() -> None:
    session_id = uuid4()
    form = chart_form(
        **{
            "chart.numbing.product": "lidocaine 4%",
            "chart.numbing.applied_at": "2026-11-23T19:15",
            "chart.products_applied": "hyaluronic acid gel\n\n  vitamin C serum  \r\n",
            "chart.adverse_events": "pinpoint bleeding",
            "notes": "tolerated well\r\nreview in two weeks",
            zone_field(Zone.CHIN, "reason"): "deep rolling scars",
            product_reason_field(1): "applied before arrival",
        }
    )

    entry = chart_entry(form, session_id=session_id, rows=ROWS, time_zone=SYDNEY)

    chart = entry.chart
    assert (entry.session_id, entry.expected_version) == (session_id, 0)
    assert entry.notes == "tolerated well review in two weeks"
    assert chart.numbing is not None
    assert chart.numbing.applied_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
    assert [(z.zone, z.planned_depth_mm, z.delivered_depth_mm, z.passes) for z in chart.zones] == [
        (Zone.CHEEKS, Decimal("1.5"), Decimal("1.5"), 2),
        (Zone.CHIN, Decimal("1.25"), Decimal("1.0"), 3),
    ]
    assert chart.products_applied == ("hyaluronic acid gel", "vitamin C serum")
    assert chart.adverse_events == ("pinpoint bleeding",)
    assert chart.endpoint_reached is None
    assert [(o.kind, o.subject, o.reason) for o in chart.overrides] == [
        (OverrideKind.DEEPER_THAN_PLAN, "chin", "deep rolling scars"),
        (OverrideKind.UNSAFE_TOPICAL, "vitamin C serum", "applied before arrival"),
    ]


def test_a_time_repeated_when_the_clocks_go_back_is_its_first_occurrence() -> None:
    form = chart_form(
        **{"chart.numbing.product": "lidocaine", "chart.numbing.applied_at": "2026-11-01T01:30"}
    )

    entry = chart_entry(form, session_id=uuid4(), rows=ROWS, time_zone=NEW_YORK)

    assert entry.chart.numbing is not None
    assert entry.chart.numbing.applied_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # EDT


def test_a_skipped_time_is_refused_with_every_other_problem_of_the_form() -> None:
    form = chart_form(
        **{
            "chart.numbing.product": "lidocaine",
            "chart.numbing.applied_at": "2027-03-14T02:30",
            "chart.numbing.removed_at": "half past",
            zone_field(Zone.CHEEKS, "passes"): "two",
            "chart.cartridge.lot": "",
        }
    )

    problems = refused(form, NEW_YORK)

    assert problems["chart.numbing.applied_at"] == (
        InputCode.NOT_A_TIME,
        "is a time the clocks skipped.",
    )
    assert problems["chart.numbing.removed_at"] == (InputCode.NOT_A_TIME, "is not a time.")
    assert problems[zone_field(Zone.CHEEKS, "passes")][0] == InputCode.NOT_A_WHOLE_NUMBER
    assert problems["chart.cartridge.lot"][0] == InputCode.REQUIRED


def test_a_skipped_time_alone_is_refused_though_the_model_would_take_the_rest() -> None:
    form = chart_form(
        **{"chart.numbing.product": "lidocaine", "chart.numbing.applied_at": "2027-03-14T02:15"}
    )

    assert refused(form, NEW_YORK) == {
        "chart.numbing.applied_at": (InputCode.NOT_A_TIME, "is a time the clocks skipped.")
    }


def test_blank_inputs_are_missing_fields_named_as_the_api_names_them() -> None:
    form = chart_form(
        **{
            "expected_version": "",
            "chart.device": "",
            zone_field(Zone.CHIN, "delivered_depth_mm"): "",
            "chart.numbing.removed_at": "2026-11-23T19:15",
        }
    )

    problems = refused(form)

    assert {field: code for field, (code, _) in problems.items()} == {
        "expected_version": InputCode.REQUIRED,
        "chart.device": InputCode.REQUIRED,
        zone_field(Zone.CHIN, "delivered_depth_mm"): InputCode.REQUIRED,
        "chart.numbing.product": InputCode.REQUIRED,
        "chart.numbing.applied_at": InputCode.REQUIRED,
    }


def test_a_bad_line_is_named_by_its_textarea_not_as_a_product_needing_a_reason() -> None:
    form = chart_form(
        **{
            "chart.products_applied": "gel\n" + "x" * 501,
            "chart.adverse_events": "redness\nbell\x07",
        }
    )

    problems = refused(form)

    assert problems["chart.products_applied"][0] == InputCode.TOO_LONG
    assert problems["chart.adverse_events"][0] == InputCode.NOT_TEXT
    assert not any(field.startswith("chart.products_applied[") for field in problems)


def test_a_bad_reason_is_named_by_the_box_it_was_typed_in() -> None:
    form = chart_form(
        **{
            "chart.products_applied": "gel\nserum",
            zone_field(Zone.CHEEKS, "reason"): "r" * 2001,
            product_reason_field(1): "bell\x07",
        }
    )

    problems = refused(form)

    assert problems[zone_field(Zone.CHEEKS, "reason")][0] == InputCode.TOO_LONG
    assert problems[product_reason_field(1)][0] == InputCode.NOT_TEXT


def test_a_tampered_version_is_worded_for_a_person() -> None:
    problems = refused(chart_form(expected_version="v1"))

    assert problems["expected_version"] == (
        InputCode.NOT_A_WHOLE_NUMBER,
        "is not a chart version.",
    )


def test_the_rescreen_sends_only_the_changed_answers_as_the_api_takes_them() -> None:
    form = {"pregnant": "no", "breastfeeding": "unchanged", "cold_sores": "yes"}

    assert rescreen_answers(form) == {"history": {"pregnant": False, "cold_sores": True}}
    assert rescreen_answers({"csrf_token": "t"}) == {}
    assert rescreen_answers({"pregnant": "maybe"}) == {"history": {"pregnant": "maybe"}}
