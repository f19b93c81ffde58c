"""``needlepoint restore`` refuses a data directory a running server holds (issue 14).

The probe restored a backup under a live server: it succeeded silently and the server then
served rolled-back data. A real ``needlepoint serve`` holds the directory here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from serving import NEEDLEPOINT, environment, serving

EXIT_DATA_DIR_BUSY = 4


def _needlepoint(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEEDLEPOINT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_restore_is_refused_while_a_server_runs_and_works_once_it_stops(tmp_path: Path) -> None:
    env = environment(tmp_path / "var")
    assert _needlepoint(env, "db", "upgrade").returncode == 0
    made = _needlepoint(env, "backup")
    assert made.returncode == 0, made.stderr
    backup_file = made.stdout.strip()
    database = tmp_path / "var" / "needlepoint.sqlite3"
    with serving(env):
        before = database.stat().st_mtime_ns
        refused = _needlepoint(env, "restore", backup_file)
        assert refused.returncode == EXIT_DATA_DIR_BUSY, refused.stdout + refused.stderr
        assert "Nothing was restored" in refused.stderr
        assert "running needlepoint server" in refused.stderr
        assert "restored" not in refused.stdout
        assert database.stat().st_mtime_ns == before
    restored = _needlepoint(env, "restore", backup_file)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "integrity verified" in restored.stdout
