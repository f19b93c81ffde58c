"""The audit trail's key (ADR 0032): the setting, else a key file in the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from needlepoint.bootstrap import audit_key
from needlepoint.config import Settings, SettingsError

EXPLICIT = "an explicit audit key of forty characters!"


def test_without_a_setting_the_key_is_made_once_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)

    first, second = audit_key(settings), audit_key(settings)

    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "audit-key").stat().st_mode & 0o777 == 0o600


def test_the_setting_is_the_key_and_no_file_is_made(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, audit_key=SecretStr(EXPLICIT))

    assert audit_key(settings) == EXPLICIT.encode()
    assert not (tmp_path / "audit-key").exists()


def test_a_short_key_is_refused_naming_the_setting_and_the_fix() -> None:
    with pytest.raises(SettingsError, match="NEEDLEPOINT_AUDIT_KEY is 5 characters long"):
        Settings.from_env({"NEEDLEPOINT_AUDIT_KEY": "short"})
