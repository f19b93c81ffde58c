"""The expectation tables: studies, timing per indication and the acne-scar model."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.evidence import EvidenceLevel
from needlepoint.domain.expectations import ExpectationTables, acne_improvement
from needlepoint.domain.programme import OUT_OF_SCOPE
from needlepoint.domain.vocabulary import Indication
from needlepoint.knowledge import expectations as expectation_tables
from needlepoint.knowledge.expectations import ExpectationsFile

IN_SCOPE = set(Indication) - OUT_OF_SCOPE


@pytest.fixture(scope="module")
def tables() -> ExpectationTables:
    return expectation_tables.load_expectation_tables()


@pytest.fixture(scope="module")
def parsed() -> ExpectationsFile:
    return expectation_tables.load_expectations_file()


def test_expectation_tables_load_with_their_version(tables: ExpectationTables) -> None:
    assert tables.version == "2026-11-22"
    assert tables.studies


def test_cited_rows_cover_studies_timings_and_the_model(parsed: ExpectationsFile) -> None:
    ids = [row_id for _, row_id, _ in expectation_tables.cited_rows()]

    assert len(ids) == len(parsed.studies) + len(parsed.timings) + 1
    assert "acne-response-model" in ids


# ---------------------------------------------------------------- studies


def test_every_study_is_for_an_in_scope_indication(tables: ExpectationTables) -> None:
    assert all(study.indication in IN_SCOPE for study in tables.studies)


def test_acne_scars_have_the_most_evidence(tables: ExpectationTables) -> None:
    acne = [s for s in tables.studies if s.indication is Indication.ACNE_SCARS]

    assert len(acne) > len(tables.studies) / 2


def test_study_numbers_match_the_reference(tables: ExpectationTables) -> None:
    by_id = {study.id: study for study in tables.studies}

    assert "44.6%" in by_id["study-dogra-2014"].summary
    assert by_id["study-dogra-2014"].sessions == 5
    assert "68%" in by_id["study-leheta-2011"].summary
    assert "3.4 points" in by_id["study-alam-2014"].summary
    assert "70%" in by_id["study-lima-2017"].summary


def test_rf_studies_say_they_are_not_mechanical_needling(tables: ExpectationTables) -> None:
    for study in tables.studies:
        if "chandrashekar-2014-rf" in study.provenance.sources:
            assert "not mechanical" in study.summary


# ---------------------------------------------------------------- timing


def test_every_in_scope_indication_has_a_timing(tables: ExpectationTables) -> None:
    assert set(tables.timings) == IN_SCOPE


def test_every_caveat_says_it_is_not_a_promise(tables: ExpectationTables) -> None:
    for timing in tables.timings.values():
        assert "not a promise" in timing.caveat, timing.indication


def test_acne_scar_timing_follows_the_trial(tables: ExpectationTables) -> None:
    acne = tables.timings[Indication.ACNE_SCARS]

    assert "within 4 weeks of the first session" in acne.results_show
    assert "3 months after the last session" in acne.judge_after
    assert "6" in acne.judge_after
    assert "12 months" in acne.remodelling
    assert "alam-2014-rct" in acne.provenance.sources


# ---------------------------------------------------------------- the acne-scar model


def test_the_model_is_an_unverified_inferred_prior(tables: ExpectationTables) -> None:
    model = tables.acne_model

    assert (model.e_max, model.k_per_session) == (Decimal("0.60"), Decimal("0.35"))
    assert model.spread_pp == Decimal(20)
    assert 0 < model.severe_shift_pp < model.spread_pp
    assert model.provenance.evidence is EvidenceLevel.INFERRED
    assert model.provenance.unverified


@pytest.mark.parametrize(("sessions", "percent"), [(3, 39), (4, 45), (5, 50), (6, 53)])
def test_the_model_gives_the_reference_improvement(
    tables: ExpectationTables, sessions: int, percent: int
) -> None:
    assert round(tables.acne_model.mean_reduction_pct(sessions)) == percent


@given(sessions=st.integers(min_value=1, max_value=30))
def test_more_sessions_never_mean_less_and_never_reach_the_ceiling(
    tables: ExpectationTables, sessions: int
) -> None:
    model = tables.acne_model

    now, then = model.mean_reduction_pct(sessions), model.mean_reduction_pct(sessions + 1)

    assert now <= then <= model.e_max * 100


@given(sessions=st.integers(min_value=1, max_value=12), shift=st.booleans())
def test_the_improvement_range_is_ordered_and_bounded(
    tables: ExpectationTables, sessions: int, shift: bool
) -> None:
    shown = acne_improvement(tables.acne_model, sessions, shift_down=shift)
    plain = acne_improvement(tables.acne_model, sessions, shift_down=False)

    assert Decimal(0) <= shown.low_pct <= shown.mean_pct <= shown.high_pct <= Decimal(100)
    assert shown.mean_pct <= plain.mean_pct
    assert shown.provenance.is_unverified


# ---------------------------------------------------------------- semantic checks


def test_a_missing_timing_is_refused(parsed: ExpectationsFile) -> None:
    timings = tuple(t for t in parsed.timings if t.indication is not Indication.MELASMA)

    with pytest.raises(KnowledgeError, match="melasma"):
        expectation_tables.build_expectation_tables(parsed.model_copy(update={"timings": timings}))


def test_a_timing_for_an_out_of_scope_indication_is_refused(parsed: ExpectationsFile) -> None:
    extra = parsed.timings[0].model_copy(
        update={"id": "timing-hair-loss", "indication": Indication.HAIR_LOSS}
    )
    broken = parsed.model_copy(update={"timings": (*parsed.timings, extra)})

    with pytest.raises(KnowledgeError) as error:
        expectation_tables.build_expectation_tables(broken)

    assert error.value.row == "timing-hair-loss"


def test_two_timings_for_one_indication_are_refused(parsed: ExpectationsFile) -> None:
    again = parsed.timings[0].model_copy(update={"id": "timing-again"})
    broken = parsed.model_copy(update={"timings": (*parsed.timings, again)})

    with pytest.raises(KnowledgeError, match="indication"):
        expectation_tables.build_expectation_tables(broken)


def test_a_repeated_id_is_refused(parsed: ExpectationsFile) -> None:
    again = parsed.studies[0]
    broken = parsed.model_copy(update={"studies": (*parsed.studies, again)})

    with pytest.raises(KnowledgeError, match="more than one row"):
        expectation_tables.build_expectation_tables(broken)


def test_a_ceiling_above_one_hundred_percent_does_not_fit_the_schema(
    parsed: ExpectationsFile,
) -> None:
    raw = parsed.model_dump(mode="json")
    raw["acne_model"]["e_max"] = 1.2

    with pytest.raises(ValidationError):
        ExpectationsFile.model_validate(raw)
