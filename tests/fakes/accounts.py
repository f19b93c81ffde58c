"""Fakes of the accounts area's repositories (``services/accounts/ports.py``): sign-in
sessions, API tokens, the sign-in throttle and whether staff may sign in.

They share one dict of members of staff, as the tables share the staff table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from needlepoint.domain.records import StaffMember
from needlepoint.domain.staffing import is_active_admin
from needlepoint.domain.throttling import ThrottleCount
from needlepoint.services.accounts.ports import (
    ApiToken,
    LoginSession,
    ResetLink,
    SignInChallenge,
    TotpEnrolment,
)


class FakeLoginSessions:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows: dict[str, LoginSession] = {}
        self._members = members

    def add(self, session: LoginSession) -> None:
        self.rows[session.id_hash] = session

    def get(self, id_hash: str) -> tuple[LoginSession, StaffMember] | None:
        session = self.rows.get(id_hash)
        return None if session is None else (session, self._members[session.staff_id])

    def touch(self, id_hash: str, at: datetime) -> None:
        self.rows[id_hash] = replace(self.rows[id_hash], last_seen_at=at)

    def revoke(self, id_hash: str, at: datetime) -> None:
        session = self.rows.get(id_hash)
        if session is not None and session.revoked_at is None:
            self.rows[id_hash] = replace(session, revoked_at=at)

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        for id_hash, session in list(self.rows.items()):
            if session.staff_id == staff_id:
                self.revoke(id_hash, at)

    def revoke_others(self, staff_id: UUID, keep_id_hash: str, at: datetime) -> None:
        for id_hash, session in list(self.rows.items()):
            if session.staff_id == staff_id and id_hash != keep_id_hash:
                self.revoke(id_hash, at)

    def reauthenticate(self, id_hash: str, at: datetime) -> None:
        self.rows[id_hash] = replace(self.rows[id_hash], authenticated_at=at)


class FakeApiTokens:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows: dict[UUID, ApiToken] = {}
        self._members = members

    def add(self, token: ApiToken) -> None:
        self.rows[token.id] = token

    def by_hash(self, token_hash: str) -> tuple[ApiToken, StaffMember] | None:
        found = next((t for t in self.rows.values() if t.token_hash == token_hash), None)
        return None if found is None else (found, self._members[found.staff_id])

    def get(self, clinic_id: UUID, token_id: UUID) -> ApiToken | None:
        token = self.rows.get(token_id)
        ours = token is not None and self._members[token.staff_id].clinic_id == clinic_id
        return token if ours else None

    def revoke(self, token_id: UUID, at: datetime) -> None:
        token = self.rows[token_id]
        if token.revoked_at is None:
            self.rows[token_id] = replace(token, revoked_at=at)

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        for token in list(self.rows.values()):
            if token.staff_id == staff_id:
                self.revoke(token.id, at)

    def touch(self, token_id: UUID, at: datetime) -> None:
        self.rows[token_id] = replace(self.rows[token_id], last_used_at=at)

    def for_clinic(self, clinic_id: UUID, staff_id: UUID | None) -> Sequence[ApiToken]:
        found = [
            t
            for t in self.rows.values()
            if self._members[t.staff_id].clinic_id == clinic_id
            and (staff_id is None or t.staff_id == staff_id)
        ]
        return sorted(found, key=lambda t: t.created_at, reverse=True)


class FakeThrottle:
    """Counts per key; ``lock`` is trivially exclusive here (one thread, one transaction)."""

    def __init__(self) -> None:
        self.rows: dict[str, ThrottleCount] = {}

    def lock(self, keys: Sequence[str]) -> Mapping[str, ThrottleCount]:
        for key in keys:
            self.rows.setdefault(key, ThrottleCount())
        return {key: self.rows[key] for key in keys}

    def save(self, counts: Mapping[str, ThrottleCount]) -> None:
        self.rows.update(counts)


class FakeStaffStatus:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows = members
        self.password_hashes: dict[UUID, str] = {}

    def active_by_email(self, email: str) -> StaffMember | None:
        return next((m for m in self.rows.values() if m.email == email and m.active), None)

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        member = self.rows.get(staff_id)
        return member if member is not None and member.clinic_id == clinic_id else None

    def active_admins(self, clinic_id: UUID) -> Sequence[StaffMember]:
        return [m for m in self.rows.values() if m.clinic_id == clinic_id and is_active_admin(m)]

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        if self.get(clinic_id, staff_id) is not None:
            self.rows[staff_id] = replace(self.rows[staff_id], active=False)

    def reactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        if self.get(clinic_id, staff_id) is not None:
            self.rows[staff_id] = replace(self.rows[staff_id], active=True)

    def add_invited(self, member: StaffMember, *, password_hash: str) -> None:
        self.rows[member.id] = replace(member, active=False)
        self.password_hashes[member.id] = password_hash

    def set_password_hash(self, clinic_id: UUID, staff_id: UUID, password_hash: str) -> None:
        if self.get(clinic_id, staff_id) is not None:
            self.password_hashes[staff_id] = password_hash

    def set_email(self, clinic_id: UUID, staff_id: UUID, email: str) -> None:
        if self.get(clinic_id, staff_id) is not None:
            self.rows[staff_id] = replace(self.rows[staff_id], email=email)

    def email_in_use(self, email: str) -> bool:
        return any(member.email == email for member in self.rows.values())

    def set_licence(
        self, clinic_id: UUID, staff_id: UUID, licence_max_depth_mm: Decimal | None
    ) -> None:
        if self.get(clinic_id, staff_id) is not None:
            member = self.rows[staff_id]
            self.rows[staff_id] = replace(member, licence_max_depth_mm=licence_max_depth_mm)


class FakeTwoStep:
    """Authenticators, recovery codes (by hash), pending sign-ins and clinics' requirement."""

    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.totps: dict[UUID, TotpEnrolment] = {}
        self.codes: dict[str, tuple[UUID, datetime | None]] = {}
        self.challenges: dict[str, SignInChallenge] = {}
        self.requiring: set[UUID] = set()
        self._members = members

    def totp(self, staff_id: UUID) -> TotpEnrolment | None:
        return self.totps.get(staff_id)

    def put_totp(self, enrolment: TotpEnrolment) -> None:
        self.totps[enrolment.staff_id] = enrolment

    def accept_step(self, staff_id: UUID, step: int, confirmed_at: datetime) -> None:
        found = self.totps[staff_id]
        confirmed = found.confirmed_at or confirmed_at
        self.totps[staff_id] = replace(found, last_step=step, confirmed_at=confirmed)

    def remove_totp(self, staff_id: UUID) -> None:
        self.totps.pop(staff_id, None)
        self.codes = {h: c for h, c in self.codes.items() if c[0] != staff_id}

    def replace_recovery_codes(
        self,
        staff_id: UUID,
        hashes: Sequence[str],
        at: datetime,  # noqa: ARG002 - the port's
    ) -> None:
        self.codes = {h: c for h, c in self.codes.items() if c[0] != staff_id}
        self.codes.update(dict.fromkeys(hashes, (staff_id, None)))

    def use_recovery_code(self, staff_id: UUID, code_hash: str, at: datetime) -> bool:
        if self.codes.get(code_hash) != (staff_id, None):
            return False
        self.codes[code_hash] = (staff_id, at)
        return True

    def unused_recovery_codes(self, staff_id: UUID) -> int:
        return sum(1 for owner, used in self.codes.values() if owner == staff_id and used is None)

    def add_challenge(self, challenge: SignInChallenge) -> None:
        self.challenges[challenge.id_hash] = challenge

    def challenge(self, id_hash: str) -> tuple[SignInChallenge, StaffMember] | None:
        found = self.challenges.get(id_hash)
        return None if found is None else (found, self._members[found.staff_id])

    def use_challenge(self, id_hash: str, at: datetime) -> None:
        self.challenges[id_hash] = replace(self.challenges[id_hash], used_at=at)

    def clinic_requires(self, clinic_id: UUID) -> bool:
        return clinic_id in self.requiring

    def set_clinic_requires(self, clinic_id: UUID, required: bool) -> None:
        if required:
            self.requiring.add(clinic_id)
        else:
            self.requiring.discard(clinic_id)


class FakeResetLinks:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows: dict[UUID, ResetLink] = {}
        self._members = members

    def add(self, link: ResetLink) -> None:
        self.rows[link.id] = link

    def by_hash(self, token_hash: str) -> tuple[ResetLink, StaffMember] | None:
        found = next((r for r in self.rows.values() if r.token_hash == token_hash), None)
        return None if found is None else (found, self._members[found.staff_id])

    def rekey(self, link_id: UUID, token_hash: str, now: datetime) -> bool:
        return self._live(link_id, now, token_hash=token_hash)

    def use(self, link_id: UUID, at: datetime) -> bool:
        return self._live(link_id, at, used_at=at)

    def expire_unused(self, staff_id: UUID, purpose: str, at: datetime) -> None:
        for link in list(self.rows.values()):
            live = link.used_at is None and at < link.expires_at
            if link.staff_id == staff_id and link.purpose == purpose and live:
                self.rows[link.id] = replace(link, expires_at=at)

    def invited(self, clinic_id: UUID) -> set[UUID]:
        invites = [r for r in self.rows.values() if r.purpose == "invite"]
        accepted = {r.staff_id for r in invites if r.used_at is not None}
        return {
            r.staff_id
            for r in invites
            if r.staff_id not in accepted
            and self._members[r.staff_id].clinic_id == clinic_id
            and not self._members[r.staff_id].active
        }

    def _live(self, link_id: UUID, now: datetime, **values: object) -> bool:
        link = self.rows.get(link_id)
        if link is None or link.used_at is not None or now >= link.expires_at:
            return False
        self.rows[link_id] = replace(link, **values)  # type: ignore[arg-type]
        return True
