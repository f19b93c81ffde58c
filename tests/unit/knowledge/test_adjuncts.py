"""The adjunct suggestions: wording, triggers and what each scar picture brings up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from builders import make_assessment, make_consultation, make_patient
from needlepoint.domain.adjuncts import Adjunct, AdjunctContext, suggest
from needlepoint.domain.consultation import Consultation, TreatmentRequest
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.scales.grading import grade_assessments
from needlepoint.domain.scales.inputs import (
    GbQualitativeCriteria,
    ScarDepth,
    ScarEdges,
    ScarMorphology,
)
from needlepoint.domain.vocabulary import Indication, Zone
from needlepoint.knowledge import adjuncts as adjunct_tables
from needlepoint.knowledge import conditions
from needlepoint.knowledge.adjuncts import AdjunctsFile
from needlepoint.knowledge.scales import load_scale_tables

ICEPICK = ScarMorphology(Decimal("1.0"), ScarEdges.VERTICAL, True, ScarDepth.DEEP, count=10)
ROLLING = ScarMorphology(Decimal("5.0"), ScarEdges.SLOPING, False, ScarDepth.SHALLOW, count=2)
DEEP_BOXCAR = ScarMorphology(Decimal("3.0"), ScarEdges.VERTICAL, False, ScarDepth.DEEP, count=3)
SHALLOW_BOXCAR = ScarMorphology(
    Decimal("3.0"), ScarEdges.VERTICAL, False, ScarDepth.SHALLOW, count=3
)
FLAT = GbQualitativeCriteria(
    contour_change=False,
    visible_at_social_distance=True,
    easily_concealed=True,
    flattens_on_stretch=True,
)
SEVERE = GbQualitativeCriteria(
    contour_change=True,
    visible_at_social_distance=True,
    easily_concealed=False,
    flattens_on_stretch=False,
)


@pytest.fixture(scope="module")
def adjuncts() -> tuple[Adjunct, ...]:
    rows, _version = adjunct_tables.load_adjuncts()
    return rows


@pytest.fixture(scope="module")
def parsed() -> AdjunctsFile:
    return adjunct_tables.load_adjuncts_file()


def _suggested(adjuncts: tuple[Adjunct, ...], consultation: Consultation) -> set[str]:
    grading = grade_assessments(consultation.scar_assessments, load_scale_tables())
    context = AdjunctContext(consultation=consultation, grading=grading)
    return {adjunct.id for adjunct in suggest(adjuncts, context)}


def _cheeks_with(*groups: ScarMorphology, **assessment: object) -> Consultation:
    return make_consultation(
        scar_assessments=(make_assessment(Zone.CHEEKS, morphology=groups, **assessment),)
    )


# ---------------------------------------------------------------- the table


def test_adjuncts_load_with_their_version(adjuncts: tuple[Adjunct, ...]) -> None:
    _rows, version = adjunct_tables.load_adjuncts()

    assert version == "2026-11-22"
    assert len(adjunct_tables.cited_rows()) == len(adjuncts)


def test_every_suggestion_is_worded_as_a_suggestion(adjuncts: tuple[Adjunct, ...]) -> None:
    for adjunct in adjuncts:
        assert adjunct.suggestion.startswith("Consider "), adjunct.id


def test_every_trigger_is_registered_and_every_registered_trigger_is_used(
    adjuncts: tuple[Adjunct, ...],
) -> None:
    assert {a.trigger_name for a in adjuncts} == set(conditions.ADJUNCT_TRIGGERS)


def test_the_jacob_algorithm_backs_the_scar_type_suggestions(
    adjuncts: tuple[Adjunct, ...],
) -> None:
    by_trigger = {a.trigger_name: a for a in adjuncts}

    for trigger in ("icepick-dominant", "rolling-present", "deep-boxcar-present"):
        assert "jacob-2001-classification" in by_trigger[trigger].provenance.sources
    assert "fabbrocini-2009-rolling" in by_trigger["rolling-present"].provenance.sources
    assert "lima-2017-melasma" in by_trigger["melasma-requested"].provenance.sources
    assert "kang-lu-2022-prp" in by_trigger["acne-scars-requested"].provenance.sources


def test_prp_is_flagged_as_off_label_delivery(adjuncts: tuple[Adjunct, ...]) -> None:
    prp = next(a for a in adjuncts if a.id == "acne-scars-prp")

    assert "off-label" in prp.reason


# ---------------------------------------------------------------- what each picture suggests


def test_shallow_boxcar_scars_bring_up_only_prp(adjuncts: tuple[Adjunct, ...]) -> None:
    assert _suggested(adjuncts, _cheeks_with(SHALLOW_BOXCAR)) == {"acne-scars-prp"}


def test_icepick_dominant_scarring_suggests_tca_cross_or_punch(
    adjuncts: tuple[Adjunct, ...],
) -> None:
    suggested = _suggested(adjuncts, _cheeks_with(ICEPICK, SHALLOW_BOXCAR))

    assert "icepick-tca-cross-or-punch" in suggested


def test_a_few_icepick_scars_among_more_boxcars_do_not(adjuncts: tuple[Adjunct, ...]) -> None:
    few = ScarMorphology(Decimal("1.0"), ScarEdges.VERTICAL, True, ScarDepth.DEEP, count=1)

    assert "icepick-tca-cross-or-punch" not in _suggested(
        adjuncts, _cheeks_with(few, SHALLOW_BOXCAR)
    )


def test_any_rolling_scar_suggests_subcision(adjuncts: tuple[Adjunct, ...]) -> None:
    assert "rolling-subcision" in _suggested(adjuncts, _cheeks_with(ROLLING, SHALLOW_BOXCAR))


def test_deep_boxcar_scars_suggest_punch_elevation(adjuncts: tuple[Adjunct, ...]) -> None:
    assert "deep-boxcar-punch" in _suggested(adjuncts, _cheeks_with(DEEP_BOXCAR))


def test_a_severe_grade_suggests_combination_therapy(adjuncts: tuple[Adjunct, ...]) -> None:
    assert "severe-combination" in _suggested(adjuncts, _cheeks_with(qualitative=SEVERE))


def test_a_moderate_grade_does_not(adjuncts: tuple[Adjunct, ...]) -> None:
    assert "severe-combination" not in _suggested(adjuncts, _cheeks_with())


def test_a_macular_zone_suggests_vascular_or_pigment_treatment(
    adjuncts: tuple[Adjunct, ...],
) -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        scar_assessments=(
            make_assessment(Zone.CHEEKS),
            make_assessment(Zone.CHIN, qualitative=FLAT),
        ),
    )

    assert "macular-vascular-or-pigment" in _suggested(adjuncts, consultation)


def test_melasma_suggests_topical_therapy_and_sunscreen(adjuncts: tuple[Adjunct, ...]) -> None:
    consultation = make_consultation(
        patient=make_patient(fitzpatrick=4),
        requests=(TreatmentRequest(Indication.MELASMA, (Zone.CHEEKS,)),),
        scar_assessments=(),
    )

    assert _suggested(adjuncts, consultation) == {"melasma-topical-and-sunscreen"}


# ---------------------------------------------------------------- semantic checks


def test_an_unknown_trigger_is_refused_naming_its_row(parsed: AdjunctsFile) -> None:
    first = parsed.adjuncts[0].model_copy(update={"trigger": "full-moon"})
    broken = parsed.model_copy(update={"adjuncts": (first, *parsed.adjuncts[1:])})

    with pytest.raises(KnowledgeError) as error:
        adjunct_tables.build_adjuncts(broken)

    assert (error.value.table, error.value.row) == ("adjuncts", first.id)
    assert "unknown trigger" in error.value.detail


def test_a_repeated_adjunct_id_is_refused(parsed: AdjunctsFile) -> None:
    broken = parsed.model_copy(update={"adjuncts": (*parsed.adjuncts, parsed.adjuncts[0])})

    with pytest.raises(KnowledgeError, match="more than one row"):
        adjunct_tables.build_adjuncts(broken)
