"""Fakes of the consent repositories (``services/treatment/ports.py``): template versions,
signed consents and stored documents, with the database's rules (one draft per template, one
consent not withdrawn per series, a published version and a document never rewritten)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain.consent import ConsentExistsError, ConsentStanding, SignedConsent
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    DraftExistsError,
    Procedure,
    TemplateChangedError,
    TemplateKey,
    TemplatePublishedError,
    TemplateText,
)
from needlepoint.domain.documents import StoredDocument
from needlepoint.domain.errors import InvalidTransitionError


class FakeConsentTemplates:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.consent_templates

    def add(self, version: ConsentTemplateVersion) -> None:
        same = [v for v in self.rows.values() if _same_template(v, version)]
        draft = next((v for v in same if not v.is_published), None)
        if draft is not None:
            raise DraftExistsError(draft.id)
        if any(v.version == version.version for v in same):
            raise TemplateChangedError("this consent template")
        self.rows[version.id] = version

    def get(self, clinic_id: UUID, version_id: UUID) -> ConsentTemplateVersion | None:
        found = self.rows.get(version_id)
        return found if found and found.clinic_id == clinic_id else None

    def of_template(self, clinic_id: UUID, key: TemplateKey) -> Sequence[ConsentTemplateVersion]:
        found = [v for v in self.rows.values() if (v.clinic_id, v.key) == (clinic_id, key)]
        return sorted(found, key=lambda v: v.version)

    def for_clinic(self, clinic_id: UUID) -> Sequence[ConsentTemplateVersion]:
        found = [v for v in self.rows.values() if v.clinic_id == clinic_id]
        return sorted(found, key=lambda v: (str(v.key), -v.version))

    def published(self, clinic_id: UUID, procedure: Procedure) -> Sequence[ConsentTemplateVersion]:
        return [
            v
            for v in self.rows.values()
            if v.clinic_id == clinic_id and v.key.procedure is procedure and v.is_published
        ]

    def save_draft(self, version: ConsentTemplateVersion, *, replacing: TemplateText) -> None:
        stored = self.rows[version.id]
        if stored.is_published:
            raise TemplatePublishedError(version.id)
        if stored.text != replacing:
            raise TemplateChangedError("this draft")
        self.rows[version.id] = version


def _same_template(a: ConsentTemplateVersion, b: ConsentTemplateVersion) -> bool:
    return (a.clinic_id, a.key) == (b.clinic_id, b.key)


class FakeConsents:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.consents

    def add(self, consent: SignedConsent) -> None:
        live = next(
            (
                c
                for c in self.rows.values()
                if c.series_id == consent.series_id and c.standing is not ConsentStanding.WITHDRAWN
            ),
            None,
        )
        if live is not None:
            raise ConsentExistsError(live.id)
        self.rows[consent.id] = consent

    def get(
        self, clinic_id: UUID, consent_id: UUID, *, patient_id: UUID | None = None
    ) -> SignedConsent | None:
        found = self.rows.get(consent_id)
        if found is None or found.clinic_id != clinic_id:
            return None
        return found if patient_id in (None, found.patient_id) else None

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[SignedConsent]:
        found = [
            c for c in self.rows.values() if (c.clinic_id, c.series_id) == (clinic_id, series_id)
        ]
        return sorted(found, key=lambda c: (c.signed_at, str(c.id)))

    def save_witness(self, consent: SignedConsent) -> None:
        stored = self.rows[consent.id]
        if stored.witness is not None or stored.withdrawal is not None:
            raise InvalidTransitionError(f"consent {consent.id} was witnessed or withdrawn")
        self.rows[consent.id] = replace(
            stored, witness=consent.witness, document_id=consent.document_id
        )

    def save_withdrawal(self, consent: SignedConsent) -> None:
        stored = self.rows[consent.id]
        if stored.withdrawal is not None:
            raise InvalidTransitionError(f"consent {consent.id} was withdrawn")
        self.rows[consent.id] = replace(stored, withdrawal=consent.withdrawal)


class FakeDocuments:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.documents

    def add(self, document: StoredDocument) -> None:
        assert document.id not in self.rows, "a stored document is written once"
        self.rows[document.id] = document

    def get(
        self, clinic_id: UUID, document_id: UUID, *, patient_id: UUID | None = None
    ) -> StoredDocument | None:
        found = self.rows.get(document_id)
        if found is None or found.clinic_id != clinic_id:
            return None
        return found if patient_id in (None, found.patient_id) else None


class FakeRenderer:
    """The ``DocumentRenderer`` port: remembers what it was asked to lay out, returns a PDF-ish
    document naming the template (enough for tests of the services, not of the layout)."""

    def __init__(self) -> None:
        self.rendered: list[tuple[str, Mapping[str, Any], Mapping[str, tuple[bytes, str]]]] = []

    def render_pdf(
        self,
        template: str,
        values: Mapping[str, Any],
        *,
        images: Mapping[str, tuple[bytes, str]] | None = None,
        created_at: datetime | None = None,
    ) -> bytes:
        self.rendered.append((template, dict(values), dict(images or {})))
        return f"%PDF-1.7 {template} {created_at}\n".encode()
