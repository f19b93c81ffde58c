"""Reading forms: each field checked as the API checks it, each problem naming its field.

A form arrives as text; these functions turn it into the services' inputs or raise
``InvalidInputError`` listing every problem at once, so the page can show each beside its
field (``by_field``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Final

from needlepoint.domain import contact
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.records.patients import NewPatient

MAX_NAME: Final = 200
MAX_SEARCH: Final = 200
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL: Final = re.compile(contact.EMAIL)
_PHONE: Final = re.compile(contact.PHONE)


def search_text(raw: str) -> str:
    """A patient search, trimmed; control characters and over-long text are refused."""
    text = raw.strip()
    if len(text) > MAX_SEARCH or _CONTROL.search(text):
        raise InvalidInputError.single(
            "q", "is not a name to search for.", f"type up to {MAX_SEARCH} printable characters."
        )
    return text


def new_patient(form: Mapping[str, str]) -> NewPatient:
    """The patient to register, from the registration form."""
    problems: list[FieldProblem] = []
    given = _name(form, "given_name", problems)
    family = _name(form, "family_name", problems)
    born_on = _born_on(form.get("born_on", "").strip(), problems)
    sex = _sex(form.get("sex", ""), problems)
    email = _optional(
        form, "email", (_EMAIL, InputCode.NOT_AN_EMAIL), "give an address like name@example.org.",
        problems,
    )  # fmt: skip
    phone = _optional(
        form, "phone", (_PHONE, InputCode.NOT_A_PHONE), "use digits, spaces and + ( ) - . only.",
        problems,
    )  # fmt: skip
    if problems or born_on is None or sex is None:
        raise InvalidInputError(problems)
    return NewPatient(given, family, born_on, sex, email=email, phone=phone)


def by_field(problems: Iterable[object]) -> dict[str, FieldProblem]:
    """Problems keyed by their field, for showing each beside its input."""
    return {p.field: p for p in problems if isinstance(p, FieldProblem)}


def _name(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> str:
    raw = form.get(field, "")
    value = raw.strip()
    fix = f"type the name as it is written, up to {MAX_NAME} characters."
    if not raw:
        problems.append(FieldProblem(field, "is missing.", fix, InputCode.REQUIRED))
    elif len(raw) > MAX_NAME:
        problems.append(FieldProblem(field, "is too long.", fix, InputCode.TOO_LONG))
    elif not value or _CONTROL.search(value):
        problems.append(FieldProblem(field, "is not a name.", fix, InputCode.NOT_TEXT))
    return value


def _born_on(raw: str, problems: list[FieldProblem]) -> date | None:
    if not raw:
        problems.append(
            FieldProblem("born_on", "is missing.", "give it as YYYY-MM-DD.", InputCode.REQUIRED)
        )
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(
            FieldProblem(
                "born_on", "is not a date.", "give it as YYYY-MM-DD.", InputCode.NOT_A_DATE
            )
        )
        return None


def _sex(raw: str, problems: list[FieldProblem]) -> Sex | None:
    try:
        return Sex(raw)
    except ValueError:
        code = InputCode.REQUIRED if not raw else InputCode.NOT_A_CHOICE
        problems.append(
            FieldProblem("sex", "is not chosen.", "choose female, male or other.", code)
        )
        return None


def _optional(
    form: Mapping[str, str],
    field: str,
    rule: tuple[re.Pattern[str], str],
    fix: str,
    problems: list[FieldProblem],
) -> str | None:
    value = form.get(field, "").strip()
    if not value:
        return None
    pattern, code = rule
    if not pattern.fullmatch(value):
        problems.append(FieldProblem(field, "is not valid.", fix, code))
    return value
