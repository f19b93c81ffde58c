"""The per-request session check (ADR 0033): read every time, written only to record use.

Two server processes share nothing but the database. Here one in-memory store stands for it;
what one "process" writes (a logout, a deactivation) the other's next check must see.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from fakes import FakeAccountsUnitOfWork
from needlepoint.domain.records import Role, StaffMember
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts.ports import LoginSession
from needlepoint.services.accounts.sign_in import IDLE_TIMEOUT, TOUCH_EVERY

START = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
MEMBER = StaffMember(
    uuid4(), uuid4(), "c@example.test", "C", Role.CLINICIAN, Decimal("1.5"), active=True
)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


def a_session(store: FakeAccountsUnitOfWork) -> str:
    token = f"token-{uuid4()}"
    row = LoginSession(
        sessions.digest(token), MEMBER.id, START, START, START + sessions.ABSOLUTE_TIMEOUT
    )
    store.sessions.add(row)
    return token


def resolve(store: FakeAccountsUnitOfWork, token: str, clock: Clock) -> StaffMember | None:
    return sessions.resolve_session(token=token, reader=store, uow=store, clock=clock)


def test_a_session_ended_elsewhere_is_refused_at_the_next_check() -> None:
    store, clock = FakeAccountsUnitOfWork(MEMBER), Clock()
    token = a_session(store)
    assert resolve(store, token, clock) == MEMBER

    sessions.log_out(token=token, request_id="on-b", uow=store, clock=clock)

    assert resolve(store, token, clock) is None


def test_a_member_deactivated_elsewhere_is_refused_at_the_next_check() -> None:
    store, clock = FakeAccountsUnitOfWork(MEMBER), Clock()
    token = a_session(store)
    assert resolve(store, token, clock) == MEMBER

    store.staff.deactivate(MEMBER.clinic_id, MEMBER.id)

    assert resolve(store, token, clock) is None


def test_a_session_used_moments_ago_is_read_without_a_write() -> None:
    store, clock = FakeAccountsUnitOfWork(MEMBER), Clock()
    token = a_session(store)
    clock.at += TOUCH_EVERY - timedelta(seconds=1)

    assert resolve(store, token, clock) == MEMBER
    assert store.commits == 0


def test_its_use_is_recorded_once_touch_every_has_passed() -> None:
    store, clock = FakeAccountsUnitOfWork(MEMBER), Clock()
    token = a_session(store)
    clock.at += TOUCH_EVERY

    assert resolve(store, token, clock) == MEMBER
    assert store.commits == 1
    assert store.sessions.rows[sessions.digest(token)].last_seen_at == clock.at
    assert resolve(store, token, clock) == MEMBER
    assert store.commits == 1


def test_a_use_recorded_meanwhile_by_another_request_is_not_written_again() -> None:
    seen_before, store, clock = (
        FakeAccountsUnitOfWork(MEMBER),
        FakeAccountsUnitOfWork(MEMBER),
        Clock(),
    )
    token = a_session(seen_before)
    store.sessions.rows.update(seen_before.sessions.rows)
    clock.at += TOUCH_EVERY
    store.sessions.touch(sessions.digest(token), clock.now())  # another request, just now

    member = sessions.resolve_session(token=token, reader=seen_before, uow=store, clock=clock)

    assert member == MEMBER
    assert store.commits == 0


def test_an_idle_session_is_refused_and_ended() -> None:
    store, clock = FakeAccountsUnitOfWork(MEMBER), Clock()
    token = a_session(store)
    clock.at += IDLE_TIMEOUT

    assert resolve(store, token, clock) is None
    assert store.sessions.rows[sessions.digest(token)].revoked_at == clock.at


@given(
    used_every_s=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12),
    ended_after=st.integers(min_value=0, max_value=11),
)
def test_after_a_revocation_no_check_answers_a_member(
    used_every_s: list[int], ended_after: int
) -> None:
    store, clock = FakeAccountsUnitOfWork(MEMBER), Clock()
    token = a_session(store)
    answers = []
    for step, pause_s in enumerate(used_every_s):
        clock.at += timedelta(seconds=pause_s)
        if step == ended_after:
            store.sessions.revoke(sessions.digest(token), clock.now())
        answers.append(resolve(store, token, clock))

    assert all(answer == MEMBER for answer in answers[:ended_after])
    assert all(answer is None for answer in answers[ended_after:])
