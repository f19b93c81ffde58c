"""Clearances: a clinician's record that a finding needing clearance may be treated past.

A relative finding (``Decision.NEEDS_CLEARANCE``: anticoagulants, a history of cold sores, a
recent filler…) stands in the way until either its wait has passed (a waiting-period finding
with ``clears_on``) or a clinician has recorded a ``Clearance`` for it: which finding (its rule
id, and its zones for a zone finding), why, who, when, and the last day it holds (ADR 0021).

The gate is one pure function, ``unmet``, asked with the day something would happen:

* saving a series needs every finding without a wait cleared (a wait is met by its date);
* nothing is booked or started on a day before a finding's wait has passed, unless cleared;
* on the day of a session the re-screen's findings are asked again, so a new finding (a new
  anticoagulant, today's cold sore history) needs its own clearance before the start.

A clearance never unlocks an absolute finding or a deferral: those are hard limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from needlepoint.domain import limits
from needlepoint.domain.errors import ConflictError, FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.vocabulary import Zone

RELATIVE = "relative"


@dataclass(frozen=True, slots=True)
class Clearance:
    """One finding of one patient cleared by a clinician, and the last day it holds."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    consultation_id: UUID
    rule_id: str
    zones: tuple[Zone, ...]
    reason: str
    cleared_by: UUID
    cleared_at: datetime
    valid_until: date

    def covers(self, finding: FindingToClear, on: date) -> bool:
        """Whether this clearance clears a finding on a day."""
        return (
            self.rule_id == finding.rule_id
            and set(finding.zones) <= set(self.zones)
            and self.cleared_at.date() <= on <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class FindingToClear:
    """A relative finding as the report recorded it: what stands in the way, and until when."""

    rule_id: str
    zones: tuple[Zone, ...]
    reason: str
    action: str
    clears_on: date | None

    @classmethod
    def from_report(cls, finding: Mapping[str, Any]) -> FindingToClear:
        """From one finding of a consultation report (``services.reports``)."""
        clears_on = finding.get("clears_on")
        return cls(
            rule_id=str(finding["rule_id"]),
            zones=tuple(Zone(z) for z in finding.get("zones") or ()),
            reason=str(finding.get("reason", "")),
            action=str(finding.get("action", "")),
            clears_on=date.fromisoformat(clears_on) if clears_on else None,
        )

    def waited(self, on: date) -> bool:
        """Whether the finding's wait has passed by a day (never, for a finding with no wait)."""
        return self.clears_on is not None and on >= self.clears_on

    def concerns(self, zones: frozenset[Zone]) -> bool:
        """Whether the finding stands in the way of treating these zones (patient findings do)."""
        return not self.zones or bool(set(self.zones) & zones)


def to_clear(findings: Iterable[Mapping[str, Any]], zones: frozenset[Zone]) -> list[FindingToClear]:
    """The report's relative findings that concern the zones to be treated."""
    relative = (FindingToClear.from_report(f) for f in findings if f.get("severity") == RELATIVE)
    return [f for f in relative if f.concerns(zones)]


def unmet(
    findings: Iterable[FindingToClear], clearances: Iterable[Clearance], on: date
) -> tuple[FindingToClear, ...]:
    """The findings that still stand in the way on a day: not waited out, not cleared."""
    held = tuple(clearances)
    return tuple(f for f in findings if not f.waited(on) and not any(c.covers(f, on) for c in held))


def free_from(finding: FindingToClear, clearances: Iterable[Clearance]) -> date:
    """The first day a dated finding no longer holds anything back.

    That is its wait's end, or the day a clearance of it was recorded, if that is earlier.
    A finding without a wait is never free by date (``date.max``).
    """
    if finding.clears_on is None:
        return date.max
    cleared = [
        c.cleared_at.date()
        for c in clearances
        if c.rule_id == finding.rule_id
        and set(finding.zones) <= set(c.zones)
        and c.valid_until >= c.cleared_at.date()
    ]
    return min([finding.clears_on, *cleared])


class ClearanceRequiredError(ConflictError):
    """A finding needing clearance stands in the way: clear it, or wait for its date.

    ``findings`` are the unmet findings; ``earliest_on`` is the day every dated one has passed
    (None when one has no date: only a clearance will do).
    """

    code = "clearance-required"

    def __init__(self, findings: tuple[FindingToClear, ...], *, doing: str) -> None:
        self.findings = findings
        self.earliest_on = earliest_without_clearance(findings)
        super().__init__(_refusal_text(findings, doing, self.earliest_on))


def earliest_without_clearance(findings: Iterable[FindingToClear]) -> date | None:
    """The first day on which every one of these findings has waited out (None: never)."""
    dates = [f.clears_on for f in findings]
    if not dates or any(d is None for d in dates):
        return None
    return max(d for d in dates if d is not None)


def _refusal_text(findings: tuple[FindingToClear, ...], doing: str, earliest: date | None) -> str:
    ids = ", ".join(f.rule_id for f in findings)
    if earliest is not None:
        return (
            f"cannot {doing} before {earliest}: {ids} needs a clinician's clearance until then. "
            f"Choose {earliest} or later, or record a clearance first."
        )
    return f"cannot {doing} until a clinician has recorded a clearance for {ids}."


@dataclass(frozen=True, slots=True)
class NewClearance:
    """What a clinician gives to clear a finding: which, why, until when."""

    consultation_id: UUID
    rule_id: str
    reason: str
    valid_until: date


def clearance_problems(
    new: NewClearance, finding: FindingToClear | None, *, today: date, max_days: int
) -> tuple[FieldProblem, ...]:
    """What is wrong with a clearance: an unknown finding, no reason, a day out of bounds."""
    problems = []
    if finding is None:
        problems.append(
            FieldProblem(
                "rule_id",
                "is not a finding of this consultation that needs clearance.",
                "choose one of the consultation's findings that need clearance.",
                InputCode.NOT_A_CHOICE,
            )
        )
    if not new.reason.strip():
        problems.append(
            FieldProblem(
                "reason",
                "is blank.",
                "say why the finding is cleared (e.g. the physician's letter).",
                InputCode.REASON_REQUIRED,
            )
        )
    problems += _validity_problems(new.valid_until, today, max_days)
    return tuple(problems)


def _validity_problems(valid_until: date, today: date, max_days: int) -> list[FieldProblem]:
    if valid_until < today:
        return [
            FieldProblem(
                "valid_until",
                "is in the past.",
                "give the last day the clearance holds, today or later.",
                InputCode.TOO_EARLY,
            )
        ]
    if (valid_until - today).days > max_days:
        return [
            FieldProblem(
                "valid_until",
                f"is more than {max_days} days away.",
                f"give a day within {max_days} days; clear the finding again after that.",
                limits.CLEARANCE_VALIDITY,
            )
        ]
    return []


def check_clearance(
    new: NewClearance, finding: FindingToClear | None, *, today: date, max_days: int
) -> FindingToClear:
    """The finding a new clearance clears, or ``InvalidInputError`` naming each problem."""
    problems = clearance_problems(new, finding, today=today, max_days=max_days)
    if problems or finding is None:
        raise InvalidInputError(problems)
    return finding


@dataclass(frozen=True, slots=True)
class FindingStatus:
    """Where one finding needing clearance stands on a day, for the clinician to see."""

    finding: FindingToClear
    cleared_by: Clearance | None
    """The clearance that covers it on the day, if any (the newest)."""
    waited: bool
    """Its wait has passed by the day."""

    @property
    def stands(self) -> bool:
        """Whether it still stands in the way on the day."""
        return self.cleared_by is None and not self.waited


def status_of(
    findings: Iterable[FindingToClear], clearances: Iterable[Clearance], on: date
) -> tuple[FindingStatus, ...]:
    """Each finding's standing on a day: cleared (by which clearance), waited out, or not."""
    held = sorted(clearances, key=lambda c: c.cleared_at, reverse=True)
    return tuple(
        FindingStatus(f, next((c for c in held if c.covers(f, on)), None), f.waited(on))
        for f in findings
    )
