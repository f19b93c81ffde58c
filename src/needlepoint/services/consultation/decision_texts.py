"""The report's words for the decision and for what must happen before the first session.

Every sentence is derived from the programme: the decision, the findings behind it and, for a
proposed series, how each finding that needs clearance stands on the first session day
(``domain.readiness``). A waiting period that ends by the first session is stated as the day
the series may start from, with clearance needed only to start earlier; it is never also a
finding to clear before the first session. A wait that ends after the first session says so,
with both dates. A zone finding that holds the programme says what the programme waits for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from needlepoint.domain.programme import Programme
from needlepoint.domain.readiness import Prerequisite, Standing
from needlepoint.domain.screening import Decision, Finding

DECISION_SUMMARIES = {
    Decision.PROCEED: "Proceed: no contraindication stands in the way of the proposed plan.",
    Decision.DEFER: "Defer: do not treat now; re-screen when the findings below have resolved.",
    Decision.DECLINE: "Decline: microneedling is not appropriate for this request.",
}

NOTHING_TO_PLAN = {
    Decision.DEFER: (
        "Defer: no zone can be planned yet: grade the scars in the zones listed below, then "
        "consult again."
    ),
    Decision.DECLINE: (
        "Decline: needlepoint can plan none of the requested zones for the requested "
        "indications (see below)."
    ),
}

PROCEED_WITH_EXCLUSIONS = (
    "Proceed: no contraindication stands in the way of the proposed plan, which leaves out "
    "the excluded zones below."
)

HOLDING_TOO = " The other findings below that stop treatment must also have resolved."

GENERIC_CLEARANCE = "Needs clearance: see each finding below."
CLEAR_FIRST_HEAD = "Needs clearance before the first session."
START_EARLIER_HEAD = "Needs clearance only to start earlier."
LEFT_OUT_HEAD = "Needs clearance only for zones left out of this series."


def decision_summary(programme: Programme) -> str:
    """The decision in one paragraph, worded from the findings behind it."""
    decision, result = programme.decision, programme.screening
    if decision is not result.decision:
        return NOTHING_TO_PLAN[decision]
    if decision is Decision.NEEDS_CLEARANCE:
        return clearance_summary(programme.prerequisites)
    if decision is Decision.DEFER:
        return _deferral(result.findings)
    if decision is Decision.PROCEED and result.exclusions:
        return PROCEED_WITH_EXCLUSIONS
    return DECISION_SUMMARIES[decision]


def clearance_summary(prerequisites: Sequence[Prerequisite]) -> str:
    """What must happen before the first session, headed by the strongest demand."""
    if not prerequisites:
        return GENERIC_CLEARANCE
    to_clear = [p for p in prerequisites if p.is_to_be_cleared_first]
    passing = _with(prerequisites, Standing.WAIT_ENDS_BY_FIRST_SESSION)
    left_out = _with(prerequisites, Standing.ZONES_LEFT_OUT)
    parts = [
        _to_clear(to_clear),
        *(_outlasting(p) for p in _with(to_clear, Standing.WAIT_OUTLASTS_FIRST_SESSION)),
        _passing(passing),
        _left_out(left_out),
    ]
    head = CLEAR_FIRST_HEAD if to_clear else START_EARLIER_HEAD if passing else LEFT_OUT_HEAD
    return " ".join([head, *(part for part in parts if part)])


def first_session_text(prerequisite: Prerequisite) -> str:
    """What one finding that needs clearance asks of the first session, in one or two sentences."""
    first, ends = prerequisite.first_session_on, prerequisite.wait_ends_on
    standing = prerequisite.standing
    if standing is Standing.ZONES_LEFT_OUT:
        return _left_out_text(prerequisite)
    if ends is None:
        return f"A clinician must clear this before the first session ({first})."
    if standing is Standing.WAIT_ENDS_BY_FIRST_SESSION:
        return (
            f"Its waiting period ends on {ends}, no later than the first session ({first}): the "
            f"series starts on or after {ends}. Starting earlier needs a clinician's clearance."
        )
    return (
        f"Its waiting period ends on {ends}, after the first session ({first}): a clinician "
        f"must clear this before {first}, or the series must start on or after {ends}."
    )


def _left_out_text(prerequisite: Prerequisite) -> str:
    zones, ends = _zones(prerequisite.finding), prerequisite.wait_ends_on
    wait = "" if ends is None else f", or wait until {ends},"
    return (
        f"It concerns only {zones}, which this series leaves out: clear it{wait} before "
        f"treating {zones}."
    )


def _with(prerequisites: Sequence[Prerequisite], standing: Standing) -> list[Prerequisite]:
    return [p for p in prerequisites if p.standing is standing]


def _to_clear(prerequisites: Sequence[Prerequisite]) -> str:
    if not prerequisites:
        return ""
    first = prerequisites[0].first_session_on
    return f"A clinician must clear {_ids(prerequisites)} before the first session ({first})."


def _outlasting(prerequisite: Prerequisite) -> str:
    return (
        f"The waiting period of {prerequisite.finding.rule_id} ends on "
        f"{prerequisite.wait_ends_on}, after the first session: without that clearance, the "
        f"series must start on or after {prerequisite.wait_ends_on}."
    )


def _passing(prerequisites: Sequence[Prerequisite]) -> str:
    if not prerequisites:
        return ""
    first = prerequisites[0].first_session_on
    ends = max(_day(p.wait_ends_on) for p in prerequisites)
    if len(prerequisites) == 1:
        waits = f"The waiting period of {prerequisites[0].finding.rule_id} ends on {ends}"
    else:
        dated = _and([f"{p.finding.rule_id} ({_day(p.wait_ends_on)})" for p in prerequisites])
        waits = f"The waiting periods of {dated} end by {ends}"
    return (
        f"{waits}, so the series starts on or after {ends} (first session {first}); starting "
        "earlier needs a clinician's clearance."
    )


def _left_out(prerequisites: Sequence[Prerequisite]) -> str:
    if not prerequisites:
        return ""
    concern, matter = ("concerns", "matters") if len(prerequisites) == 1 else ("concern", "matter")
    zones = _and(sorted({z.value for p in prerequisites for z in p.finding.zones}))
    return (
        f"{_ids(prerequisites)} {concern} only zones left out of this series ({zones}) and "
        f"{matter} only before those zones are treated."
    )


def _deferral(findings: Sequence[Finding]) -> str:
    """Why the programme waits; a zone finding that holds it says what it waits for."""
    holding = [f for f in findings if f.holds_programme]
    if not holding:
        return DECISION_SUMMARIES[Decision.DEFER]
    held = " ".join(
        f"{f.rule_id} ({_zones(f)}) holds every zone, not only its own. {f.action}" for f in holding
    )
    others = any(f.blocks_patient and not f.holds_programme for f in findings)
    return f"Defer: do not treat any zone now: {held}" + (HOLDING_TOO if others else "")


def _ids(prerequisites: Sequence[Prerequisite]) -> str:
    return _and([p.finding.rule_id for p in prerequisites])


def _zones(finding: Finding) -> str:
    return _and([z.value for z in finding.zones])


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()
