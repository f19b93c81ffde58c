"""Load the contraindication rules and the red flags from their cited YAML tables.

``contraindications.yaml`` becomes a ``RuleSet``: each row is validated by ``RuleRow`` and
its ``predicate`` name is looked up in ``predicates.RULE_PREDICATES`` and built with the
row's ``params``. ``red_flags.yaml`` becomes a tuple of ``RedFlag``. An unknown key, an
unknown predicate, params that do not fit, ``holds_programme`` on a rule that is not an
absolute zone rule, or a repeated id raise ``KnowledgeError`` naming the table and the row.
Every loader is cached: the files are read once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from needlepoint.domain.care import RedFlag
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.screening import Course, Predicate, Rule, RuleSet, Scope, Severity
from needlepoint.knowledge import files
from needlepoint.knowledge.predicates import (
    DAY_PREDICATES,
    RULE_PREDICATES,
    PredicateParamsError,
    build_predicate,
)
from needlepoint.knowledge.schema import CitedRow, RuleId, TableHeader, check_unique

CONTRAINDICATIONS = "contraindications"
RED_FLAGS = "red_flags"

Urgency = Literal["call_clinic", "emergency"]


class RuleRow(CitedRow):
    """One row of ``contraindications.yaml``."""

    id: RuleId
    severity: Severity
    scope: Scope
    course: Course
    reason: str = Field(min_length=20)
    action: str = Field(min_length=5)
    predicate: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    params: dict[str, object] = Field(default_factory=dict)
    holds_programme: bool = Field(default=False, exclude_if=lambda holds: not holds)


class ContraindicationsFile(TableHeader):
    """``contraindications.yaml``."""

    rules: tuple[RuleRow, ...] = Field(min_length=1)


class RedFlagRow(CitedRow):
    """One row of ``red_flags.yaml``."""

    id: RuleId
    sign: str = Field(min_length=10)
    likely_cause: str = Field(min_length=5)
    window: str = Field(min_length=3)
    urgency: Urgency


class RedFlagsFile(TableHeader):
    """``red_flags.yaml``."""

    red_flags: tuple[RedFlagRow, ...] = Field(min_length=1)


@cache
def contraindications_table() -> ContraindicationsFile:
    """The validated rows of ``contraindications.yaml``."""
    table = files.parse_table(CONTRAINDICATIONS, ContraindicationsFile)
    check_unique(CONTRAINDICATIONS, ((row.id, row.id) for row in table.rules), "id")
    return table


@cache
def red_flags_table() -> RedFlagsFile:
    """The validated rows of ``red_flags.yaml``."""
    table = files.parse_table(RED_FLAGS, RedFlagsFile)
    check_unique(RED_FLAGS, ((row.id, row.id) for row in table.red_flags), "id")
    return table


@cache
def load_ruleset() -> RuleSet:
    """Every contraindication rule, with the table version screenings record."""
    return build_ruleset(contraindications_table())


@cache
def load_red_flags() -> tuple[RedFlag, ...]:
    """Every red flag, in table order."""
    return tuple(build_red_flag(row) for row in red_flags_table().red_flags)


@cache
def red_flags_version() -> str:
    """The ``table_version`` of ``red_flags.yaml``."""
    return red_flags_table().table_version


@cache
def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table name, row id, row) for every row of both tables, for citation checks."""
    rules = tuple((CONTRAINDICATIONS, row.id, row) for row in contraindications_table().rules)
    flags = tuple((RED_FLAGS, row.id, row) for row in red_flags_table().red_flags)
    return rules + flags


def build_ruleset(table: ContraindicationsFile) -> RuleSet:
    """Turn a validated contraindications table into a domain ``RuleSet``."""
    check_unique(CONTRAINDICATIONS, ((row.id, row.id) for row in table.rules), "id")
    return RuleSet(rules=tuple(build_rule(row) for row in table.rules), version=table.table_version)


def build_rule(row: RuleRow) -> Rule:
    """Turn one validated row into a domain ``Rule`` with its predicate built."""
    _check_holds_programme(row)
    return Rule(
        id=row.id,
        severity=row.severity,
        scope=row.scope,
        course=row.course,
        reason=row.reason,
        action=row.action,
        predicate=_predicate(row),
        provenance=row.provenance(),
        holds_programme=row.holds_programme,
        reads_day=row.predicate in DAY_PREDICATES,
    )


def build_red_flag(row: RedFlagRow) -> RedFlag:
    """Turn one validated row into a domain ``RedFlag``."""
    return RedFlag(
        id=row.id,
        sign=row.sign,
        likely_cause=row.likely_cause,
        window=row.window,
        urgency=row.urgency,
        provenance=row.provenance(),
    )


def _check_holds_programme(row: RuleRow) -> None:
    """Only an absolute zone rule can hold the programme; a patient rule always does."""
    if row.holds_programme and (row.severity, row.scope) != (Severity.ABSOLUTE, Scope.ZONE):
        detail = "holds_programme applies only to a rule with severity absolute and scope zone"
        raise KnowledgeError(CONTRAINDICATIONS, row.id, detail)


def _predicate(row: RuleRow) -> Predicate:
    factory = RULE_PREDICATES.get(row.predicate)
    if factory is None:
        raise KnowledgeError(CONTRAINDICATIONS, row.id, f"unknown predicate '{row.predicate}'")
    try:
        params = factory.parse(row.params)
    except PredicateParamsError as error:
        detail = f"params do not fit predicate '{row.predicate}': {error}"
        raise KnowledgeError(CONTRAINDICATIONS, row.id, detail) from error
    return build_predicate(row.predicate, params)
