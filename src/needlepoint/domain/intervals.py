"""Intervals between a patient's sessions: the limits a booking, a move or a start must keep.

Three limits of ``limits.yaml`` (ADR 0015, amended 2026-12):

* ``minimum-interval`` (hard): no two of a patient's sessions on a shared zone, held or booked
  and active, are closer than the protocol's shortest interval, **whichever series they
  belong to**; when two series meet, the stricter (longer) minimum applies. Within one series
  the sessions also keep their order: session n + 1 is at least the minimum after session n
  (a later-numbered session booked before an earlier one is out of order).
* ``interval-beyond-maximum`` (soft): within one series, a gap longer than the protocol's
  longest interval passes only with a recorded reason, and only up to ``extra_days`` past it;
  past that bound it is refused whatever the reason.
* ``deferral-date`` (hard): the first session is never before the earliest eligible date.

A session is a ``Visit`` here: a local day, the zones it needles and its series' minimum.
Gaps are whole days between the clinic's local dates. Problems are typed values
(``IntervalProblem``) that name their limit, the gap, the limit in days and the earliest or
latest date that would pass; the service turns them into field problems and one refusal.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.limits import DEFERRAL_DATE, INTERVAL_BEYOND_MAXIMUM, MINIMUM_INTERVAL
from needlepoint.domain.scheduling import SeriesRules
from needlepoint.domain.vocabulary import Zone


class IntervalKind(StrEnum):
    """What is wrong with a session's date."""

    BEFORE_EARLIEST = "before_earliest"
    OUT_OF_ORDER = "out_of_order"
    TOO_SOON = "too_soon"
    TOO_LATE = "too_late"
    FAR_TOO_LATE = "far_too_late"


LIMIT_OF: Final = {
    IntervalKind.BEFORE_EARLIEST: DEFERRAL_DATE,
    IntervalKind.OUT_OF_ORDER: MINIMUM_INTERVAL,
    IntervalKind.TOO_SOON: MINIMUM_INTERVAL,
    IntervalKind.TOO_LATE: INTERVAL_BEYOND_MAXIMUM,
    IntervalKind.FAR_TOO_LATE: INTERVAL_BEYOND_MAXIMUM,
}
"""The limit each kind of problem breaks."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One of a patient's sessions on the calendar: held, or booked and active.

    ``id`` is the session's or the appointment's id; ``zones`` are the zones it needles (a
    held session's treatable zones, a booking's planned zones); ``min_interval_days`` is the
    shortest interval of its series' protocol.
    """

    id: UUID
    series_id: UUID
    session_number: int
    on: date
    zones: frozenset[Zone]
    min_interval_days: int


@dataclass(frozen=True, slots=True)
class IntervalProblem:
    """One session whose date breaks an interval limit, and the dates that would pass.

    ``gap_days`` is this session's day minus the other session's (``other_number``): negative
    when this one comes first. ``limit_days`` is the interval it breaks. ``earliest_on`` and
    ``latest_on`` bound the dates that would pass (either may be open). ``other_series`` says
    the other session belongs to another series, and ``zones`` are the zones they share. For
    a gap a reason may pass, ``reason_bound_on`` is the furthest day a reason covers.
    """

    kind: IntervalKind
    session_number: int
    gap_days: int
    limit_days: int
    earliest_on: date | None = None
    latest_on: date | None = None
    other_number: int | None = None
    other_series: bool = False
    zones: tuple[Zone, ...] = ()
    reason_bound_on: date | None = None

    @property
    def limit_id(self) -> str:
        """The id of the limit this date breaks."""
        return LIMIT_OF[self.kind]

    @property
    def passes_with_reason(self) -> bool:
        """Whether a recorded reason lets the date stand (a soft limit within its bound)."""
        return self.kind is IntervalKind.TOO_LATE

    @property
    def is_hard(self) -> bool:
        """Whether no reason lets the date stand."""
        return not self.passes_with_reason

    def __str__(self) -> str:
        """What is wrong, in words: ``session 2 is 10 days after session 1; the minimum …``."""
        return f"session {self.session_number} {self._what()}"

    def _what(self) -> str:
        if self.kind is IntervalKind.BEFORE_EARLIEST:
            return f"is before the earliest eligible date {self.earliest_on}"
        other = f"session {self.other_number}"
        if self.other_series:
            other += f" of another series on a shared zone ({', '.join(sorted(self.zones))})"
        side = "after" if self.gap_days >= 0 else "before"
        apart = f"is {abs(self.gap_days)} days {side} {other}"
        if self.kind is IntervalKind.OUT_OF_ORDER:
            return f"{apart}: sessions are held in order, at least {self.limit_days} days apart"
        if self.kind is IntervalKind.TOO_SOON:
            return f"{apart}; the minimum is {self.limit_days} days"
        return f"{apart}; the maximum is {self.limit_days} days"

    @property
    def fix(self) -> str:
        """How to pick a date that passes."""
        choose = self._choose()
        if self.kind is IntervalKind.TOO_LATE:
            reach = "up to" if self.gap_days >= 0 else "from"
            return (
                f"give a reason for the longer gap (a reason covers it {reach} "
                f"{self.reason_bound_on}), or {choose}."
            )
        if self.kind is IntervalKind.FAR_TOO_LATE:
            return f"{choose}: past that no reason is enough; consult the patient again."
        return f"{choose}."

    def _choose(self) -> str:
        dates = []
        if self.latest_on is not None:
            dates.append(f"{self.latest_on} or earlier")
        if self.earliest_on is not None:
            dates.append(f"{self.earliest_on} or later")
        return "choose " + ", or ".join(dates)

    def field_problem(self, field: str) -> FieldProblem:
        """The problem as one field's problem, naming the limit it breaks."""
        return FieldProblem(field, f"{self}.", self.fix, code=self.limit_id)


# ------------------------------------------------------------------ within one series


def interval_problems(
    rules: SeriesRules,
    local_days: Mapping[int, date],
    *,
    extra_days: int,
    changed: Collection[int] | None = None,
) -> tuple[IntervalProblem, ...]:
    """Each gap in one series that breaks a limit, and a first session before its eligible date.

    Gaps are between consecutively numbered sessions. ``local_days`` maps session numbers to
    their local dates (held, booked or proposed). ``extra_days`` is how far past the maximum a
    reason may go (``LimitTable.extra_interval_days``). ``changed`` are the sessions being
    booked or moved: only gaps touching one of them are judged, each problem is about that
    session, and its dates are the ones that session could take (None: every gap, each
    problem about its later session).
    """
    problems: list[IntervalProblem] = []
    first = local_days.get(1)
    judged = frozenset(local_days if changed is None else changed)
    if first is not None and first < rules.earliest_on and 1 in judged:
        gap_days = (first - rules.earliest_on).days
        problems.append(
            IntervalProblem(
                IntervalKind.BEFORE_EARLIEST, 1, gap_days, 0, earliest_on=rules.earliest_on
            )
        )
    for before, after in itertools.pairwise(sorted(local_days)):
        if after != before + 1 or not {before, after} & judged:
            continue
        pair = _Pair(before, local_days[before], local_days[after])
        found = _pair_problem(rules, pair, extra_days, later=after in judged)
        problems.extend(found)
    return tuple(problems)


@dataclass(frozen=True, slots=True)
class _Pair:
    before: int
    before_on: date
    after_on: date


def _pair_problem(
    rules: SeriesRules, pair: _Pair, extra_days: int, *, later: bool
) -> Iterator[IntervalProblem]:
    """The problem of one gap, about its later session (``later``) or its earlier one.

    The later session may move to the other side of a bound counted from the earlier one
    (from its day on), the earlier one to the other side counted back from the later one.
    """
    gap_days = (pair.after_on - pair.before_on).days
    this, other = (pair.before + 1, pair.before) if later else (pair.before, pair.before + 1)
    seen_gap = gap_days if later else -gap_days

    def on(days: int) -> date:
        if later:
            return pair.before_on + timedelta(days=days)
        return pair.after_on - timedelta(days=days)

    if gap_days < rules.min_interval_days:
        kind = IntervalKind.OUT_OF_ORDER if gap_days < 0 else IntervalKind.TOO_SOON
        earliest, latest = _bounds(on(rules.min_interval_days), lower=later)
        yield IntervalProblem(
            kind, this, seen_gap, rules.min_interval_days, earliest, latest, other
        )
        return
    bound_days = rules.max_interval_days + extra_days
    if gap_days > rules.max_interval_days:
        far = gap_days > bound_days
        earliest, latest = _bounds(
            on(bound_days if far else rules.max_interval_days), lower=not later
        )
        yield IntervalProblem(
            IntervalKind.FAR_TOO_LATE if far else IntervalKind.TOO_LATE,
            this,
            seen_gap,
            rules.max_interval_days,
            earliest,
            latest,
            other,
            reason_bound_on=on(bound_days),
        )


def _bounds(day: date, *, lower: bool) -> tuple[date | None, date | None]:
    """``(earliest_on, latest_on)`` when ``day`` is a lower or an upper bound."""
    return (day, None) if lower else (None, day)


# ------------------------------------------------------------------ across series, per zone


def too_soon_on_a_zone(
    visits: Iterable[Visit], planned: Sequence[Visit]
) -> tuple[IntervalProblem, ...]:
    """Each planned visit closer than the minimum to another visit on a shared zone.

    ``visits`` are the patient's other sessions, held or booked and active, in every series;
    the planned visits are also measured against each other. Two visits apart by fewer days
    than the longer of their two minimums are too close. Each planned visit gets at most one
    problem, against the closest visit, with the nearest dates on either side that are clear
    of every visit sharing one of its zones.
    """
    known = tuple(visits)
    problems = []
    for visit in planned:
        others = [o for o in (*known, *planned) if o.id != visit.id]
        problem = _closest_conflict(visit, others)
        if problem is not None:
            problems.append(problem)
    return tuple(problems)


def _closest_conflict(visit: Visit, others: Sequence[Visit]) -> IntervalProblem | None:
    clashes = [o for o in others if _too_close(visit, o, visit.on)]
    if not clashes:
        return None
    other = min(clashes, key=lambda o: (abs((visit.on - o.on).days), o.on))
    gap_days = (visit.on - other.on).days
    return IntervalProblem(
        IntervalKind.TOO_SOON,
        visit.session_number,
        gap_days,
        _minimum(visit, other),
        earliest_on=_clear_day(visit, others, step_days=1),
        latest_on=_clear_day(visit, others, step_days=-1) if gap_days < 0 else None,
        other_number=other.session_number,
        other_series=other.series_id != visit.series_id,
        zones=tuple(sorted(visit.zones & other.zones)),
    )


def _minimum(one: Visit, other: Visit) -> int:
    """The stricter of the two series' minimum intervals."""
    return max(one.min_interval_days, other.min_interval_days)


def _too_close(visit: Visit, other: Visit, on: date) -> bool:
    shared = visit.zones & other.zones
    return bool(shared) and abs((on - other.on).days) < _minimum(visit, other)


def _clear_day(visit: Visit, others: Sequence[Visit], *, step_days: int) -> date:
    """The nearest day from ``visit.on`` in one direction clear of every visit on its zones."""
    on = visit.on
    while True:
        blocking = [o for o in others if _too_close(visit, o, on)]
        if not blocking:
            return on
        if step_days > 0:
            on = max(o.on + timedelta(days=_minimum(visit, o)) for o in blocking)
        else:
            on = min(o.on - timedelta(days=_minimum(visit, o)) for o in blocking)


def blocked_days(
    visits: Iterable[Visit], zones: frozenset[Zone], min_interval_days: int
) -> frozenset[date]:
    """The local days on which a session needling ``zones`` would be too close to a visit."""
    blocked: set[date] = set()
    for other in visits:
        if not zones & other.zones:
            continue
        minimum = max(min_interval_days, other.min_interval_days)
        blocked.update(other.on + timedelta(days=n) for n in range(1 - minimum, minimum))
    return frozenset(blocked)


# ------------------------------------------------------------------ refusals


def problems_to_report(
    problems: Iterable[IntervalProblem], reasons: Mapping[int, str]
) -> dict[int, IntervalProblem]:
    """Session number → the one problem to report: the first hard one, else a longer gap.

    A longer gap that a reason passes is not reported once a reason is given for its session.
    """
    chosen: dict[int, IntervalProblem] = {}
    for problem in problems:
        number = problem.session_number
        if problem.passes_with_reason and reasons.get(number, "").strip():
            continue
        kept = chosen.get(number)
        if kept is None or (kept.passes_with_reason and problem.is_hard):
            chosen[number] = problem
    return chosen


class IntervalLimitError(InvalidInputError):
    """A date breaks an interval limit: the code is the limit's id, each problem names its field.

    Raised through ``interval_refusal``, which picks the subclass of the gravest limit broken.
    """

    code = "interval-limit"


class MinimumIntervalError(IntervalLimitError):
    """Two sessions on a shared zone would be closer than the minimum interval (hard)."""

    code = MINIMUM_INTERVAL


class DeferralDateError(IntervalLimitError):
    """The first session would be before the earliest eligible date (hard)."""

    code = DEFERRAL_DATE


class IntervalBeyondMaximumError(IntervalLimitError):
    """A gap is past the maximum without a reason, or past the bound a reason allows."""

    code = INTERVAL_BEYOND_MAXIMUM


REFUSAL_BY_LIMIT: Final[Mapping[str, type[IntervalLimitError]]] = {
    MINIMUM_INTERVAL: MinimumIntervalError,
    DEFERRAL_DATE: DeferralDateError,
    INTERVAL_BEYOND_MAXIMUM: IntervalBeyondMaximumError,
}
"""The refusal of each limit, gravest first."""


def interval_refusal(problems: Sequence[FieldProblem]) -> IntervalLimitError:
    """One refusal carrying every problem; its code is the gravest limit among them."""
    broken = {p.code for p in problems}
    kind = next(
        (error for limit, error in REFUSAL_BY_LIMIT.items() if limit in broken),
        IntervalLimitError,
    )
    return kind(tuple(problems))
