"""The portal's check-in form, read by the check-in's request model (``CheckInIn``).

The model takes exactly what the form always took: a degree for redness and swelling, pain as
digits from 0 to 10, ``yes`` or ``no`` for the three questions, and a note of up to 1000
characters once trimmed. Each problem keeps the model's field and code; the words are plain.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from needlepoint.domain.checkins import CheckInAnswers, Degree
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.entrypoints.api.schemas.portal import CheckInIn
from needlepoint.entrypoints.web.portal.forms import answers

FORM = {
    "csrf_token": "token",
    "redness": "mild",
    "swelling": "none",
    "pain": "3",
    "pus": "no",
    "fever": "yes",
    "blisters": "no",
    "note": "  itchy\nat night  ",
}


def problems(**changes: str) -> dict[str, tuple[str, str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        answers(FORM | changes)
    return {p.field: (p.code, p.problem, p.fix) for p in caught.value.problems}


def test_a_filled_form_is_the_answers() -> None:
    assert answers(FORM) == CheckInAnswers(
        Degree.MILD, Degree.NONE, 3, pus=False, fever=True, blisters=False, note="itchy\nat night"
    )


def test_every_unanswered_question_is_named_with_its_code_in_plain_words() -> None:
    blank = dict.fromkeys(("redness", "swelling", "pain", "pus", "fever", "blisters"), "")

    found = problems(**blank)

    assert set(found) == set(blank)
    assert {code for code, _, _ in found.values()} == {InputCode.REQUIRED}
    assert found["redness"][1:] == ("has no answer.", "choose none, mild, moderate or severe.")
    assert found["pain"][1:] == ("has no answer.", "choose a number from 0 to 10.")
    assert found["fever"][1:] == ("has no answer.", "choose yes or no.")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("pain", "11", InputCode.OUT_OF_RANGE),
        ("pain", "5.0", InputCode.NOT_A_WHOLE_NUMBER),
        ("pain", "+5", InputCode.NOT_A_WHOLE_NUMBER),
        ("pain", "-1", InputCode.NOT_A_WHOLE_NUMBER),
        ("fever", "true", InputCode.NOT_YES_OR_NO),
        ("fever", "1", InputCode.NOT_YES_OR_NO),
        ("pus", "maybe", InputCode.NOT_YES_OR_NO),
        ("redness", "red", InputCode.NOT_A_CHOICE),
    ],
)
def test_only_what_the_form_offers_is_an_answer(field: str, value: str, code: str) -> None:
    assert problems(**{field: value})[field][0] == code


def test_a_note_too_long_says_how_long_it_is() -> None:
    assert problems(note=" " + "a" * 1001 + " ")["note"] == (
        InputCode.TOO_LONG,
        "is 1001 characters long.",
        "shorten it to 1000 characters or fewer.",
    )


def test_a_note_of_spaces_is_no_note_and_a_full_one_passes() -> None:
    assert answers(FORM | {"note": "   "}).note == ""
    assert len(answers(FORM | {"note": "a" * 1000}).note) == 1000


def test_a_json_body_sends_numbers_and_booleans() -> None:
    body = {k: v for k, v in FORM.items() if k not in {"csrf_token", "note"}}

    read = CheckInIn.model_validate(body | {"pain": 10, "pus": True, "fever": False})

    assert (read.pain, read.pus, read.fever) == (10, True, False)
    with pytest.raises(ValidationError):
        CheckInIn.model_validate(body | {"pain": 2.0})
    with pytest.raises(ValidationError):
        CheckInIn.model_validate(body | {"pain": True})
    with pytest.raises(ValidationError):
        CheckInIn.model_validate(body | {"photo": "x"})
