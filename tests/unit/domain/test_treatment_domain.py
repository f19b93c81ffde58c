"""The agreed plan and its deviations, series and chart rules, outcome scale ranges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.charting import Cartridge, Numbing, SessionChart, ZoneTreatment
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.outcomes import (
    GAIS_RANGE,
    OutcomeScale,
    check_outcome_value,
    scale_ranges,
)
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import AlreadySignedError
from needlepoint.domain.series_plan import (
    PlanLimits,
    PlannedZone,
    SeriesPlan,
    plan_deviations,
    proposed_plan,
)
from needlepoint.domain.treatment import (
    Cancellation,
    ChartVersion,
    InvalidTransitionError,
    SeriesStatus,
    TreatmentSeries,
    VersionConflictError,
    chart_problems,
    next_chart_version,
)
from needlepoint.domain.vocabulary import Device, Zone
from needlepoint.knowledge import catalogue

KNOWLEDGE = catalogue.load_knowledge()
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
BY = uuid4()
PROPOSAL = {
    "plan": {
        "zones": [
            {"zone": "cheeks", "depth_mm": {"min": "1.5", "max": "1.5"}, "start_mm": "1.5"},
            {"zone": "chin", "depth_mm": {"min": "1.0", "max": "1.25"}, "start_mm": "1.0"},
        ],
        "not_planned": [],
    },
    "series": {
        "sessions": {"min": 4, "default": 4, "max": 6},
        "interval_days": {"min": 14, "default": 28, "max": 42},
    },
}
PROPOSED = proposed_plan(PROPOSAL)
LIMITS = PlanLimits.of(PROPOSAL, KNOWLEDGE.planning, Device.PEN, KNOWLEDGE.limits)


def deviations(chosen: SeriesPlan, reasons: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return plan_deviations(
        PROPOSED, chosen, reasons=reasons or {}, limits_of_plan=LIMITS, signed=(BY, AT)
    )


def with_zone(plan: SeriesPlan, zone: Zone, low: str, high: str) -> SeriesPlan:
    zones = tuple(
        PlannedZone(zone, Decimal(low), Decimal(high)) if z.zone is zone else z for z in plan.zones
    )
    return replace(plan, zones=zones)


def test_the_proposed_plan_is_read_from_the_report() -> None:
    expected = SeriesPlan(
        zones=(
            PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5")),
            PlannedZone(Zone.CHIN, Decimal("1.0"), Decimal("1.25")),
        ),
        sessions=4,
        interval_days=28,
    )

    assert expected == PROPOSED


def test_a_zones_cap_is_the_lower_of_the_zone_maximum_and_the_device_cap() -> None:
    zones, devices = KNOWLEDGE.planning.zones, KNOWLEDGE.planning.devices

    for device in Device:
        bounds = PlanLimits.of(PROPOSAL, KNOWLEDGE.planning, device, KNOWLEDGE.limits)
        for zone, row in zones.items():
            if row.max_depth_mm is None:
                assert zone not in bounds.zone_max_mm
                continue
            cap, limit_id = bounds.cap(zone)
            assert cap == min(row.max_depth_mm, devices[device].cap_mm)
            assert limit_id in {"zone-depth-maximum", "device-depth-cap"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"interval_days": 7}, "minimum-interval"),
        ({"interval_days": 13}, "minimum-interval"),
        ({"interval_days": 42 + 42 + 1}, "interval-beyond-maximum"),
        ({"sessions": 6 + 2 + 1}, "sessions-beyond-range"),
        ({"sessions": 50}, "sessions-beyond-range"),
    ],
)
def test_a_hard_plan_limit_is_refused_whatever_the_reason(
    change: dict[str, int], code: str
) -> None:
    chosen = replace(
        PROPOSED,
        interval_days=change.get("interval_days", PROPOSED.interval_days),
        sessions=change.get("sessions", PROPOSED.sessions),
    )
    every_reason = {"plan.interval_days": "patient asked", "plan.sessions": "patient asked"}

    with pytest.raises(InvalidInputError) as caught:
        deviations(chosen, every_reason)

    assert [(p.field, p.code) for p in caught.value.problems] == [
        (f"plan.{next(iter(change))}", code)
    ]


def test_a_deeper_plan_than_the_device_cap_is_refused_whatever_the_reason() -> None:
    chosen = with_zone(PROPOSED, Zone.CHEEKS, "1.5", "2.0")

    with pytest.raises(InvalidInputError) as caught:
        deviations(chosen, {"plan.zones[cheeks].depth_mm.max": "deep boxcar"})

    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("plan.zones[cheeks].depth_mm.max", "device-depth-cap")
    ]


@given(
    sessions=st.integers(min_value=1, max_value=20),
    interval_days=st.integers(min_value=1, max_value=120),
    reason=st.sampled_from(["", "  ", "patient travels for work"]),
)
def test_a_soft_plan_limit_passes_only_with_a_reason_within_its_bound(
    sessions: int, interval_days: int, reason: str
) -> None:
    chosen = replace(PROPOSED, sessions=sessions, interval_days=interval_days)
    reasons = {"plan.sessions": reason, "plan.interval_days": reason}
    hard = interval_days < 14 or interval_days > 42 + 42 or sessions > 6 + 2
    explained = bool(reason.strip()) or (sessions, interval_days) == (4, 28)

    try:
        found = deviations(chosen, reasons)
    except InvalidInputError as error:
        codes = {p.code for p in error.problems}
        assert hard or not explained
        assert hard == bool(codes - {"reason-required"})
    else:
        assert not hard and explained
        soft = {d.path: d.rule_id for d in found if d.rule_id}
        assert ("plan.sessions" in soft) == (sessions > 6)
        assert ("plan.interval_days" in soft) == (interval_days > 42)


def test_the_proposal_itself_has_no_deviations() -> None:
    assert deviations(PROPOSED) == ()


def test_the_same_depth_written_differently_is_not_a_deviation() -> None:
    assert deviations(with_zone(PROPOSED, Zone.CHIN, "1.00", "1.250")) == ()


def test_each_change_is_named_by_path_and_needs_its_own_reason() -> None:
    chosen = replace(with_zone(PROPOSED, Zone.CHIN, "0.75", "1.5"), interval_days=35)

    with pytest.raises(InvalidInputError) as caught:
        deviations(chosen, {"plan.zones[chin].depth_mm.min": "thin skin over the mandible"})

    assert [p.field for p in caught.value.problems] == [
        "plan.zones[chin].depth_mm.max",
        "plan.interval_days",
    ]
    assert "1.25 mm → 1.5 mm" in caught.value.problems[0].problem


def test_an_impossible_plan_names_every_problem() -> None:
    chosen = SeriesPlan(
        zones=(
            PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("1.0")),
            PlannedZone(Zone.CHEEKS, Decimal("1.0"), Decimal("1.0")),
        ),
        sessions=0,
        interval_days=28,
    )

    with pytest.raises(InvalidInputError) as caught:
        deviations(chosen)

    assert [p.field for p in caught.value.problems] == [
        "plan.zones[cheeks].depth_mm",
        "plan.zones[cheeks]",
        "plan.sessions",
    ]


def test_a_plan_without_zones_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        deviations(
            replace(PROPOSED, zones=()), {"plan.zones[cheeks]": "x", "plan.zones[chin]": "y"}
        )

    assert caught.value.problems[0].field == "plan.zones"


plan_depths = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("1.5"), places=2)


@given(
    cheeks=st.tuples(plan_depths, plan_depths).map(sorted),
    sessions=st.integers(min_value=1, max_value=8),
    explained=st.sets(
        st.sampled_from(
            ["plan.zones[cheeks].depth_mm.min", "plan.zones[cheeks].depth_mm.max", "plan.sessions"]
        )
    ),
)
def test_a_chosen_plan_is_agreed_iff_every_difference_has_a_reason(
    cheeks: list[Decimal], sessions: int, explained: set[str]
) -> None:
    chosen = replace(
        with_zone(PROPOSED, Zone.CHEEKS, str(cheeks[0]), str(cheeks[1])), sessions=sessions
    )
    differs = {
        "plan.zones[cheeks].depth_mm.min": cheeks[0] != Decimal("1.5"),
        "plan.zones[cheeks].depth_mm.max": cheeks[1] != Decimal("1.5"),
        "plan.sessions": sessions != PROPOSED.sessions,
    }
    reasons = dict.fromkeys(explained, "clinical judgement")

    try:
        found = deviations(chosen, reasons)
    except InvalidInputError as error:
        refused = {p.field for p in error.problems}
        assert refused == {p for p, d in differs.items() if d and p not in explained}
    else:
        assert {d.path for d in found} == {p for p, d in differs.items() if d}
        assert all(d.path in explained for d in found)


# --- series and chart versions ------------------------------------------------------------


def a_series(status: SeriesStatus = SeriesStatus.PLANNED) -> TreatmentSeries:
    return TreatmentSeries(
        uuid4(), uuid4(), uuid4(), uuid4(), PROPOSAL, PROPOSED, (), status, AT, BY
    )


def test_a_series_moves_planned_to_in_progress_to_completed_with_each_version() -> None:
    planned = a_series()

    started = planned.started()
    completed = started.completed()

    assert [s.status for s in (planned, started, completed)] == list(SeriesStatus)[:3]
    assert [s.version for s in (planned, started, completed)] == [1, 2, 3]
    assert started.started() is started


@pytest.mark.parametrize("status", [SeriesStatus.COMPLETED, SeriesStatus.CANCELLED])
def test_a_finished_series_cannot_start_or_be_cancelled(status: SeriesStatus) -> None:
    finished = a_series(status)

    with pytest.raises(InvalidTransitionError):
        finished.started()
    with pytest.raises(InvalidTransitionError):
        finished.cancelled(Cancellation(AT, BY, "patient moved away"))


def a_chart(*zones: ZoneTreatment, numbing: Numbing | None = None) -> SessionChart:
    return SessionChart(
        device=Device.PEN,
        cartridge=Cartridge("LOT-1", date(2027, 1, 1)),
        numbing=numbing,
        zones=zones,
        endpoint_reached=Endpoint.ERYTHEMA,
        products_applied=(),
        adverse_events=(),
        overrides=(),
    )


def test_a_chart_version_is_signed_once() -> None:
    version = ChartVersion(uuid4(), uuid4(), uuid4(), uuid4(), 1, a_chart(), {}, "", AT, BY)

    signed = version.sign(by=BY, at=AT)

    assert signed.is_signed and not version.is_signed
    with pytest.raises(AlreadySignedError):
        signed.sign(by=BY, at=AT)


def test_the_next_version_follows_the_newest_only() -> None:
    session_id = uuid4()
    v1 = ChartVersion(uuid4(), session_id, uuid4(), uuid4(), 1, a_chart(), {}, "", AT, BY)

    assert next_chart_version(None, session_id=session_id, expected_version=0) == 1
    assert next_chart_version(v1, session_id=session_id, expected_version=1) == 2
    for stale in (0, 2):
        with pytest.raises(VersionConflictError) as caught:
            next_chart_version(v1, session_id=session_id, expected_version=stale)
        assert (caught.value.expected, caught.value.current) == (stale, 1)


def test_chart_problems_name_repeated_unplanned_and_impossible_zones() -> None:
    cheeks = ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5"), 3)
    applied = AT
    chart = a_chart(
        cheeks,
        cheeks,
        ZoneTreatment(Zone.NECK, Decimal("0.5"), Decimal("0.5"), 2),
        ZoneTreatment(Zone.CHIN, Decimal("1.0"), Decimal("0"), 0),
        numbing=Numbing("EMLA", applied, applied - timedelta(minutes=5)),
    )

    found = [(p.field, p.code) for p in chart_problems(chart, PROPOSED)]

    assert found == [
        ("zones[cheeks]", "repeated"),
        ("zones[neck]", "not-planned"),
        ("zones[chin].delivered_depth_mm", "out-of-range"),
        ("zones[chin].passes", "out-of-range"),
    ]


# --- outcome scales -----------------------------------------------------------------------


def test_computed_scale_ranges_come_from_the_scale_tables() -> None:
    ranges = scale_ranges(KNOWLEDGE.scales)

    assert (
        ranges[OutcomeScale.GB_QUANTITATIVE].lowest,
        ranges[OutcomeScale.GB_QUANTITATIVE].highest,
    ) == (Decimal(0), Decimal(84))
    assert (
        ranges[OutcomeScale.GB_QUALITATIVE].lowest,
        ranges[OutcomeScale.GB_QUALITATIVE].highest,
    ) == (Decimal(1), Decimal(4))
    assert ranges[OutcomeScale.ECCA].highest == KNOWLEDGE.scales.ecca.max_total
    assert ranges[OutcomeScale.GAIS] == GAIS_RANGE
    assert set(ranges) == set(OutcomeScale)


@given(value=st.decimals(min_value=-10, max_value=600, places=1))
def test_a_value_is_accepted_iff_it_lies_on_the_scale(value: Decimal) -> None:
    ranges = scale_ranges(KNOWLEDGE.scales)

    for scale, allowed in ranges.items():
        possible = allowed.lowest <= value <= allowed.highest and value == int(value)
        try:
            check_outcome_value(scale, value, ranges)
        except InvalidInputError:
            assert not possible
        else:
            assert possible
