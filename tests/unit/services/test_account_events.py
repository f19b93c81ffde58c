"""Sign-in, sign-out, tokens and staff accounts over in-memory stores: throttled before any
hashing, and every account event audited in its own transaction (AU-3, AU-4, AD-1, AD-2)."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from fakes import OPERATOR, FakeAccountsUnitOfWork, FakeUnitOfWork, PlainHasher
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import AuditEvent, Clinic, Role, StaffMember
from needlepoint.services.accounts import api_tokens, staff_admin
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY, ThrottleKeys
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import PermissionDeniedError

PASSWORD = "correct horse battery staple"
CLINIC = uuid4()


def resolve(token: str, uow: FakeAccountsUnitOfWork) -> StaffMember | None:
    """Resolve an API token the way a request does (the fake is its own reader)."""
    return api_tokens.resolve_api_token(
        token=token, request_id="r", reader=uow, uow=uow, clock=Clock()
    )


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


def member(role: Role, email: str, clinic: object = CLINIC) -> StaffMember:
    licence = Decimal("1.5") if role is Role.CLINICIAN else None
    return StaffMember(uuid4(), clinic, email, email.split("@", maxsplit=1)[0], role, licence)  # type: ignore[arg-type]


ADMIN = member(Role.ADMIN, "ada@harbour.test")
CLINICIAN = member(Role.CLINICIAN, "rowan@harbour.test")
STRANGER = member(Role.ADMIN, "admin@other.test", uuid4())


class Checker:
    """The password check, counting how often it runs (a hash each time in production)."""

    def __init__(self, *members: StaffMember) -> None:
        self.by_email = {m.email: m for m in members}
        self.checks = 0

    def __call__(self, email: str, password: str) -> StaffMember | None:
        self.checks += 1
        found = self.by_email.get(email.strip().lower())
        return found if found is not None and password == PASSWORD else None


@pytest.fixture
def uow() -> FakeAccountsUnitOfWork:
    return FakeAccountsUnitOfWork(ADMIN, CLINICIAN, STRANGER)


def context(actor: StaffMember, auth: AuthMethod = AuthMethod.SESSION) -> RequestContext:
    return RequestContext(actor=actor, request_id=f"req-{actor.role.value}", auth=auth)


def log_in(
    uow: FakeAccountsUnitOfWork,
    clock: Clock,
    check: Checker,
    password: str = PASSWORD,
    ip: str = "198.51.100.7",
) -> sessions.IssuedSession:
    credentials = sessions.Credentials(
        CLINICIAN.email, password, ip, request_id=f"try-{check.checks}"
    )
    return sessions.log_in(credentials=credentials, check=check, uow=uow, clock=clock)


def failing(uow: FakeAccountsUnitOfWork, clock: Clock, check: Checker, **where: str) -> None:
    with pytest.raises(sessions.InvalidCredentialsError):
        log_in(uow, clock, check, "not the password", **where)


def says_nothing_secret(events: list[AuditEvent]) -> bool:
    text = repr(events)
    return all(secret not in text for secret in ("harbour.test", PASSWORD, "not the password"))


def test_the_sixth_attempt_waits_without_being_checked_and_each_is_audited(
    uow: FakeAccountsUnitOfWork,
) -> None:
    clock, check = Clock(), Checker(CLINICIAN)
    for _ in range(ACCOUNT_POLICY.free_failures):
        failing(uow, clock, check)

    with pytest.raises(sessions.TooManyAttemptsError) as throttled:
        log_in(uow, clock, check)

    assert check.checks == ACCOUNT_POLICY.free_failures
    assert throttled.value.retry_after_seconds == 2
    outcomes = [(e.action, e.outcome) for e in uow.audit.events]
    assert outcomes == [("refused", "invalid-credentials")] * 5 + [("refused", "too-many-attempts")]
    assert says_nothing_secret(uow.audit.events)


def test_after_the_delay_the_right_password_signs_in_and_clears_the_count(
    uow: FakeAccountsUnitOfWork,
) -> None:
    clock, check = Clock(), Checker(CLINICIAN)
    for _ in range(ACCOUNT_POLICY.free_failures):
        failing(uow, clock, check)

    clock.at += timedelta(seconds=2)
    issued = log_in(uow, clock, check)

    keys = ThrottleKeys.of(CLINICIAN.email, "198.51.100.7")
    assert issued.member == CLINICIAN
    assert uow.throttle.rows[keys.account].failures == 0
    assert uow.throttle.rows[keys.account_address].failures == 0
    login = uow.audit.events[-1]
    assert (login.action, login.actor_id, login.resource_id) == (
        "auth.login",
        CLINICIAN.id,
        str(CLINICIAN.id),
    )
    assert (login.outcome, login.actor_role) == ("success", "clinician")


def test_a_stranger_cannot_slow_the_account_down_at_its_usual_address(
    uow: FakeAccountsUnitOfWork,
) -> None:
    clock, check = Clock(), Checker(CLINICIAN)
    log_in(uow, clock, check, ip="192.0.2.10")  # the front desk, yesterday
    clock.at += timedelta(days=1)
    for _ in range(30):
        with contextlib.suppress(sessions.InvalidCredentialsError, sessions.TooManyAttemptsError):
            log_in(uow, clock, check, "guess", ip="203.0.113.66")
    with pytest.raises(sessions.TooManyAttemptsError):
        log_in(uow, clock, check, ip="198.51.100.99")  # a new address waits

    issued = log_in(uow, clock, check, ip="192.0.2.10")

    assert issued.member == CLINICIAN


def test_signing_out_is_audited_once(uow: FakeAccountsUnitOfWork) -> None:
    clock, check = Clock(), Checker(CLINICIAN)
    issued = log_in(uow, clock, check)
    before = len(uow.audit.events)

    for _ in range(2):
        sessions.log_out(token=issued.token, request_id="bye", uow=uow, clock=clock)

    (event,) = uow.audit.events[before:]
    assert (event.action, event.actor_id, event.request_id) == ("auth.logout", CLINICIAN.id, "bye")


def test_a_token_names_its_issuer_and_its_issue_is_audited(uow: FakeAccountsUnitOfWork) -> None:
    issued = api_tokens.issue_api_token(
        new=api_tokens.NewApiToken("export", CLINICIAN.id),
        default_days=90,
        context=context(ADMIN),
        uow=uow,
        clock=Clock(),
    )

    assert (issued.record.staff_id, issued.record.issued_by) == (CLINICIAN.id, ADMIN.id)
    (event,) = uow.audit.events
    assert (event.action, event.actor_id, event.resource_type, event.resource_id) == (
        "token.issue",
        ADMIN.id,
        "api_token",
        str(issued.record.id),
    )
    assert issued.token not in repr(event)


def test_revoking_a_token_stops_it_and_is_audited_each_time(uow: FakeAccountsUnitOfWork) -> None:
    clock = Clock()
    issued = api_tokens.issue_api_token(
        new=api_tokens.NewApiToken("export", CLINICIAN.id),
        default_days=90,
        context=context(ADMIN),
        uow=uow,
        clock=clock,
    )

    for _ in range(2):
        api_tokens.revoke_api_token(
            token_id=issued.record.id, context=context(ADMIN), uow=uow, clock=clock
        )

    with pytest.raises(api_tokens.ApiTokenRevokedError):
        resolve(issued.token, uow)
    revoked = [(e.action, e.outcome) for e in uow.audit.events[1:]]
    assert revoked == [
        ("token.revoke", "success"),
        ("token.revoke", "already-revoked"),
        ("token.use", "api-token-revoked"),
    ]


def test_another_clinics_token_is_not_found_and_nothing_is_audited(
    uow: FakeAccountsUnitOfWork,
) -> None:
    clock = Clock()
    issued = api_tokens.issue_api_token(
        new=api_tokens.NewApiToken("x", CLINICIAN.id),
        default_days=90,
        context=context(ADMIN),
        uow=uow,
        clock=clock,
    )

    with pytest.raises(api_tokens.ApiTokenNotFoundError):
        api_tokens.revoke_api_token(
            token_id=issued.record.id, context=context(STRANGER), uow=uow, clock=clock
        )

    assert [e.action for e in uow.audit.events] == ["token.issue"]
    assert resolve(issued.token, uow) == CLINICIAN


def test_only_an_admin_issues_tokens_and_nobody_revokes_a_token_not_theirs(
    uow: FakeAccountsUnitOfWork,
) -> None:
    with pytest.raises(PermissionDeniedError):
        api_tokens.issue_api_token(
            new=api_tokens.NewApiToken("x", CLINICIAN.id),
            default_days=90,
            context=context(CLINICIAN),
            uow=uow,
            clock=Clock(),
        )
    with pytest.raises(api_tokens.ApiTokenNotFoundError):
        api_tokens.revoke_api_token(
            token_id=uuid4(), context=context(CLINICIAN), uow=uow, clock=Clock()
        )

    assert uow.tokens.rows == {}
    assert uow.audit.events == []


def test_deactivation_is_audited_with_the_member_it_stopped(uow: FakeAccountsUnitOfWork) -> None:
    staff_admin.deactivate_staff(
        staff_id=CLINICIAN.id, context=context(ADMIN), uow=uow, clock=Clock()
    )

    (event,) = uow.audit.events
    assert (event.action, event.actor_id, event.resource_id) == (
        "staff.deactivate",
        ADMIN.id,
        str(CLINICIAN.id),
    )
    assert not uow.members[CLINICIAN.id].active


def a_clinic_unit_of_work() -> tuple[FakeUnitOfWork, Clinic]:
    fake = FakeUnitOfWork()
    clinic = Clinic(id=CLINIC, name="Harbour Skin Clinic", time_zone="Europe/London")
    fake.clinics.add(clinic)
    return fake, clinic


def new_staff(email: str = "new@harbour.test", clinic: object = CLINIC) -> accounts.NewStaff:
    return accounts.NewStaff(clinic, email, "New", Role.FRONT_DESK, None, PASSWORD)  # type: ignore[arg-type]


def test_the_machines_operator_creates_the_first_admin_audited_without_a_staff_actor() -> None:
    uow, _ = a_clinic_unit_of_work()
    first = dataclasses.replace(new_staff("first@harbour.test"), role=Role.ADMIN)

    created = accounts.add_staff(
        new=first, context=OPERATOR, uow=uow, hasher=PlainHasher(), clock=Clock()
    )

    (event,) = uow.audit.events
    assert (event.action, event.actor_id, event.actor_role) == ("staff.create", None, "operator")
    assert (event.resource_type, event.resource_id) == ("staff_member", str(created.id))
    assert says_nothing_secret(uow.audit.events)


def test_an_admin_creates_staff_in_their_own_clinic_only() -> None:
    uow, _ = a_clinic_unit_of_work()

    created = accounts.add_staff(
        new=new_staff(), context=context(ADMIN), uow=uow, hasher=PlainHasher(), clock=Clock()
    )
    with pytest.raises(PermissionDeniedError):
        accounts.add_staff(
            new=new_staff("other@harbour.test", clinic=uuid4()),
            context=context(ADMIN),
            uow=uow,
            hasher=PlainHasher(),
            clock=Clock(),
        )

    assert [(e.action, e.actor_id, e.resource_id) for e in uow.audit.events] == [
        ("staff.create", ADMIN.id, str(created.id))
    ]


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.FRONT_DESK])
def test_only_an_admin_creates_staff_and_a_refusal_creates_nothing(role: Role) -> None:
    uow, _ = a_clinic_unit_of_work()
    actor = member(role, f"{role.value}@harbour.test")

    with pytest.raises(PermissionDeniedError):
        accounts.add_staff(
            new=new_staff(), context=context(actor), uow=uow, hasher=PlainHasher(), clock=Clock()
        )

    assert uow.staff.rows == {}
    assert uow.audit.events == []


def test_a_clinic_that_does_not_exist_is_named_as_the_problem() -> None:
    uow, _ = a_clinic_unit_of_work()

    with pytest.raises(InvalidInputError) as caught:
        accounts.add_staff(
            new=new_staff(clinic=uuid4()),
            context=OPERATOR,
            uow=uow,
            hasher=PlainHasher(),
            clock=Clock(),
        )

    assert caught.value.problems[0].field == "clinic_id"
    assert uow.staff.rows == {}
