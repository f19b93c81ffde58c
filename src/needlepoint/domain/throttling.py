"""Sign-in throttling: how long a sign-in waits after failed ones (pure arithmetic, ADR 0023).

Every attempt is counted against three *keys*: the account (the email, whether or not an
account has it), the account from this address, and the address (OWASP ASVS 5.0 6.3.1,
scenario AU-3 in ecosystem.md §2.7). Each key has a ``ThrottlePolicy``: some free failures,
then a delay before the next attempt that doubles with each further failure, up to a cap.
There is never a lock: once the delay has passed, one more attempt is evaluated.

An attempt is *charged* as a failure when it is admitted, before its password is checked, so
attempts racing one another are all counted before any of them is evaluated; a success then
clears the account's counts and refunds its address what the account charged it. An address
the account signed in from recently is a *known address*: failures from elsewhere (the
account key) do not slow it down, so a stranger cannot lock the front desk out. The account
and address key and the address key still apply to it.

Nothing here reads a clock: every function is given ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

NO_WAIT: Final = timedelta(0)
MAX_DOUBLINGS: Final = 32
"""Doublings past which a delay is the cap anyway (keeps ``2 ** n`` small)."""


class ThrottleScope(StrEnum):
    """What a key counts failures against."""

    ACCOUNT = "account"
    ACCOUNT_ADDRESS = "account_address"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures a key is allowed free, and how long it waits after more.

    After ``free_failures`` failures in a row, the next attempt waits ``first_delay`` after the
    last failure; each further failure doubles the wait, up to ``max_delay``. Failures are
    forgotten once ``forget_after`` has passed without one.
    """

    free_failures: int
    first_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta

    def delay_after(self, failures: int) -> timedelta:
        """How long the next attempt waits after ``failures`` failures in a row."""
        if failures < self.free_failures:
            return NO_WAIT
        doublings = min(failures - self.free_failures, MAX_DOUBLINGS)
        delay: timedelta = self.first_delay * (1 << doublings)
        return min(delay, self.max_delay)


@dataclass(frozen=True, slots=True)
class ThrottleCount:
    """The failures counted against one key, and when it last failed or succeeded."""

    failures: int = 0
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None

    def current_failures(self, now: datetime, policy: ThrottlePolicy) -> int:
        """The failures still remembered at ``now``."""
        if self.last_failure_at is None or now - self.last_failure_at >= policy.forget_after:
            return 0
        return self.failures

    def wait(self, now: datetime, policy: ThrottlePolicy) -> timedelta:
        """How long from ``now`` until this key admits an attempt (never more than the cap)."""
        failures = self.current_failures(now, policy)
        if self.last_failure_at is None or failures == 0:
            return NO_WAIT
        ready_at = self.last_failure_at + policy.delay_after(failures)
        return min(max(ready_at - now, NO_WAIT), policy.max_delay)

    def charged(self, now: datetime, policy: ThrottlePolicy) -> ThrottleCount:
        """This key after one more attempt, counted as a failure until it is settled."""
        return replace(self, failures=self.current_failures(now, policy) + 1, last_failure_at=now)

    def refunded(self, failures: int, now: datetime, policy: ThrottlePolicy) -> ThrottleCount:
        """This key with ``failures`` of its failures taken back."""
        return replace(self, failures=max(self.current_failures(now, policy) - failures, 0))


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    """The policy of each key, and how long an address stays known after a success."""

    account: ThrottlePolicy
    account_address: ThrottlePolicy
    address: ThrottlePolicy
    known_address_for: timedelta


@dataclass(frozen=True, slots=True)
class SignInCounts:
    """The counts of the three keys one attempt is charged to."""

    account: ThrottleCount
    account_address: ThrottleCount
    address: ThrottleCount

    def is_known_address(self, now: datetime, policy: SignInPolicy) -> bool:
        """Whether the account signed in from this address recently."""
        seen = self.account_address.last_success_at
        return seen is not None and NO_WAIT <= now - seen < policy.known_address_for

    def wait(self, now: datetime, policy: SignInPolicy) -> timedelta:
        """How long from ``now`` until an attempt is admitted (the longest of the keys' waits).

        The account key is left out at a known address: failures from elsewhere do not slow it.
        """
        waits = [
            self.account_address.wait(now, policy.account_address),
            self.address.wait(now, policy.address),
        ]
        if not self.is_known_address(now, policy):
            waits.append(self.account.wait(now, policy.account))
        return max(waits)


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether an attempt may be evaluated now, and the counts to keep.

    Admitted (``wait`` is zero), the counts have the attempt charged to every key; refused,
    they are unchanged (a refused attempt is not evaluated, so it costs nothing).
    """

    wait: timedelta
    counts: SignInCounts

    @property
    def admitted(self) -> bool:
        """Whether the attempt may go on to the password check."""
        return self.wait <= NO_WAIT


def admit(counts: SignInCounts, now: datetime, policy: SignInPolicy) -> Admission:
    """Admit an attempt (charging it to every key) or say how long it must wait."""
    wait = counts.wait(now, policy)
    if wait > NO_WAIT:
        return Admission(wait, counts)
    charged = SignInCounts(
        account=counts.account.charged(now, policy.account),
        account_address=counts.account_address.charged(now, policy.account_address),
        address=counts.address.charged(now, policy.address),
    )
    return Admission(NO_WAIT, charged)


def settle(
    counts: SignInCounts, *, succeeded: bool, now: datetime, policy: SignInPolicy
) -> SignInCounts:
    """The counts after an admitted attempt's password was checked.

    A failure was charged on admission and stays. A success clears the account's counts,
    makes this address known, and refunds the address key the failures this account charged
    it (typing mistakes that ended in a sign-in do not count against the address).
    """
    if not succeeded:
        return counts
    typed_wrong = counts.account_address.current_failures(now, policy.account_address)
    return SignInCounts(
        account=ThrottleCount(last_success_at=now),
        account_address=ThrottleCount(last_success_at=now),
        address=counts.address.refunded(typed_wrong, now, policy.address),
    )
