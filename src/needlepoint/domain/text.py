"""The one rule for free text, whatever the field and whichever entry point it comes from.

A name, a reason or a note is printable text: no control characters (NUL among them: they
break log lines and PostgreSQL refuses them), and no bidirectional overrides or isolates
(U+202A to U+202E, U+2066 to U+2069: they make text read differently from what is stored). A
field over several lines also takes line breaks and tabs. Every free-text field is bounded in
length by its own type; the patterns here are the character rule, which the API's field types
(``entrypoints.api.schemas.common``) and the domain's own checks share.
"""

from __future__ import annotations

import re
from typing import Final

from needlepoint.domain.errors import FieldProblem, InputCode

_BIDI: Final = r"\u202a-\u202e\u2066-\u2069"
_ONE_LINE_CHAR: Final = rf"[^\x00-\x1f\x7f-\x9f{_BIDI}]"
_MANY_LINES_CHAR: Final = rf"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]"

NOT_BLANK: Final = rf"^{_ONE_LINE_CHAR}*[^\s\x00-\x1f\x7f-\x9f{_BIDI}]{_ONE_LINE_CHAR}*$"
"""A pattern: one line of printable text that is not blank."""
PRINTABLE: Final = rf"^{_ONE_LINE_CHAR}*$"
"""A pattern: one line of printable text, perhaps empty."""
LINES: Final = rf"^{_MANY_LINES_CHAR}*$"
"""A pattern: printable text over several lines (line breaks and tabs allowed), perhaps empty."""

ONE_LINE_FIX: Final = (
    "write it on one line, without control characters or direction overrides "
    "(U+202A to U+202E, U+2066 to U+2069)."
)
LINES_FIX: Final = (
    "remove control characters other than line breaks and tabs, and direction overrides "
    "(U+202A to U+202E, U+2066 to U+2069)."
)
FIXES: Final = {NOT_BLANK: ONE_LINE_FIX, PRINTABLE: ONE_LINE_FIX, LINES: LINES_FIX}
"""The fix for text that does not match each pattern."""
_CONTROL: Final = "contains a control character or a direction override."
PROBLEMS: Final = {
    NOT_BLANK: "is blank, or contains a control character or a direction override.",
    PRINTABLE: _CONTROL,
    LINES: _CONTROL,
}
"""What is wrong with text that does not match each pattern."""

_ONE_LINE_BREAKER: Final = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_LINES_BREAKER: Final = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


def text_problem(field: str, given: str, *, lines: bool = False) -> FieldProblem | None:
    """What is wrong with ``given`` as text of ``field`` by the one rule, or ``None``.

    For the domain's own checks of text that no API field type has read (web forms, the
    services): the same problem, fix and code (``not-text``) as the API's field types give.
    ``lines``: the field runs over several lines, so line breaks and tabs are allowed.
    """
    breaker, pattern = (_LINES_BREAKER, LINES) if lines else (_ONE_LINE_BREAKER, PRINTABLE)
    if breaker.search(given) is None:
        return None
    return FieldProblem(field, PROBLEMS[pattern], FIXES[pattern], InputCode.NOT_TEXT)
