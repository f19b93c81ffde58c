"""Fakes of the portal area's repositories (``services/portal/ports.py``): patients' sign-in
links and sessions, care acknowledgements, check-ins and their photos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

from fakes.database import FakeDatabase, SignInRequest
from needlepoint.domain.checkins import CheckIn, CheckInPhoto, TriageLevel
from needlepoint.domain.portal import CareAcknowledgement, PatientSession, SignInLink
from needlepoint.domain.records import PatientRecord


class FakePortalAccess:
    """Sign-in links, link requests and patient sessions, under the hashes of their secrets."""

    def __init__(self, database: FakeDatabase) -> None:
        self.links = database.sign_in_links
        self.requests = database.sign_in_requests
        self.sessions = database.patient_sessions
        self._patients = database.patients

    def patients_with_email(self, email: str) -> Sequence[PatientRecord]:
        wanted = email.strip().lower()
        found = [p for p in self._patients.values() if (p.email or "").lower() == wanted]
        return sorted(found, key=lambda p: (p.created_at, str(p.id)))

    def add_link(self, link: SignInLink) -> None:
        self.links[link.id] = link

    def link(self, token_hash: str) -> SignInLink | None:
        return next((k for k in self.links.values() if k.token_hash == token_hash), None)

    def use_link(self, link_id: UUID, at: datetime) -> bool:
        link = self.links.get(link_id)
        if link is None or link.used_at is not None:
            return False
        self.links[link_id] = replace(link, used_at=at)
        return True

    def rekey_link(self, link_id: UUID, token_hash: str, now: datetime) -> bool:
        link = self.links.get(link_id)
        if link is None or link.used_at is not None or now >= link.expires_at:
            return False
        self.links[link_id] = replace(link, token_hash=token_hash)
        return True

    def add_request(self, email_hash: str, ip: str, at: datetime) -> None:
        self.requests.append(SignInRequest(email_hash, ip, at))

    def requests_for_email(self, email_hash: str, *, since: datetime) -> int:
        return sum(1 for r in self.requests if r.email_hash == email_hash and r.at > since)

    def requests_from_ip(self, ip: str, *, since: datetime) -> int:
        return sum(1 for r in self.requests if r.ip == ip and r.at > since)

    def add_session(self, session: PatientSession) -> None:
        self.sessions[session.id_hash] = session

    def session(self, id_hash: str) -> PatientSession | None:
        return self.sessions.get(id_hash)

    def touch_session(self, id_hash: str, at: datetime) -> None:
        session = self.sessions.get(id_hash)
        if session is not None:
            self.sessions[id_hash] = replace(session, last_seen_at=at)

    def revoke_session(self, id_hash: str, at: datetime) -> None:
        session = self.sessions.get(id_hash)
        if session is not None and session.revoked_at is None:
            self.sessions[id_hash] = replace(session, revoked_at=at)


class FakeCareAcknowledgements:
    """One acknowledgement per patient, item and day, like the table's unique key."""

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.care_acknowledgements

    def add(self, acknowledgement: CareAcknowledgement) -> bool:
        a = acknowledgement
        key = (a.clinic_id, a.patient_id, a.item_id, a.care_on)
        if key in self.rows:
            return False
        self.rows[key] = acknowledgement
        return True

    def for_day(self, clinic_id: UUID, patient_id: UUID, care_on: date) -> frozenset[str]:
        return frozenset(
            item
            for (clinic, patient, item, day) in self.rows
            if (clinic, patient, day) == (clinic_id, patient_id, care_on)
        )


class FakeCheckIns:
    """Check-ins and their photos; a check-in carries its photo's id once one is stored."""

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.check_ins
        self.photos = database.check_in_photos
        self._patients = database.patients

    def add(self, check_in: CheckIn) -> None:
        self.rows[check_in.id] = check_in

    def add_photo(self, photo: CheckInPhoto) -> None:
        self.photos[photo.id] = photo
        self.rows[photo.check_in_id] = replace(self.rows[photo.check_in_id], photo_id=photo.id)

    def get(self, clinic_id: UUID, check_in_id: UUID) -> CheckIn | None:
        found = self.rows.get(check_in_id)
        return found if found and found.clinic_id == clinic_id else None

    def get_for_patient(
        self, clinic_id: UUID, patient_id: UUID, check_in_id: UUID
    ) -> CheckIn | None:
        found = self.get(clinic_id, check_in_id)
        return found if found and found.patient_id == patient_id else None

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, limit: int, offset: int = 0
    ) -> Sequence[CheckIn]:
        mine = [
            c for c in self.rows.values() if (c.clinic_id, c.patient_id) == (clinic_id, patient_id)
        ]
        mine.sort(key=lambda c: str(c.id))
        mine.sort(key=lambda c: c.submitted_at, reverse=True)
        return mine[offset : offset + limit]

    def needing_attention(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[CheckIn, PatientRecord]]:
        found = [
            (c, self._patients[c.patient_id])
            for c in self.rows.values()
            if c.clinic_id == clinic_id
            and c.reviewed_at is None
            and c.triage.level is not TriageLevel.GREEN
            and c.patient_id in self._patients
        ]
        found.sort(key=lambda row: str(row[0].id))
        found.sort(key=lambda row: row[0].submitted_at, reverse=True)
        found.sort(key=lambda row: row[0].triage.level is not TriageLevel.RED)
        return found[:limit]

    def save_review(self, check_in: CheckIn) -> bool:
        stored = self.get(check_in.clinic_id, check_in.id)
        if stored is None or stored.reviewed_at is not None:
            return False
        self.rows[check_in.id] = replace(
            stored,
            reviewed_at=check_in.reviewed_at,
            reviewed_by=check_in.reviewed_by,
            review_outcome=check_in.review_outcome,
            review_note=check_in.review_note,
        )
        return True

    def photo(self, clinic_id: UUID, photo_id: UUID) -> CheckInPhoto | None:
        found = self.photos.get(photo_id)
        return found if found and found.clinic_id == clinic_id else None

    def photo_for_patient(
        self, clinic_id: UUID, patient_id: UUID, photo_id: UUID
    ) -> CheckInPhoto | None:
        found = self.photo(clinic_id, photo_id)
        return found if found and found.patient_id == patient_id else None
