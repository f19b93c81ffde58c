"""Reviewing a check-in: a note is required, the outcome is one of three, the first review stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.check_in_reviews import (
    MAX_REVIEW_NOTE_CHARS,
    CheckInReview,
    CheckInReviewedError,
    ReviewOutcome,
)
from needlepoint.domain.checkins import CheckIn, CheckInAnswers, Degree, triage
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.knowledge import checkins as triage_table

RULES = triage_table.load_triage_rules()
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
ALICE, BOB = UUID(int=1), UUID(int=2)
OUTCOMES = st.sampled_from(list(ReviewOutcome))
PRINTABLE = st.characters(min_codepoint=0x20, exclude_categories=["Cs", "Cc"])
"""No control characters (C0, DEL, C1): the text rule refuses them (domain.text)."""
NOTES = st.text(PRINTABLE, min_size=1, max_size=200).filter(lambda t: t.strip() != "")


def red_check_in() -> CheckIn:
    answers = CheckInAnswers(Degree.MILD, Degree.NONE, 2, pus=False, fever=True, blisters=False)
    return CheckIn(
        id=uuid4(),
        clinic_id=uuid4(),
        patient_id=uuid4(),
        session_id=uuid4(),
        appointment_id=None,
        treated_at=AT - timedelta(days=1),
        day=1,
        answers=answers,
        triage=triage(answers, day=1, rules=RULES),
        submitted_at=AT,
    )


def code_of(error: InvalidInputError) -> tuple[str, str]:
    (problem,) = error.problems
    return problem.field, problem.code


@pytest.mark.parametrize(
    ("note", "code"),
    [
        ("", InputCode.REQUIRED),
        ("   ", InputCode.REQUIRED),
        ("x" * (MAX_REVIEW_NOTE_CHARS + 1), InputCode.TOO_LONG),
        ("ring\x07bell", InputCode.NOT_TEXT),
        ("two\nlines", InputCode.NOT_TEXT),
    ],
)
def test_a_review_without_a_usable_note_is_refused_naming_the_note(note: str, code: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        CheckInReview(ReviewOutcome.ADVICE_GIVEN, note)

    assert code_of(caught.value) == ("note", code)


def test_a_note_of_the_longest_length_is_kept_without_its_surrounding_spaces() -> None:
    note = "x" * MAX_REVIEW_NOTE_CHARS

    assert CheckInReview(ReviewOutcome.REFERRED, f"  {note} ").note == note


@given(outcome=OUTCOMES, note=NOTES)
def test_any_printable_note_is_kept_trimmed_with_its_reviewer_and_time(
    outcome: ReviewOutcome, note: str
) -> None:
    reviewed = red_check_in().reviewed(CheckInReview(outcome, note), by=ALICE, at=AT)

    assert (reviewed.reviewed_by, reviewed.reviewed_at) == (ALICE, AT)
    assert (reviewed.review_outcome, reviewed.review_note) == (outcome, note.strip())


@given(
    first=st.tuples(OUTCOMES, NOTES),
    later=st.lists(st.tuples(st.sampled_from([ALICE, BOB]), OUTCOMES, NOTES), max_size=5),
)
def test_the_first_review_always_stays_whatever_follows(
    first: tuple[ReviewOutcome, str],
    later: list[tuple[UUID, ReviewOutcome, str]],
) -> None:
    kept = red_check_in().reviewed(CheckInReview(*first), by=ALICE, at=AT)

    for step, (by, outcome, note) in enumerate(later, start=1):
        review = CheckInReview(outcome, note)
        same = (by, outcome, review.note) == (ALICE, first[0], kept.review_note)
        try:
            again = kept.reviewed(review, by=by, at=AT + timedelta(minutes=step))
        except CheckInReviewedError:
            assert not same
        else:
            assert same and again is kept

    assert (kept.reviewed_by, kept.review_outcome, kept.reviewed_at) == (ALICE, first[0], AT)


def test_another_review_of_a_reviewed_check_in_is_a_conflict() -> None:
    kept = red_check_in().reviewed(
        CheckInReview(ReviewOutcome.ADVICE_GIVEN, "Phoned."), by=ALICE, at=AT
    )

    with pytest.raises(CheckInReviewedError) as caught:
        kept.reviewed(CheckInReview(ReviewOutcome.REFERRED, "Phoned."), by=BOB, at=AT)

    assert caught.value.code == "check-in-reviewed"
