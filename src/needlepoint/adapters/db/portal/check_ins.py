"""Check-ins and their photos.

Reads for a patient name (clinic_id, patient_id) in the query itself, so another patient's row
is never even loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import Connection, RowMapping, case, insert, select, update

from needlepoint.adapters.db import sealed
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.labelled import keys, labelled, unprefixed
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.shared.patients import patient_from_row
from needlepoint.domain.check_in_reviews import ReviewOutcome
from needlepoint.domain.checkins import (
    CheckIn,
    CheckInAnswers,
    CheckInPhoto,
    Degree,
    Triage,
    TriageLevel,
    TriageReason,
)
from needlepoint.domain.records import PatientRecord

_PHOTO_ID: Final = t.check_in_photo.c.id.label("photo_id")


class SqlCheckInRepository(SqlRepository):
    """Check-ins and their photos."""

    def add(self, check_in: CheckIn) -> None:
        """Store a new check-in."""
        connection = self._connection()
        connection.execute(insert(t.check_in).values(_check_in_values(connection, check_in)))

    def add_photo(self, photo: CheckInPhoto) -> None:
        """Store the photo of a stored check-in."""
        values = {
            "id": photo.id,
            "check_in_id": photo.check_in_id,
            "clinic_id": photo.clinic_id,
            "patient_id": photo.patient_id,
            "content_type": photo.content_type,
            "width_px": photo.width_px,
            "height_px": photo.height_px,
            "data": photo.data,
            "sha256": photo.sha256,
            "created_at": photo.created_at,
        }
        self._connection().execute(insert(t.check_in_photo).values(values))

    def get(self, clinic_id: UUID, check_in_id: UUID) -> CheckIn | None:
        """A check-in of this clinic."""
        query = _CHECK_INS.where(
            t.check_in.c.clinic_id == clinic_id, t.check_in.c.id == check_in_id
        )
        return self._one(query, self._check_in_from_row)

    def get_for_patient(
        self, clinic_id: UUID, patient_id: UUID, check_in_id: UUID
    ) -> CheckIn | None:
        """A check-in of this patient only."""
        columns = t.check_in.c
        query = _CHECK_INS.where(
            columns.clinic_id == clinic_id,
            columns.patient_id == patient_id,
            columns.id == check_in_id,
        )
        return self._one(query, self._check_in_from_row)

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, limit: int, offset: int = 0
    ) -> Sequence[CheckIn]:
        """A patient's check-ins, newest first (``limit`` of them after the first ``offset``)."""
        columns = t.check_in.c
        query = (
            _CHECK_INS.where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.submitted_at.desc(), columns.id)
            .offset(offset)
            .limit(limit)
        )
        return self._all(query, self._check_in_from_row)

    def needing_attention(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[CheckIn, PatientRecord]]:
        """Unreviewed amber and red check-ins: red first, then newest first."""
        columns = t.check_in.c
        red_first = case((columns.triage_level == TriageLevel.RED.value, 0), else_=1)
        query = (
            select(*_CHECK_IN_COLUMNS, *labelled(t.patient, _PATIENT))
            .outerjoin(t.check_in_photo, t.check_in_photo.c.check_in_id == columns.id)
            .join(t.patient, t.patient.c.id == columns.patient_id)
            .where(
                columns.clinic_id == clinic_id,
                columns.reviewed_at.is_(None),
                columns.triage_level != TriageLevel.GREEN.value,
            )
            .order_by(red_first, columns.submitted_at.desc(), columns.id)
            .limit(limit)
        )
        return self._all(query, self._check_in_with_patient)

    def save_review(self, check_in: CheckIn) -> bool:
        """Record the first review of a check-in; False when it had one already."""
        columns = t.check_in.c
        outcome = check_in.review_outcome
        connection = self._connection()
        note = None if outcome is None else check_in.review_note
        statement = (
            update(t.check_in)
            .where(
                columns.clinic_id == check_in.clinic_id,
                columns.id == check_in.id,
                columns.reviewed_at.is_(None),
            )
            .values(
                reviewed_at=check_in.reviewed_at,
                reviewed_by=check_in.reviewed_by,
                review_outcome=None if outcome is None else outcome.value,
                review_note=sealed.seal_optional(
                    connection, t.check_in, "review_note", check_in.id, note
                ),
            )
        )
        return connection.execute(statement).rowcount == 1

    def _check_in_from_row(self, row: RowMapping) -> CheckIn:
        return _check_in_from_row(self._connection(), row)

    def _check_in_with_patient(self, row: RowMapping) -> tuple[CheckIn, PatientRecord]:
        return self._check_in_from_row(row), patient_from_row(unprefixed(row, _PATIENT))

    def photo(self, clinic_id: UUID, photo_id: UUID) -> CheckInPhoto | None:
        """A check-in photo of this clinic."""
        columns = t.check_in_photo.c
        query = select(t.check_in_photo).where(
            columns.clinic_id == clinic_id, columns.id == photo_id
        )
        return self._one(query, _photo_from_row)

    def photo_for_patient(
        self, clinic_id: UUID, patient_id: UUID, photo_id: UUID
    ) -> CheckInPhoto | None:
        """A check-in photo of this patient only."""
        columns = t.check_in_photo.c
        query = select(t.check_in_photo).where(
            columns.clinic_id == clinic_id,
            columns.patient_id == patient_id,
            columns.id == photo_id,
        )
        return self._one(query, _photo_from_row)


def _check_in_values(connection: Connection, check_in: CheckIn) -> dict[str, Any]:
    answers = check_in.answers
    review_note = None if check_in.review_outcome is None else check_in.review_note
    return {
        "id": check_in.id,
        "clinic_id": check_in.clinic_id,
        "patient_id": check_in.patient_id,
        "session_id": check_in.session_id,
        "appointment_id": check_in.appointment_id,
        "treated_at": check_in.treated_at,
        "day": check_in.day,
        "redness": answers.redness.value,
        "swelling": answers.swelling.value,
        "pain": answers.pain,
        "pus": answers.pus,
        "fever": answers.fever,
        "blisters": answers.blisters,
        "note": sealed.seal(connection, t.check_in, "note", check_in.id, answers.note),
        "triage_level": check_in.triage.level.value,
        "triage": _triage_json(check_in.triage),
        "submitted_at": check_in.submitted_at,
        "reviewed_at": check_in.reviewed_at,
        "reviewed_by": check_in.reviewed_by,
        "review_outcome": None
        if check_in.review_outcome is None
        else check_in.review_outcome.value,
        "review_note": sealed.seal_optional(
            connection, t.check_in, "review_note", check_in.id, review_note
        ),
    }


def _triage_json(result: Triage) -> dict[str, Any]:
    return {
        "rules_version": result.rules_version,
        "reasons": [
            {
                "rule_id": r.rule_id,
                "level": r.level.value,
                "reason": r.reason,
                "sources": list(r.sources),
                "unverified": r.unverified,
            }
            for r in result.reasons
        ],
    }


def _triage_from_json(level: str, stored: dict[str, Any]) -> Triage:
    reasons = tuple(
        TriageReason(
            rule_id=r["rule_id"],
            level=TriageLevel(r["level"]),
            reason=r["reason"],
            sources=tuple(r["sources"]),
            unverified=bool(r["unverified"]),
        )
        for r in stored["reasons"]
    )
    return Triage(TriageLevel(level), reasons, stored["rules_version"])


def _check_in_from_row(connection: Connection, row: RowMapping) -> CheckIn:
    check_in_id = row["id"]
    answers = CheckInAnswers(
        redness=Degree(row["redness"]),
        swelling=Degree(row["swelling"]),
        pain=row["pain"],
        pus=row["pus"],
        fever=row["fever"],
        blisters=row["blisters"],
        note=sealed.open_text(connection, t.check_in, "note", check_in_id, row["note"]),
    )
    return CheckIn(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        session_id=row["session_id"],
        appointment_id=row["appointment_id"],
        treated_at=row["treated_at"],
        day=row["day"],
        answers=answers,
        triage=_triage_from_json(row["triage_level"], row["triage"]),
        submitted_at=row["submitted_at"],
        photo_id=row["photo_id"],
        reviewed_at=row["reviewed_at"],
        reviewed_by=row["reviewed_by"],
        review_outcome=None
        if row["review_outcome"] is None
        else ReviewOutcome(row["review_outcome"]),
        review_note=sealed.open_optional(
            connection, t.check_in, "review_note", check_in_id, row["review_note"]
        )
        or "",
    )


def _photo_from_row(row: RowMapping) -> CheckInPhoto:
    return CheckInPhoto(
        id=row["id"],
        check_in_id=row["check_in_id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        content_type=row["content_type"],
        width_px=row["width_px"],
        height_px=row["height_px"],
        data=bytes(row["data"]),
        sha256=row["sha256"],
        created_at=row["created_at"],
    )


_PATIENT: Final = keys(t.patient, "pt_")

_CHECK_IN_COLUMNS: Final = (*t.check_in.c, _PHOTO_ID)

_CHECK_INS: Final = select(*_CHECK_IN_COLUMNS).outerjoin(
    t.check_in_photo, t.check_in_photo.c.check_in_id == t.check_in.c.id
)
"""Every check-in column with the id of its photo, if it has one."""
