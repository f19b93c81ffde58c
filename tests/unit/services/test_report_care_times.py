"""The report's care section writes every moment with its own offset, in one pass."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from needlepoint.domain.care import CareItem, CarePhase
from needlepoint.domain.evidence import EvidenceLevel, Provenance
from needlepoint.services.consultation import reports

LONDON = ZoneInfo("Europe/London")
CITED = Provenance(sources=("example",), evidence=EvidenceLevel.PRACTICE)


def _item(item_id: str, phase: CarePhase, starts_at: datetime, ends_at: datetime) -> CareItem:
    return CareItem(item_id, "topic", phase, "Do this.", starts_at, ends_at, CITED)


def test_the_repeated_hour_keeps_both_offsets_when_clocks_go_back() -> None:
    first = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # BST, +01:00
    second = first.replace(fold=1)  # the same wall time an hour later, GMT
    items = [
        _item("a", CarePhase.POST, first, first),
        _item("b", CarePhase.POST, second, second),
    ]

    care = reports._care(items, date(2026, 10, 1))

    assert [i["starts_at"] for i in care["post"]] == [
        "2026-10-25T01:30+01:00",
        "2026-10-25T01:30+00:00",
    ]


def test_items_keep_their_order_within_each_phase() -> None:
    at = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    items = [
        _item("pre-1", CarePhase.PRE, at, at),
        _item("post-1", CarePhase.POST, at, at),
        _item("pre-2", CarePhase.PRE, at, at),
    ]

    care = reports._care(items, date(2026, 12, 1))

    assert [i["id"] for i in care["pre"]] == ["pre-1", "pre-2"]
    assert [i["id"] for i in care["post"]] == ["post-1"]
    assert care["pre"][0]["starts_at"] == "2026-12-07T10:00+00:00"
