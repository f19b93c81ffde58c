"""Stored documents: written once, never changed (a trigger refuses UPDATE and DELETE).

They are read back exactly as stored; checking the bytes against their SHA-256 is the
service's business on every read (``domain.documents``), so a corrupted row is never served.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from sqlalchemy import RowMapping, insert, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.documents import DocumentKind, StoredDocument

_DOCUMENT: Final = t.stored_document


class SqlDocumentRepository(SqlRepository):
    """Stored documents of one clinic."""

    def add(self, document: StoredDocument) -> None:
        """Store a new document."""
        self._connection().execute(insert(_DOCUMENT).values(_values(document)))

    def get(
        self, clinic_id: UUID, document_id: UUID, *, patient_id: UUID | None = None
    ) -> StoredDocument | None:
        """A document of this clinic (of this patient only, when given), as stored, or None."""
        columns = _DOCUMENT.c
        query = select(_DOCUMENT).where(columns.clinic_id == clinic_id, columns.id == document_id)
        if patient_id is not None:
            query = query.where(columns.patient_id == patient_id)
        return self._one(query, _document)


def _values(document: StoredDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "clinic_id": document.clinic_id,
        "patient_id": document.patient_id,
        "kind": document.kind.value,
        "content_type": document.content_type,
        "data": document.data,
        "sha256": document.sha256,
        "created_at": document.created_at,
    }


def _document(row: RowMapping) -> StoredDocument:
    return StoredDocument(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        kind=DocumentKind(row["kind"]),
        content_type=row["content_type"],
        data=bytes(row["data"]),
        sha256=row["sha256"],
        created_at=row["created_at"],
    )
