"""Charting: hard stops no reason unlocks, soft limits that pass only with a recorded reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain import limits
from needlepoint.domain.charting import (
    Cartridge,
    ChartRules,
    DepthCaps,
    ExpiredCartridgeError,
    Numbing,
    NumbingBounds,
    Override,
    OverrideKind,
    OverrideRequiredError,
    SessionChart,
    ZoneTreatment,
    check_cartridge,
    check_chart,
    missing_overrides,
)
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.vocabulary import Device, Zone
from needlepoint.knowledge.topicals import load_topicals

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
BY = uuid4()
TOPICALS = load_topicals()
CAPS = DepthCaps(
    device=Device.PEN,
    device_cap_mm=Decimal("1.5"),
    zone_max_mm={Zone.CHEEKS: Decimal("2.0"), Zone.FOREHEAD: Decimal("1.0")},
    licence_mm=Decimal("1.25"),
)
depths = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("3.0"), places=2)
reasons = st.text(min_size=1, max_size=40).filter(str.strip)


def rules(caps: DepthCaps = CAPS, *, treatable: frozenset[Zone] | None = None) -> ChartRules:
    return ChartRules(
        on=TODAY,
        caps=caps,
        treatable=treatable or frozenset({Zone.CHEEKS, Zone.FOREHEAD, Zone.CHIN}),
        numbing=NumbingBounds(NOW, timedelta(minutes=5), timedelta(minutes=120)),
        topicals=TOPICALS,
    )


def chart(
    *zones: ZoneTreatment,
    overrides: tuple[Override, ...] = (),
    expires: date = TODAY,
    products: tuple[str, ...] = (),
    numbing: Numbing | None = None,
) -> SessionChart:
    return SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot="LOT-42", expires_on=expires),
        numbing=numbing,
        zones=zones,
        endpoint_reached=Endpoint.ERYTHEMA,
        products_applied=products,
        adverse_events=(),
        overrides=overrides,
    )


def deeper_reason(zone: Zone, reason: str = "deep boxcar, titrated") -> Override:
    return Override(OverrideKind.DEEPER_THAN_PLAN, reason, zone=zone)


def test_a_cartridge_may_be_used_on_its_expiry_day_but_not_after() -> None:
    check_cartridge(Cartridge("LOT-1", TODAY), on=TODAY)

    with pytest.raises(ExpiredCartridgeError) as caught:
        check_cartridge(Cartridge("LOT-1", TODAY - timedelta(days=1)), on=TODAY)

    assert caught.value.code == "cartridge-expired"
    assert caught.value.problems[0].field == "cartridge.expires_on"


def test_two_millimetres_with_a_pen_is_refused_even_with_a_reason() -> None:
    deep = ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal("2.0"), 3)
    licensed = DepthCaps(Device.PEN, Decimal("1.5"), {Zone.CHEEKS: Decimal("2.0")}, Decimal("2.5"))

    with pytest.raises(InvalidInputError) as caught:
        check_chart(chart(deep, overrides=(deeper_reason(Zone.CHEEKS),)), rules(licensed), by=BY)

    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("zones[cheeks].delivered_depth_mm", "device-depth-cap")


def test_past_the_licence_is_refused_even_with_a_reason() -> None:
    deep = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("1.5"), 3)
    reason = Override(OverrideKind.BEYOND_LICENCE, "supervised", zone=Zone.CHEEKS)

    with pytest.raises(InvalidInputError) as caught:
        check_chart(chart(deep, overrides=(reason, deeper_reason(Zone.CHEEKS))), rules(), by=BY)

    codes = {(p.field, p.code) for p in caught.value.problems}
    assert codes == {
        ("zones[cheeks].delivered_depth_mm", limits.LICENCE_DEPTH),
        ("overrides[0].kind", limits.LICENCE_DEPTH),
    }


@given(
    zone=st.sampled_from([Zone.CHEEKS, Zone.FOREHEAD]),
    delivered=depths,
    licence=depths,
    reason=reasons,
)
def test_no_reason_ever_unlocks_a_depth_past_the_lowest_cap(
    zone: Zone, delivered: Decimal, licence: Decimal, reason: str
) -> None:
    caps = DepthCaps(Device.PEN, Decimal("1.5"), CAPS.zone_max_mm, licence)
    cap_mm, limit_id = caps.lowest(zone)
    treated = ZoneTreatment(zone, Decimal("0.25"), delivered, 2)

    try:
        kept = check_chart(
            chart(treated, overrides=(deeper_reason(zone, reason),)), rules(caps), by=BY
        )
    except InvalidInputError as error:
        assert delivered > cap_mm
        assert limit_id in {p.code for p in error.problems}
    else:
        assert delivered <= cap_mm
        assert all(o.rule_id == limits.DEEPER_THAN_PLAN and o.by == BY for o in kept)


@given(planned=depths, delivered=depths)
def test_deeper_than_the_plan_within_the_caps_needs_exactly_a_reason(
    planned: Decimal, delivered: Decimal
) -> None:
    roomy = DepthCaps(Device.ROLLER, Decimal("3.0"), {}, Decimal("3.0"))
    treated = ZoneTreatment(Zone.CHEEKS, planned, delivered, 2)

    missing = missing_overrides(chart(treated), TOPICALS)
    kept = check_chart(chart(treated, overrides=(deeper_reason(Zone.CHEEKS),)), rules(roomy), by=BY)

    assert bool(missing) == (delivered > planned)
    assert [o.rule_id for o in kept] == ([limits.DEEPER_THAN_PLAN] if delivered > planned else [])


def test_the_refusal_for_a_missing_reason_names_the_depth_and_the_limit() -> None:
    deeper = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("1.25"), 3)

    with pytest.raises(OverrideRequiredError) as caught:
        check_chart(chart(deeper), rules(), by=BY)

    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("zones[cheeks].delivered_depth_mm", "deeper-than-plan")


def test_a_blank_reason_is_no_reason() -> None:
    deep = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("1.25"), 3)

    with pytest.raises(OverrideRequiredError) as caught:
        check_chart(chart(deep, overrides=(deeper_reason(Zone.CHEEKS, "  "),)), rules(), by=BY)

    assert caught.value.problems[0].code == "deeper-than-plan"


def test_a_reason_given_where_none_is_needed_is_not_kept() -> None:
    within = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("1.0"), 3)

    kept = check_chart(chart(within, overrides=(deeper_reason(Zone.CHEEKS),)), rules(), by=BY)

    assert kept == ()


def test_vitamin_c_on_needled_skin_needs_an_acknowledged_reason_and_is_recorded() -> None:
    products = ("Hyaluronic acid gel (sterile)", "vitamin C 20% serum")
    plain = chart(products=products)

    with pytest.raises(OverrideRequiredError) as caught:
        check_chart(plain, rules(), by=BY)
    (problem,) = caught.value.problems
    acknowledged = Override(
        OverrideKind.UNSAFE_TOPICAL, "patient's own, declined", product=products[1]
    )
    (kept,) = check_chart(chart(products=products, overrides=(acknowledged,)), rules(), by=BY)

    assert (problem.field, problem.code) == ("products_applied[1]", "unsafe-topical")
    assert "topical-vitamin-c" in problem.problem
    assert (kept.rule_id, kept.by, kept.product) == ("topical-vitamin-c", BY, products[1])


@pytest.mark.parametrize(
    ("product", "flagged"),
    [
        ("Vit C booster", "topical-vitamin-c"),
        ("L-ascorbic acid 15%", "topical-vitamin-c"),
        ("Rose essential oil", "topical-fragrance"),
        ("PRP", "topical-drug-delivery"),
        ("glycolic toner", "topical-exfoliating-acid"),
        ("Hyaluronic acid, sterile", None),
        ("Clinic-approved hydrogel", None),
        ("Lidocaine 4% cream", None),
    ],
)
def test_products_are_matched_by_whole_words(product: str, flagged: str | None) -> None:
    found = [t.id for t in TOPICALS.matches(product)]

    assert found[:1] == ([flagged] if flagged else [])


def test_a_zone_excluded_today_cannot_be_charted() -> None:
    zone = ZoneTreatment(Zone.CHIN, Decimal("1.0"), Decimal("1.0"), 2)

    with pytest.raises(InvalidInputError) as caught:
        check_chart(chart(zone), rules(treatable=frozenset({Zone.CHEEKS})), by=BY)

    assert (caught.value.problems[0].field, caught.value.problems[0].code) == (
        "zones[chin]",
        "excluded-today",
    )


@pytest.mark.parametrize(
    ("applied", "removed", "field", "code"),
    [
        (NOW + timedelta(days=3), None, "numbing.applied_at", "recorded-time-ahead"),
        (
            NOW - timedelta(minutes=30),
            NOW - timedelta(minutes=40),
            "numbing.removed_at",
            "out-of-order",
        ),
        (NOW - timedelta(hours=3), NOW, "numbing.removed_at", "numbing-duration"),
    ],
)
def test_numbing_times_that_cannot_be_are_refused(
    applied: datetime, removed: datetime | None, field: str, code: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_chart(chart(numbing=Numbing("EMLA", applied, removed)), rules(), by=BY)

    assert [(p.field, p.code) for p in caught.value.problems] == [(field, code)]


def test_numbing_recorded_a_few_minutes_ahead_of_the_clock_is_accepted() -> None:
    applied = NOW - timedelta(minutes=45)

    kept = check_chart(
        chart(numbing=Numbing("EMLA", applied, NOW + timedelta(minutes=2))), rules(), by=BY
    )

    assert kept == ()
