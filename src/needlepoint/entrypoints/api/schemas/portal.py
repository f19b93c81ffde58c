"""The patient portal: what a patient sends from it (a daily check-in after a session).

The portal's check-in form is read by ``CheckInIn``, as the clinic's forms are read by the
API's request models (ADR 0027), so the rules and codes are written once. No API operation
takes it yet, so it is not in the API document.

A check-in is six answers and an optional note: redness and swelling as a degree, pain as a
whole number from 0 to ``MAX_PAIN``, and yes or no for pus, fever and blisters. A form sends
its answers as text; of text, the pain is read only as digits and a yes-or-no answer only as
``yes`` or ``no`` (a JSON body sends a number and ``true``/``false``). The note is the
patient's own free text: new lines are kept, spaces around it are not, and it may be up to
``MAX_NOTE_CHARS`` characters long.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BeforeValidator, Field, Strict, StringConstraints

from needlepoint.domain.checkins import MAX_NOTE_CHARS, MAX_PAIN, CheckInAnswers, Degree
from needlepoint.entrypoints.api.schemas.common import RequestModel

_YES_NO: Final = {"yes": True, "no": False}


def _digits(value: object) -> object:
    """Form text of digits as its number; anything else is left for the strict check."""
    return int(value) if isinstance(value, str) and value.isdecimal() else value


def _yes_no(value: object) -> object:
    """Form text ``yes`` or ``no`` as the answer; anything else is left for the strict check."""
    return _YES_NO.get(value, value) if isinstance(value, str) else value


PainScore = Annotated[int, Strict(), Field(ge=0, le=MAX_PAIN), BeforeValidator(_digits)]
YesNo = Annotated[bool, Strict(), BeforeValidator(_yes_no)]
CheckInNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_CHARS)]


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
