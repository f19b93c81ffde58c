"""API tokens: a name, an expiry chosen within bounds, last use to the minute, one-by-one
revocation by their owner or an admin, and an audited refusal once expired or revoked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakes import FakeAccountsUnitOfWork
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Role, StaffMember
from needlepoint.services.accounts import api_tokens, staff_admin
from needlepoint.services.accounts.sign_in import IssuedToken, digest
from needlepoint.services.audit import AuthMethod, RequestContext

CLINIC = uuid4()
START = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


def member(role: Role, name: str, clinic: object = CLINIC) -> StaffMember:
    return StaffMember(uuid4(), clinic, f"{name}@harbour.test", name, role, None)  # type: ignore[arg-type]


ADMIN = member(Role.ADMIN, "ada")
FRONT = member(Role.FRONT_DESK, "fran")
OTHER = member(Role.FRONT_DESK, "olly")
STRANGER = member(Role.ADMIN, "stan", uuid4())


@pytest.fixture
def uow() -> FakeAccountsUnitOfWork:
    return FakeAccountsUnitOfWork(ADMIN, FRONT, OTHER, STRANGER)


def as_(actor: StaffMember) -> RequestContext:
    return RequestContext(actor, f"req-{actor.display_name}", AuthMethod.SESSION)


def issue(
    uow: FakeAccountsUnitOfWork,
    clock: Clock,
    *,
    days: int | None = None,
    to: StaffMember = FRONT,
    name: str = "nightly export",
) -> IssuedToken:
    return api_tokens.issue_api_token(
        new=api_tokens.NewApiToken(name, to.id, days),
        default_days=90,
        context=as_(ADMIN),
        uow=uow,
        clock=clock,
    )


def resolve(uow: FakeAccountsUnitOfWork, clock: Clock, token: str) -> StaffMember | None:
    return api_tokens.resolve_api_token(
        token=token, request_id="script", reader=uow, uow=uow, clock=clock
    )


def test_a_token_works_until_its_expiry_and_then_answers_expired_audited(
    uow: FakeAccountsUnitOfWork,
) -> None:
    clock = Clock()
    issued = issue(uow, clock, days=7)
    assert issued.record.expires_at == START + timedelta(days=7)

    clock.at = START + timedelta(days=7) - timedelta(seconds=1)
    assert resolve(uow, clock, issued.token) == FRONT
    clock.at = START + timedelta(days=7)
    with pytest.raises(api_tokens.ApiTokenExpiredError) as refused:
        resolve(uow, clock, issued.token)

    assert "ask an admin" in str(refused.value)
    last = uow.audit.events[-1]
    assert (last.action, last.resource_id, last.outcome, last.actor_id) == (
        "token.use",
        str(issued.record.id),
        "api-token-expired",
        FRONT.id,
    )


def test_a_token_without_a_chosen_lifetime_gets_the_default(uow: FakeAccountsUnitOfWork) -> None:
    issued = issue(uow, Clock())

    assert issued.record.expires_at == START + timedelta(days=90)


@given(days=st.one_of(st.integers(max_value=0), st.integers(min_value=366)))
def test_a_lifetime_out_of_bounds_is_refused_naming_the_field(days: int) -> None:
    uow = FakeAccountsUnitOfWork(ADMIN, FRONT)

    with pytest.raises(InvalidInputError) as refused:
        issue(uow, Clock(), days=days)

    (problem,) = refused.value.problems
    assert problem.field == "expires_in_days"
    assert "365" in problem.fix
    assert uow.tokens.rows == {}


@given(days=st.integers(min_value=1, max_value=365))
def test_any_lifetime_within_bounds_is_kept(days: int) -> None:
    uow = FakeAccountsUnitOfWork(ADMIN, FRONT)

    issued = issue(uow, Clock(), days=days)

    assert issued.record.expires_at == START + timedelta(days=days)


def test_a_blank_name_is_refused(uow: FakeAccountsUnitOfWork) -> None:
    with pytest.raises(InvalidInputError) as refused:
        issue(uow, Clock(), name="   ")

    assert refused.value.problems[0].field == "name"


def test_only_the_hash_and_a_short_prefix_are_stored(uow: FakeAccountsUnitOfWork) -> None:
    issued = issue(uow, Clock())
    stored = uow.tokens.rows[issued.record.id]

    assert stored.token_hash == digest(issued.token)
    assert stored.prefix == issued.token[:8]
    assert stored.prefix.startswith("npt_")
    assert issued.token not in repr(stored).replace(stored.prefix, "")


def test_last_use_is_written_at_most_once_a_minute(uow: FakeAccountsUnitOfWork) -> None:
    clock = Clock()
    issued = issue(uow, clock)
    commits = uow.commits

    for seconds in range(0, 60, 5):
        clock.at = START + timedelta(seconds=seconds)
        assert resolve(uow, clock, issued.token) == FRONT
    assert uow.tokens.rows[issued.record.id].last_used_at == START
    assert uow.commits == commits + 1

    clock.at = START + timedelta(seconds=60)
    resolve(uow, clock, issued.token)
    assert uow.tokens.rows[issued.record.id].last_used_at == clock.at
    assert uow.commits == commits + 2


def test_staff_list_their_own_tokens_and_an_admin_the_clinics(
    uow: FakeAccountsUnitOfWork,
) -> None:
    clock = Clock()
    mine = issue(uow, clock, to=FRONT)
    clock.at += timedelta(minutes=1)
    theirs = issue(uow, clock, to=OTHER)

    own = api_tokens.list_api_tokens(context=as_(FRONT), uow=uow, clock=clock)
    everyone = api_tokens.list_api_tokens(context=as_(ADMIN), uow=uow, clock=clock)
    elsewhere = api_tokens.list_api_tokens(context=as_(STRANGER), uow=uow, clock=clock)

    assert [t.id for t in own] == [mine.record.id]
    assert [t.id for t in everyone] == [theirs.record.id, mine.record.id]
    assert elsewhere == []
    assert uow.audit.events[-1].action == "token.read"


def test_staff_revoke_their_own_token_but_not_a_colleagues(uow: FakeAccountsUnitOfWork) -> None:
    clock = Clock()
    mine = issue(uow, clock, to=FRONT)
    theirs = issue(uow, clock, to=OTHER)

    api_tokens.revoke_api_token(token_id=mine.record.id, context=as_(FRONT), uow=uow, clock=clock)
    with pytest.raises(api_tokens.ApiTokenNotFoundError):
        api_tokens.revoke_api_token(
            token_id=theirs.record.id, context=as_(FRONT), uow=uow, clock=clock
        )

    with pytest.raises(api_tokens.ApiTokenRevokedError):
        resolve(uow, clock, mine.token)
    assert resolve(uow, clock, theirs.token) == OTHER


def test_deactivating_a_member_revokes_all_their_tokens(uow: FakeAccountsUnitOfWork) -> None:
    clock = Clock()
    first, second = issue(uow, clock), issue(uow, clock, name="backup")

    staff_admin.deactivate_staff(staff_id=FRONT.id, context=as_(ADMIN), uow=uow, clock=clock)

    for issued in (first, second):
        assert uow.tokens.rows[issued.record.id].revoked_at == START
        with pytest.raises(api_tokens.ApiTokenRevokedError):
            resolve(uow, clock, issued.token)


def test_a_token_that_is_not_ours_is_none_and_audits_nothing(uow: FakeAccountsUnitOfWork) -> None:
    assert resolve(uow, Clock(), "npt_" + "x" * 43) is None
    assert resolve(uow, Clock(), "not-a-token") is None
    assert uow.audit.events == []
