"""The red-flag table: signs after a session that mean 'call us' or 'call an ambulance'."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from needlepoint.domain.care import RedFlag
from needlepoint.knowledge import files, rules, schema

RED_FLAGS = {flag.id: flag for flag in rules.load_red_flags()}
KNOWN_SOURCES = {s.id for s in files.parse_table("sources", schema.SourcesFile).sources}


def test_every_sign_of_the_reference_list_has_a_red_flag() -> None:
    assert set(RED_FLAGS) == {
        "skin-infection",
        "cold-sore-outbreak",
        "lasting-redness-or-swelling",
        "allergic-reaction",
        "anaesthetic-toxicity",
        "darkening-patches",
        "track-marks",
        "late-bumps-or-lumps",
        "raised-scar",
    }


def test_anaesthetic_toxicity_and_severe_allergy_are_emergencies() -> None:
    emergencies = {flag.id for flag in RED_FLAGS.values() if flag.urgency == "emergency"}

    assert emergencies == {"anaesthetic-toxicity", "allergic-reaction"}


def test_every_other_red_flag_asks_the_patient_to_call_the_clinic() -> None:
    others = [
        f for f in RED_FLAGS.values() if f.id not in {"anaesthetic-toxicity", "allergic-reaction"}
    ]

    assert all(flag.urgency == "call_clinic" for flag in others)


def test_red_flag_ids_are_unique_and_kebab_case() -> None:
    ids = [flag.id for flag in rules.load_red_flags()]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", flag_id) for flag_id in ids)


@pytest.mark.parametrize("flag_id", sorted(RED_FLAGS))
def test_every_red_flag_says_what_to_look_for_why_and_when(flag_id: str) -> None:
    flag = RED_FLAGS[flag_id]

    assert flag.sign.strip()
    assert flag.likely_cause.strip()
    assert flag.window.strip()


@pytest.mark.parametrize("flag_id", sorted(RED_FLAGS))
def test_every_red_flag_cites_known_sources(flag_id: str) -> None:
    sources = RED_FLAGS[flag_id].provenance.sources

    assert sources
    assert set(sources) <= KNOWN_SOURCES


def test_the_raised_scar_sign_is_reported_as_unverified() -> None:
    assert RED_FLAGS["raised-scar"].provenance.is_unverified


def test_red_flags_come_back_as_domain_values_in_table_order() -> None:
    loaded = rules.load_red_flags()

    assert all(isinstance(flag, RedFlag) for flag in loaded)
    assert [f.id for f in loaded] == [r.id for r in rules.red_flags_table().red_flags]


def test_the_red_flags_table_version_is_reported() -> None:
    assert rules.red_flags_version() == "2026-11-22"


def flag_row(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": "test-flag",
        "sign": "Something the patient sees.",
        "likely_cause": "A cause.",
        "window": "days 1–5",
        "urgency": "call_clinic",
        "sources": ["chu-2021-safety-sr"],
        "evidence": "WS",
    }
    values.update(overrides)
    return values


def test_a_red_flag_with_an_unknown_urgency_is_refused() -> None:
    with pytest.raises(ValidationError):
        rules.RedFlagRow.model_validate(flag_row(urgency="whenever"))


def test_a_red_flag_without_sources_is_refused() -> None:
    with pytest.raises(ValidationError):
        rules.RedFlagRow.model_validate(flag_row(sources=[]))


def test_a_red_flag_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        rules.RedFlagRow.model_validate(flag_row(colour="red"))
