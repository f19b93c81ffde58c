"""What a patient search asks for: the words of a name in any order, an email, or a birth date.

A search is read once, here, the same way for the web app, the API and the command line:

* text with an ``@`` is an email address; it finds the patients with that address (letter
  case ignored: addresses are kept in lower case);
* text that is a date finds the patients born that day: ``YYYY-MM-DD``, or a date as the
  clinic's pages show it (``7 Dec 1990``, ``7 December 1990``; ``templates.day``);
* anything else is a name: every word must appear in the given or the family name, in any
  order, ignoring case, so "Okafor Amira", "amira okafor" and "amira oka" find the same
  person. Words are split on blanks; at most ``MAX_WORDS`` are read.

Blank text is no filter (everyone, a page at a time). ``matches`` is the rule itself, which
the database query implements (``adapters/db/shared/patients.py``) and tests compare against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from needlepoint.domain.errors import InputCode, InvalidInputError

MAX_WORDS: Final = 6
"""Words of a name read from one search (a bound on the query, not a clinical number)."""

_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SHOWN_DATE: Final = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")
_MONTHS: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_SHORTEST_MONTH: Final = 3


@dataclass(frozen=True, slots=True)
class PatientSearch:
    """One search: name words (lower case), or an email, or a birth date; empty finds everyone."""

    words: tuple[str, ...] = ()
    email: str | None = None
    born_on: date | None = None

    @property
    def is_everyone(self) -> bool:
        """Whether the search filters nothing (blank text)."""
        return not self.words and self.email is None and self.born_on is None


def read_search(text: str | None, *, field: str = "search") -> PatientSearch:
    """The search ``text`` asks for (see the module docstring).

    Raises:
        InvalidInputError: The text is written as a date that does not exist (``1990-02-30``),
            named by ``field``.
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return PatientSearch()
    if "@" in cleaned and " " not in cleaned:
        return PatientSearch(email=cleaned.lower())
    born_on = _date_of(cleaned, field)
    if born_on is not None:
        return PatientSearch(born_on=born_on)
    return PatientSearch(words=name_words(cleaned))


def name_words(text: str) -> tuple[str, ...]:
    """The distinct lower-case words of a name search, in order, at most ``MAX_WORDS``."""
    words = dict.fromkeys(word.lower() for word in text.split())
    return tuple(words)[:MAX_WORDS]


def matches(
    search: PatientSearch, *, names: tuple[str, str], email: str | None, born_on: date
) -> bool:
    """Whether a patient with these names (given, family), email and birth date is found."""
    if search.email is not None:
        return email is not None and email.lower() == search.email
    if search.born_on is not None:
        return born_on == search.born_on
    given, family = (name.lower() for name in names)
    return all(word in given or word in family for word in search.words)


def _date_of(text: str, field: str) -> date | None:
    """The date ``text`` is written as, None if it is not written as a date."""
    iso = _ISO_DATE.match(text)
    if iso:
        return _real_date(int(iso[1]), int(iso[2]), int(iso[3]), field)
    shown = _SHOWN_DATE.match(text)
    month = _month_number(shown[2]) if shown else None
    if shown is None or month is None:
        return None
    return _real_date(int(shown[3]), month, int(shown[1]), field)


def _month_number(word: str) -> int | None:
    """1 to 12 for a month's English name or its first three (or more) letters."""
    lowered = word.lower()
    if len(lowered) < _SHORTEST_MONTH:
        return None
    return next((n for n, name in enumerate(_MONTHS, 1) if name.startswith(lowered)), None)


def _real_date(year: int, month: int, day: int, field: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInputError.single(
            field,
            "is written as a date, but there is no such day.",
            "give the date of birth as YYYY-MM-DD, e.g. 1990-03-14.",
            code=InputCode.NOT_A_DATE,
        ) from None
