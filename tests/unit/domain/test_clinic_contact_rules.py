"""A clinic's contact details: the PHONE rule, one-line bounded text, and the tel: link."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.contact import (
    MAX_ADDRESS_CHARS,
    MAX_PHONE_HOURS_CHARS,
    PHONE,
    ClinicContact,
)
from needlepoint.domain.errors import InputCode, InvalidInputError

PHONE_CHARS = st.sampled_from("0123456789+()-. ")


def problems_of(**given: str) -> set[tuple[str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        ClinicContact(**given)
    return {(p.field, p.code) for p in caught.value.problems}


@given(st.text(PHONE_CHARS, min_size=3, max_size=50).filter(lambda t: t.strip() != ""))
def test_every_number_the_phone_rule_allows_is_kept_and_dials_its_digits(phone: str) -> None:
    contact = ClinicContact(phone)

    assert contact.phone == phone
    assert re.fullmatch(r"tel:\+?[0-9]*", contact.phone_uri)
    assert contact.phone_uri.removeprefix("tel:").lstrip("+") == re.sub(r"\D", "", phone)


@given(st.text(min_size=1, max_size=60).filter(lambda t: t.strip() and not re.fullmatch(PHONE, t)))
def test_anything_else_is_not_a_phone_number(phone: str) -> None:
    assert problems_of(phone=phone) == {("phone", InputCode.NOT_A_PHONE)}


def test_a_blank_number_is_missing_and_every_problem_is_named_at_once() -> None:
    found = problems_of(phone=" ", address="a" * (MAX_ADDRESS_CHARS + 1), phone_hours="9\n5")

    assert found == {
        ("phone", InputCode.REQUIRED),
        ("address", InputCode.TOO_LONG),
        ("phone_hours", InputCode.NOT_TEXT),
    }


def test_the_longest_texts_are_kept_and_a_leading_plus_stays_in_the_link() -> None:
    contact = ClinicContact(
        "+44 (0)20 7946 0321", "a" * MAX_ADDRESS_CHARS, "h" * MAX_PHONE_HOURS_CHARS
    )

    assert contact.phone_uri == "tel:+4402079460321"
