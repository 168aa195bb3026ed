"""Low-level I/O helpers for acquisition: page-aligned buffers (for :func:`forensic_kit.hashing.pump`),
``O_DIRECT`` where the file system allows it, and ``syncfs``.

Why ``O_DIRECT`` for images: copying a large image through the page cache costs a page
allocation and a memory copy per 4 KiB page (expensive in a virtual machine) and leaves gigabytes
of dirty pages for the final ``fsync``. Written with ``O_DIRECT``, the bytes go from the aligned
buffer to the device; read back with ``O_DIRECT``, they really come from the device (no cached
page can answer for them). Every helper falls back to ordinary buffered I/O where the file system
refuses ``O_DIRECT`` (``EINVAL``), for example an older tmpfs.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os

ALIGN = 4096
"""Alignment of buffers, offsets and lengths for ``O_DIRECT`` (covers 512 and 4096-byte sectors)."""
O_DIRECT: int = getattr(os, "O_DIRECT", 0)


def aligned_buffer(size: int) -> mmap.mmap:
    """A zeroed, page-aligned, writable buffer of ``size`` bytes (anonymous memory map)."""
    return mmap.mmap(-1, max(size, ALIGN))


def open_for_read_back(path: os.PathLike[str] | str) -> tuple[int, bool]:
    """Open a synced copy to read it back from the device: ``O_DIRECT`` when allowed, otherwise
    buffered after evicting its (clean) cached pages. Returns (fd, direct)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    if O_DIRECT:
        try:
            return os.open(path, flags | O_DIRECT), True
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
    fd = os.open(path, flags)
    drop_cache(fd)
    return fd, False


def drop_cache(fd: int) -> None:
    """Evict the clean cached pages of a synced file so that a read goes to the device."""
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except (OSError, AttributeError):
        pass


def clear_direct(fd: int) -> None:
    """Switch an open descriptor from ``O_DIRECT`` to buffered I/O."""
    import fcntl

    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~O_DIRECT)


def preadv_full(fd: int, view: memoryview, offset: int) -> int:
    """Read into ``view`` at ``offset`` until it is full or the file ends; returns bytes read."""
    got = 0
    while got < len(view):
        n = os.preadv(fd, [view[got:]], offset + got)
        if not n:
            break
        got += n
    return got


_libc: ctypes.CDLL | None = None


def syncfs(path: os.PathLike[str] | str) -> None:
    """Flush the file system holding ``path`` (data and metadata) to stable storage.

    ``syncfs(2)`` waits for one file system instead of every disk of the machine (``sync``);
    ``os.sync()`` is the fallback where it is not available. A write error that the kernel
    reports for the file system (EIO, ENOSPC) is raised as :class:`OSError`.
    """
    global _libc
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        if _libc is None:
            # the C library is already loaded: no find_library("c"), which runs ldconfig -p
            _libc = ctypes.CDLL(None, use_errno=True)
        fn = getattr(_libc, "syncfs", None)
        if fn is None:
            os.sync()
        elif fn(fd) != 0:
            code = ctypes.get_errno()
            if code in (errno.ENOSYS, errno.EPERM):
                os.sync()
            else:
                raise OSError(code, os.strerror(code))
    finally:
        os.close(fd)
