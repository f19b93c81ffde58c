"""Documents kept as files (a signed consent's PDF): the bytes and their SHA-256, checked on read.

A document is stored once with the SHA-256 of its bytes and never changed. Every read checks
the bytes against that hash: a document that no longer matches (a flipped bit on disk, an edit
outside needlepoint) is refused with ``DocumentCorruptedError``, never served.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from needlepoint.domain.errors import ConflictError


class DocumentKind(StrEnum):
    """What a stored document is."""

    SIGNED_CONSENT = "signed_consent"


class DocumentCorruptedError(ConflictError):
    """A stored document's bytes no longer match the SHA-256 recorded when it was made."""

    code = "document-corrupted"

    def __init__(self, document_id: UUID) -> None:
        super().__init__(
            f"document {document_id} does not match the SHA-256 recorded when it was made, so "
            "it is not served. Nothing was changed; ask an administrator to restore it from a "
            "backup."
        )
        self.document_id = document_id


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document of one patient, its bytes and the hash they had when it was made."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    kind: DocumentKind
    content_type: str
    data: bytes
    sha256: str
    created_at: datetime

    @classmethod
    def made(
        cls,
        ids: tuple[UUID, UUID, UUID],
        kind: DocumentKind,
        content_type: str,
        data: bytes,
        at: datetime,
    ) -> StoredDocument:
        """A new document (``ids``: its own, the clinic's, the patient's), hashed now."""
        document_id, clinic_id, patient_id = ids
        digest = hashlib.sha256(data).hexdigest()
        return cls(document_id, clinic_id, patient_id, kind, content_type, data, digest, at)

    @property
    def size_bytes(self) -> int:
        """How long the document is."""
        return len(self.data)

    def verified(self) -> StoredDocument:
        """The document, if its bytes still hash to the recorded SHA-256.

        Raises:
            DocumentCorruptedError: They do not.
        """
        if hashlib.sha256(self.data).hexdigest() != self.sha256:
            raise DocumentCorruptedError(self.id)
        return self
