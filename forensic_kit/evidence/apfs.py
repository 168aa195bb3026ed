"""APFS (iPhones, Macs) through ``libfsapfs-python``: the file systems TSK reads only with a pool.

The container is read through the same :class:`~forensic_kit.evidence.disk.ImageSource` as every
other image (so E01, split and virtual disks work too), each volume walked depth first in the
order the volume lists its entries (the order ``fls -P apfs`` prints), and every entry formatted
as a body-file line exactly as ``fls -r -m / -P apfs -B <volume block>`` does.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Any, Iterator

from forensic_kit.errors import FormatError, InputError

NXSB = b"NXSB"
# TSK's letters for name and metadata types, by the S_IFMT of the mode
_TYPES = {stat.S_IFREG: ("r", 1), stat.S_IFDIR: ("d", 2), stat.S_IFLNK: ("l", 6), stat.S_IFIFO: ("p", 3),
          stat.S_IFCHR: ("c", 4), stat.S_IFBLK: ("b", 5), stat.S_IFSOCK: ("s", 8)}
_TYPE_NAMES = {1: "file", 2: "dir", 3: "fifo", 4: "char", 5: "block", 6: "link", 8: "socket"}
_CLEAN = bytes(0x5E if b < 0x20 else b for b in range(256))


def is_apfs(src: Any, offset: int = 0) -> bool:
    """The image holds an APFS container (``NXSB``) at byte ``offset``."""
    try:
        return bool(src.pread(offset + 32, 4) == NXSB)
    except OSError:
        return False


class _SourceFile:
    """A read-only file object over an image source, for ``pyfsapfs.container.open_file_object``."""

    def __init__(self, src: Any, offset: int) -> None:
        self._src = src
        self._base = offset
        self._pos: int = 0
        self._size: int = int(src.size) - offset

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        data: bytes = self._src.pread(self._base + self._pos, min(size, max(0, self._size - self._pos)))
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base: int = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return int(self._pos)

    def get_size(self) -> int:
        return int(self._size)


@dataclass
class ApfsEntry:
    """One file entry of an APFS volume (one ``fls`` line)."""

    path: bytes          # from the volume root, without leading slash
    entry: Any           # pyfsapfs.file_entry
    inode: int
    mode: int
    uid: int
    gid: int
    size: int
    times_ns: tuple[int, int, int, int]  # access, modification, inode change, creation
    link: bytes | None

    @property
    def type_letter(self) -> str:
        return _TYPES.get(stat.S_IFMT(self.mode), ("-", 0))[0]


class Apfs:
    """An opened APFS container and its volumes."""

    def __init__(self, src: Any, offset: int = 0) -> None:
        import pyfsapfs

        self.offset = offset
        self._file = _SourceFile(src, offset)
        self._container = pyfsapfs.container()
        try:
            self._container.open_file_object(self._file)
        except (OSError, IOError, RuntimeError) as exc:
            raise FormatError(f"APFS container at offset {offset} cannot be opened: {' '.join(str(exc).split())[:200]}") from exc
        self.volumes = [self._container.get_volume(i) for i in range(self._container.number_of_volumes)]

    def locked(self, volume: Any) -> bool:
        """An encrypted volume without its key: nothing can be listed."""
        return bool(volume.is_locked())

    def walk(self, volume: Any) -> Iterator[ApfsEntry]:
        """Every entry of a volume, depth first in the volume's order."""
        stack: list[tuple[bytes, Iterator[Any]]] = [(b"", iter(volume.get_root_directory().sub_file_entries))]
        while stack:
            prefix, entries = stack[-1]
            fe = next(entries, None)
            if fe is None:
                stack.pop()
                continue
            name = (fe.name or "").encode("utf-8", "surrogateescape")
            mode = int(fe.file_mode)
            link = fe.symbolic_link_target
            yield ApfsEntry(prefix + name, fe, int(fe.identifier), mode, int(fe.owner_identifier),
                            int(fe.group_identifier), int(fe.size or 0),
                            (_ns(fe.get_access_time_as_integer()), _ns(fe.get_modification_time_as_integer()),
                             _ns(fe.get_inode_change_time_as_integer()), _ns(fe.get_creation_time_as_integer())),
                            link.encode("utf-8", "surrogateescape") if link else None)
            if stat.S_ISDIR(mode):
                stack.append((prefix + name + b"/", iter(fe.sub_file_entries)))

    def close(self) -> None:
        """Close the container."""
        try:
            self._container.close()
        except (OSError, IOError, RuntimeError):
            pass


def _ns(value: Any) -> int:
    return int(value or 0)


def body_line(e: ApfsEntry) -> bytes:
    """The line ``fls -r -m / -P apfs`` prints for an entry."""
    from forensic_kit.evidence.disk import _mode_string

    letter, mtype = _TYPES.get(stat.S_IFMT(e.mode), ("-", 0))
    name = b"/" + e.path.translate(_CLEAN)
    if e.link is not None:
        name += b" -> " + e.link
    a, m, c, cr = (t // 1_000_000_000 for t in e.times_ns)
    return b"0|%s|%d|%s/%s|%d|%d|%d|%d|%d|%d|%d\n" % (
        name, e.inode, letter.encode(), _mode_string(mtype, e.mode & 0o7777).encode(), e.uid, e.gid, e.size,
        a, m, c, cr)


def entry_fields(e: ApfsEntry) -> dict[str, Any]:
    """The ``fs.entry`` record fields of an APFS entry (as :func:`disk.entry_fields` gives for TSK)."""
    from forensic_kit.evidence.disk import _mode_string
    from forensic_kit.timeutil import ns_to_iso

    letter, mtype = _TYPES.get(stat.S_IFMT(e.mode), ("-", 0))
    a, m, c, cr = e.times_ns
    return {"inode": e.inode, "name_type": letter, "type": _TYPE_NAMES.get(mtype), "allocated": True, "deleted": False,
            "meta_allocated": True, "size": e.size, "mode": _mode_string(mtype, e.mode & 0o7777), "uid": e.uid,
            "gid": e.gid, "times": {"modified": ns_to_iso(m) if m else None, "accessed": ns_to_iso(a) if a else None,
                                    "changed": ns_to_iso(c) if c else None, "born": ns_to_iso(cr) if cr else None}}


def find(apfs: Apfs, target: str) -> Any:
    """A file entry by identifier (digits) or path, in the first volume that has it."""
    for volume in apfs.volumes:
        if apfs.locked(volume):
            continue
        try:
            if target.isdigit():
                fe = volume.get_file_entry_by_identifier(int(target))
            else:
                fe = volume.get_file_entry_by_path(target if target.startswith("/") else "/" + target)
        except (OSError, IOError, RuntimeError):
            fe = None
        if fe is not None:
            return fe
    raise InputError(f"{target}: no such file in the APFS container")


def read(fe: Any, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The content of a file entry, chunk by chunk (read errors raise ``OSError``)."""
    size = int(fe.size or 0)
    off = 0
    while off < size:
        try:
            data = fe.read_buffer_at_offset(min(chunk, size - off), off)
        except (OSError, IOError, RuntimeError) as exc:
            raise OSError(5, f"APFS read error at offset {off}: {' '.join(str(exc).split())[:200]}") from exc
        if not data:
            raise OSError(5, f"APFS read error at offset {off}: the content ends before its size ({size} bytes)")
        yield data
        off += len(data)
