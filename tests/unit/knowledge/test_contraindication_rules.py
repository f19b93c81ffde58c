"""The contraindication table: it loads, every rule fires on its case and only on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import (
    CONSULTED_ON,
    isotretinoin_stopped,
    make_assessment,
    make_consultation,
    make_history,
    make_patient,
    procedure,
)
from needlepoint.domain.consultation import Consultation, Isotretinoin, TreatmentRequest
from needlepoint.domain.dates import add_months
from needlepoint.domain.errors import InvalidInputError, KnowledgeError
from needlepoint.domain.scales.inputs import EccaItem
from needlepoint.domain.screening import Course, Decision, Rule, Scope, Severity, screen
from needlepoint.domain.vocabulary import (
    Device,
    DiabetesControl,
    Indication,
    IsotretinoinStatus,
    ProcedureKind,
    SkinCancerHistory,
    Zone,
    ZoneCondition,
)
from needlepoint.knowledge import planning, predicates, rules
from strategies import consultations

ON = CONSULTED_ON
RULESET = rules.load_ruleset()
RULES = {rule.id: rule for rule in RULESET.rules}

EXPECTED = {
    Severity.ABSOLUTE: {
        "active-infection-in-zone",
        "active-cold-sore-in-zone",
        "suspicious-lesion-in-zone",
        "open-wound-in-zone",
        "sunburn-in-zone",
        "dermatitis-flare-in-zone",
        "keloid-in-zone",
        "active-acne-in-zone",
        "inside-orbital-rim",
        "zone-never-needled",
        "hair-loss-out-of-scope",
        "metal-allergy",
        "bleeding-disorder",
        "pregnancy",
        "breastfeeding",
        "isotretinoin-current",
        "unwell-or-feverish",
        "recent-resurfacing-in-zone",
        "recent-surgery-in-zone",
        "recent-superficial-peel-in-zone",
        "recent-waxing-in-zone",
        "recent-microneedling-in-zone",
    },
    Severity.RELATIVE: {
        "isotretinoin-recent",
        "anaesthetic-allergy",
        "keloid-history",
        "hypertrophic-scar-history",
        "anticoagulant",
        "antiplatelet",
        "cold-sore-history",
        "immunosuppression",
        "uncontrolled-diabetes",
        "autoimmune-or-collagen-vascular",
        "vitiligo-in-zone",
        "active-skin-cancer-elsewhere",
        "recent-injectable-in-zone",
        "under-18",
        "rf-cardiac-device",
    },
    Severity.CAUTION: {
        "isotretinoin-within-12-months",
        "melasma-in-zone",
        "pigmentation-history",
        "fitzpatrick-4-to-6",
        "photosensitising-drugs",
        "treated-skin-cancer-history",
        "under-22-off-label",
        "neck-outside-cleared-skin-types",
    },
}


def days_ago(days: int) -> date:
    return ON - timedelta(days=days)


def with_condition(condition: ZoneCondition) -> Consultation:
    return make_consultation(conditions={Zone.CHEEKS: {condition}})


def with_history(**answers: Any) -> Consultation:
    return make_consultation(history=make_history(**answers))


def with_procedure(kind: ProcedureKind, days: int) -> Consultation:
    return with_history(recent_procedures=(procedure(kind, days_ago(days), Zone.CHEEKS),))


def requesting(indication: Indication, *zones: Zone) -> Consultation:
    return make_consultation(
        requests=(TreatmentRequest(indication=indication, zones=zones),), scar_assessments=()
    )


TRIGGERS: dict[str, Callable[[], Consultation]] = {
    "active-infection-in-zone": lambda: with_condition(ZoneCondition.INFECTION),
    "active-cold-sore-in-zone": lambda: with_condition(ZoneCondition.ACTIVE_COLD_SORE),
    "suspicious-lesion-in-zone": lambda: with_condition(ZoneCondition.SUSPICIOUS_LESION),
    "open-wound-in-zone": lambda: with_condition(ZoneCondition.OPEN_WOUND),
    "sunburn-in-zone": lambda: with_condition(ZoneCondition.SUNBURN),
    "dermatitis-flare-in-zone": lambda: with_condition(ZoneCondition.DERMATITIS_FLARE),
    "keloid-in-zone": lambda: with_condition(ZoneCondition.KELOID_OR_HYPERTROPHIC_SCAR),
    "active-acne-in-zone": lambda: with_condition(ZoneCondition.ACTIVE_INFLAMMATORY_ACNE),
    "inside-orbital-rim": lambda: make_consultation(zones=[Zone.EYELIDS]),
    "zone-never-needled": lambda: make_consultation(zones=[Zone.SCALP]),
    "hair-loss-out-of-scope": lambda: requesting(Indication.HAIR_LOSS, Zone.SCALP),
    "metal-allergy": lambda: with_history(metal_allergy=True),
    "bleeding-disorder": lambda: with_history(bleeding_disorder=True),
    "pregnancy": lambda: with_history(pregnant=True),
    "breastfeeding": lambda: with_history(breastfeeding=True),
    "isotretinoin-current": lambda: with_history(
        isotretinoin=Isotretinoin(status=IsotretinoinStatus.CURRENT)
    ),
    "unwell-or-feverish": lambda: with_history(unwell_or_feverish=True),
    "recent-resurfacing-in-zone": lambda: with_procedure(ProcedureKind.ABLATIVE_LASER, 30),
    "recent-surgery-in-zone": lambda: with_procedure(ProcedureKind.SURGERY, 60),
    "recent-superficial-peel-in-zone": lambda: with_procedure(ProcedureKind.SUPERFICIAL_PEEL, 10),
    "recent-waxing-in-zone": lambda: with_procedure(ProcedureKind.WAXING, 3),
    "recent-microneedling-in-zone": lambda: with_procedure(ProcedureKind.MICRONEEDLING, 10),
    "isotretinoin-recent": lambda: with_history(isotretinoin=isotretinoin_stopped(days_ago(60))),
    "anaesthetic-allergy": lambda: with_history(anaesthetic_allergy=True),
    "keloid-history": lambda: with_history(keloid_history=True),
    "hypertrophic-scar-history": lambda: with_history(hypertrophic_scar_history=True),
    "anticoagulant": lambda: with_history(anticoagulant=True),
    "antiplatelet": lambda: with_history(antiplatelet=True),
    "cold-sore-history": lambda: with_history(cold_sores=True),
    "immunosuppression": lambda: with_history(immunosuppressed=True),
    "uncontrolled-diabetes": lambda: with_history(diabetes=DiabetesControl.UNCONTROLLED),
    "autoimmune-or-collagen-vascular": lambda: with_history(autoimmune_or_collagen_vascular=True),
    "vitiligo-in-zone": lambda: with_condition(ZoneCondition.VITILIGO),
    "active-skin-cancer-elsewhere": lambda: with_history(skin_cancer=SkinCancerHistory.ACTIVE),
    "recent-injectable-in-zone": lambda: with_procedure(ProcedureKind.FILLER, 5),
    "under-18": lambda: make_consultation(patient=make_patient(born_on=date(2010, 3, 1))),
    "rf-cardiac-device": lambda: make_consultation(
        device=Device.RF, history=make_history(cardiac_device=True)
    ),
    "isotretinoin-within-12-months": lambda: with_history(
        isotretinoin=isotretinoin_stopped(days_ago(250))
    ),
    "melasma-in-zone": lambda: with_condition(ZoneCondition.MELASMA),
    "pigmentation-history": lambda: with_history(pigmentation_after_procedures=True),
    "fitzpatrick-4-to-6": lambda: make_consultation(patient=make_patient(fitzpatrick=5)),
    "photosensitising-drugs": lambda: with_history(photosensitising_drugs=("doxycycline",)),
    "treated-skin-cancer-history": lambda: with_history(skin_cancer=SkinCancerHistory.TREATED),
    "under-22-off-label": lambda: make_consultation(patient=make_patient(born_on=date(2006, 3, 1))),
    "neck-outside-cleared-skin-types": lambda: make_consultation(
        zones=[Zone.NECK], patient=make_patient(fitzpatrick=1)
    ),
}


def finding_ids(consultation: Consultation, on: date = ON) -> set[str]:
    return {rule.id for rule in RULESET.rules if rule.evaluate(consultation, on=on) is not None}


# --- the table as a whole ---------------------------------------------------------------


def test_the_table_holds_exactly_the_agreed_rules_at_their_agreed_severities() -> None:
    by_severity = {s: {r.id for r in RULESET.rules if r.severity is s} for s in Severity}

    assert by_severity == EXPECTED


def test_every_rule_has_a_triggering_consultation_in_these_tests() -> None:
    assert set(TRIGGERS) == set(RULES)


def test_rule_ids_are_unique_and_kebab_case() -> None:
    ids = [rule.id for rule in RULESET.rules]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id) for rule_id in ids)


def test_every_rule_names_a_registered_predicate() -> None:
    names = {row.predicate for row in rules.contraindications_table().rules}

    assert names <= set(predicates.RULE_PREDICATES)


def test_every_registered_predicate_is_used_by_some_rule() -> None:
    names = {row.predicate for row in rules.contraindications_table().rules}

    assert set(predicates.RULE_PREDICATES) == names


def test_the_ruleset_carries_the_table_version() -> None:
    assert RULESET.version == rules.contraindications_table().table_version == "2026-12-06"


def test_every_waiting_period_rule_takes_its_period_from_params() -> None:
    waiting = [
        r for r in rules.contraindications_table().rules if r.course is Course.WAITING_PERIOD
    ]

    assert waiting
    assert all({"days", "months", "to_months"} & set(row.params) for row in waiting)


def test_cited_rows_cover_every_rule_and_every_red_flag() -> None:
    cited = rules.cited_rows()

    assert {row_id for table, row_id, _ in cited if table == "contraindications"} == set(RULES)
    assert {row_id for table, row_id, _ in cited if table == "red_flags"} == {
        flag.id for flag in rules.load_red_flags()
    }


def test_loaders_are_cached() -> None:
    assert rules.load_ruleset() is rules.load_ruleset()


# --- each rule fires on its case and stays silent on a clean one ------------------------


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_each_rule_matches_its_triggering_consultation(rule_id: str) -> None:
    consultation = TRIGGERS[rule_id]()

    finding = RULES[rule_id].evaluate(consultation, on=ON)

    assert finding is not None
    assert finding.rule_id == rule_id
    assert finding.detail


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_each_rule_is_silent_on_a_clean_consultation(rule_id: str) -> None:
    assert RULES[rule_id].evaluate(make_consultation(), on=ON) is None


@pytest.mark.parametrize(
    "rule_id", sorted(r.id for r in RULESET.rules if r.course is Course.WAITING_PERIOD)
)
def test_a_waiting_period_finding_says_when_it_clears(rule_id: str) -> None:
    finding = RULES[rule_id].evaluate(TRIGGERS[rule_id](), on=ON)

    assert finding is not None
    assert finding.clears_on is not None
    assert finding.clears_on > ON


@pytest.mark.parametrize("rule_id", sorted(r.id for r in RULESET.rules if r.scope is Scope.ZONE))
def test_a_zone_finding_names_only_the_zone_where_it_was_found(rule_id: str) -> None:
    consultation = TRIGGERS[rule_id]()

    finding = RULES[rule_id].evaluate(consultation, on=ON)

    assert finding is not None
    assert set(finding.zones) == set(consultation.requested_zones)


def test_a_condition_recorded_in_a_zone_not_requested_is_refused_as_input() -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_consultation(zones=[Zone.CHEEKS], conditions={Zone.CHIN: {ZoneCondition.INFECTION}})

    assert caught.value.problems[0].field == "zone_states[0].zone"


def test_a_procedure_in_a_zone_not_requested_raises_nothing() -> None:
    history = make_history(
        recent_procedures=(procedure(ProcedureKind.WAXING, days_ago(1), Zone.CHIN),)
    )

    assert "recent-waxing-in-zone" not in finding_ids(make_consultation(history=history))


def test_a_condition_in_one_of_two_requested_zones_excludes_only_that_zone() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        conditions={Zone.CHIN: {ZoneCondition.ACTIVE_INFLAMMATORY_ACNE}},
    )

    finding = RULES["active-acne-in-zone"].evaluate(consultation, on=ON)

    assert finding is not None
    assert finding.zones == (Zone.CHIN,)


def test_a_keloid_in_one_zone_brings_the_keloid_tendency_to_the_zones_still_treated() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        history=make_history(keloid_history=False),
        conditions={Zone.CHEEKS: {ZoneCondition.KELOID_OR_HYPERTROPHIC_SCAR}},
    )

    found = finding_ids(consultation)

    assert "keloid-in-zone" in found
    assert "keloid-history" in found


# --- raised scars recorded in a scar assessment -----------------------------------------


def with_cheek_assessment(**recorded: Any) -> Consultation:
    return make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        scar_assessments=(make_assessment(Zone.CHEEKS, **recorded), make_assessment(Zone.CHIN)),
    )


@pytest.mark.parametrize(
    "recorded",
    [
        {"keloid_area_cm2": Decimal(6)},
        {"ecca_counts": {EccaItem.KELOID_OR_OLD_HYPERTROPHIC: 1}},
        {"ecca_counts": {EccaItem.HYPERTROPHIC_RECENT: 2}},
    ],
    ids=["gb-keloid-area", "ecca-keloid-or-old-hypertrophic", "ecca-hypertrophic-recent"],
)
def test_a_keloid_recorded_only_in_a_scar_assessment_excludes_that_zone_for_good(
    recorded: dict[str, Any],
) -> None:
    consultation = with_cheek_assessment(**recorded)

    screening = screen(consultation, RULESET, on=ON)

    (exclusion,) = screening.exclusions
    assert exclusion.zone is Zone.CHEEKS
    assert exclusion.rule_ids == ("keloid-in-zone",)
    assert exclusion.permanent
    assert screening.treatable_zones == (Zone.CHIN,)


def test_a_scar_assessment_without_raised_scars_excludes_nothing() -> None:
    consultation = with_cheek_assessment(
        keloid_area_cm2=Decimal(0),
        ecca_counts={EccaItem.U_SHAPED_ATROPHIC: 6, EccaItem.KELOID_OR_OLD_HYPERTROPHIC: 0},
    )

    assert "keloid-in-zone" not in finding_ids(consultation)
    assert screen(consultation, RULESET, on=ON).exclusions == ()


def test_a_keloid_found_on_examination_and_in_the_assessment_is_one_finding() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        conditions={Zone.CHIN: {ZoneCondition.KELOID_OR_HYPERTROPHIC_SCAR}},
        scar_assessments=(make_assessment(Zone.CHEEKS, keloid_area_cm2=Decimal(6)),),
    )

    finding = RULES["keloid-in-zone"].evaluate(consultation, on=ON)

    assert finding is not None
    assert finding.zones == (Zone.CHEEKS, Zone.CHIN)
    assert "chin" in finding.detail
    assert "scar assessment of: cheeks" in finding.detail


def test_a_keloid_recorded_in_an_assessment_also_shows_the_keloid_tendency() -> None:
    consultation = make_consultation(
        scar_assessments=(make_assessment(Zone.CHEEKS, keloid_area_cm2=Decimal(6)),),
    )

    found = finding_ids(consultation)

    assert {"keloid-in-zone", "keloid-history"} <= found


# --- zones that are never needled -------------------------------------------------------


def test_acne_scars_requested_on_the_scalp_exclude_it_permanently() -> None:
    consultation = make_consultation(zones=[Zone.SCALP, Zone.CHEEKS])

    screening = screen(consultation, RULESET, on=ON)

    (exclusion,) = screening.exclusions
    assert exclusion.zone is Zone.SCALP
    assert exclusion.rule_ids == ("zone-never-needled",)
    assert exclusion.permanent
    assert screening.treatable_zones == (Zone.CHEEKS,)


def test_acne_scars_requested_only_on_the_scalp_are_declined() -> None:
    screening = screen(make_consultation(zones=[Zone.SCALP]), RULESET, on=ON)

    assert screening.decision is Decision.DECLINE


def test_the_eyelids_are_refused_by_their_own_rule_only() -> None:
    found = finding_ids(make_consultation(zones=[Zone.EYELIDS]))

    assert "inside-orbital-rim" in found
    assert "zone-never-needled" not in found


def test_a_scalp_requested_only_for_hair_loss_is_refused_once_as_out_of_scope() -> None:
    found = finding_ids(requesting(Indication.HAIR_LOSS, Zone.SCALP))

    assert "hair-loss-out-of-scope" in found
    assert "zone-never-needled" not in found


@given(indications=st.sets(st.sampled_from(Indication), min_size=1))
def test_a_requested_scalp_is_always_excluded_for_good_whatever_it_is_asked_for(
    indications: set[Indication],
) -> None:
    consultation = make_consultation(
        requests=tuple(TreatmentRequest(i, (Zone.SCALP,)) for i in sorted(indications)),
        scar_assessments=(),
    )

    screening = screen(consultation, RULESET, on=ON)

    (exclusion,) = screening.exclusions
    assert exclusion.zone is Zone.SCALP
    assert exclusion.permanent


def test_every_zone_without_a_ceiling_is_refused_by_a_screening_rule() -> None:
    never_needled = {
        zone
        for zone, limit in planning.load_planning_tables().zones.items()
        if limit.max_depth_mm is None
    }
    rows = {row.id: row for row in rules.contraindications_table().rules}

    refused = {
        rule_id: set(rows[rule_id].params["zones"])  # type: ignore[call-overload]
        for rule_id in ("zone-never-needled", "inside-orbital-rim")
    }

    assert refused["inside-orbital-rim"] == {Zone.EYELIDS}
    assert refused["zone-never-needled"] | refused["inside-orbital-rim"] == never_needled
    assert not refused["zone-never-needled"] & refused["inside-orbital-rim"]


# --- reasons that must not claim more than the rule checks ------------------------------


def test_the_hair_loss_reason_states_a_scope_decision_not_a_lack_of_evidence() -> None:
    rule = RULES["hair-loss-out-of-scope"]

    assert "do not support" not in rule.reason
    assert "outside needlepoint's scope" in rule.reason
    assert "adjunct" in rule.reason
    assert {"seed-003-all-you-need", "fda-den160029-skinpen"} <= set(rule.provenance.sources)


def test_the_active_skin_cancer_reason_asks_a_physician_to_confirm_where_the_lesion_is() -> None:
    rule = RULES["active-skin-cancer-elsewhere"]

    assert "no lesion lies" not in rule.reason
    assert "physician must confirm" in rule.reason
    assert "outside the treatment area" in rule.reason
    assert "suspicious_lesion" in rule.provenance.note


def test_only_a_suspected_skin_cancer_holds_the_whole_programme() -> None:
    holding = {rule.id for rule in RULESET.rules if rule.holds_programme}

    assert holding == {"suspicious-lesion-in-zone"}
    assert "fda-den160029-skinpen" in RULES["suspicious-lesion-in-zone"].provenance.sources


def test_the_suspected_skin_cancer_action_refers_and_resumes_with_a_new_consultation() -> None:
    action = RULES["suspicious-lesion-in-zone"].action

    assert action.startswith("Refer for a diagnosis")
    assert "no zone is needled" in action
    assert "new consultation" in action


def test_a_scalp_requested_for_hair_loss_and_another_indication_is_refused_as_never_needled() -> (
    None
):
    consultation = make_consultation(
        requests=(
            TreatmentRequest(indication=Indication.HAIR_LOSS, zones=(Zone.SCALP,)),
            TreatmentRequest(indication=Indication.TEXTURE, zones=(Zone.SCALP, Zone.CHEEKS)),
        ),
        scar_assessments=(),
    )

    found = finding_ids(consultation)

    assert "hair-loss-out-of-scope" not in found
    assert "zone-never-needled" in found


def test_neck_in_a_cleared_skin_type_is_not_flagged() -> None:
    consultation = make_consultation(zones=[Zone.NECK], patient=make_patient(fitzpatrick=3))

    assert "neck-outside-cleared-skin-types" not in finding_ids(consultation)


def test_rf_cardiac_device_is_raised_only_for_radiofrequency_devices() -> None:
    consultation = make_consultation(device=Device.PEN, history=make_history(cardiac_device=True))

    assert "rf-cardiac-device" not in finding_ids(consultation)


def test_an_eighteen_year_old_is_off_label_but_not_a_minor() -> None:
    consultation = make_consultation(patient=make_patient(born_on=date(2008, 11, 2)))

    found = finding_ids(consultation)

    assert "under-22-off-label" in found
    assert "under-18" not in found


def test_a_twenty_two_year_old_is_within_the_cleared_age() -> None:
    consultation = make_consultation(patient=make_patient(born_on=date(2004, 11, 2)))

    assert not {"under-18", "under-22-off-label"} & finding_ids(consultation)


# --- boundaries of the waiting periods --------------------------------------------------


def test_isotretinoin_stopped_exactly_six_calendar_months_ago_is_only_a_caution() -> None:
    consultation = with_history(isotretinoin=isotretinoin_stopped(date(2026, 5, 2)))

    found = finding_ids(consultation)

    assert "isotretinoin-recent" not in found
    assert "isotretinoin-within-12-months" in found


def test_isotretinoin_stopped_a_day_under_six_months_ago_needs_clearance_until_that_day() -> None:
    consultation = with_history(isotretinoin=isotretinoin_stopped(date(2026, 5, 3)))

    finding = RULES["isotretinoin-recent"].evaluate(consultation, on=ON)

    assert finding is not None
    assert finding.severity is Severity.RELATIVE
    assert finding.clears_on == date(2026, 11, 3)
    assert finding.detail == "stopped 2026-05-03; 6 months ends 2026-11-03"
    assert "isotretinoin-within-12-months" not in finding_ids(consultation)


def test_isotretinoin_stopped_on_the_last_day_of_august_clears_on_the_last_day_of_february() -> (
    None
):
    consultation = make_consultation(
        consulted_on=date(2027, 2, 1),
        history=make_history(isotretinoin=isotretinoin_stopped(date(2026, 8, 31))),
    )
    rule = RULES["isotretinoin-recent"]

    finding = rule.evaluate(consultation, on=date(2027, 2, 27))

    assert finding is not None
    assert finding.clears_on == date(2027, 2, 28)
    assert rule.evaluate(consultation, on=date(2027, 2, 28)) is None


def test_isotretinoin_stopped_exactly_twelve_months_ago_raises_nothing() -> None:
    consultation = with_history(isotretinoin=isotretinoin_stopped(date(2025, 11, 2)))

    assert not {"isotretinoin-recent", "isotretinoin-within-12-months"} & finding_ids(consultation)


@pytest.mark.parametrize(
    ("rule_id", "kind", "days"),
    [
        ("recent-resurfacing-in-zone", ProcedureKind.ABLATIVE_LASER, 90),
        ("recent-resurfacing-in-zone", ProcedureKind.MEDIUM_OR_DEEP_PEEL, 90),
        ("recent-resurfacing-in-zone", ProcedureKind.DERMABRASION, 90),
        ("recent-superficial-peel-in-zone", ProcedureKind.SUPERFICIAL_PEEL, 28),
        ("recent-waxing-in-zone", ProcedureKind.WAXING, 7),
        ("recent-injectable-in-zone", ProcedureKind.FILLER, 14),
        ("recent-injectable-in-zone", ProcedureKind.NEUROTOXIN, 14),
        ("recent-microneedling-in-zone", ProcedureKind.MICRONEEDLING, 14),
    ],
)
def test_a_procedure_exactly_the_waiting_period_ago_is_clear_and_a_day_less_is_not(
    rule_id: str, kind: ProcedureKind, days: int
) -> None:
    rule = RULES[rule_id]

    at_boundary = rule.evaluate(with_procedure(kind, days), on=ON)
    a_day_short = rule.evaluate(with_procedure(kind, days - 1), on=ON)

    assert at_boundary is None
    assert a_day_short is not None
    assert a_day_short.clears_on == ON + timedelta(days=1)


def test_surgery_exactly_six_calendar_months_ago_is_clear() -> None:
    history = make_history(
        recent_procedures=(procedure(ProcedureKind.SURGERY, date(2026, 5, 2), Zone.CHEEKS),)
    )
    rule = RULES["recent-surgery-in-zone"]

    assert rule.evaluate(make_consultation(history=history), on=ON) is None
    assert rule.evaluate(make_consultation(history=history), on=ON - timedelta(days=1))


def test_a_zone_needled_within_the_shortest_protocol_interval_is_excluded_until_it_ends() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        history=make_history(
            recent_procedures=(procedure(ProcedureKind.MICRONEEDLING, days_ago(10), Zone.CHIN),)
        ),
    )

    screening = screen(consultation, RULESET, on=ON)

    (exclusion,) = screening.exclusions
    assert exclusion.zone is Zone.CHIN
    assert exclusion.rule_ids == ("recent-microneedling-in-zone",)
    assert exclusion.until == ON + timedelta(days=4)
    assert screening.treatable_zones == (Zone.CHEEKS,)


def test_the_microneedling_wait_is_the_shortest_interval_any_protocol_allows() -> None:
    row = next(
        r for r in rules.contraindications_table().rules if r.id == "recent-microneedling-in-zone"
    )
    shortest = min(p.interval.min_days for p in planning.load_planning_tables().protocols)

    assert row.params == {"kinds": ["microneedling"], "days": shortest}


def test_two_recent_procedures_clear_when_the_later_waiting_period_ends() -> None:
    history = make_history(
        recent_procedures=(
            procedure(ProcedureKind.WAXING, days_ago(1), Zone.CHEEKS),
            procedure(ProcedureKind.WAXING, days_ago(5), Zone.CHIN),
        )
    )
    consultation = make_consultation(zones=[Zone.CHEEKS, Zone.CHIN], history=history)

    finding = RULES["recent-waxing-in-zone"].evaluate(consultation, on=ON)

    assert finding is not None
    assert finding.zones == (Zone.CHEEKS, Zone.CHIN)
    assert finding.clears_on == ON + timedelta(days=6)


# --- calendar months --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 2), 6, date(2026, 11, 2)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 7, 15), 12, date(2027, 7, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_adding_calendar_months_keeps_the_day_or_clamps_it_to_the_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 1, 1)), months=st.integers(0, 240)
)
def test_adding_months_lands_in_the_right_month_on_the_same_or_an_earlier_day(
    day: date, months: int
) -> None:
    result = add_months(day, months)

    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result.day == day.day or (result + timedelta(days=1)).day == 1


# --- every zone rule stays within the requested zones (any consultation) ----------------

ZONE_RULES = [r for r in RULESET.rules if r.scope is Scope.ZONE]
PATIENT_RULES = [r for r in RULESET.rules if r.scope is Scope.PATIENT]


@given(consultation=consultations(scar_records_too=True), rule=st.sampled_from(ZONE_RULES))
def test_a_zone_rule_only_ever_names_requested_zones(
    consultation: Consultation, rule: Rule
) -> None:
    match = rule.predicate(consultation, consultation.consulted_on)

    if match is not None:
        assert match.zones
        assert match.zones <= set(consultation.requested_zones)


@given(consultation=consultations(scar_records_too=True), rule=st.sampled_from(PATIENT_RULES))
def test_a_patient_rule_never_names_zones(consultation: Consultation, rule: Rule) -> None:
    match = rule.predicate(consultation, consultation.consulted_on)

    assert match is None or not match.zones


@given(consultation=consultations(scar_records_too=True), rule=st.sampled_from(list(RULESET.rules)))
def test_a_dated_match_clears_after_the_screening_day(
    consultation: Consultation, rule: Rule
) -> None:
    on = consultation.consulted_on

    match = rule.predicate(consultation, on)

    if match is not None and match.clears_on is not None:
        assert match.clears_on > on
        assert rule.predicate(consultation, match.clears_on) is None


# --- a malformed table is refused by name -----------------------------------------------


def row(**overrides: Any) -> rules.RuleRow:
    values: dict[str, Any] = {
        "id": "test-rule",
        "severity": "relative",
        "scope": "patient",
        "course": "permanent",
        "reason": "A reason long enough to read.",
        "action": "Do something.",
        "predicate": "is_pregnant",
        "sources": ["alam-2014-rct"],
        "evidence": "SS",
    }
    values.update(overrides)
    return rules.RuleRow.model_validate(values)


def test_a_rule_naming_an_unknown_predicate_is_refused() -> None:
    with pytest.raises(KnowledgeError) as caught:
        rules.build_rule(row(predicate="is_a_unicorn"))

    assert caught.value.table == "contraindications"
    assert caught.value.row == "test-rule"
    assert "is_a_unicorn" in caught.value.detail


@pytest.mark.parametrize(
    ("predicate", "params"),
    [
        ("is_pregnant", {"days": 3}),
        ("recent_procedure_in_zone", {"kinds": ["waxing"]}),
        ("recent_procedure_in_zone", {"kinds": ["waxing"], "days": 7, "months": 1}),
        ("recent_procedure_in_zone", {"kinds": ["waxing"], "days": 0}),
        ("recent_procedure_in_zone", {"kinds": ["waxing"], "days": "7"}),
        ("recent_procedure_in_zone", {"kinds": ["tattoo"], "days": 7}),
        ("zone_has_condition", {"condition": "freckles"}),
        ("zones_requested", {"zones": []}),
        ("zones_requested", {"zones": ["scalp"], "unless_only_for": "baldness"}),
        ("fitzpatrick_in", {"types": [7]}),
        ("age_in_range", {"min_years": 22, "below_years": 18}),
        ("isotretinoin_stopped_between", {"from_months": 12, "to_months": 6}),
        ("isotretinoin_stopped_within", {}),
    ],
)
def test_params_that_do_not_fit_the_predicate_are_refused(
    predicate: str, params: dict[str, object]
) -> None:
    with pytest.raises(KnowledgeError) as caught:
        rules.build_rule(row(predicate=predicate, params=params))

    assert caught.value.row == "test-rule"
    assert predicate in caught.value.detail


@pytest.mark.parametrize(
    ("severity", "scope"),
    [("relative", "zone"), ("caution", "zone"), ("absolute", "patient")],
)
def test_only_an_absolute_zone_rule_may_hold_the_programme(severity: str, scope: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        rules.build_rule(row(severity=severity, scope=scope, holds_programme=True))

    assert caught.value.row == "test-rule"
    assert "holds_programme" in caught.value.detail


def test_an_absolute_zone_rule_that_holds_the_programme_builds() -> None:
    rule = rules.build_rule(
        row(
            severity="absolute",
            scope="zone",
            holds_programme=True,
            predicate="zone_has_condition",
            params={"condition": "suspicious_lesion"},
        )
    )

    assert rule.holds_programme


def test_a_rule_row_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        row(expression="age < 18")


def test_two_rules_with_the_same_id_are_refused() -> None:
    table = rules.ContraindicationsFile(
        schema_version=1, table_version="test", rules=(row(), row())
    )

    with pytest.raises(KnowledgeError, match="id 'test-rule' is used by more than one row"):
        rules.build_ruleset(table)
