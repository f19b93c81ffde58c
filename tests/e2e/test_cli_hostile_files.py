"""Hostile consultation files (issue 14): each exits 2 with a message naming the file, fast.

Run as a real process, since the defects were a segfault (exit 139), minutes of CPU and a
MemoryError traceback: things an in-process runner would not survive or would hide.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES
from serving import NEEDLEPOINT, environment

LIMIT_SECONDS = 2.0
"""Issue 14's figure: a hostile file is refused within 2 s."""


def _consult(file: Path | str, data_dir: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [str(NEEDLEPOINT), "consult", str(file)],
        env=environment(data_dir) | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def _assert_refused(file: Path | str, data_dir: Path, words: str) -> None:
    code, output, seconds = _consult(file, data_dir)
    assert code == 2, output
    assert str(file) in output, output
    assert words in output, output
    assert "Traceback" not in output, output
    # Start-up included; a loaded shared machine gets some slack over the figure.
    assert seconds < LIMIT_SECONDS * 2, f"{seconds:.1f} s"


def test_a_file_nested_50000_levels_deep_exits_2(tmp_path: Path) -> None:
    depth = 50_000
    hostile = tmp_path / "deep.json"
    hostile.write_text("[" * depth + "]" * depth, encoding="utf-8")
    assert hostile.stat().st_size == 100_000  # the probe's 100 KB file
    _assert_refused(hostile, tmp_path, "nested more than")


def test_a_yaml_file_nested_deep_in_block_style_exits_2(tmp_path: Path) -> None:
    hostile = tmp_path / "deep.yaml"
    hostile.write_text("".join(f"{' ' * level}k:\n" for level in range(200)), encoding="utf-8")
    _assert_refused(hostile, tmp_path, "nested more than")


def test_a_yaml_alias_bomb_exits_2_at_once(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 25)}]" for i in range(1, 16)]
    hostile = tmp_path / "bomb.yaml"
    hostile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert hostile.stat().st_size <= 2_500  # the probe's bomb was 2.3 KB
    _assert_refused(hostile, tmp_path, "anchors or aliases")


def test_dev_zero_exits_2_as_too_large(tmp_path: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    _assert_refused("/dev/zero", tmp_path, "larger than 1 MB")


def test_a_file_over_one_megabyte_exits_2(tmp_path: Path) -> None:
    hostile = tmp_path / "large.yaml"
    hostile.write_text("# padding\n" * 100_001, encoding="utf-8")
    _assert_refused(hostile, tmp_path, "larger than 1 MB")


def test_an_ordinary_consultation_still_reads(tmp_path: Path) -> None:
    code, output, _ = _consult(EXAMPLES[0], tmp_path)
    assert code == 0, output
