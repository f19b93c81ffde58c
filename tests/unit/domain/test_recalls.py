"""A cartridge lot recall (domain.recalls): each session once, as its newest version naming the
lot charted it, dated in the clinic's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.recalls import LotUse, recall_of
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Sex, Zone

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def patient(family: str) -> PatientRecord:
    return PatientRecord(
        uuid4(), uuid4(), "Ann", family, date(1990, 1, 1), Sex.FEMALE, None, None, datetime.now(UTC)
    )


def use(who: PatientRecord, session: UUID, version: int, *zones: Zone, **extra: object) -> LotUse:
    values: dict[str, object] = {
        "patient": who,
        "session_id": session,
        "session_number": 1,
        "started_at": datetime(2026, 3, 29, 23, 30, tzinfo=UTC),
        "chart_version": version,
        "zones": zones,
        "charted_by": uuid4(),
        "charted_by_name": f"charted v{version}",
    }
    return LotUse(**(values | extra))  # type: ignore[arg-type]


def test_a_session_is_listed_once_as_its_newest_version_naming_the_lot_charted_it() -> None:
    okafor, session = patient("Okafor"), uuid4()

    recall = recall_of(
        "LOT-1",
        [use(okafor, session, 2, Zone.CHEEKS, Zone.FOREHEAD), use(okafor, session, 1, Zone.CHEEKS)],
        LONDON,
    )

    (entry,) = recall.treatments
    assert (entry.chart_version, entry.zones, entry.clinician) == (
        2,
        (Zone.CHEEKS, Zone.FOREHEAD),
        "charted v2",
    )
    assert recall.patients == (okafor,)


def test_the_day_is_the_local_date_the_session_started_in_the_clinics_zone() -> None:
    midday_utc = use(
        patient("Okafor"), uuid4(), 1, started_at=datetime(2026, 3, 29, 11, 30, tzinfo=UTC)
    )

    in_london = recall_of("L", [midday_utc], LONDON).treatments[0].treated_on
    in_auckland = recall_of("L", [midday_utc], AUCKLAND).treatments[0].treated_on

    assert (in_london, in_auckland) == (date(2026, 3, 29), date(2026, 3, 30))
    assert (
        recall_of("L", [use(patient("X"), uuid4(), 1, started_at=None)], LONDON)
        .treatments[0]
        .treated_on
        is None
    )


def test_sessions_are_ordered_by_patient_then_day() -> None:
    byrne, walsh = patient("Byrne"), patient("Walsh")
    early = datetime(2026, 1, 5, 10, tzinfo=UTC)
    late = datetime(2026, 2, 5, 10, tzinfo=UTC)

    recall = recall_of(
        "L",
        [
            use(walsh, uuid4(), 1, started_at=early),
            use(byrne, uuid4(), 1, started_at=late),
            use(byrne, uuid4(), 1, started_at=early),
        ],
        LONDON,
    )

    assert [(e.patient.family_name, e.treated_on) for e in recall.treatments] == [
        ("Byrne", date(2026, 1, 5)),
        ("Byrne", date(2026, 2, 5)),
        ("Walsh", date(2026, 1, 5)),
    ]
    assert [p.family_name for p in recall.patients] == ["Byrne", "Walsh"]


@given(versions=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 6)), min_size=1, max_size=12))
def test_every_session_named_appears_exactly_once_with_its_highest_version(
    versions: list[tuple[int, int]],
) -> None:
    sessions = [uuid4() for _ in range(4)]
    okafor = patient("Okafor")
    uses = [use(okafor, sessions[s], v) for s, v in versions]

    recall = recall_of("L", reversed(uses), LONDON)

    highest = {sessions[s]: max(v for t, v in versions if t == s) for s, _ in versions}
    assert {e.session_id: e.chart_version for e in recall.treatments} == highest
    assert len(recall.treatments) == len(highest)
