"""Progress bars on the long commands: on stderr only, never in what scripts read.

``TTY_COMPATIBLE=1`` makes Rich treat standard error as a terminal (the bars are drawn); without
it the test runner's pipes are not terminals and nothing is drawn. Either way the commands'
standard output and exit codes are what they were.
"""

from __future__ import annotations

import importlib.util
import io
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rich.console import Console
from typer.testing import CliRunner

from needlepoint.entrypoints.cli import main as cli
from needlepoint.entrypoints.cli.progress import progress_bars

runner = CliRunner()
BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEEDLEPOINT_DATABASE_URL", raising=False)
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(cli.app, ["clinic", "add", "Harbour", "--time-zone", "Europe/London"])
    assert added.exit_code == 0
    return tmp_path


@pytest.mark.parametrize("terminal", [True, False])
def test_backup_and_restore_print_the_same_lines_and_exit_0_with_or_without_bars(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    if terminal:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
    else:
        monkeypatch.delenv("TTY_COMPATIBLE", raising=False)

    taken = runner.invoke(cli.app, ["backup"])
    assert taken.exit_code == 0, taken.output
    (line,) = taken.stdout.splitlines()
    path = Path(line)
    assert path.is_file()
    restored = runner.invoke(cli.app, ["restore", str(path)])

    assert restored.exit_code == 0, restored.output
    assert restored.stdout.splitlines() == [f"restored {path} (1 rows), integrity verified"]
    drawn = taken.stderr + restored.stderr
    assert ("encrypting" in drawn and "decrypting" in drawn) is terminal
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        assert raw.execute("SELECT count(*) FROM clinic").fetchone()[0] == 1


def test_a_refused_restore_still_exits_5_with_its_message_when_bars_are_drawn(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    path = Path(runner.invoke(cli.app, ["backup"]).stdout.strip())
    path.write_bytes(path.read_bytes()[:-1000])

    restored = runner.invoke(cli.app, ["restore", str(path)])

    assert restored.exit_code == 5
    assert "Nothing was restored" in restored.stderr
    assert restored.stdout == ""


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_a_bar_is_drawn_on_a_terminal_with_its_step_and_count() -> None:
    console, out = _terminal()

    with progress_bars(console=console) as step:
        step("patients", 7, 10)

    assert "patients" in out.getvalue()
    assert "7/10" in out.getvalue()


@pytest.mark.parametrize("quiet", [True, False])
def test_nothing_is_drawn_when_quiet_or_not_on_a_terminal(quiet: bool) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=not quiet) if quiet else Console(file=out)

    with progress_bars(quiet=quiet, console=console) as step:
        step("patients", 7, 10)

    assert out.getvalue() == ""


def _bench_module() -> ModuleType:
    """bench/scale_seed.py, imported by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_scale_seed", BENCH / "scale_seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_the_bench_seeding_reports_each_phase_out_of_all() -> None:
    scale_seed = _bench_module()
    told: list[tuple[str, int, int | None]] = []
    phases = scale_seed.Phases(lambda *said: told.append(said))
    for phase in scale_seed.SEED_PHASES:
        phases.done(phase)

    total = len(scale_seed.SEED_PHASES)
    assert told == [("seeding", done, total) for done in range(total + 1)]
    assert set(phases.seconds) == set(scale_seed.SEED_PHASES)
