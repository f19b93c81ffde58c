"""The patient portal's records: sign-in links, patient sessions, care read receipts.

A sign-in link carries a random token; only its SHA-256 is kept, with an expiry, and it can be
used once (``used_at``). Following it opens a patient session, kept the same way: the cookie
holds a random value and the server its hash. A session belongs to one patient record of one
clinic; everything the portal shows is scoped by that pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID


@dataclass(frozen=True, slots=True)
class SignInLink:
    """A one-time sign-in link for one patient record; the token itself is never stored."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        """Whether the link may still open a session at ``now``."""
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class PatientSession:
    """A signed-in patient's session; ``id_hash`` is the SHA-256 of the cookie's value."""

    id_hash: str
    clinic_id: UUID
    patient_id: UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def live(self, now: datetime, *, idle_timeout: timedelta) -> bool:
        """Whether the session may still be used at ``now``."""
        return (
            self.revoked_at is None
            and now < self.expires_at
            and now - self.last_seen_at < idle_timeout
        )


@dataclass(frozen=True, slots=True)
class CareAcknowledgement:
    """A patient said "I've read this" for one care instruction on one (clinic-local) day."""

    clinic_id: UUID
    patient_id: UUID
    item_id: str
    care_on: date
    acknowledged_at: datetime
