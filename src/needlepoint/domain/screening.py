"""Screening: evaluate every contraindication rule for one consultation on one day.

A rule is cited knowledge plus a named predicate (built by ``knowledge.predicates``). A
match becomes a ``Finding``. Findings are combined into one ``Decision``:

* ``decline``: an absolute, permanent patient-level finding, or every requested zone is
  permanently excluded.
* ``defer``: an absolute patient-level finding that will pass (a waiting period, or a state
  that must resolve first), an absolute zone finding that holds the whole programme until it
  resolves (``holds_programme``: a suspected skin cancer waits for its diagnosis), or every
  requested zone is excluded for now.
* ``needs_clearance``: a relative finding that a physician must clear or a plan must adapt to.
* ``proceed``: nothing above; cautions may still shape the plan.

An absolute finding confined to some zones excludes those zones, not the programme, unless
its rule holds the programme. The result does not depend on the order of the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from needlepoint.domain.consultation import Consultation
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.vocabulary import Zone


class Severity(StrEnum):
    """How strongly a finding weighs against treatment."""

    ABSOLUTE = "absolute"
    RELATIVE = "relative"
    CAUTION = "caution"

    @property
    def rank(self) -> int:
        """0 for the most serious, so sorting puts absolute findings first."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ABSOLUTE: 0, Severity.RELATIVE: 1, Severity.CAUTION: 2}


class Scope(StrEnum):
    """Whether a rule concerns the whole patient or only the zones where it matched."""

    PATIENT = "patient"
    ZONE = "zone"


class Course(StrEnum):
    """How a finding changes with time."""

    PERMANENT = "permanent"
    UNTIL_RESOLVED = "until_resolved"
    WAITING_PERIOD = "waiting_period"


class Decision(StrEnum):
    """The screening outcome, most permissive first."""

    PROCEED = "proceed"
    NEEDS_CLEARANCE = "needs_clearance"
    DEFER = "defer"
    DECLINE = "decline"


@dataclass(frozen=True, slots=True)
class Match:
    """What a predicate found: the zones involved, when it clears, and a detail line."""

    zones: frozenset[Zone] = frozenset()
    clears_on: date | None = None
    detail: str = ""


Predicate = Callable[[Consultation, date], Match | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One contraindication rule: cited knowledge plus the predicate that detects it.

    ``holds_programme`` marks an absolute zone rule whose finding holds every zone, not only
    the zones where it was found, until it resolves. ``reads_day`` is False only for a rule
    whose predicate gives the same answer on every day (it never looks at the day): its
    finding on one day is its finding on any other, so ``findings_on`` need not ask again.
    """

    id: str
    severity: Severity
    scope: Scope
    course: Course
    reason: str
    action: str
    predicate: Predicate
    provenance: Provenance
    holds_programme: bool = False
    reads_day: bool = True

    def evaluate(self, consultation: Consultation, *, on: date) -> Finding | None:
        """The finding this rule produces for a consultation on a day, if any."""
        match = self.predicate(consultation, on)
        if match is None:
            return None
        if self.scope is Scope.ZONE and not match.zones:
            return None
        return Finding.from_rule(self, match)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned collection of rules."""

    rules: tuple[Rule, ...]
    version: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the screening raised: stable rule id, severity, plain reason, sources."""

    rule_id: str
    severity: Severity
    scope: Scope
    course: Course
    reason: str
    action: str
    detail: str
    zones: tuple[Zone, ...]
    clears_on: date | None
    provenance: Provenance
    holds_programme: bool = False

    @classmethod
    def from_rule(cls, rule: Rule, match: Match) -> Finding:
        """Turn a rule and its match into a finding."""
        return cls(
            rule_id=rule.id,
            severity=rule.severity,
            scope=rule.scope,
            course=rule.course,
            reason=rule.reason,
            action=rule.action,
            detail=match.detail,
            zones=tuple(sorted(match.zones)),
            clears_on=match.clears_on if rule.course is Course.WAITING_PERIOD else None,
            provenance=rule.provenance,
            holds_programme=rule.holds_programme,
        )

    @property
    def sort_key(self) -> tuple[int, str, tuple[Zone, ...]]:
        """Most serious first, then by rule id: independent of rule order."""
        return (self.severity.rank, self.rule_id, self.zones)

    @property
    def blocks_patient(self) -> bool:
        """An absolute finding that stops the whole programme, not only some zones.

        It concerns the whole patient, or it was found in some zones but its rule holds every
        zone until it resolves (``holds_programme``).
        """
        return self.severity is Severity.ABSOLUTE and (
            self.scope is Scope.PATIENT or self.holds_programme
        )

    @property
    def excludes_zones(self) -> bool:
        """An absolute finding confined to some zones."""
        return self.severity is Severity.ABSOLUTE and self.scope is Scope.ZONE


@dataclass(frozen=True, slots=True)
class ZoneExclusion:
    """A requested zone that will not be treated, why, and until when."""

    zone: Zone
    rule_ids: tuple[str, ...]
    permanent: bool
    until: date | None


@dataclass(frozen=True, slots=True)
class Screening:
    """The outcome of screening one consultation on one day."""

    decision: Decision
    on: date
    findings: tuple[Finding, ...]
    exclusions: tuple[ZoneExclusion, ...]
    treatable_zones: tuple[Zone, ...]
    earliest_eligible_on: date | None
    ruleset_version: str

    @property
    def allows_series(self) -> bool:
        """Whether a dated series may be proposed (never for defer or decline)."""
        return self.decision in (Decision.PROCEED, Decision.NEEDS_CLEARANCE)

    def is_delayed_by(self, finding: Finding) -> bool:
        """Whether a finding holds back the start of treatment until it is cleared or passes.

        True for a relative finding about the patient or about a zone not excluded; its end,
        if dated, counts towards ``earliest_eligible_on``.
        """
        return _holds_back(finding, {e.zone for e in self.exclusions})


def screen(consultation: Consultation, ruleset: RuleSet, *, on: date) -> Screening:
    """Evaluate every rule for one consultation on one day and decide."""
    found = (rule.evaluate(consultation, on=on) for rule in ruleset.rules)
    findings = tuple(sorted((f for f in found if f is not None), key=lambda f: f.sort_key))
    exclusions = _exclusions(findings)
    excluded = {e.zone for e in exclusions}
    treatable = tuple(z for z in consultation.requested_zones if z not in excluded)
    decision = _decision(findings, exclusions, treatable)
    return Screening(
        decision=decision,
        on=on,
        findings=findings,
        exclusions=exclusions,
        treatable_zones=treatable if decision in _SERIES_DECISIONS else (),
        earliest_eligible_on=_earliest_eligible(decision, findings, exclusions, on),
        ruleset_version=ruleset.version,
    )


_SERIES_DECISIONS = (Decision.PROCEED, Decision.NEEDS_CLEARANCE)


def findings_on(
    consultation: Consultation, ruleset: RuleSet, screening: Screening, *, day: date
) -> tuple[Finding, ...]:
    """The findings of ``screening`` as they stand on another day, without screening again.

    Only the rules that read the day (a waiting period, an age) are evaluated on ``day``; every
    other rule's finding is the one ``screening`` made. Equal to ``screen(...).findings`` for
    that day (a property test holds it to that).
    """
    if day == screening.on:
        return screening.findings
    dated = [rule for rule in ruleset.rules if rule.reads_day]
    dated_ids = {rule.id for rule in dated}
    kept = (f for f in screening.findings if f.rule_id not in dated_ids)
    found = (rule.evaluate(consultation, on=day) for rule in dated)
    fresh = (f for f in found if f is not None)
    return tuple(sorted((*kept, *fresh), key=lambda f: f.sort_key))


def _exclusions(findings: Iterable[Finding]) -> tuple[ZoneExclusion, ...]:
    by_zone: dict[Zone, list[Finding]] = {}
    for finding in findings:
        if finding.excludes_zones:
            for zone in finding.zones:
                by_zone.setdefault(zone, []).append(finding)
    return tuple(_exclusion(zone, by_zone[zone]) for zone in sorted(by_zone))


def _exclusion(zone: Zone, findings: list[Finding]) -> ZoneExclusion:
    return ZoneExclusion(
        zone=zone,
        rule_ids=tuple(sorted({f.rule_id for f in findings})),
        permanent=any(f.course is Course.PERMANENT for f in findings),
        until=_latest_clearance(findings),
    )


def _latest_clearance(findings: Iterable[Finding]) -> date | None:
    """The day every finding has cleared, or None if any has no date."""
    dates = [f.clears_on for f in findings]
    if not dates or any(d is None for d in dates):
        return None
    return max(d for d in dates if d is not None)


def _decision(
    findings: tuple[Finding, ...],
    exclusions: tuple[ZoneExclusion, ...],
    treatable: tuple[Zone, ...],
) -> Decision:
    blocking = [f for f in findings if f.blocks_patient]
    if any(f.course is Course.PERMANENT for f in blocking):
        return Decision.DECLINE
    if blocking:
        return Decision.DEFER
    if not treatable:
        return Decision.DECLINE if all(e.permanent for e in exclusions) else Decision.DEFER
    if any(f.severity is Severity.RELATIVE for f in findings):
        return Decision.NEEDS_CLEARANCE
    return Decision.PROCEED


def _earliest_eligible(
    decision: Decision,
    findings: tuple[Finding, ...],
    exclusions: tuple[ZoneExclusion, ...],
    on: date,
) -> date | None:
    """The first day treatment may start.

    Only findings that block or need clearance count, and for zone findings only those in
    zones still being treated: a zone excluded until later does not delay the others.
    """
    if decision is Decision.DECLINE:
        return None
    if decision is Decision.DEFER:
        return _earliest_after_deferral(findings, exclusions, on)
    excluded = {e.zone for e in exclusions}
    dated = [f.clears_on for f in _delaying(findings, excluded) if f.clears_on is not None]
    return max([on, *dated])


def _delaying(findings: Iterable[Finding], excluded: set[Zone]) -> list[Finding]:
    """Relative findings about the patient or about zones that are still treatable."""
    return [f for f in findings if _holds_back(f, excluded)]


def _holds_back(finding: Finding, excluded: set[Zone]) -> bool:
    return finding.severity is Severity.RELATIVE and (
        finding.scope is Scope.PATIENT or any(z not in excluded for z in finding.zones)
    )


def _earliest_after_deferral(
    findings: tuple[Finding, ...], exclusions: tuple[ZoneExclusion, ...], on: date
) -> date | None:
    blocking = [f for f in findings if f.blocks_patient]
    if blocking:
        cleared = _latest_clearance(blocking)
        relative = [f.clears_on for f in _delaying(findings, set()) if f.clears_on is not None]
        return None if cleared is None else max([on, cleared, *relative])
    reopen = [e.until for e in exclusions if not e.permanent and e.until is not None]
    return max(on, min(reopen)) if reopen else None
