"""Bytes of a file that lives inside a disk image (``fs.entry`` records from ``fkit fs ls``).

Such a record's ``path`` is a path *inside* the image: opening it on the host would read some
other file (or nothing). The bytes are read through the image (raw, split raw, E01) and The
Sleuth Kit by ``inode``, at most ``limit`` bytes, into an anonymous in-memory file, so the
same parsers run on them. Opened images are kept per worker process.
"""

from __future__ import annotations

import os
from typing import Any

from forensic_kit.records import Record

_open: dict[tuple[str, int], Any] = {}


def is_image_entry(rec: Record) -> bool:
    """True for a record that names a file inside an image rather than on the host."""
    return rec.get("kind") == "fs.entry" and bool(rec.get("image")) and rec.get("inode") is not None


def read_entry(rec: Record, limit: int) -> tuple[int, int, int]:
    """(fd of an in-memory copy of the first ``limit`` bytes, bytes copied, full size).

    Raises :class:`OSError` or :class:`forensic_kit.errors.FkitError` when the image, the file
    system or the inode cannot be read.
    """
    from forensic_kit.evidence import disk

    key = (str(rec["image"]), int(rec.get("partition_offset") or 0))
    fsys = _open.get(key)
    if fsys is None:
        src = disk.open_source(key[0])
        fsys = disk.open_fs(disk.TskImg(src), key[1])
        _open[key] = fsys
    try:
        handle = fsys.fs.open_meta(inode=int(str(rec["inode"]).split("-")[0]))
        size = int(handle.info.meta.size)
        want = max(0, min(size, limit))
        data = handle.read_random(0, want) if want else b""
    except (OSError, IOError, RuntimeError) as exc:
        raise OSError(0, f"cannot read inode {rec['inode']} in {key[0]}: {exc}") from None
    fd = os.memfd_create("fkit-meta", getattr(os, "MFD_CLOEXEC", 0))
    os.write(fd, data)
    return fd, len(data), size
