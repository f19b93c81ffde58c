"""How email addresses and phone numbers are written, and how patients reach their clinic.

The API documents these patterns and the web forms check them; a value that does not match is
refused with ``InputCode.NOT_AN_EMAIL`` or ``InputCode.NOT_A_PHONE`` from either.
``ClinicContact`` is a clinic's phone number (the same ``PHONE`` rule), postal address and
phone hours, shown to patients wherever they are told to call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.text import text_problem

EMAIL: Final = r"^[^@\s\x00-\x1f\x7f]{1,160}@[^@\s\x00-\x1f\x7f]{1,159}$"
"""An address: something, one ``@``, something; no spaces or control characters; 320
characters at most (the width of the ``email`` columns)."""

PHONE: Final = r"^[0-9+()\-. ]{3,50}$"
"""A phone number as people write it: digits, spaces and ``+ ( ) - .``, 3 to 50 of them."""

CODES: Final = {EMAIL: InputCode.NOT_AN_EMAIL, PHONE: InputCode.NOT_A_PHONE}
"""The code a value gets when it does not match each pattern."""


# --- how patients reach their clinic -------------------------------------------------------

MAX_ADDRESS_CHARS: Final = 300
"""The longest postal address kept, on one line (``12 Harbour Street, London SE1 2AB``)."""

MAX_PHONE_HOURS_CHARS: Final = 300
"""The longest text saying when the clinic answers its phone."""


@dataclass(frozen=True, slots=True)
class ClinicContact:
    """How patients reach their clinic: the number they call, its address, when it answers.

    The phone number follows ``PHONE``; the address and the hours are the clinic's own words
    on one line (no control characters), each up to its limit, and may be left blank. A
    value that breaks a rule raises ``InvalidInputError`` naming each field with its code.
    """

    phone: str
    address: str = ""
    phone_hours: str = ""

    def __post_init__(self) -> None:
        problems = [
            *_phone_problems(self.phone),
            *_line_problems("address", self.address, MAX_ADDRESS_CHARS),
            *_line_problems("phone_hours", self.phone_hours, MAX_PHONE_HOURS_CHARS),
        ]
        if problems:
            raise InvalidInputError(problems)

    @property
    def phone_uri(self) -> str:
        """The number as a ``tel:`` link: its digits, after a ``+`` when it starts with one."""
        digits = "".join(c for c in self.phone if c.isdigit())
        return f"tel:{'+' if self.phone.lstrip().startswith('+') else ''}{digits}"


def _phone_problems(phone: str) -> list[FieldProblem]:
    if not phone.strip():
        fix = "give the number patients call, e.g. 020 7946 0123."
        return [FieldProblem("phone", "is missing.", fix, InputCode.REQUIRED)]
    if re.fullmatch(PHONE, phone) is None:
        fix = "use digits, spaces and + ( ) - . only, 3 to 50 of them."
        return [FieldProblem("phone", "is not a phone number.", fix, InputCode.NOT_A_PHONE)]
    return []


def _line_problems(field: str, text: str, limit: int) -> list[FieldProblem]:
    if len(text) > limit:
        fix = f"shorten it to {limit} characters or fewer."
        return [FieldProblem(field, f"is {len(text)} characters long.", fix, InputCode.TOO_LONG)]
    problem = text_problem(field, text)
    return [] if problem is None else [problem]
