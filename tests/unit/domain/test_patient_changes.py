"""Editing a patient's details and the record of what changed (domain.patient_changes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.patient_changes import (
    EDITABLE,
    FieldChange,
    PatientDetails,
    changes_between,
    edited,
)
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import VersionConflictError
from needlepoint.domain.vocabulary import Sex

AT = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
EDITOR = uuid4()
AMIRA = PatientRecord(
    id=uuid4(),
    clinic_id=uuid4(),
    given_name="Amira",
    family_name="Okafor",
    born_on=date(1997, 4, 22),
    sex=Sex.FEMALE,
    email="amira@example.org",
    phone=None,
    created_at=AT,
)
SAME = PatientDetails("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE, "amira@example.org")


def test_an_edit_makes_the_next_version_and_records_each_changed_field() -> None:
    details = replace(SAME, family_name="Okafor-Hale", phone="+44 20 7946 0000")

    updated, change = edited(AMIRA, details, expected_version=1, by=EDITOR, at=AT)

    assert (updated.family_name, updated.phone, updated.version) == (
        "Okafor-Hale",
        "+44 20 7946 0000",
        2,
    )
    assert change is not None
    assert (change.version, change.changed_by, change.changed_at) == (2, EDITOR, AT)
    assert change.changes == (
        FieldChange("family_name", "Okafor", "Okafor-Hale"),
        FieldChange("phone", None, "+44 20 7946 0000"),
    )


def test_values_are_kept_as_text_trimmed_and_the_email_in_lower_case() -> None:
    details = replace(
        SAME, given_name="  Amira ", email=" Amira.O@Example.ORG ", born_on=date(1997, 4, 2)
    )

    updated, change = edited(AMIRA, details, expected_version=1, by=EDITOR, at=AT)

    assert updated.given_name == "Amira"
    assert change is not None
    assert change.changes == (
        FieldChange("born_on", "1997-04-22", "1997-04-02"),
        FieldChange("email", "amira@example.org", "amira.o@example.org"),
    )


def test_an_edit_that_changes_nothing_makes_no_version_and_no_record() -> None:
    same_but_spaced = replace(SAME, given_name=" Amira ", email="AMIRA@example.org")

    updated, change = edited(AMIRA, same_but_spaced, expected_version=1, by=EDITOR, at=AT)

    assert (updated, change) == (AMIRA, None)


def test_an_edit_based_on_an_old_version_is_refused() -> None:
    saved_since = replace(AMIRA, version=3)

    with pytest.raises(VersionConflictError) as refused:
        edited(saved_since, replace(SAME, phone="1"), expected_version=2, by=EDITOR, at=AT)

    assert (refused.value.expected, refused.value.current) == (2, 3)


details = st.builds(
    PatientDetails,
    given_name=st.sampled_from(["Amira", "Helen", "Ógra"]),
    family_name=st.sampled_from(["Okafor", "Marsh", "Éamonn"]),
    born_on=st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31)),
    sex=st.sampled_from(Sex),
    email=st.sampled_from([None, "a@example.org", "b@example.org"]),
    phone=st.sampled_from([None, "+44 1", "+44 2"]),
)


@given(first=details, second=details)
def test_the_record_names_exactly_the_fields_that_differ_and_replays_to_the_result(
    first: PatientDetails, second: PatientDetails
) -> None:
    start, _ = edited(AMIRA, first, expected_version=1, by=EDITOR, at=AT)

    after, change = edited(start, second, expected_version=start.version, by=EDITOR, at=AT)

    differing = [f for f in EDITABLE if getattr(start, f) != getattr(after, f)]
    recorded = [] if change is None else [c.field for c in change.changes]
    assert recorded == differing
    assert after.version == start.version + (1 if differing else 0)
    assert changes_between(after, second.cleaned()) == ()
