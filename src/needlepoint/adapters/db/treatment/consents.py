"""Signed consents; a series has at most one that is not withdrawn (a partial unique index).

The witness and the withdrawal are each written once: an UPDATE that finds the consent already
witnessed (or withdrawn) changes nothing and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.consent import (
    ConsentExistsError,
    Signature,
    SignedConsent,
    SignedVia,
    Withdrawal,
    Witness,
)
from needlepoint.domain.errors import InvalidTransitionError

_CONSENT: Final = t.signed_consent


class SqlConsentRepository(SqlRepository):
    """Signed consents of one clinic."""

    def add(self, consent: SignedConsent) -> None:
        """Store a new consent; ``ConsentExistsError`` if the series has one not withdrawn."""
        connection = self._connection()
        try:
            with connection.begin_nested():
                connection.execute(insert(_CONSENT).values(_values(consent)))
        except IntegrityError:
            columns = _CONSENT.c
            live = connection.execute(
                select(columns.id).where(
                    columns.series_id == consent.series_id, columns.withdrawn_at.is_(None)
                )
            ).scalar_one_or_none()
            if live is None:
                raise
            raise ConsentExistsError(live) from None

    def get(
        self, clinic_id: UUID, consent_id: UUID, *, patient_id: UUID | None = None
    ) -> SignedConsent | None:
        """A consent of this clinic (of this patient only, when given), or None."""
        columns = _CONSENT.c
        query = select(_CONSENT).where(columns.clinic_id == clinic_id, columns.id == consent_id)
        if patient_id is not None:
            query = query.where(columns.patient_id == patient_id)
        return self._one(query, _consent)

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[SignedConsent]:
        """The consents of a series, oldest first."""
        columns = _CONSENT.c
        query = (
            select(_CONSENT)
            .where(columns.clinic_id == clinic_id, columns.series_id == series_id)
            .order_by(columns.signed_at, columns.id)
        )
        return self._all(query, _consent)

    def save_witness(self, consent: SignedConsent) -> None:
        """Record a consent's witness and its signed document (once)."""
        witness = consent.witness
        if witness is None or consent.document_id is None:
            raise InvalidTransitionError(f"consent {consent.id} has no witness to record")
        columns = _CONSENT.c
        statement = (
            update(_CONSENT)
            .where(
                columns.id == consent.id,
                columns.clinic_id == consent.clinic_id,
                columns.witnessed_at.is_(None),
                columns.withdrawn_at.is_(None),
            )
            .values(
                witnessed_at=witness.at, witnessed_by=witness.by, document_id=consent.document_id
            )
        )
        self._changed_once(statement, consent, "witnessed or withdrawn")

    def save_withdrawal(self, consent: SignedConsent) -> None:
        """Record a consent's withdrawal (once)."""
        withdrawal = consent.withdrawal
        if withdrawal is None:
            raise InvalidTransitionError(f"consent {consent.id} has no withdrawal to record")
        columns = _CONSENT.c
        statement = (
            update(_CONSENT)
            .where(
                columns.id == consent.id,
                columns.clinic_id == consent.clinic_id,
                columns.withdrawn_at.is_(None),
            )
            .values(
                withdrawn_at=withdrawal.at,
                withdrawn_by=withdrawal.by,
                withdrawal_reason=withdrawal.reason,
            )
        )
        self._changed_once(statement, consent, "withdrawn")

    def _changed_once(self, statement: Any, consent: SignedConsent, meanwhile: str) -> None:
        if self._connection().execute(statement).rowcount != 1:
            raise InvalidTransitionError(
                f"consent {consent.id} was {meanwhile} meanwhile; read it again"
            )


def _values(consent: SignedConsent) -> dict[str, Any]:
    witness, withdrawal = consent.witness, consent.withdrawal
    return {
        "id": consent.id,
        "clinic_id": consent.clinic_id,
        "patient_id": consent.patient_id,
        "series_id": consent.series_id,
        "template_id": consent.template_id,
        "template_version": consent.template_version,
        "template_sha256": consent.template_sha256,
        "typed_name": consent.signature.typed_name,
        "drawing": consent.signature.drawing_jpeg,
        "signed_at": consent.signed_at,
        "signed_via": consent.signed_via.value,
        "recorded_by": consent.recorded_by,
        "witnessed_at": witness.at if witness else None,
        "witnessed_by": witness.by if witness else None,
        "document_id": consent.document_id,
        "withdrawn_at": withdrawal.at if withdrawal else None,
        "withdrawn_by": withdrawal.by if withdrawal else None,
        "withdrawal_reason": withdrawal.reason if withdrawal else None,
    }


def _consent(row: RowMapping) -> SignedConsent:
    drawing = row["drawing"]
    witness = None
    if row["witnessed_at"] is not None:
        witness = Witness(row["witnessed_by"], row["witnessed_at"])
    withdrawal = None
    if row["withdrawn_at"] is not None:
        withdrawal = Withdrawal(row["withdrawn_at"], row["withdrawal_reason"], row["withdrawn_by"])
    return SignedConsent(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        series_id=row["series_id"],
        template_id=row["template_id"],
        template_version=row["template_version"],
        template_sha256=row["template_sha256"],
        signature=Signature(row["typed_name"], None if drawing is None else bytes(drawing)),
        signed_at=row["signed_at"],
        signed_via=SignedVia(row["signed_via"]),
        recorded_by=row["recorded_by"],
        witness=witness,
        withdrawal=withdrawal,
        document_id=row["document_id"],
    )
