"""The consent signature and withdrawal forms, read the same way in the clinic and the portal.

Both read the form through the API's ``ConsentIn`` and ``WithdrawIn`` (ADR 0027), so a problem
names the same field with the same code everywhere; each page only chooses its own words for a
missing answer (the clinic speaks to staff, the portal to the patient).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import FieldProblem, InputCode
from needlepoint.entrypoints.api.schemas.consent import ConsentIn, WithdrawIn
from needlepoint.entrypoints.web import forms
from needlepoint.services.portal.consents import NewSignature

SIGNED: Final = ("template_id", "template_sha256", "typed_name", "signature", "agreed")
"""The signature form's fields; ``signature`` (the drawing) may be blank."""

_BLANK_CODES: Final = frozenset({InputCode.REQUIRED, InputCode.NOT_TEXT})


def signature(fields: Mapping[str, str], series_id: UUID) -> NewSignature:
    """The patient's signature on ``series_id``'s consent, or ``InvalidInputError``."""
    body = forms.body(fields, SIGNED, blank=("signature",))
    return forms.parsed(ConsentIn, body).to_domain(series_id)


def withdrawal_reason(fields: Mapping[str, str]) -> str:
    """The reason given for withdrawing, or ``InvalidInputError``."""
    return forms.parsed(WithdrawIn, forms.body(fields, ("reason",))).reason


def worded(
    problems: Iterable[FieldProblem],
    words: Mapping[str, tuple[str, str]],
    fields: Mapping[str, str],
) -> dict[str, FieldProblem]:
    """The problems by field, a blank answer told in the page's own ``words`` (problem, fix).

    An answer of spaces only keeps the API's code (``not-text``), but to the person at the
    form it is as blank as an empty one, so it gets the same words.
    """
    return forms.by_field(_worded(p, words, fields) for p in problems)


def _worded(
    problem: FieldProblem, words: Mapping[str, tuple[str, str]], fields: Mapping[str, str]
) -> FieldProblem:
    said = words.get(problem.field)
    if said is None or problem.code not in _BLANK_CODES:
        return problem
    if problem.code == InputCode.NOT_TEXT and fields.get(problem.field, "").strip():
        return problem
    return FieldProblem(problem.field, *said, problem.code)
