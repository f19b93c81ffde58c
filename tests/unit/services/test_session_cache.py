"""The in-process session cache: what it may answer without the database, and what it may not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.records import Role, StaffMember
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts.ports import LoginSession
from needlepoint.services.accounts.sign_in import CACHE_FOR, TOUCH_EVERY, SessionCache

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def a_member(**changes: object) -> StaffMember:
    member = StaffMember(
        uuid4(), uuid4(), "c@example.test", "C", Role.CLINICIAN, Decimal("1.5"), True
    )
    return replace(member, **changes)  # type: ignore[arg-type]


def a_session(member: StaffMember, *, last_seen: datetime = NOW) -> LoginSession:
    return LoginSession(
        id_hash=sessions.digest(str(uuid4())),
        staff_id=member.id,
        created_at=last_seen,
        last_seen_at=last_seen,
        expires_at=last_seen + sessions.ABSOLUTE_TIMEOUT,
    )


def test_a_session_confirmed_moments_ago_is_answered_from_memory() -> None:
    cache, member = SessionCache(), a_member()
    session = a_session(member)
    cache.remember(session, member, NOW)
    assert cache.recall(session.id_hash, NOW + timedelta(seconds=1)) == member


def test_an_entry_older_than_cache_for_is_not_trusted() -> None:
    cache, member = SessionCache(), a_member()
    session = a_session(member)
    cache.remember(session, member, NOW)
    assert cache.recall(session.id_hash, NOW + CACHE_FOR) is None


def test_a_session_whose_use_must_be_recorded_goes_to_the_database() -> None:
    cache, member = SessionCache(), a_member()
    session = a_session(member, last_seen=NOW - TOUCH_EVERY)
    cache.remember(session, member, NOW)
    assert cache.recall(session.id_hash, NOW) is None


def test_logging_out_and_deactivation_forget_at_once() -> None:
    cache, member, other = SessionCache(), a_member(), a_member()
    first, second, others = a_session(member), a_session(member), a_session(other)
    for session, who in ((first, member), (second, member), (others, other)):
        cache.remember(session, who, NOW)
    cache.forget(first.id_hash)
    assert cache.recall(first.id_hash, NOW) is None
    assert cache.recall(second.id_hash, NOW) == member
    cache.forget_staff(member.id)
    assert cache.recall(second.id_hash, NOW) is None
    assert cache.recall(others.id_hash, NOW) == other


def test_a_full_cache_drops_its_oldest_entry() -> None:
    cache, member = SessionCache(capacity=2), a_member()
    kept = [a_session(member) for _ in range(3)]
    for session in kept:
        cache.remember(session, member, NOW)
    assert cache.recall(kept[0].id_hash, NOW) is None
    assert all(cache.recall(s.id_hash, NOW) == member for s in kept[1:])


def test_a_cache_entry_from_the_future_is_not_trusted() -> None:
    """A clock stepped backwards must not stretch an entry's life."""
    cache, member = SessionCache(), a_member()
    session = a_session(member)
    cache.remember(session, member, NOW)
    assert cache.recall(session.id_hash, NOW - timedelta(seconds=1)) is None


@given(
    checked_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(minutes=20)),
    asked_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(minutes=20)),
    idle=st.timedeltas(min_value=timedelta(0), max_value=timedelta(minutes=20)),
    active=st.booleans(),
    revoked=st.booleans(),
)
def test_the_cache_never_answers_for_a_session_that_is_not_live(
    checked_after: timedelta, asked_after: timedelta, idle: timedelta, active: bool, revoked: bool
) -> None:
    """Whatever the timing, a recalled member belongs to a session live at the asking moment,
    checked less than CACHE_FOR ago."""
    cache, member = SessionCache(), a_member(active=active)
    session = a_session(member, last_seen=NOW - idle)
    if revoked:
        session = replace(session, revoked_at=NOW)
    checked_at = NOW + checked_after
    asked_at = checked_at + asked_after
    cache.remember(session, member, checked_at)
    recalled = cache.recall(session.id_hash, asked_at)
    if recalled is not None:
        assert sessions.is_live(session, member, asked_at)
        assert asked_at - checked_at < CACHE_FOR
        assert asked_at - session.last_seen_at < TOUCH_EVERY
