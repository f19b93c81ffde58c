"""The patient portal and its check-ins: what a patient sends, and the clinic's side of them.

The portal's check-in form is read by ``CheckInIn``, as the clinic's forms are read by the
API's request models (ADR 0027), so the rules and codes are written once. No API operation
takes it (a patient has no API), so it is not in the API document.

A check-in is six answers and an optional note: redness and swelling as a degree, pain as a
whole number from 0 to ``MAX_PAIN``, and yes or no for pus, fever and blisters. A form sends
its answers as text; of text, the pain is read only as digits and a yes-or-no answer only as
``yes`` or ``no`` (a JSON body sends a number and ``true``/``false``). The note is the
patient's own free text: new lines are kept, spaces around it are not, and it may be up to
``MAX_NOTE_CHARS`` characters long.

The clinic reads check-ins (``CheckInOut``: the answers, the triage with its reasons, the
review) and reviews them with ``ReviewIn``: an outcome and a note, which is required (the
domain says so, with the code ``required``, for a blank one from the API or the page alike).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, Strict, StringConstraints

from needlepoint.domain.check_in_reviews import MAX_REVIEW_NOTE_CHARS, CheckInReview, ReviewOutcome
from needlepoint.domain.checkins import (
    MAX_NOTE_CHARS,
    MAX_PAIN,
    CheckIn,
    CheckInAnswers,
    Degree,
    TriageLevel,
)
from needlepoint.entrypoints.api.schemas.common import LINES, PRINTABLE, Page, RequestModel
from needlepoint.services.portal.clinic_check_ins import CheckInEntry

_YES_NO: Final = {"yes": True, "no": False}


def _digits(value: object) -> object:
    """Form text of digits as its number; anything else is left for the strict check."""
    return int(value) if isinstance(value, str) and value.isdecimal() else value


def _yes_no(value: object) -> object:
    """Form text ``yes`` or ``no`` as the answer; anything else is left for the strict check."""
    return _YES_NO.get(value, value) if isinstance(value, str) else value


PainScore = Annotated[int, Strict(), Field(ge=0, le=MAX_PAIN), BeforeValidator(_digits)]
YesNo = Annotated[bool, Strict(), BeforeValidator(_yes_no)]
CheckInNote = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_CHARS, pattern=LINES)
]


class CheckInIn(RequestModel):
    """One day's check-in answers."""

    redness: Degree
    swelling: Degree
    pain: PainScore
    pus: YesNo
    fever: YesNo
    blisters: YesNo
    note: CheckInNote = ""

    def to_domain(self) -> CheckInAnswers:
        """The answers, for the portal service to triage."""
        return CheckInAnswers(
            redness=self.redness,
            swelling=self.swelling,
            pain=self.pain,
            pus=self.pus,
            fever=self.fever,
            blisters=self.blisters,
            note=self.note,
        )


ReviewNote = Annotated[str, StringConstraints(max_length=MAX_REVIEW_NOTE_CHARS, pattern=PRINTABLE)]
"""One line of printable text; blank is refused by the domain (``required``)."""


class ReviewIn(RequestModel):
    """A clinician's review of a check-in: what came of it, and a note saying why."""

    outcome: ReviewOutcome
    note: ReviewNote

    def to_domain(self) -> CheckInReview:
        """The review; a blank note raises ``InvalidInputError`` naming ``note``."""
        return CheckInReview(outcome=self.outcome, note=self.note)


class AnswersOut(BaseModel):
    """What the patient answered."""

    redness: Degree
    swelling: Degree
    pain: int
    pus: bool
    fever: bool
    blisters: bool
    note: str


class TriageReasonOut(BaseModel):
    """A rule of the triage table that fired, in words, with its sources."""

    rule_id: str
    level: TriageLevel
    reason: str
    sources: list[str]


class ReviewOut(BaseModel):
    """Who reviewed a check-in, when, what came of it and their note.

    ``outcome`` is null, and ``note`` empty, on reviews recorded before they were asked for.
    """

    reviewed_at: datetime
    reviewed_by: UUID
    reviewer: str | None
    outcome: ReviewOutcome | None
    note: str


class CheckInOut(BaseModel):
    """A patient's check-in: the answers, the triage and its reasons, and its review if any."""

    id: UUID
    patient_id: UUID
    treated_at: datetime
    day: int
    submitted_at: datetime
    triage_level: TriageLevel
    triage_version: str
    reasons: list[TriageReasonOut]
    answers: AnswersOut
    has_photo: bool
    review: ReviewOut | None

    @classmethod
    def from_domain(cls, check_in: CheckIn, *, reviewer: str | None) -> CheckInOut:
        """From the check-in and its reviewer's name."""
        answers = check_in.answers
        return cls(
            id=check_in.id,
            patient_id=check_in.patient_id,
            treated_at=check_in.treated_at,
            day=check_in.day,
            submitted_at=check_in.submitted_at,
            triage_level=check_in.triage.level,
            triage_version=check_in.triage.rules_version,
            reasons=[
                TriageReasonOut(
                    rule_id=r.rule_id, level=r.level, reason=r.reason, sources=list(r.sources)
                )
                for r in check_in.triage.reasons
            ],
            answers=AnswersOut(
                redness=answers.redness,
                swelling=answers.swelling,
                pain=answers.pain,
                pus=answers.pus,
                fever=answers.fever,
                blisters=answers.blisters,
                note=answers.note,
            ),
            has_photo=check_in.photo_id is not None,
            review=_review_out(check_in, reviewer),
        )

    @classmethod
    def from_entry(cls, entry: CheckInEntry) -> CheckInOut:
        """From a check-in of a patient's history."""
        return cls.from_domain(entry.check_in, reviewer=entry.reviewer)


def _review_out(check_in: CheckIn, reviewer: str | None) -> ReviewOut | None:
    if check_in.reviewed_at is None or check_in.reviewed_by is None:
        return None
    return ReviewOut(
        reviewed_at=check_in.reviewed_at,
        reviewed_by=check_in.reviewed_by,
        reviewer=reviewer,
        outcome=check_in.review_outcome,
        note=check_in.review_note,
    )


class CheckInPage(Page[CheckInOut]):
    """A page of a patient's check-ins, newest first."""
