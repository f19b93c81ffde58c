"""Days as entered: a birth date, and the day something was observed or measured.

Every clinical day (a birth, an outcome, an assessment, a consultation, a day of the schedule)
lies within the years ``EARLIEST_DAY.year`` to ``LATEST_DAY.year`` (1900 to 2200): outside
them a day is a typing slip, and near the ends of ``date`` a clinic's time zone or an
appointment's length would overflow the calendar. Impossible days are refused with the field
and the fix, whichever entry point they come from (``InvalidInputError``; codes from
``InputCode`` and ``domain.limits``). "Today" is the
clinic's day, passed in.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Final

from needlepoint.domain import limits
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError

MONTHS_PER_YEAR = 12
EARLIEST_DAY: Final = date(1900, 1, 1)
"""The first day any clinical date may be."""
LATEST_DAY: Final = date(2200, 12, 31)
"""The last day any clinical date (a schedule's day among them) may be."""


def calendar_problem(field: str, day: date) -> FieldProblem | None:
    """The problem with ``day`` as a clinical date, if it falls outside 1900 to 2200."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return FieldProblem(
        field,
        f"{day} is outside the years {EARLIEST_DAY.year} to {LATEST_DAY.year}.",
        f"give a day from {EARLIEST_DAY} to {LATEST_DAY} (YYYY-MM-DD).",
        InputCode.OUT_OF_RANGE,
    )


def check_in_calendar(field: str, day: date) -> date:
    """``day``, a clinical date within 1900 to 2200.

    Raises:
        InvalidInputError: Field ``field``: outside those years (``out-of-range``).
    """
    problem = calendar_problem(field, day)
    if problem is not None:
        raise InvalidInputError([problem])
    return day


def check_birth_date(born_on: date, *, today: date, max_age_years: int) -> date:
    """A birth date: in the past, and giving an age of at most ``max_age_years``.

    Raises:
        InvalidInputError: Field ``born_on``: in the future (``in-the-future``), or too long
            ago to be a living patient's (``patient-age``): narrower than the calendar's bounds.
    """
    if born_on > today:
        raise InvalidInputError.single(
            "born_on",
            f"{born_on} is in the future.",
            "give the date of birth (YYYY-MM-DD).",
            InputCode.IN_THE_FUTURE,
        )
    if _years_between(born_on, today) > max_age_years:
        raise InvalidInputError.single(
            "born_on",
            f"{born_on} gives an age over {max_age_years} years.",
            "check the year of birth.",
            limits.PATIENT_AGE,
        )
    return born_on


def check_day_observed(field: str, on: date, *, today: date, not_before: tuple[date, str]) -> date:
    """The day something was observed or measured: not in the future, not before a day.

    ``not_before`` is the first possible day and what it is (``the first consultation``).

    Raises:
        InvalidInputError: Outside 1900 to 2200 (``out-of-range``), in the future
            (``in-the-future``), or before that day (``too-early``).
    """
    check_in_calendar(field, on)
    earliest, what = not_before
    if on > today:
        raise InvalidInputError.single(
            field,
            f"{on} is in the future (today is {today}).",
            "give the day it was observed.",
            InputCode.IN_THE_FUTURE,
        )
    if on < earliest:
        raise InvalidInputError(
            [
                FieldProblem(
                    field,
                    f"{on} is before {what} ({earliest}).",
                    f"give a day on or after {earliest}.",
                    InputCode.TOO_EARLY,
                )
            ]
        )
    return on


def _years_between(earlier: date, later: date) -> int:
    """Whole years from one day to another (birthdays count on the day)."""
    years = later.year - earlier.year
    return years - 1 if (later.month, later.day) < (earlier.month, earlier.day) else years


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months later (or earlier if negative).

    When the target month is shorter, the day is clamped to its last day: 31 August plus
    6 months is 28 (or 29) February.
    """
    index = day.month - 1 + months
    year, month = day.year + index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
