"""The tests' stand-in hasher stores what a real hash would: plain ASCII, whatever the password.

Schemathesis found a PostgreSQL 500 on ``POST /api/v1/staff`` with a password holding NUL: the
stand-in stored the password itself, which PostgreSQL refuses. A real Argon2 hash is ASCII, so
the product never had the fault; the stand-in must not invent it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import String

from fakes import PlainHasher
from needlepoint.adapters.db.tables import staff_member
from needlepoint.adapters.passwords import Argon2PasswordHasher
from needlepoint.services.accounts.password_policy import MAX_PASSWORD_LENGTH

PASSWORDS = st.text(st.characters(codec=None), min_size=1, max_size=MAX_PASSWORD_LENGTH)
_HASH_TYPE = staff_member.c.password_hash.type
assert isinstance(_HASH_TYPE, String) and _HASH_TYPE.length is not None
HASH_CHARS: int = _HASH_TYPE.length


@given(PASSWORDS, PASSWORDS)
def test_the_stand_in_stores_printable_ascii_and_checks_only_the_same_password(
    password: str, other: str
) -> None:
    hashed = PlainHasher().hash(password)

    assert hashed.isascii() and hashed.isprintable()
    assert len(hashed) <= HASH_CHARS
    assert PlainHasher().verify(password, hashed)
    assert PlainHasher().verify(other, hashed) is (other == password)


def test_a_real_hash_of_a_password_holding_nul_is_ascii_and_checks() -> None:
    password = "correct horse\x00battery staple 42"
    hasher = Argon2PasswordHasher()
    hashed = hasher.hash(password)

    assert hashed.isascii() and "\x00" not in hashed
    assert hasher.verify(password, hashed)
    assert not hasher.verify("correct horse battery staple 42", hashed)


def test_the_longest_password_of_four_byte_characters_fits_the_column() -> None:
    password = "\U0001f600" * MAX_PASSWORD_LENGTH

    assert len(PlainHasher().hash(password)) <= HASH_CHARS
    assert len(Argon2PasswordHasher().hash(password)) <= HASH_CHARS
