"""Sign-in throttling arithmetic (domain.throttling): growing, capped delays, never a lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain import throttling
from needlepoint.domain.throttling import (
    NO_WAIT,
    SignInCounts,
    SignInPolicy,
    ThrottleCount,
    ThrottlePolicy,
)
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY, ADDRESS_POLICY, SIGN_IN_POLICY

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FRESH = SignInCounts(ThrottleCount(), ThrottleCount(), ThrottleCount())

policies = st.builds(
    ThrottlePolicy,
    free_failures=st.integers(0, 30),
    first_delay=st.integers(1, 120).map(lambda s: timedelta(seconds=s)),
    max_delay=st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m)),
    forget_after=st.integers(1, 48).map(lambda h: timedelta(hours=h)),
)
failure_counts = st.integers(0, 10_000)
offsets = st.integers(0, 3 * 24 * 3600).map(lambda s: timedelta(seconds=s))


def counts(failures: int, at: datetime = T0) -> ThrottleCount:
    return ThrottleCount(failures=failures, last_failure_at=at if failures else None)


def attempts_at(
    counts_now: SignInCounts, now: datetime, how_many: int, policy: SignInPolicy
) -> tuple[int, SignInCounts]:
    """``how_many`` attempts at the same instant: how many were admitted, and the counts."""
    admitted = 0
    for _ in range(how_many):
        admission = throttling.admit(counts_now, now, policy)
        admitted += admission.admitted
        counts_now = admission.counts
    return admitted, counts_now


@given(policy=policies, failures=failure_counts)
def test_free_failures_never_wait_and_no_delay_passes_the_cap(
    policy: ThrottlePolicy, failures: int
) -> None:
    delay = policy.delay_after(failures)

    assert delay <= policy.max_delay
    if failures < policy.free_failures:
        assert delay == NO_WAIT


@given(policy=policies, failures=failure_counts)
def test_each_failure_past_the_free_ones_doubles_the_delay_until_the_cap(
    policy: ThrottlePolicy, failures: int
) -> None:
    past_free = policy.free_failures + failures

    before, after = policy.delay_after(past_free), policy.delay_after(past_free + 1)

    assert after >= before
    assert after == min(2 * before, policy.max_delay)


@given(policy=policies, failures=failure_counts, elapsed=offsets)
def test_a_key_never_waits_longer_than_the_cap_and_is_usable_once_it_has_passed(
    policy: ThrottlePolicy, failures: int, elapsed: timedelta
) -> None:
    key = counts(failures)

    assert key.wait(T0 + elapsed, policy) <= policy.max_delay
    assert key.wait(T0 + policy.max_delay, policy) == NO_WAIT


@given(policy=policies, failures=failure_counts, elapsed=offsets, later=offsets)
def test_waiting_only_ever_shortens_the_wait(
    policy: ThrottlePolicy, failures: int, elapsed: timedelta, later: timedelta
) -> None:
    key = counts(failures)

    now_wait = key.wait(T0 + elapsed, policy)

    assert key.wait(T0 + elapsed + later, policy) <= max(now_wait - later, NO_WAIT)


@given(policy=policies, failures=failure_counts)
def test_failures_are_forgotten_after_a_quiet_spell(policy: ThrottlePolicy, failures: int) -> None:
    key = counts(failures)

    assert key.current_failures(T0 + policy.forget_after, policy) == 0
    assert key.charged(T0 + policy.forget_after, policy).failures == 1


@given(racing=st.integers(1, 60))
def test_racing_attempts_are_charged_before_any_is_evaluated_so_only_the_free_ones_get_in(
    racing: int,
) -> None:
    admitted, after = attempts_at(FRESH, T0, racing, SIGN_IN_POLICY)

    assert admitted == min(racing, ACCOUNT_POLICY.free_failures)
    assert after.account.failures == admitted


@given(extra=st.integers(0, 40))
def test_a_refused_attempt_costs_nothing(extra: int) -> None:
    _, throttled = attempts_at(FRESH, T0, ACCOUNT_POLICY.free_failures, SIGN_IN_POLICY)

    admitted, after = attempts_at(throttled, T0, extra, SIGN_IN_POLICY)

    assert admitted == 0
    assert after == throttled


@given(failures=st.integers(0, 200), elapsed=offsets)
def test_a_success_clears_the_account_and_refunds_the_address(
    failures: int, elapsed: timedelta
) -> None:
    history = SignInCounts(counts(failures), counts(failures), counts(failures))
    now = T0 + elapsed

    settled = throttling.settle(history, succeeded=True, now=now, policy=SIGN_IN_POLICY)

    assert settled.account == settled.account_address == ThrottleCount(last_success_at=now)
    assert settled.address.failures == 0
    assert settled.wait(now, SIGN_IN_POLICY) == NO_WAIT


def test_a_failure_stays_charged() -> None:
    admission = throttling.admit(FRESH, T0, SIGN_IN_POLICY)

    settled = throttling.settle(admission.counts, succeeded=False, now=T0, policy=SIGN_IN_POLICY)

    assert settled == admission.counts
    assert settled.account.failures == 1


@given(
    stranger_failures=st.integers(0, 500),
    since_success=st.integers(0, 29 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
)
def test_an_address_the_account_signed_in_from_is_not_slowed_by_a_stranger(
    stranger_failures: int, since_success: timedelta
) -> None:
    signed_in = throttling.settle(
        throttling.admit(FRESH, T0, SIGN_IN_POLICY).counts,
        succeeded=True,
        now=T0,
        policy=SIGN_IN_POLICY,
    )
    now = T0 + since_success
    stranger = SignInCounts(signed_in.account, ThrottleCount(), ThrottleCount())
    _, attacked = attempts_at(stranger, now, stranger_failures, SIGN_IN_POLICY)
    at_home = SignInCounts(attacked.account, signed_in.account_address, signed_in.address)

    assert throttling.admit(at_home, now, SIGN_IN_POLICY).admitted


def test_a_new_address_is_slowed_by_the_accounts_failures_elsewhere() -> None:
    _, attacked = attempts_at(FRESH, T0, ACCOUNT_POLICY.free_failures, SIGN_IN_POLICY)
    elsewhere = SignInCounts(attacked.account, ThrottleCount(), ThrottleCount())

    assert throttling.admit(elsewhere, T0, SIGN_IN_POLICY).wait == ACCOUNT_POLICY.first_delay


def test_au3_the_throttle_numbers_meet_the_scenario() -> None:
    """AU-3: attempt 6+ waits (≥ 1 s) before hashing; the account is usable within 15 minutes;
    one address is refused before its 31st attempt in a minute."""
    sixth = ACCOUNT_POLICY.delay_after(5)
    in_a_minute = 0
    elapsed = timedelta(0)
    while (wait := ADDRESS_POLICY.delay_after(in_a_minute)) + elapsed < timedelta(minutes=1):
        elapsed += wait
        in_a_minute += 1

    assert ACCOUNT_POLICY.free_failures == 5
    assert sixth >= timedelta(seconds=1)
    assert ACCOUNT_POLICY.max_delay <= timedelta(minutes=15)
    assert in_a_minute <= 30
