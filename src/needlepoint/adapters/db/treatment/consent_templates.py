"""Consent template versions: a draft is written over; a published version never again.

The database backs the rule: a trigger refuses any UPDATE or DELETE of a published version,
and a partial unique index allows one draft per template (migration 2026-12-08_consent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import RowMapping, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.tables.consent import ALL_INDICATIONS
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    DraftExistsError,
    Procedure,
    TemplateChangedError,
    TemplateKey,
    TemplatePublishedError,
    TemplateText,
)
from needlepoint.domain.vocabulary import Indication

_VERSION: Final = t.consent_template_version


class SqlConsentTemplateRepository(SqlRepository):
    """A clinic's consent template versions."""

    def add(self, version: ConsentTemplateVersion) -> None:
        """Store a new version; ``DraftExistsError`` if its template has a draft already.

        Two admins starting the same next version at once: the second insert clashes on the
        version number and is refused as ``TemplateChangedError`` (read the template again).
        """
        connection = self._connection()
        try:
            with connection.begin_nested():
                connection.execute(insert(_VERSION).values(_values(version)))
        except IntegrityError:
            draft = connection.execute(
                select(_VERSION.c.id).where(
                    _of_template(version.clinic_id, version.key), _VERSION.c.published_at.is_(None)
                )
            ).scalar_one_or_none()
            if draft is not None:
                raise DraftExistsError(draft) from None
            raise TemplateChangedError("this consent template") from None

    def get(self, clinic_id: UUID, version_id: UUID) -> ConsentTemplateVersion | None:
        """A version of this clinic's templates, or None (also for another clinic's)."""
        query = select(_VERSION).where(
            _VERSION.c.clinic_id == clinic_id, _VERSION.c.id == version_id
        )
        return self._one(query, _version)

    def of_template(self, clinic_id: UUID, key: TemplateKey) -> Sequence[ConsentTemplateVersion]:
        """Every version of one template, oldest first."""
        query = select(_VERSION).where(_of_template(clinic_id, key)).order_by(_VERSION.c.version)
        return self._all(query, _version)

    def for_clinic(self, clinic_id: UUID) -> Sequence[ConsentTemplateVersion]:
        """Every version of every template of the clinic, by template then newest first."""
        columns = _VERSION.c
        query = (
            select(_VERSION)
            .where(columns.clinic_id == clinic_id)
            .order_by(columns.procedure, columns.indication, columns.version.desc())
        )
        return self._all(query, _version)

    def published(self, clinic_id: UUID, procedure: Procedure) -> Sequence[ConsentTemplateVersion]:
        """The published versions of a procedure's templates."""
        columns = _VERSION.c
        query = select(_VERSION).where(
            columns.clinic_id == clinic_id,
            columns.procedure == procedure.value,
            columns.published_at.is_not(None),
        )
        return self._all(query, _version)

    def save_draft(self, version: ConsentTemplateVersion, *, replacing: TemplateText) -> None:
        """Store a draft's new text, or its publication, over the text it was read with.

        Raises:
            TemplatePublishedError: The version is published (it is never written again).
            TemplateChangedError: Someone else changed the draft since it was read.
        """
        columns = _VERSION.c
        statement = (
            update(_VERSION)
            .where(
                columns.id == version.id,
                columns.clinic_id == version.clinic_id,
                columns.published_at.is_(None),
                columns.title == replacing.title,
                columns.body == replacing.body,
            )
            .values(
                title=version.text.title,
                body=version.text.body,
                published_at=version.published_at,
                published_by=version.published_by,
                published_sha256=version.published_sha256,
            )
        )
        if self._connection().execute(statement).rowcount == 1:
            return
        stored = self.get(version.clinic_id, version.id)
        if stored is not None and stored.is_published:
            raise TemplatePublishedError(version.id)
        raise TemplateChangedError("this draft")


def _of_template(clinic_id: UUID, key: TemplateKey) -> Any:
    columns = _VERSION.c
    return and_(
        columns.clinic_id == clinic_id,
        columns.procedure == key.procedure.value,
        columns.indication == _indication(key),
    )


def _indication(key: TemplateKey) -> str:
    return ALL_INDICATIONS if key.indication is None else key.indication.value


def _values(version: ConsentTemplateVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "clinic_id": version.clinic_id,
        "procedure": version.key.procedure.value,
        "indication": _indication(version.key),
        "version": version.version,
        "title": version.text.title,
        "body": version.text.body,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "published_at": version.published_at,
        "published_by": version.published_by,
        "published_sha256": version.published_sha256,
    }


def _version(row: RowMapping) -> ConsentTemplateVersion:
    indication = row["indication"]
    key = TemplateKey(
        Procedure(row["procedure"]),
        None if indication == ALL_INDICATIONS else Indication(indication),
    )
    return ConsentTemplateVersion(
        id=row["id"],
        clinic_id=row["clinic_id"],
        key=key,
        version=row["version"],
        text=TemplateText(row["title"], row["body"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        published_at=row["published_at"],
        published_by=row["published_by"],
        published_sha256=row["published_sha256"],
    )
