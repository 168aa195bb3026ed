"""Opening evidence for reading without changing it: read-only, ``O_NOATIME`` where allowed.

A module of its own (standard library only) so that the hashing engine, acquisition and image
listing (``fkit fs ls``) share one rule without importing each other.
"""

from __future__ import annotations

import os

NOATIME = getattr(os, "O_NOATIME", 0)


def open_noatime(path: bytes | str, flags: int) -> int:
    """``os.open(path, flags)`` with ``O_NOATIME`` added where the kernel allows it.

    ``O_NOATIME`` is refused (EPERM) for files the caller does not own unless it is root; then
    the file is opened without it.
    """
    if NOATIME:
        try:
            return os.open(path, flags | NOATIME)
        except PermissionError:
            pass
    return os.open(path, flags)


def open_readonly(path: bytes | str, follow: bool = False, nonblock: bool = False) -> int:
    """Open a file for reading without changing it: read-only, close-on-exec, ``O_NOATIME`` when
    allowed, and not through a final symbolic link unless ``follow``. ``nonblock`` adds
    ``O_NONBLOCK`` (opening a FIFO then returns at once instead of waiting for a writer)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    if nonblock:
        flags |= getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    return open_noatime(path, flags)
