"""A clinician's review of an amber or red check-in: what was done about it, and a note.

"Mark reviewed" closes the loop a red or amber check-in opens: the clinician says what came of
it (``ReviewOutcome``: advice given, seen in clinic, or referred on) and writes a note, which
is required: a review without one says nothing to the next clinician. The note is one line of
printable text (a form's line breaks are joined by a space first), at most
``MAX_REVIEW_NOTE_CHARS`` characters, kept without the spaces around it.

A check-in is reviewed once. The same review sent again (a second press of the button) changes
nothing; any other review of a reviewed check-in is refused (``CheckInReviewedError``), so the
first clinician's words are never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from needlepoint.domain.errors import ConflictError, FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.text import text_problem

MAX_REVIEW_NOTE_CHARS: Final = 2000
"""The longest review note kept (the API's reason and note length)."""


class ReviewOutcome(StrEnum):
    """What came of a check-in once a clinician looked at it."""

    ADVICE_GIVEN = "advice_given"
    """The patient was given advice (by phone, or in writing)."""
    SEEN_IN_CLINIC = "seen_in_clinic"
    """The patient was seen in the clinic."""
    REFERRED = "referred"
    """The patient was referred on: to their doctor, a specialist or emergency care."""


@dataclass(frozen=True, slots=True)
class CheckInReview:
    """A review as the clinician gives it: the outcome and the note (checked on creation)."""

    outcome: ReviewOutcome
    note: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "note", self.note.strip())
        problem = _note_problem(self.note)
        if problem is not None:
            raise InvalidInputError([problem])


def _note_problem(note: str) -> FieldProblem | None:
    if not note:
        fix = "say what you found and what the patient was told or offered."
        return FieldProblem("note", "is missing.", fix, InputCode.REQUIRED)
    if len(note) > MAX_REVIEW_NOTE_CHARS:
        fix = f"shorten it to {MAX_REVIEW_NOTE_CHARS} characters or fewer."
        return FieldProblem("note", f"is {len(note)} characters long.", fix, InputCode.TOO_LONG)
    return text_problem("note", note)


class CheckInReviewedError(ConflictError):
    """The check-in was reviewed already, with another outcome or note (the first one stays)."""

    code = "check-in-reviewed"

    def __init__(self, reviewed_at: datetime) -> None:
        super().__init__(
            f"this check-in was reviewed already, at {reviewed_at.isoformat(timespec='minutes')}"
            "; its review stays as it was. Reload the check-in to read it."
        )
        self.reviewed_at = reviewed_at
