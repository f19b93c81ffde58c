"""Fakes that are not repositories: the clock, the password hasher, and the actors fixtures use."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, time

from needlepoint.domain.records import Role
from needlepoint.services.audit import OperatorContext, RequestContext


class FixedClock:
    """A clock stopped at one instant."""

    def __init__(self, today: date, at: time = time(12, 0)) -> None:
        self._now = datetime.combine(today, at, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()


class PlainHasher:
    """A transparent stand-in for Argon2 in unit tests (the real one is tested separately)."""

    def hash(self, password: str) -> str:
        # A digest, as a real hash is short plain ASCII whatever the password: a password
        # holding NUL or a surrogate, or a long one of many-byte characters, would otherwise
        # reach the database as it is or overflow ``password_hash`` (255): fuzzing "500"s on
        # PostgreSQL that only this stand-in could cause (issue 14).
        encoded = password.encode("utf-8", "surrogatepass")
        return f"plain${hashlib.sha256(encoded).hexdigest()}"

    def verify(self, password: str, hashed: str) -> bool:
        return hashed == self.hash(password)


def as_admin(context: RequestContext) -> RequestContext:
    """The same person acting as their clinic's admin, to set the clinic up in a fixture.

    The action table checks the actor's role, so fixtures that open a clinic's calendar with
    a clinician's context use this rather than creating a second account.
    """
    return replace(context, actor=replace(context.actor, role=Role.ADMIN))


OPERATOR = OperatorContext(request_id="test-setup")

AUDIT_KEY = b"test-audit-key-" + b"0123456789abcdef" * 2
FIELD_KEY = bytes(range(32))
BACKUP_KEY = bytes(range(32, 64))
"""The audit trail's HMAC key of the tests' real databases (ADR 0032)."""
"""The machine's operator, creating staff accounts in fixtures (as ``needlepoint user add``)."""

SETUP_CLOCK = FixedClock(date(2026, 11, 1))
"""The clock fixtures create staff accounts by (their audit events are stamped with it)."""
