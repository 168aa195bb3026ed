"""The progress display of long jobs on a terminal: two lines on stderr, redrawn 4 times a second.

Line 1: what is done, bar, items done/total, bytes done/total, throughput, ETA.
Line 2: the item being read now (its middle cut, never its end).

Shown only when stderr is a terminal, ``--quiet`` is not given and ``CI`` is not set; otherwise
:func:`job` yields a meter that is never started, so the library's counters stay no-ops. The
lines are plain text (no colour), cut to the terminal's width so that redrawing never wraps.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from forensic_kit import progress
from forensic_kit.progress import Meter, Snapshot

REFRESH_S = 0.25
"""Seconds between two frames (the issue asks for at least two a second)."""

_lock = threading.Lock()
_shown: "_View | None" = None


def enabled(quiet: bool = False) -> bool:
    """True when a progress display may be shown: a terminal on stderr, not quiet, not CI."""
    if quiet or os.environ.get("CI") or os.environ.get("FKIT_NO_PROGRESS"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def human_bytes(n: float) -> str:
    """``1.2 GB``: decimal units, as disks are sold and as rich and dd print them."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def duration(seconds: float) -> str:
    """``0:07``, ``1:02:03``."""
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def middle_cut(text: str, width: int) -> str:
    """``text`` cut in the middle with ``…`` to fit ``width`` (the start and the name stay)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    keep = width - 1
    head = keep // 3
    return text[:head] + "…" + text[len(text) - (keep - head):]


def frame(label: str, snap: Snapshot, speed: float, width: int) -> tuple[str, str]:
    """The two lines of one frame, each at most ``width - 1`` characters."""
    parts = []
    items = f"{snap.items:,}" + (f"/{snap.total_items:,}" if snap.total_items is not None else "") + " items"
    nbytes = human_bytes(snap.bytes) + (f"/{human_bytes(snap.total_bytes)}" if snap.total_bytes is not None else "")
    parts.append(items)
    counts_bytes = bool(snap.bytes or snap.total_bytes)  # a job that reads no counted bytes shows items only
    if counts_bytes:
        parts.append(nbytes)
        parts.append(f"{human_bytes(speed)}/s")
    elif snap.elapsed > 0:
        parts.append(f"{snap.items / snap.elapsed:,.0f} items/s")
    eta = None
    if snap.total_bytes and speed > 0 and snap.bytes <= snap.total_bytes:
        eta = (snap.total_bytes - snap.bytes) / speed
    elif not counts_bytes and snap.total_items and snap.items and snap.items <= snap.total_items:
        eta = (snap.total_items - snap.items) * snap.elapsed / snap.items
    if eta is not None:
        parts.append(f"ETA {duration(eta)}")
    parts.append(duration(snap.elapsed))
    if not snap.items and not counts_bytes and snap.total_items is None:
        parts = [f"working  {duration(snap.elapsed)}"]
    tail = "  ".join(parts)
    fraction = None
    if snap.total_bytes:
        fraction = min(1.0, snap.bytes / snap.total_bytes)
    elif snap.total_items:
        fraction = min(1.0, snap.items / snap.total_items)
    room = width - 1 - len(label) - len(tail) - 4
    if fraction is not None and room >= 12:
        bar_w = min(40, room - 5)
        full = int(fraction * bar_w)
        line1 = f"{label} {'█' * full}{'░' * (bar_w - full)} {fraction * 100:3.0f}%  {tail}"
    else:
        line1 = f"{label}  {tail}"
    line1 = line1[:width - 1]
    line2 = "  " + middle_cut(snap.current, max(0, width - 3)) if snap.current else ""
    return line1, line2[:width - 1]


class _View:
    """The thread that redraws the two lines until stopped."""

    def __init__(self, label: str, meter: Meter) -> None:
        self.label = label
        self.meter = meter
        self.drawn = False
        self.stop_event = threading.Event()
        self.window: deque[tuple[float, int]] = deque(maxlen=12)  # (elapsed, bytes): ~3 s of frames
        self.thread = threading.Thread(target=self._run, name="fkit-progress", daemon=True)

    def _width(self) -> int:
        try:
            return os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return 80

    def _speed(self, snap: Snapshot) -> float:
        self.window.append((snap.elapsed, snap.bytes))
        t0, b0 = self.window[0]
        if snap.elapsed - t0 > 0.2:
            return (snap.bytes - b0) / (snap.elapsed - t0)
        return snap.bytes / snap.elapsed if snap.elapsed > 0 else 0.0

    def draw(self, final: bool = False) -> None:
        """Draw one frame over the previous one."""
        snap = self.meter.snapshot()
        speed = snap.bytes / snap.elapsed if final and snap.elapsed > 0 else self._speed(snap)
        line1, line2 = frame(self.label, snap, speed, self._width())
        up = "\x1b[1A\r" if self.drawn else "\r"
        self._write(f"{up}{line1}\x1b[K\n{line2}\x1b[K")
        self.drawn = True

    def clear(self) -> None:
        """Remove the two lines (before another message is written, and at the end)."""
        if self.drawn:
            self._write("\r\x1b[K\x1b[1A\r\x1b[K")
            self.drawn = False

    @staticmethod
    def _write(text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    def _run(self) -> None:
        while not self.stop_event.wait(REFRESH_S):
            with _lock:
                self.draw()


def clear_for_message() -> None:
    """Called before a message is written to stderr: the next frame redraws below it."""
    view = _shown
    if view is not None:
        with _lock:
            view.clear()


@contextmanager
def job(label: str, *, quiet: bool = False, total_items: int | None = None, total_bytes: int | None = None,
        scan: list[bytes] | None = None) -> Iterator[Meter]:
    """A meter for one long job, displayed while the block runs when :func:`enabled`.

    ``scan``: roots whose files and bytes are counted in the background to give the totals.
    The last frame (totals reached) is drawn before the lines are cleared.
    """
    global _shown
    meter = Meter(total_items, total_bytes)
    if not enabled(quiet):
        yield meter
        return
    meter.start()
    if scan:
        progress.scan_totals(meter, scan)
    view = _View(label, meter)
    with _lock:
        view.draw()
        _shown = view
    view.thread.start()
    try:
        yield meter
    finally:
        view.stop_event.set()
        view.thread.join()
        with _lock:
            view.draw(final=True)
            view.clear()
            _shown = None
        meter.stop()


def summary(meter: Meter, nbytes: int | None = None) -> str:
    """``in 3.2 s (425.0 MB/s)``: the end of a long job's summary line."""
    seconds = meter.elapsed()
    text = f"in {seconds:.1f} s"
    if nbytes is not None and seconds > 0:
        text += f" ({human_bytes(nbytes / seconds)}/s)"
    return text


def shows_progress(label: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a command so that it runs inside :func:`job` (its ``quiet`` option, if it has one,
    is honoured): the elapsed time and whatever the library counts show on a terminal."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            with job(label, quiet=bool(kwargs.get("quiet", False))):
                fn(*args, **kwargs)

        return run

    return decorate
