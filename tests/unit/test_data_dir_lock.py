"""The data directory's lock: servers share it, a restore needs it alone (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from needlepoint.adapters import data_dir_lock


def test_servers_share_the_directory_and_a_restore_is_refused_while_one_holds_it(
    tmp_path: Path,
) -> None:
    first = data_dir_lock.hold_for_serving(tmp_path)
    second = data_dir_lock.hold_for_serving(tmp_path)
    try:
        with (
            pytest.raises(data_dir_lock.DataDirBusy, match="running needlepoint server"),
            data_dir_lock.held_alone(tmp_path),
        ):
            pass
    finally:
        os.close(first)
        os.close(second)
    with data_dir_lock.held_alone(tmp_path):
        pass  # every server gone: the restore may run


def test_a_server_is_refused_while_a_restore_runs(tmp_path: Path) -> None:
    with (
        data_dir_lock.held_alone(tmp_path),
        pytest.raises(data_dir_lock.DataDirBusy, match="a restore is running"),
    ):
        data_dir_lock.hold_for_serving(tmp_path)
    os.close(data_dir_lock.hold_for_serving(tmp_path))
