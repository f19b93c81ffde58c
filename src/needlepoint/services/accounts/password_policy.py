"""The password policy (ecosystem.md §2.7 AU-1; OWASP ASVS 5.0 6.2.1, 6.2.4, 6.2.5, 6.2.9).

A password is refused when it is shorter than ``MIN_PASSWORD_LENGTH`` or longer than
``MAX_PASSWORD_LENGTH`` characters, when it is one of the 30,000 most common passwords that
the ``zxcvbn`` package bundles (so the top 3,000 with room to spare), or when ``zxcvbn``
estimates it falls in fewer than ``MIN_GUESSES`` guesses (``password1234`` and ``123456789012``
are common words and sequences with digits added, about 10^4 guesses). There are no
composition rules: a long passphrase of plain words is the best password. Nothing is
downloaded at run time; the lists ship inside the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Final

from needlepoint.domain.errors import InvalidInputError

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 128
MIN_GUESSES_LOG10: Final = 8
"""zxcvbn's score 3: at least 10^8 guesses, out of reach of throttled on-line guessing and
slow off-line against Argon2id (AU-2)."""
ESTIMATED_PREFIX: Final = 72
"""zxcvbn refuses longer input; a passphrase's first 72 characters carry its strength."""

FIX: Final = (
    f"use {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters that are not a common "
    "password; a passphrase of several unrelated words is best."
)


def check_password(password: str, personal: Iterable[str] = ()) -> None:
    """Refuse a password outside the policy (field ``password``).

    ``personal`` are words about the account (its email, its name) that make it guessable.
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInputError.single("password", f"is {len(password)} characters long.", FIX)
    if password.lower() in _common_passwords():
        raise InvalidInputError.single("password", "is one of the most common passwords.", FIX)
    if _guesses_log10(password, personal) < MIN_GUESSES_LOG10:
        raise InvalidInputError.single(
            "password", "is easy to guess (common words, names, sequences or repeats).", FIX
        )


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415 - only when one is set

    return frozenset(FREQUENCY_LISTS["passwords"])


def _guesses_log10(password: str, personal: Iterable[str]) -> float:
    from zxcvbn import zxcvbn  # noqa: PLC0415 - its dictionaries load only when one is set

    words = [word for value in personal for word in value.lower().replace("@", " ").split()]
    estimate = zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=words)
    return float(estimate["guesses_log10"])
