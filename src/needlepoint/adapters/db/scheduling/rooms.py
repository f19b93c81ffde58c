"""Treatment rooms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.scheduling import Room


class SqlRoomRepository(SqlRepository):
    """Treatment rooms."""

    def add(self, room: Room) -> None:
        """Store a new room."""
        self._connection().execute(insert(t.room).values(_room_values(room)))

    def get(self, clinic_id: UUID, room_id: UUID) -> Room | None:
        """A room of this clinic, or None."""
        query = select(t.room).where(t.room.c.id == room_id, t.room.c.clinic_id == clinic_id)
        return self._one(query, _room)

    def for_clinic(self, clinic_id: UUID) -> Sequence[Room]:
        """Every room of the clinic, by name."""
        query = select(t.room).where(t.room.c.clinic_id == clinic_id).order_by(t.room.c.name)
        return self._all(query, _room)

    def save(self, room: Room) -> None:
        """Store a room's name and whether it is in use."""
        columns = t.room.c
        statement = (
            update(t.room)
            .where(columns.id == room.id, columns.clinic_id == room.clinic_id)
            .values(name=room.name, active=room.active)
        )
        self._connection().execute(statement)


def _room_values(room: Room) -> dict[str, Any]:
    return {"id": room.id, "clinic_id": room.clinic_id, "name": room.name, "active": room.active}


def _room(row: RowMapping) -> Room:
    return Room(id=row["id"], clinic_id=row["clinic_id"], name=row["name"], active=row["active"])
