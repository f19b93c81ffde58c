"""Patients of one clinic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, version_conflict
from needlepoint.domain import patient_changes
from needlepoint.domain.patient_search import (
    SHORTEST_INSIDE,
    PatientKey,
    PatientSearch,
    search_name,
)
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Sex


class SqlPatientRepository(SqlRepository):
    """Patients of one clinic."""

    def add(self, patient: PatientRecord) -> None:
        """Store a new patient."""
        self._connection().execute(insert(t.patient).values(_patient_values(patient)))

    def get(self, clinic_id: UUID, patient_id: UUID) -> PatientRecord | None:
        """A patient of this clinic, or None (also for another clinic's patient)."""
        query = select(t.patient).where(
            t.patient.c.clinic_id == clinic_id, t.patient.c.id == patient_id
        )
        return self._one(query, patient_from_row)

    def save(self, patient: PatientRecord) -> None:
        """Store edited details whose ``version`` is one past the stored one.

        Raises ``VersionConflictError`` if the stored patient is not at ``version - 1``.
        """
        columns = t.patient.c
        statement = (
            update(t.patient)
            .where(
                columns.id == patient.id,
                columns.clinic_id == patient.clinic_id,
                columns.version == patient.version - 1,
            )
            .values({k: v for k, v in _patient_values(patient).items() if k in _SAVED})
        )
        connection = self._connection()
        if connection.execute(statement).rowcount == 0:
            based_on = patient.version - 1
            raise version_conflict(connection, t.patient, "patient", patient.id, based_on)

    def list(
        self,
        clinic_id: UUID,
        *,
        search: PatientSearch | None,
        offset: int,
        limit: int,
        after: PatientKey | None = None,
    ) -> Sequence[PatientRecord]:
        """Patients of this clinic found by ``search``, by family name, given name and id.

        Each rule of ``domain.patient_search.matches`` is one condition: every name word in
        the search name (``%`` and ``_`` are literal characters), the email, or the birth date
        (both indexed per clinic). ``after`` starts the page after that key (keyset paging,
        which reads the clinic's name index from there on, however deep the page).

        A name search picks the page's ids first, from the search name index alone: a trigram
        GIN index on PostgreSQL; on SQLite, the clinic's (search name, order) index, read
        whole, which costs the same whether the words are common or match nobody (walking the
        list in order and reading each row costs ten times more when few match; ADR 0034).
        """
        columns = t.patient.c
        by_name = search is not None and bool(search.words)
        query = select(columns.id if by_name else t.patient).where(columns.clinic_id == clinic_id)
        if search is not None:
            query = query.where(*_conditions(search, self._connection().dialect.name))
        if after is not None:
            query = query.where(tuple_(*_order_values(after)) < _ORDER)
        query = query.order_by(*_ORDER).offset(offset).limit(limit)
        if by_name:
            query = select(t.patient).where(columns.id.in_(query)).order_by(*_ORDER)
        return self._all(query, patient_from_row)


_ORDER: Final = tuple_(t.patient.c.family_name, t.patient.c.given_name, t.patient.c.id)
_SELECTIVE: Final = "0.001"
"""What SQLite's planner is told of each search condition (``likelihood``): few patients match,
so the search's own index is read, not the list walked in order reading each row (it has no
statistics to know, and would walk ten times longer for a word or an email nobody has)."""


def _conditions(search: PatientSearch, dialect_name: str) -> list[ColumnElement[bool]]:
    conditions = _filters(search)
    if dialect_name == "sqlite":
        return [func.likelihood(c, literal_column(_SELECTIVE)) for c in conditions]
    return conditions


def _filters(search: PatientSearch) -> list[ColumnElement[bool]]:
    columns = t.patient.c
    if search.email is not None:
        return [columns.email == search.email]  # kept in lower case (records.patients)
    if search.born_on is not None:
        return [columns.born_on == search.born_on]
    return [_name_contains(word) for word in search.words]


def _order_values(patient: PatientKey) -> tuple[ColumnElement[Any], ...]:
    columns = t.patient.c
    return (
        literal(patient.family_name, columns.family_name.type),
        literal(patient.given_name, columns.given_name.type),
        literal(patient.id, columns.id.type),
    )


def _name_contains(word: str) -> ColumnElement[bool]:
    """``word`` in the search name (``patient_search.matches``).

    Inside it, or a short word at the start of one of its words. Each pattern is one bound
    value (not '%' || ? || '%'), so that PostgreSQL's planner sees its trigrams.
    """
    escaped = "".join(f"/{c}" if c in "%_/" else c for c in word)
    name = t.patient.c.search_name
    if len(word) >= SHORTEST_INSIDE:
        return name.like(f"%{escaped}%", escape="/")
    return or_(name.like(f"{escaped}%", escape="/"), name.like(f"% {escaped}%", escape="/"))


def _patient_values(patient: PatientRecord) -> dict[str, Any]:
    return {
        "id": patient.id,
        "clinic_id": patient.clinic_id,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "born_on": patient.born_on,
        "sex": patient.sex.value,
        "email": patient.email,
        "phone": patient.phone,
        "created_at": patient.created_at,
        "version": patient.version,
        "search_name": search_name(patient.given_name, patient.family_name),
    }


_SAVED: Final = frozenset({*patient_changes.EDITABLE, "version", "search_name"})


def patient_from_row(row: RowMapping) -> PatientRecord:
    """A patient from their row."""
    return PatientRecord(
        id=row["id"],
        clinic_id=row["clinic_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        born_on=row["born_on"],
        sex=Sex(row["sex"]),
        email=row["email"],
        phone=row["phone"],
        created_at=row["created_at"],
        version=row["version"],
    )
