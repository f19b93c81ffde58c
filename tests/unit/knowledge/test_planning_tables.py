"""The planning tables: zones, needle depths, adjustments and protocols."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain import planning
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.evidence import EvidenceLevel
from needlepoint.domain.planning import Endpoint, PlanningTables, SeverityBand
from needlepoint.domain.programme import OUT_OF_SCOPE
from needlepoint.domain.vocabulary import BODY_ZONES, FACIAL_ZONES, Device, Indication, Zone
from needlepoint.knowledge import planning as planning_tables
from needlepoint.knowledge import schema
from needlepoint.knowledge.planning import PlanningFiles, RangeMm

NEVER_NEEDLED = {Zone.EYELIDS, Zone.SCALP}
NEEDLED_FACE = FACIAL_ZONES - NEVER_NEEDLED
ACNE_BANDS = (SeverityBand.MILD, SeverityBand.MODERATE, SeverityBand.SEVERE)
RULE_IDS_FROM_SCREENING = {
    "melasma-in-zone",
    "anticoagulant",
    "antiplatelet",
    "keloid-history",
    "hypertrophic-scar-history",
    "pigmentation-history",
    "isotretinoin-recent",
    "isotretinoin-within-12-months",
}


@pytest.fixture(scope="module")
def tables() -> PlanningTables:
    return planning_tables.load_planning_tables()


@pytest.fixture(scope="module")
def parsed() -> PlanningFiles:
    return planning_tables.load_planning_files()


# ---------------------------------------------------------------- loading


def test_planning_tables_load_with_a_version_naming_each_file(
    tables: PlanningTables, parsed: PlanningFiles
) -> None:
    assert tables.version == schema.combined_version(
        {
            "zones": parsed.zones.table_version,
            "needle_depths": parsed.depths.table_version,
            "adjustments": parsed.adjustments.table_version,
            "protocols": parsed.protocols.table_version,
        }
    )
    assert parsed.adjustments.table_version == parsed.zones.table_version == "2026-12-06"
    assert tables.depths
    assert tables.protocols


def test_cited_rows_name_every_row_of_the_four_tables(parsed: PlanningFiles) -> None:
    rows = planning_tables.cited_rows()

    tables = {table for table, _, _ in rows}
    assert tables == {"zones", "needle_depths", "adjustments", "protocols"}
    assert len(rows) == (
        len(parsed.zones.zones)
        + len(parsed.depths.depths)
        + len(parsed.adjustments.devices)
        + len(parsed.adjustments.fitzpatrick)
        + len(parsed.adjustments.findings)
        + len(parsed.protocols.protocols)
        + len(parsed.protocols.grade_bands)
        + len(parsed.protocols.appointment_parts)
    )


def test_combined_version_names_each_table_when_they_differ() -> None:
    version = schema.combined_version({"zones": "2026-11-22", "protocols": "2026-12-01"})

    assert version == "protocols 2026-12-01, zones 2026-11-22"


# ---------------------------------------------------------------- zones


def test_every_zone_has_exactly_one_limit(tables: PlanningTables) -> None:
    assert set(tables.zones) == set(Zone)
    assert all(tables.zones[zone].zone is zone for zone in Zone)


def test_eyelids_and_scalp_are_never_needled(tables: PlanningTables) -> None:
    assert tables.zones[Zone.EYELIDS].max_depth_mm is None
    assert tables.zones[Zone.SCALP].max_depth_mm is None


def test_every_other_zone_has_a_positive_ceiling(tables: PlanningTables) -> None:
    for zone in set(Zone) - NEVER_NEEDLED:
        ceiling = tables.zones[zone].max_depth_mm
        assert ceiling is not None and ceiling > 0, zone


def test_periorbital_skin_is_the_shallowest_needled_zone(tables: PlanningTables) -> None:
    ceilings = {z: tables.zones[z].max_depth_mm for z in set(Zone) - NEVER_NEEDLED}

    assert ceilings[Zone.PERIORBITAL] == min(c for c in ceilings.values() if c is not None)


# ---------------------------------------------------------------- depths


def test_there_is_no_depth_row_for_eyelids_or_scalp(tables: PlanningTables) -> None:
    assert [row for row in tables.depths if row.zone in NEVER_NEEDLED] == []


def test_every_depth_range_lies_within_its_zone_maximum(tables: PlanningTables) -> None:
    for row in tables.depths:
        ceiling = tables.zones[row.zone].max_depth_mm
        if row.depth is not None:
            assert ceiling is not None
            assert Decimal(0) < row.depth.min_mm <= row.depth.max_mm <= ceiling, row


def test_every_row_without_a_depth_says_what_to_do_instead(tables: PlanningTables) -> None:
    for row in tables.depths:
        if row.depth is None:
            assert len(row.advice) > 20, row


def test_acne_scars_have_a_row_per_grade_band_in_every_needled_facial_zone(
    tables: PlanningTables,
) -> None:
    for zone in NEEDLED_FACE | {Zone.DECOLLETE}:
        for band in ACNE_BANDS:
            row = tables.depth_row(Indication.ACNE_SCARS, zone, band)
            assert row is not None and row.severity is band and row.depth is not None, (zone, band)


def test_macular_acne_scars_are_never_needled_and_point_to_colour_treatments(
    tables: PlanningTables,
) -> None:
    for zone in NEEDLED_FACE | {Zone.DECOLLETE}:
        row = tables.depth_row(Indication.ACNE_SCARS, zone, SeverityBand.MACULAR)
        assert row is not None and row.depth is None
        assert "vascular" in row.advice and "pigment" in row.advice


def test_acne_scars_on_the_neck_are_not_planned_at_any_grade(tables: PlanningTables) -> None:
    for band in (*ACNE_BANDS, SeverityBand.MACULAR):
        row = tables.depth_row(Indication.ACNE_SCARS, Zone.NECK, band)
        assert row is not None and row.depth is None


def test_acne_depth_never_falls_as_severity_rises(tables: PlanningTables) -> None:
    for zone in NEEDLED_FACE | {Zone.DECOLLETE}:
        ranges = [tables.depth_row(Indication.ACNE_SCARS, zone, band) for band in ACNE_BANDS]
        maxima = [r.depth.max_mm for r in ranges if r is not None and r.depth is not None]
        assert maxima == sorted(maxima), zone


def test_cheek_acne_scars_follow_the_reference_ranges(tables: PlanningTables) -> None:
    mild = tables.depth_row(Indication.ACNE_SCARS, Zone.CHEEKS, SeverityBand.MILD)
    severe = tables.depth_row(Indication.ACNE_SCARS, Zone.CHEEKS, SeverityBand.SEVERE)

    assert mild is not None and mild.depth is not None
    assert severe is not None and severe.depth is not None
    assert (mild.depth.min_mm, mild.depth.max_mm) == (Decimal("1.0"), Decimal("1.5"))
    assert (severe.depth.min_mm, severe.depth.max_mm) == (Decimal("1.5"), Decimal("2.0"))


@pytest.mark.parametrize(
    "indication",
    [
        Indication.FINE_LINES,
        Indication.ENLARGED_PORES,
        Indication.TEXTURE,
        Indication.HYPERPIGMENTATION,
        Indication.MELASMA,
    ],
)
def test_facial_indications_have_a_depth_in_every_needled_facial_zone(
    tables: PlanningTables, indication: Indication
) -> None:
    for zone in NEEDLED_FACE:
        row = tables.depth_row(indication, zone, SeverityBand.ANY)
        assert row is not None and row.depth is not None, zone


def test_melasma_depths_respect_the_practice_limit(tables: PlanningTables) -> None:
    melasma = next(a for a in tables.finding_adjustments if a.rule_id == "melasma-in-zone")

    for row in tables.depths:
        if row.indication is Indication.MELASMA and row.depth is not None:
            assert melasma.cap_mm is not None and row.depth.max_mm <= melasma.cap_mm


def test_stretch_marks_have_a_depth_on_every_body_zone(tables: PlanningTables) -> None:
    for zone in BODY_ZONES:
        row = tables.depth_row(Indication.STRETCH_MARKS, zone, SeverityBand.ANY)
        assert row is not None and row.depth is not None, zone


def test_every_in_scope_indication_has_depth_rows(tables: PlanningTables) -> None:
    covered = {row.indication for row in tables.depths if row.depth is not None}

    assert covered == set(Indication) - OUT_OF_SCOPE


def test_most_depth_rows_are_flagged_as_inferred_defaults(tables: PlanningTables) -> None:
    inferred = [r for r in tables.depths if r.provenance.evidence is EvidenceLevel.INFERRED]

    assert len(inferred) > len(tables.depths) / 2
    assert all(r.provenance.is_unverified for r in inferred)


# ---------------------------------------------------------------- devices and adjustments


def test_every_device_has_a_profile(tables: PlanningTables) -> None:
    assert set(tables.devices) == set(Device)


def test_device_caps_and_passes_are_consistent(tables: PlanningTables) -> None:
    for device in tables.devices.values():
        assert Decimal(0) < device.min_setting_mm <= device.cap_mm
        assert 1 <= device.passes_min <= device.passes_max


def test_the_pen_is_capped_at_the_label_evaluated_depth(tables: PlanningTables) -> None:
    pen = tables.devices[Device.PEN]

    assert pen.cap_mm == Decimal("1.5")
    assert (pen.passes_min, pen.passes_max) == (2, 4)
    assert "fda-den160029-skinpen" in pen.provenance.sources


def test_the_roller_takes_fifteen_to_twenty_passes(tables: PlanningTables) -> None:
    roller = tables.devices[Device.ROLLER]

    assert (roller.passes_min, roller.passes_max) == (15, 20)


def test_the_pen_can_reach_the_shallowest_range_in_the_table(
    tables: PlanningTables,
) -> None:
    shallowest = min(r.depth.min_mm for r in tables.depths if r.depth is not None)

    assert tables.devices[Device.PEN].min_setting_mm <= shallowest


def test_skin_types_iv_to_vi_start_low_and_step_slowly(tables: PlanningTables) -> None:
    (adjustment,) = tables.fitzpatrick

    assert adjustment.types == frozenset({4, 5, 6})
    assert adjustment.start_at_lower_end
    assert adjustment.max_step_per_session_mm == Decimal("0.25")
    assert adjustment.facial_cap_mm == Decimal("1.5")


def test_the_skin_type_facial_cap_is_not_above_the_pen_cap(tables: PlanningTables) -> None:
    for adjustment in tables.fitzpatrick:
        cap = adjustment.facial_cap_mm
        assert cap is None or cap <= tables.devices[Device.PEN].cap_mm


def test_finding_adjustments_are_keyed_by_the_screening_rule_ids(tables: PlanningTables) -> None:
    assert {a.rule_id for a in tables.finding_adjustments} == RULE_IDS_FROM_SCREENING


def test_every_finding_adjustment_only_narrows(tables: PlanningTables) -> None:
    for adjustment in tables.finding_adjustments:
        assert adjustment.cap_mm is not None or adjustment.reduce_by_mm is not None
        assert adjustment.cap_mm is None or adjustment.cap_mm > 0
        assert adjustment.reduce_by_mm is None or adjustment.reduce_by_mm > 0


def test_melasma_caps_only_its_own_zone_at_one_millimetre(tables: PlanningTables) -> None:
    melasma = next(a for a in tables.finding_adjustments if a.rule_id == "melasma-in-zone")

    assert melasma.cap_mm == Decimal("1.0")
    assert not melasma.whole_plan
    assert "realself-skinpen" in melasma.provenance.sources


@pytest.mark.parametrize("rule_id", ["anticoagulant", "antiplatelet"])
def test_blood_thinners_make_the_whole_plan_one_step_shallower(
    tables: PlanningTables, rule_id: str
) -> None:
    adjustment = next(a for a in tables.finding_adjustments if a.rule_id == rule_id)

    assert adjustment.reduce_by_mm == Decimal("0.25")
    assert adjustment.whole_plan
    assert adjustment.provenance.evidence is EvidenceLevel.INFERRED


@pytest.mark.parametrize("rule_id", ["anticoagulant", "antiplatelet"])
def test_blood_thinners_aim_for_erythema_not_bleeding(tables: PlanningTables, rule_id: str) -> None:
    adjustment = next(a for a in tables.finding_adjustments if a.rule_id == rule_id)

    assert adjustment.endpoint is Endpoint.ERYTHEMA
    assert "erythema" in adjustment.advice


def test_only_the_blood_thinner_adjustments_change_the_endpoint(tables: PlanningTables) -> None:
    changing = {a.rule_id for a in tables.finding_adjustments if a.endpoint is not None}

    assert changing == {"anticoagulant", "antiplatelet"}


def test_an_endpoint_on_an_adjustment_row_reaches_the_domain(parsed: PlanningFiles) -> None:
    rows = tuple(
        row.model_copy(update={"endpoint": Endpoint.ERYTHEMA})
        if row.rule_id == "melasma-in-zone"
        else row
        for row in parsed.adjustments.findings
    )

    tables = planning_tables.build_planning_tables(_with_adjustments(parsed, findings=rows))

    melasma = next(a for a in tables.finding_adjustments if a.rule_id == "melasma-in-zone")
    assert melasma.endpoint is Endpoint.ERYTHEMA


def test_an_adjustment_row_with_an_unknown_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="endpoint"):
        planning_tables.FindingAdjustmentRow.model_validate(
            {
                "id": "finding-test",
                "rule_id": "anticoagulant",
                "cap_mm": None,
                "reduce_by_mm": 0.25,
                "whole_plan": True,
                "advice": "A piece of advice.",
                "endpoint": "blanching",
                "sources": ["alam-2014-rct"],
                "evidence": "INF",
            }
        )


def test_a_blood_thinner_turns_pinpoint_bleeding_into_erythema(tables: PlanningTables) -> None:
    request = planning.ZoneRequest(Zone.CHEEKS, Indication.ACNE_SCARS, SeverityBand.MODERATE, True)
    factors = planning.PatientFactors(
        device=Device.PEN, fitzpatrick=3, findings=(("anticoagulant", ()),)
    )

    plan = planning.plan_zone(request, factors, tables)

    assert isinstance(plan, planning.ZonePlan)
    assert plan.endpoint is Endpoint.ERYTHEMA


def test_recent_isotretinoin_is_capped_at_least_as_tightly_as_isotretinoin_up_to_12_months(
    tables: PlanningTables,
) -> None:
    by_rule = {a.rule_id: a for a in tables.finding_adjustments}
    recent, later = by_rule["isotretinoin-recent"], by_rule["isotretinoin-within-12-months"]

    assert recent.cap_mm is not None and later.cap_mm is not None
    assert recent.cap_mm <= later.cap_mm
    assert recent.whole_plan
    assert recent.provenance.evidence is EvidenceLevel.INFERRED
    assert {"spring-2017-isotretinoin", "alam-2014-rct"} <= set(recent.provenance.sources)


def test_a_physician_cleared_early_start_after_isotretinoin_stays_superficial(
    tables: PlanningTables,
) -> None:
    request = planning.ZoneRequest(Zone.CHEEKS, Indication.ACNE_SCARS, SeverityBand.SEVERE, True)
    factors = planning.PatientFactors(
        device=Device.PEN, fitzpatrick=3, findings=(("isotretinoin-recent", ()),)
    )

    plan = planning.plan_zone(request, factors, tables)

    assert isinstance(plan, planning.ZonePlan)
    assert plan.depth.max_mm <= Decimal("1.0")


@pytest.mark.parametrize("rule_id", ["keloid-history", "hypertrophic-scar-history"])
def test_raised_scar_history_asks_for_a_test_spot(tables: PlanningTables, rule_id: str) -> None:
    adjustment = next(a for a in tables.finding_adjustments if a.rule_id == rule_id)

    assert "test spot" in adjustment.advice
    assert adjustment.provenance.is_unverified


# ---------------------------------------------------------------- protocols


def test_every_protocol_range_is_ordered(tables: PlanningTables) -> None:
    for protocol in tables.protocols:
        s, i = protocol.sessions, protocol.interval
        assert 1 <= s.min_count <= s.default_count <= s.max_count, protocol
        assert 0 <= i.min_days <= i.default_days <= i.max_days, protocol


def test_every_in_scope_indication_has_a_protocol(tables: PlanningTables) -> None:
    for indication in set(Indication) - OUT_OF_SCOPE - {Indication.ACNE_SCARS}:
        assert tables.protocol(indication, SeverityBand.ANY) is not None, indication
    for band in ACNE_BANDS:
        assert tables.protocol(Indication.ACNE_SCARS, band) is not None, band


def test_acne_sessions_grow_with_the_grade(tables: PlanningTables) -> None:
    mild, moderate, severe = (tables.protocol(Indication.ACNE_SCARS, b) for b in ACNE_BANDS)

    assert mild is not None and moderate is not None and severe is not None
    assert mild.sessions.default_count == 3
    assert (moderate.sessions.min_count, moderate.sessions.max_count) == (4, 6)
    assert severe.sessions.min_count >= 6
    for protocol in (mild, moderate, severe):
        interval = protocol.interval
        assert (interval.min_days, interval.default_days, interval.max_days) == (14, 28, 42)


def test_only_scar_remodelling_aims_for_pinpoint_bleeding(tables: PlanningTables) -> None:
    bleeding = {
        (p.indication, p.severity)
        for p in tables.protocols
        if p.endpoint is Endpoint.PINPOINT_BLEEDING
    }

    assert bleeding == {
        (Indication.ACNE_SCARS, SeverityBand.MODERATE),
        (Indication.ACNE_SCARS, SeverityBand.SEVERE),
        (Indication.STRETCH_MARKS, SeverityBand.ANY),
    }


def test_melasma_sessions_are_two_to_four_weeks_apart(tables: PlanningTables) -> None:
    melasma = tables.protocol(Indication.MELASMA, SeverityBand.ANY)

    assert melasma is not None
    assert (melasma.interval.min_days, melasma.interval.max_days) == (14, 28)
    assert (melasma.sessions.min_count, melasma.sessions.max_count) == (3, 4)


def test_goodman_baron_grades_map_to_severity_bands(tables: PlanningTables) -> None:
    assert dict(tables.grade_bands) == {
        1: SeverityBand.MACULAR,
        2: SeverityBand.MILD,
        3: SeverityBand.MODERATE,
        4: SeverityBand.SEVERE,
    }


# ---------------------------------------------------------------- with the planner


def test_a_pen_plan_for_moderate_cheek_scars_stops_at_the_label_depth(
    tables: PlanningTables,
) -> None:
    request = planning.ZoneRequest(Zone.CHEEKS, Indication.ACNE_SCARS, SeverityBand.MODERATE, True)
    factors = planning.PatientFactors(device=Device.PEN, fitzpatrick=3, findings=())

    plan = planning.plan_zone(request, factors, tables)

    assert isinstance(plan, planning.ZonePlan)
    assert plan.depth.max_mm == Decimal("1.5")
    assert plan.endpoint is Endpoint.PINPOINT_BLEEDING


@given(
    row_index=st.integers(min_value=0),
    device=st.sampled_from(Device),
    fitzpatrick=st.integers(min_value=1, max_value=6),
    rule_ids=st.sets(st.sampled_from(sorted(RULE_IDS_FROM_SCREENING))),
)
def test_no_plan_built_from_the_tables_exceeds_a_zone_or_device_limit(
    row_index: int, device: Device, fitzpatrick: int, rule_ids: set[str]
) -> None:
    tables = planning_tables.load_planning_tables()
    planned = [r for r in tables.depths if r.depth is not None]
    row = planned[row_index % len(planned)]
    request = planning.ZoneRequest(row.zone, row.indication, row.severity, row.zone in FACIAL_ZONES)
    findings = tuple((rule_id, (row.zone,)) for rule_id in sorted(rule_ids))
    factors = planning.PatientFactors(device=device, fitzpatrick=fitzpatrick, findings=findings)

    plan = planning.plan_zone(request, factors, tables)

    assert isinstance(plan, planning.ZonePlan)
    ceiling = tables.zones[row.zone].max_depth_mm
    assert ceiling is not None
    assert plan.depth.max_mm <= min(ceiling, tables.devices[device].cap_mm)


# ---------------------------------------------------------------- semantic checks


def _with_depth(parsed: PlanningFiles, index: int, **update: object) -> PlanningFiles:
    rows = list(parsed.depths.depths)
    rows[index] = rows[index].model_copy(update=update)
    depths = parsed.depths.model_copy(update={"depths": tuple(rows)})
    return PlanningFiles(parsed.zones, depths, parsed.adjustments, parsed.protocols)


def _cheek_row_index(parsed: PlanningFiles) -> int:
    return next(i for i, r in enumerate(parsed.depths.depths) if r.zone is Zone.CHEEKS)


def test_a_depth_above_the_zone_ceiling_is_refused(parsed: PlanningFiles) -> None:
    index = _cheek_row_index(parsed)
    broken = _with_depth(parsed, index, depth_mm=RangeMm(min=Decimal("1.5"), max=Decimal("2.5")))

    with pytest.raises(KnowledgeError) as error:
        planning_tables.build_planning_tables(broken)

    assert error.value.table == "needle_depths"
    assert error.value.row == parsed.depths.depths[index].id
    assert "exceeds" in error.value.detail


def test_a_reversed_depth_range_is_refused(parsed: PlanningFiles) -> None:
    broken = _with_depth(
        parsed,
        _cheek_row_index(parsed),
        depth_mm=RangeMm(min=Decimal("1.5"), max=Decimal("1.0")),
    )

    with pytest.raises(KnowledgeError, match="needle_depths"):
        planning_tables.build_planning_tables(broken)


def test_a_depth_row_for_the_eyelids_is_refused(parsed: PlanningFiles) -> None:
    broken = _with_depth(parsed, _cheek_row_index(parsed), zone=Zone.EYELIDS)

    with pytest.raises(KnowledgeError, match="never needled"):
        planning_tables.build_planning_tables(broken)


def test_a_row_without_depth_or_advice_is_refused(parsed: PlanningFiles) -> None:
    broken = _with_depth(parsed, _cheek_row_index(parsed), depth_mm=None, advice="")

    with pytest.raises(KnowledgeError, match="needs advice"):
        planning_tables.build_planning_tables(broken)


def test_two_rows_for_the_same_indication_zone_and_severity_are_refused(
    parsed: PlanningFiles,
) -> None:
    first = parsed.depths.depths[0]
    duplicate = first.model_copy(update={"id": "a-second-row"})
    depths = parsed.depths.model_copy(update={"depths": (*parsed.depths.depths, duplicate)})
    broken = PlanningFiles(parsed.zones, depths, parsed.adjustments, parsed.protocols)

    with pytest.raises(KnowledgeError, match="more than one row"):
        planning_tables.build_planning_tables(broken)


def test_a_missing_zone_row_is_refused(parsed: PlanningFiles) -> None:
    rows = tuple(r for r in parsed.zones.zones if r.zone is not Zone.SCALP)
    zones = parsed.zones.model_copy(update={"zones": rows})
    broken = PlanningFiles(zones, parsed.depths, parsed.adjustments, parsed.protocols)

    with pytest.raises(KnowledgeError, match="scalp"):
        planning_tables.build_planning_tables(broken)


def test_a_repeated_row_id_is_refused(parsed: PlanningFiles) -> None:
    rows = list(parsed.zones.zones)
    rows[1] = rows[1].model_copy(update={"id": rows[0].id})
    zones = parsed.zones.model_copy(update={"zones": tuple(rows)})
    broken = PlanningFiles(zones, parsed.depths, parsed.adjustments, parsed.protocols)

    with pytest.raises(KnowledgeError, match="id"):
        planning_tables.build_planning_tables(broken)


def _with_adjustments(parsed: PlanningFiles, **update: object) -> PlanningFiles:
    adjustments = parsed.adjustments.model_copy(update=update)
    return PlanningFiles(parsed.zones, parsed.depths, adjustments, parsed.protocols)


def test_a_device_whose_minimum_is_above_its_cap_is_refused(parsed: PlanningFiles) -> None:
    pen = parsed.adjustments.devices[0].model_copy(update={"min_setting_mm": Decimal("3.0")})
    broken = _with_adjustments(parsed, devices=(pen, *parsed.adjustments.devices[1:]))

    with pytest.raises(KnowledgeError, match="min_setting_mm"):
        planning_tables.build_planning_tables(broken)


def test_reversed_passes_are_refused(parsed: PlanningFiles) -> None:
    pen = parsed.adjustments.devices[0]
    reversed_passes = pen.passes.model_copy(update={"min": 5, "max": 2})
    broken = _with_adjustments(
        parsed,
        devices=(
            pen.model_copy(update={"passes": reversed_passes}),
            *parsed.adjustments.devices[1:],
        ),
    )

    with pytest.raises(KnowledgeError, match="passes"):
        planning_tables.build_planning_tables(broken)


def test_a_missing_device_is_refused(parsed: PlanningFiles) -> None:
    broken = _with_adjustments(parsed, devices=parsed.adjustments.devices[:1])

    with pytest.raises(KnowledgeError, match="no row for"):
        planning_tables.build_planning_tables(broken)


def test_a_skin_type_outside_one_to_six_is_refused(parsed: PlanningFiles) -> None:
    row = parsed.adjustments.fitzpatrick[0].model_copy(update={"types": frozenset({4, 7})})
    broken = _with_adjustments(parsed, fitzpatrick=(row,))

    with pytest.raises(KnowledgeError, match="Fitzpatrick"):
        planning_tables.build_planning_tables(broken)


def test_a_skin_type_in_two_rows_is_refused(parsed: PlanningFiles) -> None:
    row = parsed.adjustments.fitzpatrick[0]
    again = row.model_copy(update={"id": "fitzpatrick-again", "types": frozenset({6})})
    broken = _with_adjustments(parsed, fitzpatrick=(row, again))

    with pytest.raises(KnowledgeError, match="Fitzpatrick type"):
        planning_tables.build_planning_tables(broken)


def test_a_finding_adjustment_that_changes_nothing_is_refused(parsed: PlanningFiles) -> None:
    first = parsed.adjustments.findings[0].model_copy(update={"cap_mm": None, "reduce_by_mm": None})
    broken = _with_adjustments(parsed, findings=(first, *parsed.adjustments.findings[1:]))

    with pytest.raises(KnowledgeError, match="cap_mm"):
        planning_tables.build_planning_tables(broken)


def test_an_unordered_session_range_is_refused(parsed: PlanningFiles) -> None:
    first = parsed.protocols.protocols[0]
    sessions = first.sessions.model_copy(update={"min": 5, "default": 3})
    rows = (first.model_copy(update={"sessions": sessions}), *parsed.protocols.protocols[1:])
    protocols = parsed.protocols.model_copy(update={"protocols": rows})
    broken = PlanningFiles(parsed.zones, parsed.depths, parsed.adjustments, protocols)

    with pytest.raises(KnowledgeError) as error:
        planning_tables.build_planning_tables(broken)

    assert (error.value.table, error.value.row) == ("protocols", first.id)


def test_a_grade_mapped_twice_is_refused(parsed: PlanningFiles) -> None:
    bands = parsed.protocols.grade_bands
    again = bands[0].model_copy(update={"id": "gb-grade-1-again"})
    protocols = parsed.protocols.model_copy(update={"grade_bands": (*bands, again)})
    broken = PlanningFiles(parsed.zones, parsed.depths, parsed.adjustments, protocols)

    with pytest.raises(KnowledgeError, match="grade"):
        planning_tables.build_planning_tables(broken)
