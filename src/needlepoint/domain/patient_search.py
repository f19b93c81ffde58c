"""What a patient search asks for: the words of a name in any order, an email, or a birth date.

A search is read once, here, the same way for the web app, the API and the command line:

* text with an ``@`` is an email address; it finds the patients with that address (letter
  case ignored: addresses are kept in lower case);
* text that is a date finds the patients born that day: ``YYYY-MM-DD``, or a date as the
  clinic's pages show it (``7 Dec 1990``, ``7 December 1990``; ``templates.day``);
* anything else is a name: every word must appear in the given or the family name, in any
  order, ignoring case and accents, so "Okafor Amira", "amira okafor", "amira oka" and
  "Zoë"/"zoe" find the same person. A word shorter than ``SHORTEST_INSIDE`` letters must
  start a word of the name instead ("am ok" finds Amira Okafor, "ra" does not). Words are
  split on blanks; at most ``MAX_WORDS`` are read. Names and words are compared as
  ``folded`` text; the database keeps each patient's ``search_name`` (the folded given and
  family name) so that it can index it.

Blank text is no filter (everyone, a page at a time). ``matches`` is the rule itself, which
the database query implements (``adapters/db/shared/patients.py``) and tests compare against.

Lists are paged by keyset: a page starts after the ``PatientKey`` (family name, given name,
id) of the last patient of the page before, which the API hands out as an opaque ``cursor``
(``cursor_of``, read back by ``read_cursor``; ADR 0034).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import InputCode, InvalidInputError

MAX_WORDS: Final = 6
"""Words of a name read from one search (a bound on the query, not a clinical number)."""

SHORTEST_INSIDE: Final = 3
"""Letters a word needs to be found inside a name; shorter ones must start a word of it.

A trigram index (PostgreSQL's ``pg_trgm``) finds text of three letters or more anywhere, and
shorter text only at the start of a word: one or two letters anywhere would read the clinic."""

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
    """The distinct ``folded`` words of a name search, in order, at most ``MAX_WORDS``."""
    words = dict.fromkeys(w for w in (folded(word) for word in text.split()) if w.strip())
    return tuple(words)[:MAX_WORDS]


def folded(text: str) -> str:
    """``text`` as the search compares it: case folded, accents taken off (``Zoë`` → ``zoe``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_name(given_name: str, family_name: str) -> str:
    """What a name search reads of a patient: both names ``folded``, given name first."""
    return f"{folded(given_name)} {folded(family_name)}"


def matches(
    search: PatientSearch, *, names: tuple[str, str], email: str | None, born_on: date
) -> bool:
    """Whether a patient with these names (given, family), email and birth date is found."""
    if search.email is not None:
        return email is not None and email.lower() == search.email
    if search.born_on is not None:
        return born_on == search.born_on
    name = search_name(*names)
    return all(_found_in(name, word) for word in search.words)


def _found_in(name: str, word: str) -> bool:
    if len(word) >= SHORTEST_INSIDE:
        return word in name
    return name.startswith(word) or f" {word}" in name


@dataclass(frozen=True, slots=True, order=True)
class PatientKey:
    """Where a patient stands in a list: family name, given name, then id (ties)."""

    family_name: str
    given_name: str
    id: UUID


def cursor_of(key: PatientKey) -> str:
    """An opaque cursor for the page after ``key`` (URL-safe base64 of a small JSON list)."""
    raw = json.dumps([key.family_name, key.given_name, str(key.id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(text: str, *, field: str = "cursor") -> PatientKey:
    """The key a ``cursor_of`` cursor stands for.

    Raises:
        InvalidInputError: ``text`` is not a cursor this list handed out, named by ``field``.
    """
    try:
        padded = text + "=" * (-len(text) % 4)
        family, given, patient_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return PatientKey(_text(family), _text(given), UUID(_text(patient_id)))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidInputError.single(
            field,
            "is not a cursor this list handed out.",
            "pass the next_cursor of the page before as it is, or none for the first page.",
            code=InputCode.INVALID,
        ) from None


def _text(value: object) -> str:
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL text holds no NUL
        raise TypeError(value)
    return value


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
