"""The analytics use case (ADR 0045): one audited aggregate read, the cache and its freshness,
the published band beside acne-scar estimates, the CSV with no suppressed value."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Self
from uuid import UUID, uuid4

import pytest

from cohort_support import series, simulated_clinic
from fakes.common import FakeAuditLog
from fakes.support import FixedClock
from needlepoint.domain.cohorts import Cell, CohortFilter, Estimate, SeriesFacts, SuppressedEstimate
from needlepoint.domain.records import AuditEvent, Role, StaffMember
from needlepoint.knowledge.catalogue import load_knowledge
from needlepoint.services.analytics.cohorts import CohortCache, Presentation, cohort_view
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import PermissionDeniedError

CLINIC = uuid4()
TODAY = date(2026, 12, 7)


class FakeCohortReads:
    def __init__(self, facts: Sequence[SeriesFacts]) -> None:
        self.facts = list(facts)
        self.version = 1
        self.reads = 0

    def data_version(self, clinic_id: UUID) -> str:
        return f"{clinic_id}:{self.version}"

    def series_facts(self, clinic_id: UUID, *, limit: int) -> Sequence[SeriesFacts]:
        assert clinic_id == CLINIC
        self.reads += 1
        return self.facts[:limit]


class FakeUnitOfWork:
    def __init__(self, reads: FakeCohortReads, events: list[AuditEvent]) -> None:
        self.cohorts = reads
        self.audit = FakeAuditLog(events)
        self.committed = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def commit(self) -> None:
        self.committed += 1

    def rollback(self) -> None:
        return None


class FakeCharts:
    def __init__(self) -> None:
        self.drawn = 0

    def forest_plot(self, estimates: Sequence[Estimate | SuppressedEstimate], *, unit: str) -> str:
        self.drawn += 1
        return f"<svg>{len(estimates)} {unit}</svg>"

    def outcome_curves(self, cells: Sequence[Cell], *, unit: str) -> str:
        self.drawn += 1
        return f"<svg>{len(cells)} {unit}</svg>"


def _as(role: Role) -> RequestContext:
    member = StaffMember(uuid4(), CLINIC, "a@clinic.test", "A", role, None)
    return RequestContext(member, "req-1", AuthMethod.SESSION)


@pytest.fixture(scope="module")
def presentation() -> Presentation:
    return Presentation(load_knowledge(), FakeCharts())


def _facts() -> list[SeriesFacts]:
    small = [series(900 + n, sessions=5, baseline=40.0, three_months=30.0) for n in range(3)]
    return simulated_clinic(3) + small


def test_one_audited_read_and_the_cache_until_the_data_changes(presentation: Presentation) -> None:
    events: list[AuditEvent] = []
    reads, cache = FakeCohortReads(_facts()), CohortCache()
    wanted = CohortFilter()

    def view() -> object:
        uow = FakeUnitOfWork(reads, events)
        return cohort_view(
            wanted=wanted, context=_as(Role.CLINICIAN), uow=uow, clock=FixedClock(TODAY),
            cache=cache, presentation=presentation,
        )  # fmt: skip

    first, again = view(), view()
    assert again is first
    assert reads.reads == 1
    assert [(e.action, e.patient_id) for e in events] == [("analytics.read", None)] * 2
    reads.version += 1  # a new outcome, session or series
    assert view() is not first
    assert reads.reads == 2


def test_front_desk_is_refused_before_any_read(presentation: Presentation) -> None:
    events: list[AuditEvent] = []
    reads = FakeCohortReads(_facts())
    with pytest.raises(PermissionDeniedError):
        cohort_view(
            wanted=CohortFilter(), context=_as(Role.FRONT_DESK),
            uow=FakeUnitOfWork(reads, events), clock=FixedClock(TODAY), cache=CohortCache(),
            presentation=presentation,
        )  # fmt: skip
    assert reads.reads == 0


def test_acne_scars_on_the_quantitative_score_carry_the_published_band(
    presentation: Presentation,
) -> None:
    reads = FakeCohortReads(_facts())
    shown = cohort_view(
        wanted=CohortFilter(indication="acne_scars"), context=_as(Role.ADMIN),
        uow=FakeUnitOfWork(reads, []), clock=FixedClock(TODAY), cache=CohortCache(),
        presentation=presentation,
    )  # fmt: skip
    assert sorted(shown.bands) == [3, 4]  # no band for the suppressed 5-session group
    band = shown.bands[4]
    assert 0 <= band.low_pct <= band.mean_pct <= band.high_pct <= 100
    assert band.mean_pct > shown.bands[3].mean_pct


def test_the_csv_holds_no_suppressed_value(presentation: Presentation) -> None:
    reads = FakeCohortReads(_facts())
    shown = cohort_view(
        wanted=CohortFilter(), context=_as(Role.CLINICIAN), uow=FakeUnitOfWork(reads, []),
        clock=FixedClock(TODAY), cache=CohortCache(), presentation=presentation,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(shown.csv_text)))
    five = [r for r in rows if r["sessions"] == "5"]
    assert five
    numbers = ("patients", "mean_improvement", "ci95_low", "ci95_high", "share_improved_one_grade")
    assert all(r[n] == "" for r in five for n in numbers)
    assert all(r["note"].startswith("suppressed") for r in five)
