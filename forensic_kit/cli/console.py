"""Terminal handling for the CLI: stdout is data, stderr is for people.

Pretty output (colour, tables, progress bars) appears only when stderr is a terminal and
``NO_COLOR`` is not set; in a pipe, messages are plain one-liners.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Iterator

from forensic_kit.cli import progress_view
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
    """Write ``message`` as is when stderr is not a terminal (no rich, no styling); False otherwise.

    On a terminal, a progress display is cleared first (its next frame is drawn below).
    """
    if stderr_is_tty():
        progress_view.clear_for_message()
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
def byte_progress(label: str, total: int | None, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress display over bytes (see :mod:`forensic_kit.cli.progress_view`); the callback
    counts bytes done. Nothing is shown in a pipe, in CI or when ``quiet``."""
    from forensic_kit import progress

    with progress_view.job(label, quiet=quiet, total_bytes=total):
        yield lambda n: progress.add(n)


@contextmanager
def item_progress(label: str, quiet: bool = False, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A progress display counting items (records written, files read); the callback counts
    ``n`` items done. Bytes read by the library's readers show too. Nothing is shown in a pipe,
    in CI or when ``quiet``."""
    from forensic_kit import progress

    with progress_view.job(label, quiet=quiet, total_items=total):
        yield lambda n=1: progress.add(items=n)


def silence_stdout() -> None:
    """After a broken pipe (``fkit ... | head``), point stdout at /dev/null so exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
