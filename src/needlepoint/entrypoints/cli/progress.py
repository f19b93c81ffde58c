"""Progress bars for the long commands (backup, restore, export; the bench's seeding).

Drawn with Rich on standard error, so standard output (the backup's path, the export's
folder) stays what scripts read. Nothing is drawn when standard error is not a terminal (a
pipe, a log file, a test) or when the command was asked to be quiet; the bars vanish when
the work ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Step = Callable[[str, int, int | None], None]
"""Told a step's name, how much of it is done, and its total (None when not known)."""


def _silent(step: str, done: int, total: int | None) -> None:
    """Draws nothing."""


@contextmanager
def progress_bars(*, quiet: bool = False, console: Console | None = None) -> Iterator[Step]:
    """A ``Step`` that draws one bar per step on standard error while the block runs."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield _silent
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def step(name: str, done: int, total: int | None) -> None:
            task = tasks.get(name)
            if task is None:
                task = tasks[name] = progress.add_task(name, total=total)
            progress.update(task, completed=done, total=total)

        yield step
