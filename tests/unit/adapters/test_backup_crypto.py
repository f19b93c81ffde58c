"""The encrypted backup format (docs/formats.md): round trip, and every damage is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlepoint.adapters import backup_crypto
from needlepoint.adapters.backup_crypto import HEADER_BYTES, TAG_BYTES, BackupCryptoError

KEY = bytes(range(32))
CHUNK = 64  # small chunks, so that a few hundred bytes make several


def _sealed(tmp_path: Path, plain: bytes, *, chunk: int = CHUNK) -> Path:
    source, target = tmp_path / "plain", tmp_path / "sealed"
    source.write_bytes(plain)
    with target.open("wb") as out:
        backup_crypto.encrypt_file(source, out, KEY, chunk_bytes=chunk)
    return target


def _opened(path: Path, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    backup_crypto.decrypt_file(path, out, key)
    return out.getvalue()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plain=st.binary(max_size=5 * CHUNK + 7))
def test_a_file_comes_back_byte_for_byte(tmp_path: Path, plain: bytes) -> None:
    sealed = _sealed(tmp_path, plain)

    assert _opened(sealed) == plain
    chunks = max(1, -(-len(plain) // CHUNK))
    assert sealed.stat().st_size == HEADER_BYTES + len(plain) + chunks * TAG_BYTES


def test_no_plaintext_canary_is_in_the_file(tmp_path: Path) -> None:
    canary = b"CANARY-backup-4c2d"
    sealed = _sealed(tmp_path, (b"x" * 50 + canary) * 20)

    assert canary not in sealed.read_bytes()


@pytest.mark.parametrize("whole_chunks", [0, 1, 2, 3])
def test_a_file_cut_at_a_chunk_boundary_is_refused(tmp_path: Path, whole_chunks: int) -> None:
    sealed = _sealed(tmp_path, bytes(4 * CHUNK))
    data = sealed.read_bytes()
    sealed.write_bytes(data[: HEADER_BYTES + whole_chunks * (CHUNK + TAG_BYTES)])

    with pytest.raises(BackupCryptoError, match="cut short or was changed"):
        _opened(sealed)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=3 * (CHUNK + TAG_BYTES) + 10))
def test_a_file_cut_anywhere_is_refused(tmp_path: Path, cut: int) -> None:
    sealed = _sealed(tmp_path, bytes(3 * CHUNK + 10))
    data = sealed.read_bytes()
    sealed.write_bytes(data[:-cut])

    with pytest.raises(BackupCryptoError):
        _opened(sealed)


def test_chunks_swapped_or_data_appended_are_refused(tmp_path: Path) -> None:
    sealed = _sealed(tmp_path, bytes(range(256)) * 2)
    data = sealed.read_bytes()
    size = CHUNK + TAG_BYTES
    first, second = HEADER_BYTES, HEADER_BYTES + size
    swapped = (
        data[:first] + data[second : second + size] + data[first:second] + data[second + size :]
    )

    for damaged in (swapped, data + data[first:second], data[:-1] + bytes([data[-1] ^ 1])):
        sealed.write_bytes(damaged)
        with pytest.raises(BackupCryptoError):
            _opened(sealed)


def test_a_wrong_key_is_named_as_such(tmp_path: Path) -> None:
    sealed = _sealed(tmp_path, b"clinic data")

    with pytest.raises(BackupCryptoError, match=r"another backup key.*NEEDLEPOINT_BACKUP_KEY"):
        _opened(sealed, bytes(32))


def test_a_changed_header_is_refused(tmp_path: Path) -> None:
    sealed = _sealed(tmp_path, b"clinic data")
    data = bytearray(sealed.read_bytes())
    data[HEADER_BYTES - 1] ^= 1  # the salt's last byte
    sealed.write_bytes(bytes(data))

    with pytest.raises(BackupCryptoError):
        _opened(sealed)


def test_a_file_that_is_no_backup_is_named(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_bytes(b"SQLite format 3\x00" + bytes(100))

    with pytest.raises(BackupCryptoError, match="not an encrypted needlepoint backup"):
        _opened(other)
