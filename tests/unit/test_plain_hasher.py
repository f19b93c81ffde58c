"""The tests' stand-in hasher stores what a real hash would: plain ASCII, whatever the password.

Schemathesis found a PostgreSQL 500 on ``POST /api/v1/staff`` with a password holding NUL: the
stand-in stored the password itself, which PostgreSQL refuses. A real Argon2 hash is ASCII, so
the product never had the fault; the stand-in must not invent it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fakes import PlainHasher
from needlepoint.adapters.passwords import Argon2PasswordHasher

PASSWORDS = st.text(st.characters(codec=None), min_size=1, max_size=64)


@given(PASSWORDS, PASSWORDS)
def test_the_stand_in_stores_printable_ascii_and_checks_only_the_same_password(
    password: str, other: str
) -> None:
    hashed = PlainHasher().hash(password)

    assert hashed.isascii() and hashed.isprintable()
    assert PlainHasher().verify(password, hashed)
    assert PlainHasher().verify(other, hashed) is (other == password)


def test_a_real_hash_of_a_password_holding_nul_is_ascii_and_checks() -> None:
    password = "correct horse\x00battery staple 42"
    hasher = Argon2PasswordHasher()
    hashed = hasher.hash(password)

    assert hashed.isascii() and "\x00" not in hashed
    assert hasher.verify(password, hashed)
    assert not hasher.verify("correct horse battery staple 42", hashed)
