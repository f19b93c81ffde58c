"""What each finding that needs clearance asks of a proposed series' first session.

A relative finding stands in the way of treatment until a clinician clears it. A relative
finding with a waiting period (``course: waiting_period``) also passes by itself on its
``clears_on`` day. The programme proposes the first session on or after the end of every
wait that delays the series (``Screening.earliest_eligible_on``), so for those findings the
wait has ended by the first session, and only an earlier start needs clearance. Should the
first session fall before a wait's end, a clinician must clear the finding before it, or the
series must move to the wait's end. A relative finding confined to zones the series leaves
out (excluded by an absolute finding) delays nothing; it needs clearance only before those
zones are treated.

The report words its instructions from these values and the first session day, never from the
decision alone, so one date is never offered both as the start and as a deadline to clear by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from needlepoint.domain.screening import Finding, Screening, Severity


class Standing(StrEnum):
    """How a finding that needs clearance stands on the proposed first session day."""

    CLEAR_BEFORE_FIRST_SESSION = "clear_before_first_session"
    WAIT_ENDS_BY_FIRST_SESSION = "wait_ends_by_first_session"
    WAIT_OUTLASTS_FIRST_SESSION = "wait_outlasts_first_session"
    ZONES_LEFT_OUT = "zones_left_out"


_CLEAR_FIRST = frozenset(
    {Standing.CLEAR_BEFORE_FIRST_SESSION, Standing.WAIT_OUTLASTS_FIRST_SESSION}
)


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """One finding that needs clearance, and how it stands on the first session day."""

    finding: Finding
    standing: Standing
    first_session_on: date

    @property
    def wait_ends_on(self) -> date | None:
        """The day the finding's waiting period ends, if it has one."""
        return self.finding.clears_on

    @property
    def is_to_be_cleared_first(self) -> bool:
        """Whether a clinician must clear it before the first session as proposed."""
        return self.standing in _CLEAR_FIRST


def prerequisites(screening: Screening, first_session_on: date) -> tuple[Prerequisite, ...]:
    """Every relative finding of a screening, as it stands on the first session day."""
    return tuple(
        Prerequisite(f, _standing(screening, f, first_session_on), first_session_on)
        for f in screening.findings
        if f.severity is Severity.RELATIVE
    )


def _standing(screening: Screening, finding: Finding, first_session_on: date) -> Standing:
    if not screening.is_delayed_by(finding):
        return Standing.ZONES_LEFT_OUT
    if finding.clears_on is None:
        return Standing.CLEAR_BEFORE_FIRST_SESSION
    if finding.clears_on <= first_session_on:
        return Standing.WAIT_ENDS_BY_FIRST_SESSION
    return Standing.WAIT_OUTLASTS_FIRST_SESSION
