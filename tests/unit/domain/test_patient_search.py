"""How a patient search is read (domain.patient_search): names in any order, email, birth date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.patient_search import (
    MAX_WORDS,
    PatientKey,
    PatientSearch,
    cursor_of,
    folded,
    matches,
    read_cursor,
    read_search,
    search_name,
)


@dataclass(frozen=True)
class Person:
    names: tuple[str, str]
    email: str | None = None
    born_on: date = date(2000, 1, 1)


def finds(text: str, person: Person) -> bool:
    """Whether searching ``text`` finds ``person``."""
    wanted = read_search(text)
    return matches(wanted, names=person.names, email=person.email, born_on=person.born_on)


AMIRA = Person(("Amira", "Okafor"), "amira.okafor@example.org", date(1997, 4, 22))

# Names of letters (accents included), hyphens and apostrophes; never blank, never an "@".
# Letter case and accents are folded away (patient_search.folded), the same way in the search
# name the database keeps: ß is found as ss (see below).
name_parts = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzÉéÓóÅåABCZ-'"), min_size=1, max_size=12
)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


def shown(day: date) -> str:
    """A date as the clinic's pages show it (templates.day): 7 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


@pytest.mark.parametrize(
    "text", ["Okafor Amira", "amira okafor", "  AMIRA\tOkafor ", "okaf ami", "Amira", "okafor"]
)
def test_a_full_name_in_either_order_finds_the_patient(text: str) -> None:
    assert finds(text, AMIRA)


@pytest.mark.parametrize("text", ["Amira Osei", "okafor helen", "amiraokafor"])
def test_every_word_must_be_in_one_of_the_names(text: str) -> None:
    assert not finds(text, AMIRA)


def test_an_email_is_matched_whole_ignoring_case() -> None:
    assert read_search(" Amira.Okafor@Example.org ") == PatientSearch(
        email="amira.okafor@example.org"
    )
    assert finds("AMIRA.OKAFOR@example.org", AMIRA)
    assert not finds("okafor@example.org", AMIRA)


@pytest.mark.parametrize("text", ["1997-04-22", "22 Apr 1997", "22 April 1997", "22 apr. 1997"])
def test_a_birth_date_is_read_as_written_or_as_shown(text: str) -> None:
    assert read_search(text) == PatientSearch(born_on=date(1997, 4, 22))
    assert finds(text, AMIRA)


def test_a_date_that_does_not_exist_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_search("1997-02-30", field="q")

    (problem,) = refused.value.problems
    assert (problem.field, problem.code) == ("q", InputCode.NOT_A_DATE)
    assert "YYYY-MM-DD" in problem.fix


def test_case_and_accents_are_folded_away() -> None:
    strauss = Person(("Jens", "Strauß"))
    zoe = Person(("Zoë", "Ní Bhriain"))

    assert finds("STRAUß jens", strauss)
    assert finds("strauss", strauss)  # case folding writes ß as ss
    assert finds("zoe ni", zoe)
    assert finds("ZOË BHRIAIN", zoe)
    assert folded("Éamonn Ó Sé") == "eamonn o se"


def test_a_short_word_must_start_a_word_of_the_name() -> None:
    amira = Person(("Amira", "Okafor"))

    assert finds("am ok", amira)
    assert finds("o", amira)
    assert not finds("ra", amira)  # inside "amira": too short to look for inside a word
    assert finds("ira", amira)


@given(st.text(min_size=1, max_size=8), st.text(max_size=8), st.text(max_size=8))
def test_the_search_name_holds_each_folded_name(word: str, given_name: str, family: str) -> None:
    name = search_name(given_name, family)

    assert name == f"{folded(given_name)} {folded(family)}"
    assert folded(name) == name  # folding twice changes nothing


@given(st.text(max_size=20), st.text(max_size=20), st.uuids())
def test_a_cursor_reads_back_as_the_key_it_was_made_of(
    family: str, given_name: str, id_: UUID
) -> None:
    key = PatientKey(family.replace("\x00", ""), given_name.replace("\x00", ""), id_)

    assert read_cursor(cursor_of(key)) == key


@given(st.text(max_size=60))
def test_any_other_text_is_no_cursor_or_a_key(text: str) -> None:
    try:
        key = read_cursor(text)
    except InvalidInputError as refused:
        (problem,) = refused.problems
        assert (problem.field, problem.code) == ("cursor", InputCode.INVALID)
    else:
        assert isinstance(key, PatientKey)


def test_a_word_that_is_not_a_month_makes_a_name_search() -> None:
    assert read_search("22 Okafor 1997").words == ("22", "okafor", "1997")


def test_blank_text_finds_everyone_and_words_are_bounded() -> None:
    assert read_search("   ").is_everyone
    assert read_search(None).is_everyone
    assert len(read_search(" ".join(f"w{n}" for n in range(50))).words) == MAX_WORDS


@given(given_name=name_parts, family_name=name_parts, born_on=birth_dates)
def test_a_patient_is_found_by_full_name_either_way_round_and_by_birth_date(
    given_name: str, family_name: str, born_on: date
) -> None:
    patient = Person((given_name, family_name), None, born_on)

    for text in (
        f"{given_name} {family_name}",
        f"{family_name} {given_name}",
        f"{family_name.upper()}  {given_name.lower()}",
        born_on.isoformat(),
        shown(born_on),
    ):
        assert finds(text, patient), text


@given(words=st.lists(name_parts, min_size=1, max_size=4), data=st.data())
def test_the_order_and_case_of_the_words_never_change_who_is_found(
    words: list[str], data: st.DataObject
) -> None:
    names = (data.draw(name_parts), data.draw(name_parts))
    patient = Person(names)
    shuffled = data.draw(st.permutations(words))

    found = finds(" ".join(words), patient)

    assert finds(" ".join(shuffled).swapcase(), patient) == found


@given(words=st.lists(name_parts, min_size=1, max_size=3), extra=name_parts)
def test_another_word_never_finds_more_patients(words: list[str], extra: str) -> None:
    patient = Person(("Amira", "Okafor"))

    narrower = finds(" ".join([*words, extra]), patient)

    assert not narrower or finds(" ".join(words), patient)
