"""Loading ``checkin_triage.yaml``: the rules that triage a patient's daily check-in.

Each rule names the answer it looks at and the least answer that fires it: a degree for
redness and swelling, 0–10 for pain, ``yes`` for pus, fever and blisters. The loader turns
that into the number the domain compares (``CheckInAnswers.score``) and checks that every
``red_flag`` names a row of ``red_flags.yaml``. Any failure raises ``KnowledgeError`` naming
the row.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from needlepoint.domain.checkins import (
    DEGREE_SIGNS,
    MAX_PAIN,
    YES_NO_SIGNS,
    Degree,
    Sign,
    TriageLevel,
    TriageRule,
    TriageRules,
)
from needlepoint.domain.errors import KnowledgeError
from needlepoint.knowledge import files, rules
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, TableHeader, check_unique

TABLE = "checkin_triage"


class WindowRow(IdentifiedRow):
    """The days after a session on which a check-in is asked for."""

    last_day: int = Field(ge=0)


class TriageRow(IdentifiedRow):
    """One triage rule."""

    level: TriageLevel
    answer: Sign
    at_least: bool | int | str
    from_day: int = Field(default=0, ge=0)
    red_flag: str | None = None
    reason: str = Field(min_length=10)


class TriageFile(TableHeader):
    """``checkin_triage.yaml``."""

    window: WindowRow
    rules: tuple[TriageRow, ...] = Field(min_length=1)


@cache
def load_triage_file() -> TriageFile:
    """``checkin_triage.yaml`` parsed once per process.

    Raises:
        KnowledgeError: The file is missing, is not YAML, or does not fit its schema.
    """
    return files.parse_table(TABLE, TriageFile)


@cache
def load_triage_rules() -> TriageRules:
    """Every triage rule, checked, with the check-in window and the table version.

    Raises:
        KnowledgeError: The file is malformed or a row fails a semantic check.
    """
    flags = frozenset(row.id for row in rules.red_flags_table().red_flags)
    return build_triage_rules(load_triage_file(), red_flags=flags)


def build_triage_rules(parsed: TriageFile, *, red_flags: frozenset[str]) -> TriageRules:
    """Check the parsed rows and build the domain rules.

    Raises:
        KnowledgeError: An id repeats, a threshold does not fit its answer, a rule fires
            after the last check-in day, or a red flag is unknown.
    """
    check_unique(TABLE, ((row.id, row.id) for row in parsed.rules), "id")
    built = tuple(_rule(row, red_flags, parsed.window.last_day) for row in parsed.rules)
    return TriageRules(rules=built, last_day=parsed.window.last_day, version=parsed.table_version)


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for the window and every rule."""
    parsed = load_triage_file()
    window: tuple[tuple[str, str, CitedRow], ...] = ((TABLE, parsed.window.id, parsed.window),)
    return window + tuple((TABLE, row.id, row) for row in parsed.rules)


def _rule(row: TriageRow, red_flags: frozenset[str], last_day: int) -> TriageRule:
    if row.red_flag is not None and row.red_flag not in red_flags:
        raise KnowledgeError(TABLE, row.id, f"red_flag '{row.red_flag}' is not in red_flags.yaml")
    if row.from_day > last_day:
        raise KnowledgeError(TABLE, row.id, f"from_day is after the last check-in day {last_day}")
    return TriageRule(
        id=row.id,
        level=row.level,
        sign=row.answer,
        at_least=_threshold(row),
        from_day=row.from_day,
        reason=row.reason,
        red_flag=row.red_flag,
        provenance=row.provenance(),
    )


def _threshold(row: TriageRow) -> int:
    """The score that fires the rule (``CheckInAnswers.score`` of the least answer)."""
    value = row.at_least
    if row.answer in YES_NO_SIGNS:
        if value is not True:
            raise KnowledgeError(TABLE, row.id, f"at_least for {row.answer} must be yes")
        return 1
    if row.answer in DEGREE_SIGNS:
        if not isinstance(value, str) or value not in {d.value for d in Degree}:
            names = ", ".join(d.value for d in Degree)
            raise KnowledgeError(TABLE, row.id, f"at_least for {row.answer} must be one of {names}")
        return Degree(value).rank
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PAIN:
        raise KnowledgeError(
            TABLE, row.id, f"at_least for pain must be a whole number 0–{MAX_PAIN}"
        )
    return value
