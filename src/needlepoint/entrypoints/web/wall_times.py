"""Clinic wall times typed into a form, read as the instants the API's request models take.

A form asks for a time as the clinic's clock shows it (``YYYY-MM-DDTHH:MM``, an input of type
``datetime-local``); the API takes an instant with an offset. Each wall time is turned into
its instant here (``domain.clinic_time.wall_time_to_instant``: of a repeated hour, the first)
before the body is validated, so the model reads it as an API client's instant. Text that is
not a time, and a time the clocks skipped, are refused with the code the API gives a time it
cannot read (``not-a-time``), naming the field as the API names it; ``parsed`` gives those
problems together with the model's, one per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import TypeVar

from pydantic import BaseModel

from needlepoint.domain.clinic_time import SkippedWallTimeError, wall_time_to_instant
from needlepoint.domain.dates import check_in_calendar
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.entrypoints.web import forms

M = TypeVar("M", bound=BaseModel)


def instant(raw: str, zone: tzinfo, field: str) -> datetime:
    """The wall time ``raw`` in ``zone`` as a UTC instant; a time with an offset is that instant.

    Raises:
        InvalidInputError: ``raw`` is not a time, or the clocks skipped it (naming ``field``).
    """
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise _refused(field, "is not a time.", "give it as YYYY-MM-DDTHH:MM.") from None
    check_in_calendar(field, moment.date())
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    try:
        return wall_time_to_instant(moment.date(), moment.time(), zone)
    except SkippedWallTimeError:
        raise _refused(
            field, "is a time the clocks skipped.", "give the time the clock showed."
        ) from None


def read_instants(
    given: dict[str, object], fields: Mapping[str, str], zone: tzinfo
) -> list[FieldProblem]:
    """Each wall time in ``given`` (its key → the field the API names) as its instant.

    A time that cannot be read is left as typed and its problem returned, for ``parsed``.
    """
    problems: list[FieldProblem] = []
    for key, field in fields.items():
        raw = given.get(key)
        if not isinstance(raw, str):
            continue
        try:
            given[key] = instant(raw, zone, field)
        except InvalidInputError as error:
            problems.extend(error.problems)
    return problems


def parsed(model: type[M], given: Mapping[str, object], refused: list[FieldProblem]) -> M:
    """``forms.parsed``, with the times ``refused`` before in place of the model's own word.

    Every problem is raised at once; a field refused as a time is named once, as a time.
    """
    try:
        found = forms.parsed(model, given)
    except InvalidInputError as error:
        named = {p.field for p in refused}
        rest = [p for p in error.problems if p.field not in named]
        raise InvalidInputError([*refused, *rest]) from None
    if refused:
        raise InvalidInputError(refused)
    return found


def _refused(field: str, problem: str, fix: str) -> InvalidInputError:
    return InvalidInputError([FieldProblem(field, problem, fix, InputCode.NOT_A_TIME)])
