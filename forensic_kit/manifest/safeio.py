"""Reading files of a package that may be hostile: never through a link, never a FIFO or device.

Every read ``lstat``s first, opens with ``O_NOFOLLOW | O_NONBLOCK`` and checks with ``fstat`` that
the file opened is the regular file that was looked at, so a swapped entry can neither make a
check hang nor read outside the package.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from forensic_kit.fileopen import open_readonly
from forensic_kit.manifest.payload import NOT_REGULAR, hash_path, kind_of

READ_LIMIT = 64 << 20
"""Tag files read whole (manifest, ledger) are refused past this size."""


def read_regular(path: Path, limit: int = READ_LIMIT) -> tuple[bytes | None, str | None]:
    """(bytes, None) of a regular file, or (None, why not): never follows a link, never opens a
    FIFO, socket or device (``lstat`` first, ``O_NOFOLLOW|O_NONBLOCK``, ``fstat`` check)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, "missing"
    except OSError as exc:
        return None, exc.strerror or str(exc)
    if not stat.S_ISREG(st.st_mode):
        return None, f"replaced by {kind_of(st.st_mode)}"
    if st.st_size > limit:
        return None, f"{st.st_size} bytes, larger than fkit reads for this file"
    try:
        fd = open_readonly(os.fsencode(path), nonblock=True)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode) or (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            return None, "replaced while being checked"
        chunks = []
        while True:
            block = os.read(fd, 1 << 20)
            if not block:
                break
            chunks.append(block)
            if sum(len(c) for c in chunks) > limit:
                return None, "grew past the size fkit reads for this file"
        return b"".join(chunks), None
    except OSError as exc:
        return None, exc.strerror or str(exc)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> tuple[str | None, str | None]:
    """(hex SHA-256, None) of a regular file, or (None, why not) without following or hanging."""
    digest, _size, err, errname = hash_path(os.fsencode(path))
    if digest is not None:
        return digest, None
    if errname == "ENOENT":
        return None, "missing"
    if errname == NOT_REGULAR and err:
        return None, "replaced by " + err[3:].split(", not")[0] if err.startswith("is ") else err
    return None, err or "unreadable"


def lines_of(path: Path) -> Iterator[bytes]:
    """Non-empty lines (without line ends) of a regular file, streamed; nothing for a special file."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        return
    try:
        fd = open_readonly(os.fsencode(path), nonblock=True)
    except OSError:
        return
    with os.fdopen(fd, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line


def prefix_sha256(path: Path, nbytes: int) -> str | None:
    """SHA-256 of the first ``nbytes`` bytes of a regular file (None: shorter, special or unreadable)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = open_readonly(os.fsencode(path), nonblock=True)
    except OSError:
        return None
    h = hashlib.sha256()
    left = nbytes
    try:
        while left > 0:
            block = os.read(fd, min(left, 1 << 20))
            if not block:
                return None
            h.update(block)
            left -= len(block)
    except OSError:
        return None
    finally:
        os.close(fd)
    return h.hexdigest()
