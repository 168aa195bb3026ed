"""Terminal handling for the CLI: stdout is data, stderr is for people.

Pretty output (colour, tables, progress bars) appears only when stderr is a terminal and
``NO_COLOR`` is not set; in a pipe, messages are plain one-liners.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Iterator

from forensic_kit.display import safe_text

if TYPE_CHECKING:
    from rich.console import Console

# rich is imported when a message is first written, and rich.progress only when a progress bar is
# shown (stderr is a terminal): ``fkit --version`` or a quiet command in a pipe never pays for them.


def _no_color() -> bool:
    return "NO_COLOR" in os.environ and os.environ["NO_COLOR"] != ""


def stderr_console() -> Console:
    """A rich console on stderr that honours ``NO_COLOR`` and is plain when not a terminal."""
    from rich.console import Console

    return Console(file=sys.stderr, no_color=_no_color(), highlight=False, soft_wrap=True, stderr=True)


def stdout_is_tty() -> bool:
    """True when stdout is a terminal (used to choose the default output format)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def stderr_is_tty() -> bool:
    """True when stderr is a terminal (progress bars only then)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def stdout_bytes() -> IO[bytes]:
    """The binary stdout stream that data is written to."""
    return sys.stdout.buffer


def stdin_bytes() -> IO[bytes]:
    """The binary stdin stream that paths or records are read from."""
    return sys.stdin.buffer


def _plain(message: str) -> bool:
    """Write ``message`` as is when stderr is not a terminal (no rich, no styling); False otherwise."""
    if stderr_is_tty():
        return False
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return True


def say(message: str) -> None:
    """One plain line for a person on stderr."""
    if not _plain(message):
        stderr_console().print(message, markup=False, highlight=False)


def warn(message: str) -> None:
    """A warning line on stderr (``fkit: warning: ...``)."""
    text = f"fkit: warning: {safe_text(message)}"
    if not _plain(text):
        stderr_console().print(text, style="yellow", markup=False, highlight=False)


def error(message: str) -> None:
    """An error line on stderr (``fkit: error: ...``): one line, never a traceback."""
    text = f"fkit: error: {safe_text(message)}"
    if not _plain(text):
        stderr_console().print(text, style="bold red", markup=False, highlight=False)


@contextmanager
def byte_progress(label: str, total: int | None) -> Iterator[callable]:  # type: ignore[valid-type]
    """A progress bar over bytes on stderr when it is a terminal; otherwise a no-op callback."""
    if not stderr_is_tty():
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=stderr_console(), transient=True,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


@contextmanager
def item_progress(label: str) -> Iterator[callable]:  # type: ignore[valid-type]
    """A spinner counting items on stderr when it is a terminal; otherwise a no-op callback."""
    if not stderr_is_tty():
        yield lambda n=1: None
        return
    from rich.progress import Progress, TextColumn

    progress = Progress(TextColumn("{task.description}"), TextColumn("{task.completed} items"),
                        console=stderr_console(), transient=True)
    with progress:
        task = progress.add_task(label, total=None)
        yield lambda n=1: progress.advance(task, n)


def silence_stdout() -> None:
    """After a broken pipe (``fkit ... | head``), point stdout at /dev/null so exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
