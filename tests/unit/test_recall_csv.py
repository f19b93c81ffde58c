"""The lot recall's CSV export (web.pages.recalls): one row per session, and no cell a
spreadsheet would run as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.recalls import LotRecall, RecallEntry
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Sex, Zone
from needlepoint.entrypoints.web.pages.recalls import (
    CSV_HEADER,
    FORMULA_STARTS,
    recall_csv,
    safe_cell,
)


def entry(given_name: str, family_name: str, email: str | None, phone: str | None) -> RecallEntry:
    patient = PatientRecord(
        uuid4(),
        uuid4(),
        given_name,
        family_name,
        date(1997, 4, 22),
        Sex.FEMALE,
        email,
        phone,
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    return RecallEntry(
        patient, uuid4(), 2, date(2026, 12, 8), (Zone.CHEEKS, Zone.CHIN), "Dr Rowan Hale", 1
    )


def test_each_session_is_a_row_under_the_header() -> None:
    recall = LotRecall("LOT-1", (entry("Amira", "Okafor", "a@example.org", None),))

    rows = list(csv.reader(io.StringIO(recall_csv(recall))))

    assert rows[0] == list(CSV_HEADER)
    assert rows[1] == [
        "Okafor",
        "Amira",
        "1997-04-22",
        "a@example.org",
        "",
        "2",
        "2026-12-08",
        "cheeks;chin",
        "Dr Rowan Hale",
        "1",
        "LOT-1",
    ]


def test_a_name_or_contact_that_looks_like_a_formula_is_written_as_text() -> None:
    hostile = entry('=HYPERLINK("http://evil.test","x")', "@SUM(1+1)", "-1+2@x.test", "+44 20")

    (_, row) = list(
        csv.reader(io.StringIO(recall_csv(LotRecall("=cmd|' /C calc'!A0", (hostile,)))))
    )

    assert row[0] == "'@SUM(1+1)"
    assert row[1] == '\'=HYPERLINK("http://evil.test","x")'
    assert row[3] == "'-1+2@x.test"
    assert row[4] == "'+44 20"
    assert row[10] == "'=cmd|' /C calc'!A0"


@given(text=st.text(max_size=40))
def test_a_safe_cell_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    cell = safe_cell(text)

    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, f"'{text}")
    assert (cell != text) == text.startswith(FORMULA_STARTS)
