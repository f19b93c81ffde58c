"""How a patient's email address and phone number are written: one rule for every entry point.

The API documents these patterns and the web forms check them; a value that does not match is
refused with ``InputCode.NOT_AN_EMAIL`` or ``InputCode.NOT_A_PHONE`` from either.
"""

from __future__ import annotations

from typing import Final

from needlepoint.domain.errors import InputCode

EMAIL: Final = r"^[^@\s\x00-\x1f\x7f]{1,160}@[^@\s\x00-\x1f\x7f]{1,160}$"
"""An address: something, one ``@``, something; no spaces or control characters."""

PHONE: Final = r"^[0-9+()\-. ]{3,50}$"
"""A phone number as people write it: digits, spaces and ``+ ( ) - .``, 3 to 50 of them."""

CODES: Final = {EMAIL: InputCode.NOT_AN_EMAIL, PHONE: InputCode.NOT_A_PHONE}
"""The code a value gets when it does not match each pattern."""
