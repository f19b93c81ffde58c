"""The web app's server secret file: made once, owner-only, the same for every reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from needlepoint.adapters import secret_file
from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings, SettingsError


def test_the_secret_is_made_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "web-secret"

    first = secret_file.load_or_create(path)

    assert len(first) == 2 * secret_file.SECRET_BYTES
    assert secret_file.load_or_create(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["web-secret"]


def test_a_secret_made_elsewhere_first_wins(tmp_path: Path) -> None:
    path = tmp_path / "web-secret"
    path.write_text("a" * 64 + "\n")

    assert secret_file.load_or_create(path) == b"a" * 64


def test_an_unusable_secret_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "web-secret"
    path.write_text("short")

    with pytest.raises(ValueError, match="web-secret"):
        secret_file.load_or_create(path)


def test_a_secret_set_in_the_environment_is_used_as_it_is(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"NEEDLEPOINT_DATA_DIR": str(tmp_path), "NEEDLEPOINT_WEB_SECRET": "s" * 40}
    )

    assert bootstrap(settings).web_secret() == b"s" * 40
    assert not settings.web_secret_file.exists()


def test_a_short_secret_in_the_environment_is_refused() -> None:
    with pytest.raises(SettingsError, match="NEEDLEPOINT_WEB_SECRET"):
        Settings.from_env({"NEEDLEPOINT_WEB_SECRET": "too short"})
