"""Appointments; overlaps are refused by the database.

The database refuses an overlapping appointment (an exclusion constraint on PostgreSQL,
triggers on SQLite; see migration 2026-11-24_scheduling); the refusal comes back here as an
``IntegrityError`` inside a savepoint and leaves as ``SlotTakenError``, with the transaction
still usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Executable, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient, version_conflict
from needlepoint.adapters.db.treatment.series_due import refresh_next_due
from needlepoint.domain.scheduling import (
    LONGEST_APPOINTMENT,
    Appointment,
    AppointmentStatus,
    SlotTakenError,
)


class SqlAppointmentRepository(SqlRepository):
    """Appointments; overlaps are refused by the database."""

    def add(self, appointment: Appointment) -> None:
        """Store a new appointment, or raise ``SlotTakenError``; its series' next due follows."""
        statement = insert(t.appointment).values(_appointment_values(appointment))
        connection = self._connection()
        _guarded(connection, statement, appointment)
        refresh_next_due(connection, appointment.series_id)

    def hold(
        self, clinic_id: UUID, practitioner_ids: Sequence[UUID], room_ids: Sequence[UUID]
    ) -> None:
        """Lock the practitioners' and rooms' rows until the unit of work ends.

        On PostgreSQL two bookings of the same practitioner or room then queue here instead
        of racing into the exclusion constraint, where simultaneous checks can deadlock;
        rows are locked in id order so that two holders never wait on each other. SQLite's
        writer already holds the whole database (``BEGIN IMMEDIATE``), and ignores this.
        """
        connection = self._connection()
        for table, ids in ((t.staff_member, practitioner_ids), (t.room, room_ids)):
            query = (
                select(table.c.id)
                .where(table.c.clinic_id == clinic_id, table.c.id.in_(sorted(set(ids))))
                .order_by(table.c.id)
                .with_for_update(key_share=True)
            )
            connection.execute(query).all()

    def get(self, clinic_id: UUID, appointment_id: UUID) -> Appointment | None:
        """An appointment of this clinic, or None."""
        columns = t.appointment.c
        query = select(t.appointment).where(
            columns.id == appointment_id, columns.clinic_id == clinic_id
        )
        return self._one(query, appointment_from_row)

    def save(self, appointment: Appointment) -> None:
        """Store a change over the version it was based on; its series' next due follows."""
        columns = t.appointment.c
        values = _appointment_values(appointment)
        statement = (
            update(t.appointment)
            .where(
                columns.id == appointment.id,
                columns.clinic_id == appointment.clinic_id,
                columns.version == appointment.version - 1,
            )
            .values({k: v for k, v in values.items() if k not in {"id", "clinic_id"}})
        )
        connection = self._connection()
        if _guarded(connection, statement, appointment) == 0:
            based_on = appointment.version - 1
            raise version_conflict(
                connection, t.appointment, "appointment", appointment.id, based_on
            )
        refresh_next_due(connection, appointment.series_id)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Appointment]:
        """A patient's appointments, earliest first."""
        columns = t.appointment.c
        query = of_patient(t.appointment, clinic_id, patient_id).order_by(
            columns.starts_at, columns.id
        )
        return self._all(query, appointment_from_row)

    def between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[Appointment]:
        """Every appointment not cancelled overlapping ``[starts_at, ends_at)``.

        None lasts longer than ``LONGEST_APPOINTMENT``, so one overlapping the span starts after
        ``starts_at`` less that: the index on (clinic, start) is read between two bounds.
        """
        columns = t.appointment.c
        query = (
            select(t.appointment)
            .where(
                columns.clinic_id == clinic_id,
                columns.status != AppointmentStatus.CANCELLED.value,
                columns.starts_at > starts_at - LONGEST_APPOINTMENT,
                columns.starts_at < ends_at,
                columns.ends_at > starts_at,
            )
            .order_by(columns.starts_at, columns.id)
        )
        return self._all(query, appointment_from_row)


def _guarded(connection: Connection, statement: Executable, appointment: Appointment) -> int:
    """Run an insert or update in a savepoint; an overlap leaves as ``SlotTakenError``."""
    try:
        with connection.begin_nested():
            return int(connection.execute(statement).rowcount)
    except IntegrityError as error:
        if _is_overlap(error):
            raise SlotTakenError("practitioner or room", appointment.starts_at) from None
        raise


def _is_overlap(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "overlap" in text or getattr(error.orig, "sqlstate", None) == "23P01"


def _appointment_values(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.id,
        "clinic_id": appointment.clinic_id,
        "patient_id": appointment.patient_id,
        "series_id": appointment.series_id,
        "session_number": appointment.session_number,
        "practitioner_id": appointment.practitioner_id,
        "room_id": appointment.room_id,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "status": appointment.status.value,
        "status_reason": appointment.status_reason,
        "created_at": appointment.created_at,
        "created_by": appointment.created_by,
        "version": appointment.version,
        "session_id": appointment.session_id,
    }


def appointment_from_row(row: RowMapping) -> Appointment:
    """An appointment from its row."""
    return Appointment(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        series_id=row["series_id"],
        session_number=row["session_number"],
        practitioner_id=row["practitioner_id"],
        room_id=row["room_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=AppointmentStatus(row["status"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        version=row["version"],
        status_reason=row["status_reason"],
        session_id=row["session_id"],
    )
