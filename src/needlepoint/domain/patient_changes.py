"""Editing a patient's details, and the record of what each edit changed.

A patient's details (names, birth date, sex, email, phone) change only through ``edited``,
which takes the version the editor saw: if someone else saved first, the edit is refused with
``VersionConflictError`` and nothing is overwritten. An edit that changes something makes the
next version and a ``PatientChange``: each field changed, its old and new value as text, who
changed it and when. An edit that changes nothing makes neither.

Values are kept as text so that one list holds every field: names, phone and email as given
(the email in lower case), the birth date as ``YYYY-MM-DD``, the sex as its code; an absent
email or phone is None.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final
from uuid import UUID

from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import VersionConflictError
from needlepoint.domain.vocabulary import Sex

EDITABLE: Final = ("given_name", "family_name", "born_on", "sex", "email", "phone")
"""The details an edit may change, in the order they are shown."""


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """A patient's details as an edit gives them (every field, changed or not)."""

    given_name: str
    family_name: str
    born_on: date
    sex: Sex
    email: str | None = None
    phone: str | None = None

    def cleaned(self) -> PatientDetails:
        """The details as kept: names and phone trimmed, the email trimmed and in lower case."""
        return replace(
            self,
            given_name=self.given_name.strip(),
            family_name=self.family_name.strip(),
            email=self.email.strip().lower() if self.email else None,
            phone=self.phone.strip() if self.phone else None,
        )


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One detail changed: which, and its value before and after (text, None for absent)."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class PatientChange:
    """One edit of a patient: the version it made, who made it and when, and what changed.

    ``changed_by_name`` is the editor's name as the record is read back (empty when made).
    """

    patient_id: UUID
    clinic_id: UUID
    version: int
    changed_at: datetime
    changed_by: UUID
    changes: tuple[FieldChange, ...]
    changed_by_name: str = ""


def as_text(value: object) -> str | None:
    """A detail's value as the change record keeps it."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def changes_between(patient: PatientRecord, details: PatientDetails) -> tuple[FieldChange, ...]:
    """Each detail whose value differs between the patient and the edit, in ``EDITABLE`` order."""
    found = []
    for field in EDITABLE:
        old, new = as_text(getattr(patient, field)), as_text(getattr(details, field))
        if old != new:
            found.append(FieldChange(field, old, new))
    return tuple(found)


def edited(
    patient: PatientRecord,
    details: PatientDetails,
    *,
    expected_version: int,
    by: UUID,
    at: datetime,
) -> tuple[PatientRecord, PatientChange | None]:
    """The patient after the edit, and the change it made (None when it changes nothing).

    Raises:
        VersionConflictError: The patient is no longer at ``expected_version``.
    """
    if patient.version != expected_version:
        raise VersionConflictError("patient", patient.id, expected_version, patient.version)
    cleaned = details.cleaned()
    changes = changes_between(patient, cleaned)
    if not changes:
        return patient, None
    version = patient.version + 1
    updated = replace(
        patient, **{field: getattr(cleaned, field) for field in EDITABLE}, version=version
    )
    change = PatientChange(patient.id, patient.clinic_id, version, at, by, changes)
    return updated, change
