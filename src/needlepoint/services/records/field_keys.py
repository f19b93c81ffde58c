"""Re-encrypting the protected free text under the current field key (ADR 0039), audited.

The work itself is the database's (``FieldResealing``: batches, each its own transaction);
this use case is what makes it an event of the audit trail, as the machine's operator: it
reads and rewrites patient text, so it is recorded like any other access, without any of
that text. A run that left values it could not open is recorded with the outcome
``partial``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from needlepoint.services import audit
from needlepoint.services.audit import AuditedTransaction, OperatorContext
from needlepoint.services.ports import Clock

ACTION = "keys.reencrypt_fields"


class ResealReport(Protocol):
    """What a re-encryption run did."""

    @property
    def checked(self) -> int:
        """Rows looked at."""
        ...

    @property
    def resealed(self) -> int:
        """Values sealed anew under the current key."""
        ...

    @property
    def unreadable(self) -> Sequence[str]:
        """``table.column/row id`` of the values no key opened (left as they are)."""
        ...


class FieldResealing(Protocol):
    """Seals every protected value in clear or under a retired key with the current key."""

    def __call__(self, *, batch_size: int) -> ResealReport:
        """Run in batches of ``batch_size`` rows; what it did."""
        ...


def reencrypt_fields(
    *,
    batch_size: int,
    context: OperatorContext,
    reseal: FieldResealing,
    unit_of_work: Callable[[], AuditedTransaction],
    clock: Clock,
) -> ResealReport:
    """Re-encrypt every protected text under the current key; one audit event records it."""
    report = reseal(batch_size=batch_size)
    outcome = "partial" if report.unreadable else "success"
    access = audit.Access(ACTION, "field_key", "current", None, outcome=outcome)
    uow = unit_of_work()
    with uow:
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return report
