"""Charting hard stops: expired cartridges, depth overrides, zones excluded today."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.charting import (
    Cartridge,
    ExpiredCartridgeError,
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

TODAY = date(2026, 12, 7)
depths = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("3.0"), places=2)


def chart(
    *zones: ZoneTreatment, overrides: tuple[Override, ...] = (), expires: date = TODAY
) -> SessionChart:
    return SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot="LOT-42", expires_on=expires),
        numbing=None,
        zones=zones,
        endpoint_reached=Endpoint.ERYTHEMA,
        products_applied=(),
        adverse_events=(),
        overrides=overrides,
    )


def test_a_cartridge_may_be_used_on_its_expiry_day_but_not_after() -> None:
    check_cartridge(Cartridge("LOT-1", TODAY), on=TODAY)

    with pytest.raises(ExpiredCartridgeError) as caught:
        check_cartridge(Cartridge("LOT-1", TODAY - timedelta(days=1)), on=TODAY)

    assert caught.value.code == "cartridge-expired"


def test_deeper_than_the_plan_needs_a_reason() -> None:
    deeper = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("1.25"), 3)

    with pytest.raises(OverrideRequiredError) as caught:
        check_chart(
            chart(deeper),
            on=TODAY,
            licence_max_depth_mm=Decimal("2.0"),
            treatable=frozenset({Zone.CHEEKS}),
        )

    assert [(m.zone, m.kind) for m in caught.value.missing] == [
        (Zone.CHEEKS, OverrideKind.DEEPER_THAN_PLAN)
    ]


def test_a_reason_for_each_kind_of_excess_is_needed_separately() -> None:
    deep = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("2.0"), 3)
    plan_only = Override(Zone.CHEEKS, OverrideKind.DEEPER_THAN_PLAN, "deep boxcar, titrated")

    missing = missing_overrides([deep], [plan_only], licence_max_depth_mm=Decimal("1.5"))

    assert [m.kind for m in missing] == [OverrideKind.BEYOND_LICENCE]


def test_a_blank_reason_is_no_reason() -> None:
    deep = ZoneTreatment(Zone.CHEEKS, Decimal("1.0"), Decimal("1.25"), 3)

    missing = missing_overrides(
        [deep],
        [Override(Zone.CHEEKS, OverrideKind.DEEPER_THAN_PLAN, "  ")],
        licence_max_depth_mm=None,
    )

    assert len(missing) == 1


def test_a_zone_excluded_today_cannot_be_charted() -> None:
    zone = ZoneTreatment(Zone.CHIN, Decimal("1.0"), Decimal("1.0"), 2)

    with pytest.raises(InvalidInputError) as caught:
        check_chart(
            chart(zone), on=TODAY, licence_max_depth_mm=None, treatable=frozenset({Zone.CHEEKS})
        )

    assert caught.value.problems[0].field == "zones[chin]"


@given(planned=depths, delivered=depths, licence=st.none() | depths)
def test_an_override_is_asked_for_exactly_when_a_limit_is_passed(
    planned: Decimal, delivered: Decimal, licence: Decimal | None
) -> None:
    zone = ZoneTreatment(Zone.CHEEKS, planned, delivered, 2)

    kinds = {m.kind for m in missing_overrides([zone], [], licence_max_depth_mm=licence)}

    assert (OverrideKind.DEEPER_THAN_PLAN in kinds) == (delivered > planned)
    assert (OverrideKind.BEYOND_LICENCE in kinds) == (licence is not None and delivered > licence)


@given(planned=depths, delivered=depths, licence=st.none() | depths)
def test_reasons_for_every_excess_satisfy_the_check(
    planned: Decimal, delivered: Decimal, licence: Decimal | None
) -> None:
    zone = ZoneTreatment(Zone.CHEEKS, planned, delivered, 2)
    reasons = [Override(Zone.CHEEKS, kind, "recorded reason") for kind in OverrideKind]

    assert missing_overrides([zone], reasons, licence_max_depth_mm=licence) == ()
