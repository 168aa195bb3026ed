"""Live progress of a long job: counters shared with forked workers, read by whoever displays them.

The library never prints. A command that shows progress starts a :class:`Meter`; while it is
live, reading code calls :func:`add` (bytes read, items done) and :func:`current` (the item being
read). Both cost one global test when no meter is live, which is the case in a pipe, in CI and
with ``--quiet``: progress costs nothing where nobody looks.

The counters sit in an anonymous shared memory map made before any worker is forked, one slot
per process, so the bytes a worker reads inside a large file are seen as they are read. The
calling process has slot 0; a forked process (fkit's workers, a ``multiprocessing`` pool) claims
the next free slot, under a lock, the first time it counts anything. Each slot has a single
writer; the reader sums the slots.
"""

from __future__ import annotations

import mmap
import os
import stat
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_SLOTS = 64
_NAME = 238  # bytes of the current item's name kept (its end: the file name is what matters)
_SLOT = 8 + 8 + 8 + 2 + _NAME  # bytes, items, stamp, name length, name
_Q = struct.Struct("<Q")
_H = struct.Struct("<H")

_HEADER = 8  # the number of slots claimed so far
_map: mmap.mmap | None = None
_slot = 0
_pid = 0  # the process that owns _slot
_claim_lock: Any = None  # a multiprocessing lock, inherited by forked processes


def add(nbytes: int = 0, items: int = 0) -> None:
    """Count ``nbytes`` read and ``items`` finished by this process (no-op without a live meter)."""
    m = _map
    if m is None:
        return
    if os.getpid() != _pid:
        _claim()
    off = _HEADER + _slot * _SLOT
    if nbytes:
        _Q.pack_into(m, off, _Q.unpack_from(m, off)[0] + nbytes)
    if items:
        _Q.pack_into(m, off + 8, _Q.unpack_from(m, off + 8)[0] + items)


def current(name: bytes | str) -> None:
    """Say which item this process is reading now (no-op without a live meter)."""
    m = _map
    if m is None:
        return
    if os.getpid() != _pid:
        _claim()
    raw = os.fsencode(name) if isinstance(name, str) else name
    raw = raw[-_NAME:]
    off = _HEADER + _slot * _SLOT
    _H.pack_into(m, off + 24, len(raw))
    m[off + 26:off + 26 + len(raw)] = raw
    _Q.pack_into(m, off + 16, time.monotonic_ns())


def counting(readinto: Callable[[memoryview], int]) -> Callable[[memoryview], int]:
    """``readinto`` that also counts what it reads (itself when no meter is live)."""
    if _map is None:
        return readinto

    def read(buf: memoryview) -> int:
        n = readinto(buf)
        add(n)
        return n

    return read


def _claim() -> None:
    """In a forked process: take the next free slot (the parent's slot is never written twice)."""
    global _slot, _pid
    m = _map
    assert m is not None
    with _claim_lock:
        n = _Q.unpack_from(m, 0)[0] + 1
        _Q.pack_into(m, 0, n)
    _slot = 1 + (n - 1) % (_SLOTS - 1)
    _pid = os.getpid()


def live() -> bool:
    """True while a meter is live (code may skip work done only for the display)."""
    return _map is not None


@dataclass(frozen=True)
class Snapshot:
    """What a meter reads at one moment."""

    items: int
    bytes: int
    current: str
    elapsed: float
    total_items: int | None
    total_bytes: int | None


class Meter:
    """The counters of one job; :meth:`start` makes them live, :meth:`stop` ends them.

    Totals are set when they are known (``total_items``/``total_bytes``; a background scan may
    set them later): until then a display shows counts without a total, never a guess.
    """

    def __init__(self, total_items: int | None = None, total_bytes: int | None = None) -> None:
        self.total_items = total_items
        self.total_bytes = total_bytes
        self.started = time.monotonic()
        self._map: mmap.mmap | None = None
        self._lock = threading.Lock()

    def start(self) -> "Meter":
        """Make the shared counters live (before workers are forked)."""
        global _map, _slot, _pid, _claim_lock
        import multiprocessing

        _claim_lock = multiprocessing.get_context("fork").Lock()
        self._map = mmap.mmap(-1, _HEADER + _SLOTS * _SLOT)
        _map, _slot, _pid = self._map, 0, os.getpid()
        self.started = time.monotonic()
        return self

    def stop(self) -> None:
        """End the counters (reading code goes back to no-ops)."""
        global _map
        if _map is self._map:
            _map = None

    def elapsed(self) -> float:
        """Seconds since the meter started."""
        return time.monotonic() - self.started

    def snapshot(self) -> Snapshot:
        """The sums of every slot, and the most recently named current item."""
        m = self._map
        nbytes = items = 0
        name = b""
        stamp = -1
        if m is not None:
            for i in range(_SLOTS):
                off = _HEADER + i * _SLOT
                b, n, s = struct.unpack_from("<QQQ", m, off)
                nbytes += b
                items += n
                if s > stamp and s:
                    length = min(_H.unpack_from(m, off + 24)[0], _NAME)
                    name, stamp = bytes(m[off + 26:off + 26 + length]), s
        return Snapshot(items, nbytes, name.decode("utf-8", "backslashreplace"), self.elapsed(),
                        self.total_items, self.total_bytes)


def scan_totals(meter: Meter, roots: list[bytes]) -> threading.Thread:
    """Count the files and bytes under ``roots`` in a background thread (symbolic links are not
    followed, as the walks do not follow them) and set the meter's totals when the scan is done.

    The totals appear only once the whole tree is counted: a display never shows a partial total.
    """

    def run() -> None:
        files = size = 0
        stack = [(root, True) for root in roots]  # roots are followed when they are links (find -H)
        while stack:
            path, is_root = stack.pop()
            try:
                st = os.stat(path) if is_root else os.lstat(path)
            except OSError:
                files += 1  # the walk reports it as an error item
                continue
            if not stat.S_ISDIR(st.st_mode):
                files += 1
                size += st.st_size if stat.S_ISREG(st.st_mode) else 0
                continue
            try:
                with os.scandir(path) as it:
                    for entry in it:
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                stack.append((entry.path, False))
                                continue
                            files += 1
                            if entry.is_file(follow_symlinks=False):
                                size += entry.stat(follow_symlinks=False).st_size
                        except OSError:
                            files += 1
            except OSError:
                continue
        with meter._lock:
            meter.total_items, meter.total_bytes = files, size

    thread = threading.Thread(target=run, name="fkit-scan", daemon=True)
    thread.start()
    return thread

