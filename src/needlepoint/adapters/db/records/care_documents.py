"""Care documents given to patients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient
from needlepoint.domain.outcomes import CareDocument, CareDocumentKind


class SqlCareDocumentRepository(SqlRepository):
    """Care documents given to patients."""

    def add(self, document: CareDocument) -> None:
        """Store a new document."""
        values = care_document_values(document)
        self._connection().execute(insert(t.care_document).values(values))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[CareDocument]:
        """A patient's care documents, newest first."""
        columns = t.care_document.c
        query = (
            of_patient(t.care_document, clinic_id, patient_id)
            .order_by(columns.issued_at.desc(), columns.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return self._all(query, care_document_from_row)


def care_document_values(document: CareDocument) -> dict[str, Any]:
    """The columns of a care document."""
    return {
        "id": document.id,
        "clinic_id": document.clinic_id,
        "patient_id": document.patient_id,
        "series_id": document.series_id,
        "kind": document.kind.value,
        "issued_at": document.issued_at,
        "issued_by": document.issued_by,
        "content": dict(document.content),
    }


def care_document_from_row(row: RowMapping) -> CareDocument:
    """A care document read back from its row."""
    return CareDocument(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        series_id=row["series_id"],
        kind=CareDocumentKind(row["kind"]),
        issued_at=row["issued_at"],
        issued_by=row["issued_by"],
        content=row["content"],
    )
