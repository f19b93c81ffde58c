"""Sign-in throttling in the database: each attempt is checked and charged before any hashing.

The arithmetic is ``domain.throttling``'s; this module holds the numbers (ADR 0023) and runs
them against one row per throttle key, locked for the transaction that checks and charges
the attempt, so attempts racing one another (in one server process or several, on SQLite or
PostgreSQL) are admitted one at a time and each sees the charges of those before it.

The numbers, and why (OWASP ASVS 5.0 6.3.1 and 6.1.1, NIST SP 800-63B §5.2.2, scenario AU-3):

* **Account** (the email, known or not): 5 failures free, then 2 s, doubling to a cap of 15
  minutes. Failures are forgotten after 24 hours without one. The 6th attempt within a
  burst is refused before hashing; an attacker sustains about 4 guesses an hour per account,
  under the 100 consecutive failures NIST allows; a legitimate user is never locked out:
  the longest wait is 15 minutes, and an address they signed in from in the last 30 days
  ignores this key altogether.
* **Account from one address**: the same numbers, so a known address is still slowed by its
  own failures.
* **Address** (across accounts, for credential stuffing): 20 failures free, then 1 s,
  doubling to 15 minutes, forgotten after an hour without one. In any minute at most 25
  attempts from one address are evaluated (20 + 1 + 2 + 4 + 8 + 16 s of waiting), within
  AU-3's "trips at ≤ 30 a minute". A sign-in from the address refunds the mistakes the
  account made there, so staff typing behind one clinic router do not add up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from needlepoint.domain import throttling
from needlepoint.domain.throttling import (
    Admission,
    SignInCounts,
    SignInPolicy,
    ThrottlePolicy,
    ThrottleScope,
)
from needlepoint.services.accounts.ports import ThrottleRepository
from needlepoint.services.ports import Clock

ACCOUNT_POLICY: Final = ThrottlePolicy(
    free_failures=5,
    first_delay=timedelta(seconds=2),
    max_delay=timedelta(minutes=15),
    forget_after=timedelta(hours=24),
)
"""Failures for one email, from any address (AU-3: the 6th within 15 minutes waits)."""

ADDRESS_POLICY: Final = ThrottlePolicy(
    free_failures=20,
    first_delay=timedelta(seconds=1),
    max_delay=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)
"""Failures from one address, for any email (AU-3: trips at ≤ 30 a minute)."""

SIGN_IN_POLICY: Final = SignInPolicy(
    account=ACCOUNT_POLICY,
    account_address=ACCOUNT_POLICY,
    address=ADDRESS_POLICY,
    known_address_for=timedelta(days=30),
)
"""The policy every sign-in is throttled by (ADR 0023)."""


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    """The three keys one attempt is charged to (SHA-256 hex: no email or address is kept)."""

    account: str
    account_address: str
    address: str

    @classmethod
    def of(cls, email: str, ip: str) -> ThrottleKeys:
        """The keys of an attempt for ``email`` (as typed) from the address ``ip``."""
        email_key = email.strip().lower()
        return cls(
            account=_key(ThrottleScope.ACCOUNT, email_key),
            account_address=_key(ThrottleScope.ACCOUNT_ADDRESS, f"{email_key}\n{ip}"),
            address=_key(ThrottleScope.ADDRESS, ip),
        )

    def all(self) -> tuple[str, str, str]:
        """Every key, in the order rows are locked in."""
        ordered = sorted((self.account, self.account_address, self.address))
        return ordered[0], ordered[1], ordered[2]


def _key(scope: ThrottleScope, value: str) -> str:
    return hashlib.sha256(f"{scope.value}:{value}".encode()).hexdigest()


def check_and_charge(
    throttle: ThrottleRepository, keys: ThrottleKeys, *, clock: Clock
) -> Admission:
    """Admit an attempt and charge it to every key, or say how long it must wait.

    Call inside the transaction that commits the charge, before the password is hashed. The
    clock is read once the rows are locked, so charges are stamped in the order they are made.
    """
    counts = _locked(throttle, keys)
    admission = throttling.admit(counts, clock.now(), SIGN_IN_POLICY)
    if admission.admitted:
        _save(throttle, keys, admission.counts)
    return admission


def settle(throttle: ThrottleRepository, keys: ThrottleKeys, *, clock: Clock) -> None:
    """Settle an admitted attempt whose password was right (a wrong one stays charged)."""
    counts = _locked(throttle, keys)
    settled = throttling.settle(counts, succeeded=True, now=clock.now(), policy=SIGN_IN_POLICY)
    _save(throttle, keys, settled)


def _locked(throttle: ThrottleRepository, keys: ThrottleKeys) -> SignInCounts:
    found = throttle.lock(keys.all())
    return SignInCounts(
        account=found[keys.account],
        account_address=found[keys.account_address],
        address=found[keys.address],
    )


def _save(throttle: ThrottleRepository, keys: ThrottleKeys, counts: SignInCounts) -> None:
    throttle.save(
        {
            keys.account: counts.account,
            keys.account_address: counts.account_address,
            keys.address: counts.address,
        }
    )
