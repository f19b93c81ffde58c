"""Issue 14: the domain's own text checks keep the one text rule (``domain.text``).

Free text that reaches a service without an API field type (the clinic's contact details, a
check-in review note, a typed consent name or withdrawal reason, a consent template's title
and body, all typed into web forms) was checked against control characters only: a
right-to-left override (U+202E) or an isolate (U+2066) was stored as given, to be read back
reversed. Now each refuses them with the API's own problem, fix and code (``not-text``), on the
field it names; line breaks stay allowed where the text runs over several lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain import text
from needlepoint.domain.check_in_reviews import CheckInReview, ReviewOutcome
from needlepoint.domain.consent import checked_text
from needlepoint.domain.consent_templates import template_text
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError

BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
ONE_LINE_BREAKERS = ["\x00", "\r", "\n", "\x1b", "\x7f", "\x85", "\x9c", *BIDI]
MANY_LINE_BREAKERS = ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\x9c", *BIDI]

Check = Callable[[str], object]
ONE_LINE: dict[str, tuple[str, Check]] = {
    "clinic address": ("address", lambda v: ClinicContact("020 7946 0123", address=v)),
    "clinic phone hours": ("phone_hours", lambda v: ClinicContact("020 7946 0123", phone_hours=v)),
    "check-in review note": ("note", lambda v: CheckInReview(ReviewOutcome.ADVICE_GIVEN, v)),
    "typed consent name": ("typed_name", lambda v: checked_text("typed_name", v, 200)),
    "withdrawal reason": ("reason", lambda v: checked_text("reason", v, 500)),
}
MANY_LINES: dict[str, tuple[str, Check]] = {
    "consent template title": ("title", lambda v: template_text(v, "Risks\n\nRedness.")),
    "consent template body": ("body", lambda v: template_text("Consent", v)),
}


def refusal(check: Check, value: str) -> FieldProblem:
    with pytest.raises(InvalidInputError) as caught:
        check(value)
    [problem] = caught.value.problems
    return problem


@pytest.mark.parametrize("breaker", ONE_LINE_BREAKERS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("case", ONE_LINE, ids=list(ONE_LINE))
def test_one_line_web_text_with_a_control_or_direction_character_is_not_text(
    case: str, breaker: str
) -> None:
    field, check = ONE_LINE[case]

    problem = refusal(check, f"Harbour{breaker}Road")

    assert problem == FieldProblem(
        field,
        text.PROBLEMS[text.PRINTABLE],
        text.FIXES[text.PRINTABLE],
        InputCode.NOT_TEXT,
    )


@pytest.mark.parametrize("breaker", MANY_LINE_BREAKERS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("case", MANY_LINES, ids=list(MANY_LINES))
def test_many_line_web_text_with_a_control_or_direction_character_is_not_text(
    case: str, breaker: str
) -> None:
    field, check = MANY_LINES[case]

    problem = refusal(check, f"Redness{breaker}swelling")

    assert (problem.field, problem.code, problem.fix) == (
        field,
        InputCode.NOT_TEXT,
        text.FIXES[text.LINES],
    )


def test_line_breaks_and_tabs_stay_allowed_in_a_template_body() -> None:
    made = template_text("Consent", "Risks\r\n\tRedness for 2 days.\n\nSwelling.")

    assert "Redness" in made.body


_PRINTABLE = st.text(
    st.characters(blacklist_categories=["Cc", "Cs"], blacklist_characters=BIDI), max_size=60
)


@given(before=_PRINTABLE, after=_PRINTABLE, breaker=st.sampled_from(ONE_LINE_BREAKERS))
def test_text_problem_refuses_exactly_the_characters_the_api_types_refuse(
    before: str, after: str, breaker: str
) -> None:
    clean = before + after
    dirty = before + breaker + after

    assert text.text_problem("f", clean) is None
    assert re.fullmatch(text.PRINTABLE, clean) is not None
    assert text.text_problem("f", dirty) is not None
    assert re.fullmatch(text.PRINTABLE, dirty) is None
