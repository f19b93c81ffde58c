"""The care templates: windows, seed numbers, personalised items and anchoring."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import make_care_context, make_consultation, make_history, make_patient
from needlepoint.domain.care import CareContext, CarePhase, CareTemplate, build_timeline
from needlepoint.domain.consultation import Consultation, Isotretinoin, TreatmentRequest
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.vocabulary import (
    Device,
    Indication,
    IsotretinoinStatus,
    TopicalActive,
    Zone,
    ZoneCondition,
)
from needlepoint.knowledge import care as care_tables
from needlepoint.knowledge import conditions
from needlepoint.knowledge.care import CareFile
from strategies import consultations

LONDON = ZoneInfo("Europe/London")
APPOINTMENT = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
WEEK_HOURS = 7 * 24
SEED_IDS = {
    "seed-000-acne-scars",
    "seed-002-science",
    "seed-003-all-you-need",
    "seed-004-aftercare",
}


@pytest.fixture(scope="module")
def templates() -> tuple[CareTemplate, ...]:
    return care_tables.load_care_templates()


@pytest.fixture(scope="module")
def parsed() -> CareFile:
    return care_tables.load_care_file()


def _by_id(templates: tuple[CareTemplate, ...], template_id: str) -> CareTemplate:
    return next(t for t in templates if t.id == template_id)


def _applying(templates: tuple[CareTemplate, ...], context: CareContext) -> set[str]:
    return {t.id for t in templates if t.condition(context)}


def _context(**consultation_overrides: object) -> CareContext:
    return make_care_context(make_consultation(**consultation_overrides))


# ---------------------------------------------------------------- loading and windows


def test_care_templates_load_with_their_version(templates: tuple[CareTemplate, ...]) -> None:
    assert templates
    assert care_tables.care_version() == "2026-11-23"
    assert len(care_tables.cited_rows()) == len(templates)


def test_every_window_starts_no_later_than_it_ends(templates: tuple[CareTemplate, ...]) -> None:
    for template in templates:
        assert template.start_offset_hours <= template.end_offset_hours, template.id


def test_pre_items_start_before_the_appointment(templates: tuple[CareTemplate, ...]) -> None:
    for template in templates:
        if template.phase is CarePhase.PRE:
            assert template.start_offset_hours < 0, template.id


def test_post_items_start_at_or_after_the_appointment(templates: tuple[CareTemplate, ...]) -> None:
    for template in templates:
        if template.phase is CarePhase.POST:
            assert template.start_offset_hours >= 0, template.id


def test_only_the_antiviral_course_runs_across_the_appointment(
    templates: tuple[CareTemplate, ...],
) -> None:
    spanning = {t.topic for t in templates if t.start_offset_hours < 0 < t.end_offset_hours}

    assert spanning == {"antiviral"}


def test_every_topic_code_is_snake_case(templates: tuple[CareTemplate, ...]) -> None:
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", t.topic) for t in templates)


def test_the_brief_topics_are_all_covered(templates: tuple[CareTemplate, ...]) -> None:
    wanted = {
        "sun", "spf", "retinoids", "exfoliants", "antiviral", "numbing", "clean_skin",
        "makeup", "exercise", "swimming", "heat", "picking", "products_day0", "vitamin_c",
        "waxing", "alcohol", "pillowcase", "self_tanner", "injectables", "pigment_priming",
        "photoprotection", "hygiene",
    }  # fmt: skip

    assert wanted <= {t.topic for t in templates}


# ---------------------------------------------------------------- the seed numbers


def test_no_sun_for_at_least_a_week_before(templates: tuple[CareTemplate, ...]) -> None:
    sun = _by_id(templates, "pre-sun")

    assert sun.start_offset_hours <= -WEEK_HOURS
    assert "seed-000-acne-scars" in sun.provenance.sources


def test_no_sun_for_at_least_a_week_after(templates: tuple[CareTemplate, ...]) -> None:
    sun = _by_id(templates, "post-sun")

    assert sun.end_offset_hours - sun.start_offset_hours >= WEEK_HOURS
    assert "seed-004-aftercare" in sun.provenance.sources
    assert "72 h" in sun.provenance.note


def test_sunscreen_is_spf_30_or_higher(templates: tuple[CareTemplate, ...]) -> None:
    spf = _by_id(templates, "post-spf")

    assert "SPF 30 or higher" in spf.instruction
    assert spf.condition(_context())


def test_no_strenuous_exercise_for_24_to_48_hours(templates: tuple[CareTemplate, ...]) -> None:
    exercise = _by_id(templates, "post-exercise")

    assert exercise.start_offset_hours == 0
    assert 24 <= exercise.end_offset_hours <= 48
    assert "72 h" in exercise.provenance.note


@pytest.mark.parametrize("template_id", ["post-retinoids", "post-exfoliants"])
def test_no_retinoids_or_exfoliants_for_a_week_after(
    templates: tuple[CareTemplate, ...], template_id: str
) -> None:
    template = _by_id(templates, template_id)

    assert template.end_offset_hours >= WEEK_HOURS
    assert template.condition(_context())


def test_no_picking_after_treatment(templates: tuple[CareTemplate, ...]) -> None:
    picking = _by_id(templates, "post-picking")

    assert "pick" in picking.instruction
    assert picking.condition(_context())


@pytest.mark.parametrize("template_id", ["pre-clean-skin", "pre-makeup"])
def test_arrive_with_clean_skin_and_no_makeup(
    templates: tuple[CareTemplate, ...], template_id: str
) -> None:
    template = _by_id(templates, template_id)

    assert "seed-000-acne-scars" in template.provenance.sources
    assert template.condition(_context())


def test_numbing_goes_on_thirty_to_sixty_minutes_before(
    templates: tuple[CareTemplate, ...],
) -> None:
    numbing = _by_id(templates, "pre-numbing")

    assert -1 <= numbing.start_offset_hours < 0
    assert "30 to 60 minutes" in numbing.instruction
    assert {"seed-002-science", "seed-003-all-you-need"} <= set(numbing.provenance.sources)


def test_seed_rows_that_also_cite_other_sources_explain_the_differences(
    templates: tuple[CareTemplate, ...],
) -> None:
    for template in templates:
        sources = set(template.provenance.sources)
        if sources & SEED_IDS and sources - SEED_IDS:
            assert template.provenance.note, template.id


# ---------------------------------------------------------------- personalised items


def test_a_retinoid_user_is_told_the_day_to_stop(templates: tuple[CareTemplate, ...]) -> None:
    context = _context(history=make_history(topical_actives=frozenset({TopicalActive.RETINOID})))

    items = build_timeline(templates, context, appointment_at=APPOINTMENT)

    (stop,) = [i for i in items if i.id == "pre-retinoids"]
    assert stop.starts_at == APPOINTMENT - timedelta(days=5)
    assert "Wednesday 2 December 2026" in stop.instruction


def test_a_patient_without_retinoids_gets_no_retinoid_stop(
    templates: tuple[CareTemplate, ...],
) -> None:
    assert "pre-retinoids" not in _applying(templates, _context())


def test_an_acid_user_stops_exfoliants_but_not_retinoids(
    templates: tuple[CareTemplate, ...],
) -> None:
    context = _context(history=make_history(topical_actives=frozenset({TopicalActive.AHA})))

    applying = _applying(templates, context)

    assert "pre-exfoliants" in applying
    assert "pre-retinoids" not in applying


def test_a_cold_sore_history_adds_an_antiviral_as_prescribed(
    templates: tuple[CareTemplate, ...],
) -> None:
    context = _context(history=make_history(cold_sores=True))

    items = build_timeline(templates, context, appointment_at=APPOINTMENT)

    (antiviral,) = [i for i in items if i.topic == "antiviral"]
    assert "as prescribed" in antiviral.instruction
    assert antiviral.starts_at == APPOINTMENT - timedelta(days=1)
    assert antiviral.ends_at == APPOINTMENT + timedelta(days=2)


def test_rf_needling_keeps_the_antiviral_going_longer(
    templates: tuple[CareTemplate, ...],
) -> None:
    context = _context(history=make_history(cold_sores=True), device=Device.RF)

    applying = _applying(templates, context)

    assert applying & {"pre-antiviral", "pre-antiviral-rf"} == {"pre-antiviral-rf"}
    rf, mechanical = _by_id(templates, "pre-antiviral-rf"), _by_id(templates, "pre-antiviral")
    assert rf.end_offset_hours > mechanical.end_offset_hours
    assert rf.provenance.is_unverified


def test_treating_the_lips_adds_the_antiviral_even_without_a_history(
    templates: tuple[CareTemplate, ...],
) -> None:
    assert "pre-antiviral" in _applying(templates, _context(zones=[Zone.PERIORAL]))


FACE_ONLY_ITEMS = {
    "pre-peels",
    "pre-injectables",
    "pre-pillowcase",
    "pre-makeup",
    "post-makeup",
    "post-pillowcase",
    "post-injectables",
}
EVERY_PROGRAMME_ITEMS = {
    "pre-sun",
    "pre-waxing",
    "pre-clean-skin",
    "pre-numbing",
    "post-products-day0",
    "post-hygiene",
    "post-exercise",
    "post-sun",
    "post-spf",
    "post-picking",
    "post-retinoids",
    "post-exfoliants",
    "post-vitamin-c",
}


def _stretch_marks_on_the_body(**consultation_overrides: object) -> CareContext:
    return _context(
        requests=(TreatmentRequest(Indication.STRETCH_MARKS, (Zone.ABDOMEN, Zone.THIGHS)),),
        scar_assessments=(),
        **consultation_overrides,
    )


def test_a_body_only_programme_gets_no_facial_items(templates: tuple[CareTemplate, ...]) -> None:
    applying = _applying(templates, _stretch_marks_on_the_body())

    assert not applying & FACE_ONLY_ITEMS
    assert applying >= EVERY_PROGRAMME_ITEMS


def test_a_body_only_programme_gets_no_cold_sore_antiviral_even_with_a_history(
    templates: tuple[CareTemplate, ...],
) -> None:
    applying = _applying(
        templates, _stretch_marks_on_the_body(history=make_history(cold_sores=True))
    )

    assert not {t for t in applying if t.startswith("pre-antiviral")}


def test_a_facial_programme_gets_the_facial_items(templates: tuple[CareTemplate, ...]) -> None:
    applying = _applying(templates, _context(zones=[Zone.CHEEKS, Zone.CHIN]))

    assert applying >= FACE_ONLY_ITEMS | EVERY_PROGRAMME_ITEMS


def test_face_and_body_together_get_the_facial_items(templates: tuple[CareTemplate, ...]) -> None:
    context = _context(
        requests=(
            TreatmentRequest(Indication.STRETCH_MARKS, (Zone.ABDOMEN,)),
            TreatmentRequest(Indication.FINE_LINES, (Zone.FOREHEAD,)),
        ),
        scar_assessments=(),
    )

    assert _applying(templates, context) >= FACE_ONLY_ITEMS


def test_a_requested_face_that_is_not_treated_gets_no_facial_items(
    templates: tuple[CareTemplate, ...],
) -> None:
    context = make_care_context(
        make_consultation(zones=[Zone.CHEEKS, Zone.NECK]), treated_zones=frozenset({Zone.NECK})
    )

    assert not _applying(templates, context) & FACE_ONLY_ITEMS


def test_every_face_only_item_names_the_face_condition(
    templates: tuple[CareTemplate, ...],
) -> None:
    assert {t.id for t in templates if t.condition_name == "face-treated"} == FACE_ONLY_ITEMS


def test_no_antiviral_without_a_history_or_lip_treatment(
    templates: tuple[CareTemplate, ...],
) -> None:
    applying = _applying(templates, _context(zones=[Zone.CHEEKS, Zone.CHIN]))

    assert not {t for t in applying if t.startswith("pre-antiviral")}


def test_fitzpatrick_v_adds_strict_photoprotection_before_and_after(
    templates: tuple[CareTemplate, ...],
) -> None:
    applying = _applying(templates, _context(patient=make_patient(fitzpatrick=5)))

    assert {"pre-photoprotection", "post-photoprotection"} <= applying
    assert "dark patches" in _by_id(templates, "post-photoprotection").instruction


def test_fitzpatrick_iii_gets_the_ordinary_sun_advice_only(
    templates: tuple[CareTemplate, ...],
) -> None:
    applying = _applying(templates, _context(patient=make_patient(fitzpatrick=3)))

    assert not applying & {"pre-photoprotection", "post-photoprotection", "pre-pigment-priming"}
    assert {"pre-sun", "post-sun", "post-spf"} <= applying


@pytest.mark.parametrize(
    "consultation",
    [
        make_consultation(
            patient=make_patient(fitzpatrick=5),
            history=make_history(pigmentation_after_procedures=True),
        ),
        make_consultation(
            patient=make_patient(fitzpatrick=4),
            requests=(TreatmentRequest(Indication.MELASMA, (Zone.CHEEKS,)),),
            scar_assessments=(),
        ),
        make_consultation(
            patient=make_patient(fitzpatrick=6), conditions={Zone.CHEEKS: {ZoneCondition.MELASMA}}
        ),
    ],
    ids=["pih-history", "melasma-requested", "melasma-found"],
)
def test_dark_skin_with_a_pigment_history_is_primed_from_four_weeks_to_one_week_before(
    templates: tuple[CareTemplate, ...], consultation: Consultation
) -> None:
    priming = _by_id(templates, "pre-pigment-priming")

    assert priming.condition(make_care_context(consultation))
    assert (priming.start_offset_hours, priming.end_offset_hours) == (-4 * WEEK_HOURS, -WEEK_HOURS)


@pytest.mark.parametrize(
    ("fitzpatrick", "pih"), [(5, False), (2, True)], ids=["dark-no-history", "light-with-history"]
)
def test_no_pigment_priming_without_both_dark_skin_and_a_pigment_history(
    templates: tuple[CareTemplate, ...], fitzpatrick: int, pih: bool
) -> None:
    context = _context(
        patient=make_patient(fitzpatrick=fitzpatrick),
        history=make_history(pigmentation_after_procedures=pih),
    )

    assert "pre-pigment-priming" not in _applying(templates, context)


def test_an_isotretinoin_history_adds_a_reminder(templates: tuple[CareTemplate, ...]) -> None:
    stopped = Isotretinoin(
        status=IsotretinoinStatus.STOPPED,
        stopped_on=make_consultation().consulted_on - timedelta(days=400),
    )

    assert "pre-isotretinoin" in _applying(
        templates, _context(history=make_history(isotretinoin=stopped))
    )
    assert "pre-isotretinoin" not in _applying(templates, _context())


def test_a_deep_treatment_allows_a_week_to_settle(templates: tuple[CareTemplate, ...]) -> None:
    deep = make_care_context(deepest_mm=Decimal("1.5"))
    shallow = make_care_context(deepest_mm=Decimal("1.25"))

    assert _applying(templates, deep) & {"post-deep-settling", "post-expected-redness"} == {
        "post-deep-settling"
    }
    assert _applying(templates, shallow) & {"post-deep-settling", "post-expected-redness"} == {
        "post-expected-redness"
    }
    assert _by_id(templates, "post-deep-settling").end_offset_hours == WEEK_HOURS


def test_vitamin_c_waits_until_day_seven(templates: tuple[CareTemplate, ...]) -> None:
    vitamin_c = _by_id(templates, "post-vitamin-c")

    assert vitamin_c.end_offset_hours == WEEK_HOURS
    assert vitamin_c.condition(_context())
    assert "friedmann-2024-granulomas" in vitamin_c.provenance.sources


def test_every_registered_care_condition_is_used(templates: tuple[CareTemplate, ...]) -> None:
    assert {t.condition_name for t in templates} == conditions.care_condition_names()


# ---------------------------------------------------------------- anchoring (property)


appointments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(LONDON)
)
care_contexts = st.builds(
    CareContext,
    consultation=consultations(),
    device=st.sampled_from(Device),
    treated_zones=st.frozensets(st.sampled_from(Zone), max_size=4),
    deepest_mm=st.sampled_from([Decimal(n) / 4 for n in range(1, 9)]),
)


@given(appointment=appointments, context=care_contexts)
def test_every_item_is_anchored_to_the_appointment_in_wall_clock_time(
    templates: tuple[CareTemplate, ...], appointment: datetime, context: CareContext
) -> None:
    items = build_timeline(templates, context, appointment_at=appointment)

    by_id = {t.id: t for t in templates}
    local = appointment.replace(tzinfo=None)
    for item in items:
        template = by_id[item.id]
        assert item.starts_at.tzinfo is LONDON
        assert item.starts_at.replace(tzinfo=None) - local == timedelta(
            hours=template.start_offset_hours
        )
        assert item.ends_at.replace(tzinfo=None) - local == timedelta(
            hours=template.end_offset_hours
        )


@given(appointment=appointments, context=care_contexts)
def test_the_timeline_is_ordered_and_holds_each_applying_template_once(
    templates: tuple[CareTemplate, ...], appointment: datetime, context: CareContext
) -> None:
    items = build_timeline(templates, context, appointment_at=appointment)

    keys = [(i.starts_at, i.ends_at, i.id) for i in items]
    assert keys == sorted(keys)
    assert [i.id for i in items if "{" in i.instruction] == []
    assert sorted(i.id for i in items) == sorted(_applying(templates, context))


# ---------------------------------------------------------------- semantic checks


def _with_row(parsed: CareFile, template_id: str, **update: object) -> CareFile:
    rows = tuple(
        row.model_copy(update=update) if row.id == template_id else row for row in parsed.templates
    )
    return parsed.model_copy(update={"templates": rows})


@pytest.mark.parametrize(
    ("template_id", "update", "detail"),
    [
        ("post-sun", {"start_offset_hours": 200}, "after end_offset_hours"),
        ("pre-sun", {"start_offset_hours": 0}, "must start before"),
        ("post-sun", {"start_offset_hours": -1}, "must not start before"),
        ("post-sun", {"instruction": "Stay out of the sun until {until}."}, "placeholder"),
        ("post-sun", {"instruction": "Stay out of the sun until {ends_on."}, "braces"),
        ("post-sun", {"condition": "sometimes"}, "unknown condition"),
        ("post-sun", {"params": {"min_type": 4}}, "takes no params"),
        ("pre-photoprotection", {"params": {"min_type": 7}}, "Fitzpatrick"),
        ("pre-retinoids", {"params": {"actives": ["toothpaste"]}}, "actives"),
        ("post-deep-settling", {"params": {}}, "depth_mm"),
    ],
)
def test_a_malformed_template_is_refused_naming_its_row(
    parsed: CareFile, template_id: str, update: dict[str, object], detail: str
) -> None:
    with pytest.raises(KnowledgeError) as error:
        care_tables.build_care_templates(_with_row(parsed, template_id, **update))

    assert (error.value.table, error.value.row) == ("care", template_id)
    assert detail in error.value.detail


def test_a_repeated_template_id_is_refused(parsed: CareFile) -> None:
    again = parsed.templates[0]
    broken = parsed.model_copy(update={"templates": (*parsed.templates, again)})

    with pytest.raises(KnowledgeError, match="more than one row"):
        care_tables.build_care_templates(broken)
