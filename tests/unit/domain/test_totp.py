"""Authenticator codes (AU-5): ±1 step accepted, ±2 refused, a code never accepted twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = datetime(2026, 12, 11, 9, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=totp.STEP_SECONDS)


def test_au5_totp_replay_and_window() -> None:
    code = totp.code_at(SECRET, AT)
    step = totp.accepted_step(SECRET, code, at=AT, last_step=None)
    assert step == totp.time_step(AT)
    # The same code again, still within its step: a replay, refused.
    assert totp.accepted_step(SECRET, code, at=AT, last_step=step) is None
    # A code from 2 steps ago (valid when shown, older than the last accepted): refused.
    old = totp.code_at(SECRET, AT - 2 * STEP)
    assert totp.accepted_step(SECRET, old, at=AT, last_step=step) is None
    # ±1 step accepted, ±2 refused (no step used yet).
    for offset, accepted in ((-1, True), (1, True), (-2, False), (2, False)):
        shown = totp.code_at(SECRET, AT + offset * STEP)
        found = totp.accepted_step(SECRET, shown, at=AT, last_step=None)
        assert (found is not None) is accepted, offset


@given(
    offset=st.integers(min_value=-4, max_value=4),
    last=st.none() | st.integers(min_value=-3, max_value=3),
    seconds=st.integers(min_value=0, max_value=10**9),
)
def test_a_code_is_accepted_only_within_one_step_and_after_the_last(
    offset: int, last: int | None, seconds: int
) -> None:
    now = datetime.fromtimestamp(1_700_000_000 + seconds, tz=UTC)
    shown_at = now + offset * STEP
    now_step = totp.time_step(now)
    last_step = None if last is None else now_step + last
    found = totp.accepted_step(SECRET, totp.code_at(SECRET, shown_at), at=now, last_step=last_step)
    expected = abs(offset) <= totp.VALID_WINDOW and (
        last_step is None or now_step + offset > last_step
    )
    # A 6-digit code may by chance equal a neighbouring step's (1 in 10^6): only assert refusals
    # where no other step in the window shows the same digits.
    shown = totp.code_at(SECRET, shown_at)
    same_elsewhere = any(
        totp.code_at(SECRET, now + k * STEP) == shown for k in (-1, 0, 1) if k != offset
    )
    if not same_elsewhere:
        assert (found is not None) is expected
        if expected:
            assert found == now_step + offset


def test_codes_with_spaces_are_read_and_anything_else_refused() -> None:
    code = totp.code_at(SECRET, AT)
    assert totp.accepted_step(SECRET, f"{code[:3]} {code[3:]}", at=AT, last_step=None)
    for typed in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.accepted_step(SECRET, typed, at=AT, last_step=None) is None


def test_secrets_are_160_bits_and_recovery_codes_are_ten_distinct() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32  # base32: 5 bits a character
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == totp.RECOVERY_CODE_COUNT
    assert all(totp.normal_recovery_code(code.upper().replace("-", " ")) == code for code in codes)
    assert totp.normal_recovery_code("not-a-code") is None


def test_the_provisioning_address_names_the_issuer_and_account() -> None:
    uri = totp.provisioning_uri(SECRET, "ada@harbour.test")
    assert uri.startswith("otpauth://totp/needlepoint:ada%40harbour.test?")
    assert f"secret={SECRET}" in uri
