"""Disk images through The Sleuth Kit: the only module that imports pytsk3 and pyewf.

One file-like interface (:class:`ImageSource`: ``pread``, ``size``) covers raw, split raw and
E01/Ex01 images; :class:`TskImg` feeds it to pytsk3. :func:`walk` lists every file system entry
the way ``fls -r`` does (same order, same loop protection), and :func:`bodyfile_lines` formats
an entry exactly as ``fls -m / -p`` (TSK 3.x body file) does.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from json.encoder import encode_basestring as encode_json_string  # json.dumps's, with ensure_ascii=False
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

import pytsk3

from forensic_kit.errors import FormatError, InputError
from forensic_kit.evidence.ewf import EwfSource
from forensic_kit.evidence.images import RawSource, is_ewf
from forensic_kit.names import to_text
from forensic_kit.timeutil import ns_to_iso, seconds_to_iso

# TSK enums (tsk_fs.h) and their one-letter names (tsk_fs_name_type_str / tsk_fs_meta_type_str).
NAME_TYPE_STR = ["-", "p", "c", "d", "b", "r", "l", "s", "h", "w", "v", "V"]
META_TYPE_STR = ["-", "r", "d", "p", "c", "b", "l", "h", "s", "w", "v", "V"]
META_TYPE_NAMES = ["undef", "file", "dir", "fifo", "char", "block", "link", "shadow", "socket",
                   "whiteout", "virtual", "virtual_dir"]
NAME_FLAG_ALLOC = 1
NAME_FLAG_UNALLOC = 2
META_FLAG_ALLOC = 1
META_TYPE_DIR = 2
META_TYPE_LNK = 6
META_TYPE_VIRT_DIR = 11
NAME_TYPE_DIR = 3
NAME_TYPE_UNDEF = 0
NAME_TYPE_VIRT_DIR = 11
ATTR_NTFS_FNAME = 48
ATTR_NTFS_DATA = 128
ATTR_NTFS_IDXROOT = 144
MAX_DEPTH = 128
LOCAL_TIME_FS = ("fat12", "fat16", "fat32", "exfat", "fat")


class ImageSource(Protocol):
    """A read-only image: ``size`` bytes, random access with ``pread``."""

    path: Path
    size: int
    kind: str
    segments: list[Path]

    def pread(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "with error: " in text:  # pytsk3 wraps TSK's reason in its own prefix
        text = text.rsplit("with error: ", 1)[1]
    return text[:200]


def open_source(path: Path | str) -> ImageSource:
    """Open a raw, split raw, E01 or Ex01 image (or block device) read-only."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such image")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an image")
    if is_ewf(path) or path.suffix.lower() in (".e01", ".ex01", ".s01"):
        if not is_ewf(path):
            raise FormatError(f"{path}: not an EWF (E01) image: bad signature")
        return EwfSource(path)
    if path.is_file():
        from forensic_kit.evidence.virtual import VirtualSource, virtual_kind

        kind = virtual_kind(path)
        if kind is not None:
            return VirtualSource(path, kind)
    return RawSource(path)


class TskImg(pytsk3.Img_Info):  # type: ignore[misc]
    """Feeds any :class:`ImageSource` to pytsk3."""

    def __init__(self, source: ImageSource) -> None:
        self._source = source
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def close(self) -> None:
        """Nothing to do; the source is closed by its owner."""

    def read(self, offset: int, size: int) -> bytes:
        """pytsk3 callback: read ``size`` bytes at ``offset``."""
        return self._source.pread(offset, size)

    def get_size(self) -> int:
        """pytsk3 callback: image size."""
        return self._source.size


@dataclass
class Partition:
    """One row of the partition table, as ``mmls`` prints it."""

    slot: int
    start: int
    length: int
    description: str
    allocated: bool
    meta: bool
    table_offset: int = 0

    @property
    def end(self) -> int:
        """Last sector."""
        return self.start + self.length - 1


@dataclass
class Volumes:
    """The partition table of an image (``None`` type when there is none)."""

    vstype: str | None
    block_size: int
    partitions: list[Partition] = field(default_factory=list)


def volumes(img: TskImg) -> Volumes:
    """Read the partition table; an image without one gives ``vstype=None``."""
    try:
        vol = pytsk3.Volume_Info(img)
    except (OSError, IOError, RuntimeError):
        return Volumes(None, 512)
    vstype = str(vol.info.vstype).replace("TSK_VS_TYPE_", "").lower()
    out = Volumes(vstype, int(vol.info.block_size))
    for part in vol:
        flags = int(part.flags)
        desc = part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else str(part.desc)
        out.partitions.append(Partition(int(part.addr), int(part.start), int(part.len), desc,
                                        bool(flags & 1), bool(flags & 4)))
    return out


@dataclass
class FileSystem:
    """An opened file system at a byte offset in the image."""

    fs: Any
    offset: int
    ftype: str
    block_size: int
    truncated: str | None = None
    problems: list[str] = field(default_factory=list)
    """Damage found while opening or walking it (a truncated image, a directory TSK could not
    read): each one an error record, and the listing or extraction is not complete."""


_FS_NAMES: dict[int, str] = {}
for _n in dir(pytsk3):
    if _n.startswith("TSK_FS_TYPE_") and not _n.endswith(("_DETECT", "_ENUM")) and _n != "TSK_FS_TYPE_UNSUPP":
        try:
            _FS_NAMES[int(getattr(pytsk3, _n))] = _n[len("TSK_FS_TYPE_"):].lower()
        except (TypeError, ValueError):
            pass


def fs_type_name(fs: Any) -> str:
    """TSK's file system type as a short lower-case name (``ext4``, ``ntfs``, ``fat32``...)."""
    code = int(fs.info.ftype)
    return _FS_NAMES.get(code, f"tsk-{code}")


FS_TYPES: tuple[str, ...] = tuple(sorted(n for n in _FS_NAMES.values() if n not in ("logical",)))
"""File system types ``--fstype`` accepts (TSK's names, as ``fls -f`` takes them)."""


def fs_type_code(name: str) -> int:
    """TSK's code for a file system type name (``ext4``, ``ntfs``, ``fat``...); ``UsageError`` if unknown."""
    from forensic_kit.errors import UsageError

    key = name.strip().lower()
    for code, known in _FS_NAMES.items():
        if known == key:
            return code
    detect = getattr(pytsk3, f"TSK_FS_TYPE_{key.upper()}_DETECT", None)  # families: fat, ext, hfs, ffs
    if detect is not None:
        return int(detect)
    raise UsageError(f"unknown file system type {name!r}; known: {', '.join(FS_TYPES)}")


def open_fs(img: TskImg, offset: int, fstype: str | None = None) -> FileSystem:
    """Open the file system at byte ``offset`` (``FormatError`` when TSK recognises none).

    ``fstype`` forces the type (like ``fls -f``) where TSK's detection fails or is ambiguous.
    """
    try:
        if fstype:
            fs = pytsk3.FS_Info(img, offset, fs_type_code(fstype))
        else:
            fs = pytsk3.FS_Info(img, offset=offset)
    except (OSError, IOError, RuntimeError) as exc:
        forced = f" as {fstype}" if fstype else ""
        raise FormatError(f"no file system TSK can read{forced} at offset {offset}: {_short(exc)}") from exc
    fsys = FileSystem(fs, offset, fs_type_name(fs), int(fs.info.block_size))
    info = fs.info
    try:
        last, last_act = int(info.last_block), int(info.last_block_act)
    except (AttributeError, TypeError, ValueError):
        last = last_act = 0
    if last_act < last:
        # A fact about the image, said (warning and record field), but not by itself a failed
        # item: what the missing blocks held shows up as read errors of the files that used them.
        fsys.truncated = (f"image is shorter than the file system: the {fsys.ftype} file system at offset "
                          f"{offset} has blocks 0-{last} but the image ends in block {last_act}")
    return fsys


def filesystems(img: TskImg, vols: Volumes, fstype: str | None = None) -> tuple[list[FileSystem], list[str]]:
    """Every file system in the image: each allocated partition, or the whole image."""
    found: list[FileSystem] = []
    problems: list[str] = []
    if vols.vstype is None:
        found.append(open_fs(img, 0, fstype))
        return found, problems
    for part in vols.partitions:
        if not part.allocated or part.meta:
            continue
        try:
            found.append(open_fs(img, part.start * vols.block_size, fstype))
        except FormatError as exc:
            problems.append(f"partition {part.slot} at sector {part.start} ({part.description}): {exc.message}")
    return found, problems


@dataclass(slots=True)
class Entry:
    """One directory entry found by the walk (one line of ``fls``)."""

    parent: bytes       # path of the parent folder, with a trailing "/" ("" at the root)
    file: Any           # pytsk3.File
    name: bytes
    meta_addr: int
    name_type: int
    name_flags: int
    meta: Any           # TSK meta or None

    @property
    def path(self) -> bytes:
        """Full path from the file system root, without leading slash."""
        return self.parent + self.name

    @property
    def deleted(self) -> bool:
        """The name is unallocated (what fls shows as ``(deleted)``)."""
        return bool(self.name_flags & NAME_FLAG_UNALLOC)

    @property
    def is_dir(self) -> bool:
        """The metadata says directory."""
        return self.meta is not None and int(self.meta.type) in (META_TYPE_DIR, META_TYPE_VIRT_DIR)


def _is_dot(name: bytes) -> bool:
    return name in (b".", b"..")


def walk(fsys: FileSystem) -> Iterator[Entry]:
    """Every entry, depth first in directory order, exactly as ``tsk_fs_dir_walk`` (``fls -r``)."""
    fs = fsys.fs
    root = int(fs.info.root_inum)
    stack: list[int] = [root]
    yield from _walk_dir(fs, root, b"", stack, 0, fsys.problems)


def _walk_dir(fs: Any, inode: int, prefix: bytes, stack: list[int], depth: int,
              problems: list[str]) -> Iterator[Entry]:
    try:
        directory = fs.open_dir(inode=inode)
        yield from _walk_entries(fs, directory, prefix, stack, depth, problems)
    except (OSError, IOError, RuntimeError) as exc:
        shown = "/" + prefix.decode("utf-8", "backslashreplace")
        problems.append(f"directory {shown} (inode {inode}) could not be read: {_short(exc)}")


def _walk_entries(fs: Any, directory: Any, prefix: bytes, stack: list[int], depth: int,
                  problems: list[str]) -> Iterator[Entry]:
    for f in directory:
        # Every attribute read crosses into pytsk3 and builds a new object: read each one once.
        info = f.info
        name = info.name
        if name is None:
            continue
        raw = name.name
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8", "surrogateescape")
        meta = info.meta
        name_type = int(name.type)
        name_flags = int(name.flags)
        meta_addr = int(name.meta_addr)
        if meta is None and meta_addr and name_flags & NAME_FLAG_UNALLOC:
            # A deleted name whose metadata TSK (4.12+, inside pytsk3) no longer attaches, e.g. an
            # NTFS MFT entry whose sequence number moved on when it was freed. fls 4.11 shows what
            # the entry still holds (size, times, mode, attributes): open it by address, as fls did.
            try:
                f = fs.open_meta(inode=meta_addr)
                meta = f.info.meta
            except (OSError, IOError, RuntimeError):
                meta = None
        yield Entry(prefix, f, raw, meta_addr, name_type, name_flags, meta)
        if (
            name_type in _DIR_NAME_TYPES
            and meta is not None
            and int(meta.type) in _DIR_META_TYPES
            and ((name_flags & NAME_FLAG_ALLOC)
                 or ((name_flags & NAME_FLAG_UNALLOC) and not (int(meta.flags) & META_FLAG_ALLOC)))
            and not _is_dot(raw)
            and meta_addr not in stack
            and depth < MAX_DEPTH
        ):
            stack.append(meta_addr)
            yield from _walk_dir(fs, meta_addr, prefix + raw + b"/", stack, depth + 1, problems)
            stack.pop()


_DIR_NAME_TYPES = frozenset((NAME_TYPE_DIR, NAME_TYPE_VIRT_DIR, NAME_TYPE_UNDEF))
_DIR_META_TYPES = frozenset((META_TYPE_DIR, META_TYPE_VIRT_DIR))


# ---------------------------------------------------------------------------- body file
_CLEAN_TABLE = bytes(0x5E if b < 0x20 else b for b in range(256))


def _clean(raw: bytes) -> bytes:
    """TSK replaces control characters (< 0x20) in names with ``^``."""
    return raw.translate(_CLEAN_TABLE)


_MODE_BITS = ((0o400, 1, "r"), (0o200, 2, "w"), (0o100, 3, "x"), (0o40, 4, "r"), (0o20, 5, "w"),
              (0o10, 6, "x"), (0o4, 7, "r"), (0o2, 8, "w"), (0o1, 9, "x"))
_MODE_CACHE: dict[tuple[int, int], str] = {}


def _mode_string(mtype: int, mode: int) -> str:
    """``tsk_fs_meta_make_ls`` for a meta type and mode (few distinct pairs: cached)."""
    key = (mtype, mode)
    text = _MODE_CACHE.get(key)
    if text is not None:
        return text
    ls = [META_TYPE_STR[mtype] if 0 <= mtype < len(META_TYPE_STR) else "-"] + ["-"] * 9
    for bit, idx, ch in _MODE_BITS:
        if mode & bit:
            ls[idx] = ch
    if mode & 0o4000:
        ls[3] = "S" if ls[3] == "-" else "s"
    if mode & 0o2000:
        ls[6] = "S" if ls[6] == "-" else "s"
    if mode & 0o1000:
        ls[9] = "T" if ls[9] == "-" else "t"
    text = "".join(ls)
    if len(_MODE_CACHE) < 4096:
        _MODE_CACHE[key] = text
    return text


def make_ls(meta: Any) -> str:
    """``tsk_fs_meta_make_ls``: ``rrwxr-xr-x`` style mode string."""
    return _mode_string(int(meta.type), int(meta.mode))


def _attrs(entry: Entry) -> list[Any]:
    try:
        return [a for a in entry.file]
    except (OSError, IOError, RuntimeError):
        return []


def _fname_times(entry: Entry, attr: Any) -> tuple[int, int, int, int]:
    """(atime, mtime, ctime, crtime) in Unix seconds from a resident $FILE_NAME attribute."""
    try:
        data = entry.file.read_random(0, int(attr.info.size), ATTR_NTFS_FNAME, int(attr.info.id))
    except (OSError, IOError, RuntimeError):
        return (0, 0, 0, 0)
    if len(data) < 40:
        return (0, 0, 0, 0)

    def ft(off: int) -> int:
        value = int.from_bytes(data[off:off + 8], "little")
        if value == 0:
            return 0
        return value // 10_000_000 - 11_644_473_600

    return (ft(32), ft(16), ft(24), ft(8))


def _fname_attr(attrs: list[Any]) -> Any:
    """The $FILE_NAME attribute TSK takes the fn_* times from (the last one it processed)."""
    chosen = None
    for a in attrs:
        if int(a.info.type) == ATTR_NTFS_FNAME:
            chosen = a
    return chosen


def bodyfile_lines(entry: Entry, ftype: str, prefix: bytes = b"/") -> list[bytes]:
    """The body-file line(s) ``fls -r -m / -p`` prints for ``entry`` (none for ``.``/``..``)."""
    meta = entry.meta
    if meta is None or not ftype.startswith("ntfs"):
        # One line per name; only NTFS has per-attribute lines ($DATA streams, $FILE_NAME).
        if entry.name in (b".", b".."):
            return []
        return [_plain_body_line(entry, prefix)]
    lines: list[bytes] = []
    printed = False
    dot = _is_dot(entry.name)
    attrs = _attrs(entry)
    fname = _fname_attr(attrs)
    for attr in attrs:
        atype = int(attr.info.type)
        if atype == ATTR_NTFS_DATA:
            printed = True
            if int(meta.type) == META_TYPE_DIR and dot:
                continue
            lines.append(_body_line(entry, attr, prefix))
        elif atype == ATTR_NTFS_IDXROOT:
            printed = True
            if not dot:
                lines.append(_body_line(entry, attr, prefix))
        elif atype == ATTR_NTFS_FNAME and fname is not None and int(attr.info.id) == int(fname.info.id):
            if not dot:
                lines.append(_body_line(entry, attr, prefix))
    if not printed and not dot:
        lines.append(_plain_body_line(entry, prefix))
    return lines


_NAME_TYPE_BYTES = [t.encode() for t in NAME_TYPE_STR]


def _link_target(meta: Any) -> bytes:
    """`` -> target`` for a symbolic link with a known target (not cleaned, as fls prints it)."""
    link = meta.link
    if not link:
        return b""
    return b" -> " + (link if isinstance(link, bytes) else str(link).encode("utf-8", "surrogateescape"))


def _deleted_mark(entry: Entry, meta: Any) -> bytes:
    if not entry.name_flags & NAME_FLAG_UNALLOC:
        return b""
    realloc = meta is not None and (int(meta.flags) & META_FLAG_ALLOC)
    return b" (deleted-realloc)" if realloc else b" (deleted)"


_MODE_BYTES: dict[tuple[int, int], bytes] = {}


_PARENT_CLEAN: list[bytes] = [b"", b""]  # the last parent and its cleaned form (entries come by folder)


def body_writer(ftype: str) -> Any:
    """The per-entry body-file function for a file system type: :func:`bodyfile_lines` for
    NTFS, a one-line fast path for every other (the listing's per-entry cost)."""
    if ftype.startswith("ntfs"):
        return lambda entry: bodyfile_lines(entry, ftype)

    clean = _CLEAN_TABLE
    modes = _MODE_BYTES
    ntypes = _NAME_TYPE_BYTES
    unalloc = NAME_FLAG_UNALLOC
    last = [b"\x00", b""]  # the last parent and its cleaned form (entries come folder by folder)

    def plain(entry: Entry) -> list[bytes]:
        # _plain_body_line inlined for the common case (an allocated entry with metadata, not a
        # link): the per-entry cost of a listing
        meta = entry.meta
        name = entry.name
        if meta is None or entry.name_flags & unalloc or name == b"." or name == b"..":
            return [] if name in (b".", b"..") else [_plain_body_line(entry, b"/")]
        mtype = meta.type
        if mtype == META_TYPE_LNK:
            return [_plain_body_line(entry, b"/")]
        mode = modes.get((mtype, meta.mode))
        if mode is None:
            return [_plain_body_line(entry, b"/")]  # fills the cache
        parent = entry.parent
        if parent is not last[0]:
            last[0], last[1] = parent, b"/" + parent.translate(clean)
        ntype = entry.name_type
        return [b"0|%s%s|%d|%s/%s|%d|%d|%d|%d|%d|%d|%d\n" % (
            last[1], name.translate(clean), entry.meta_addr, ntypes[ntype] if 0 <= ntype < 12 else b"-", mode,
            meta.uid, meta.gid, meta.size, meta.atime, meta.mtime, meta.ctime, meta.crtime)]

    return plain


_DOTS = frozenset((b".", b".."))


class _EmitFailed(BaseException):
    """Carries an error raised by the caller's ``emit`` out through the walk's own handlers (a
    broken pipe is an ``OSError`` too, and must not pass for an unreadable directory)."""


def write_body(fsys: FileSystem, emit: Callable[[bytes, int], object], batch: int = 8192) -> int:
    """The body file of a file system other than NTFS, straight from the walk: the same lines,
    in the same order, as :func:`walk` and :func:`body_writer` give, without building an
    :class:`Entry` or a generator frame per entry (the listing's per-entry cost). ``emit(data,
    entries)`` gets the lines of every ``batch`` entries. Returns the number of entries walked
    (``.`` and ``..`` included, as :func:`walk` counts them); read problems go to
    ``fsys.problems`` as with :func:`walk`."""
    if fsys.ftype.startswith("ntfs"):
        raise ValueError("write_body: NTFS entries have one line per attribute (use body_writer)")
    fs = fsys.fs
    problems = fsys.problems
    clean = _CLEAN_TABLE
    modes = _MODE_BYTES
    ntypes = _NAME_TYPE_BYTES
    unalloc, alloc, meta_alloc, lnk = NAME_FLAG_UNALLOC, NAME_FLAG_ALLOC, META_FLAG_ALLOC, META_TYPE_LNK
    dir_names, dir_metas = _DIR_NAME_TYPES, _DIR_META_TYPES
    dots = _DOTS
    buf: list[bytes] = []
    append = buf.append
    stack: list[int] = []
    total = [0]  # entries walked (each folder adds its own when it is done)

    def flush() -> None:
        try:
            emit(b"".join(buf), len(buf))
        except BaseException as exc:  # noqa: BLE001 - unwrapped below
            raise _EmitFailed() from exc
        buf.clear()

    def walk_dir(inode: int, prefix: bytes, depth: int) -> None:
        shown = b"/" + prefix.translate(clean)
        n = 0
        try:
            directory = fs.open_dir(inode=inode)
            for f in directory:
                info = f.info
                name = info.name
                if name is None:
                    continue
                raw = name.name
                if not isinstance(raw, bytes):
                    raw = str(raw).encode("utf-8", "surrogateescape")
                meta = info.meta
                ntype = name.type  # ints in pytsk3 (no int() in this loop: tested in test_fs_ls)
                nflags = name.flags
                addr = name.meta_addr
                if meta is None and addr and nflags & unalloc:
                    try:  # as _walk_entries: a deleted name whose metadata TSK no longer attaches
                        f = fs.open_meta(inode=addr)
                        meta = f.info.meta
                    except (OSError, IOError, RuntimeError):
                        meta = None
                n += 1
                if raw in dots:
                    pass
                elif (meta is not None and not nflags & unalloc and (mtype := meta.type) != lnk
                      and (mode := modes.get((mtype, meta.mode))) is not None):
                    append(b"0|%s%s|%d|%s/%s|%d|%d|%d|%d|%d|%d|%d\n" % (
                        shown, raw.translate(clean), addr, ntypes[ntype] if 0 <= ntype < 12 else b"-", mode,
                        meta.uid, meta.gid, meta.size, meta.atime, meta.mtime, meta.ctime, meta.crtime))
                else:
                    append(_plain_body_line(Entry(prefix, f, raw, addr, ntype, nflags, meta), b"/"))
                if len(buf) >= batch:
                    flush()
                if (
                    ntype in dir_names
                    and meta is not None
                    and int(meta.type) in dir_metas
                    and ((nflags & alloc) or ((nflags & unalloc) and not (int(meta.flags) & meta_alloc)))
                    and raw not in dots
                    and addr not in stack
                    and depth < MAX_DEPTH
                ):
                    stack.append(addr)
                    walk_dir(addr, prefix + raw + b"/", depth + 1)
                    stack.pop()
        except (OSError, IOError, RuntimeError) as exc:
            at = "/" + prefix.decode("utf-8", "backslashreplace")
            problems.append(f"directory {at} (inode {inode}) could not be read: {_short(exc)}")
        finally:
            total[0] += n

    root = int(fs.info.root_inum)
    stack.append(root)
    try:
        try:
            walk_dir(root, b"", 0)
        finally:  # what was listed before an error still goes out
            if buf:
                flush()
    except _EmitFailed as exc:
        raise exc.__cause__ from None  # type: ignore[misc]
    return total[0]


def _plain_body_line(entry: Entry, prefix: bytes) -> bytes:
    """The body-file line of an entry without an attribute (every file system but NTFS streams)."""
    meta = entry.meta
    ntype = entry.name_type
    ntype_b = _NAME_TYPE_BYTES[ntype] if 0 <= ntype < len(_NAME_TYPE_BYTES) else b"-"
    parent = entry.parent
    if parent is not _PARENT_CLEAN[0]:
        _PARENT_CLEAN[0], _PARENT_CLEAN[1] = parent, parent.translate(_CLEAN_TABLE)
    name = prefix + _PARENT_CLEAN[1] + entry.name.translate(_CLEAN_TABLE)
    if meta is None:
        return b"0|%s%s|%d|%s/----------|0|0|0|0|0|0|0\n" % (
            name, _deleted_mark(entry, None), entry.meta_addr, ntype_b)
    mtype = int(meta.type)
    if mtype == META_TYPE_LNK:
        name += _link_target(meta)
    if entry.name_flags & NAME_FLAG_UNALLOC:
        name += _deleted_mark(entry, meta)
    key = (mtype, int(meta.mode))
    mode = _MODE_BYTES.get(key)
    if mode is None:
        mode = _mode_string(*key).encode()
        if len(_MODE_BYTES) < 4096:
            _MODE_BYTES[key] = mode
    # FAT/exFAT: TSK 4.15 (pytsk3) adds the whole second of the 10 ms field (0-199) when it is
    # 100 or more; fls 4.11 only when it is over 100 (`timetens > 100` in dos2unixtime), so for
    # exactly 100 (1.00 s) fls prints one second less. fkit prints the right value (see
    # tests/fs/test_fls_oracles.py: the difference is pinned there as an fls 4.11 bug).
    return b"0|%s|%d|%s/%s|%d|%d|%d|%d|%d|%d|%d\n" % (
        name, entry.meta_addr, ntype_b, mode, meta.uid, meta.gid, meta.size,
        meta.atime, meta.mtime, meta.ctime, meta.crtime)


def _body_line(entry: Entry, attr: Any, prefix: bytes) -> bytes:
    """The body-file line of one NTFS attribute of an entry (``$DATA``, ``$I30``, ``$FILE_NAME``)."""
    meta = entry.meta
    mtype = int(meta.type)
    out = bytearray(b"0|")
    out += prefix + _clean(entry.parent) + _clean(entry.name)
    info = attr.info
    atype = int(info.type)
    aname = info.name
    if isinstance(aname, str):
        aname = aname.encode("utf-8", "surrogateescape")
    if aname and not (atype == ATTR_NTFS_IDXROOT and aname == b"$I30"):
        out += b":" + _clean(aname)
    if mtype == META_TYPE_LNK:
        out += _link_target(meta)
    if atype == ATTR_NTFS_FNAME:
        out += b" ($FILE_NAME)"
    out += _deleted_mark(entry, meta)
    ntype = entry.name_type
    out += b"|%d-%d-%d|%s/%s|%d|%d|%d|" % (
        entry.meta_addr, atype, int(info.id), _NAME_TYPE_BYTES[ntype] if 0 <= ntype < len(_NAME_TYPE_BYTES) else b"-",
        _mode_string(mtype, int(meta.mode)).encode(), int(meta.uid), int(meta.gid), int(info.size))
    if atype == ATTR_NTFS_FNAME:
        out += b"%d|%d|%d|%d" % _fname_times(entry, attr)
    else:
        out += b"%d|%d|%d|%d" % (int(meta.atime), int(meta.mtime), int(meta.ctime), int(meta.crtime))
    out += b"\n"
    return bytes(out)


# ---------------------------------------------------------------------------- records
def _time(seconds: int, nano: int) -> str | None:
    if not seconds and not nano:
        return None
    if nano:
        return ns_to_iso(seconds * 1_000_000_000 + nano)
    return seconds_to_iso(seconds)


def entry_times(meta: Any) -> dict[str, str | None]:
    """MACB times of an entry: ISO 8601 UTC, sub-second where the file system has it, else null."""
    if meta is None:
        return {"modified": None, "accessed": None, "changed": None, "born": None}
    return {
        "modified": _time(int(meta.mtime), int(meta.mtime_nano)),
        "accessed": _time(int(meta.atime), int(meta.atime_nano)),
        "changed": _time(int(meta.ctime), int(meta.ctime_nano)),
        "born": _time(int(meta.crtime), int(meta.crtime_nano)),
    }


def assumed_zone(ftype: str) -> str | None:
    """For file systems that store local time (FAT, exFAT): the zone TSK assumed (process TZ)."""
    if not any(ftype.startswith(p) for p in LOCAL_TIME_FS):
        return None
    tz = os.environ.get("TZ")
    if tz:
        return tz.lstrip(":")
    return time.tzname[0] or "UTC"


def entry_fields(entry: Entry) -> dict[str, Any]:
    """The record fields that describe one entry."""
    meta = entry.meta
    mtype = int(meta.type) if meta is not None else 0
    return {
        "inode": entry.meta_addr,
        "name_type": NAME_TYPE_STR[entry.name_type] if entry.name_type < len(NAME_TYPE_STR) else "-",
        "type": META_TYPE_NAMES[mtype] if meta is not None and mtype < len(META_TYPE_NAMES) else None,
        "allocated": bool(entry.name_flags & NAME_FLAG_ALLOC),
        "deleted": entry.deleted,
        "meta_allocated": (bool(int(meta.flags) & META_FLAG_ALLOC) if meta is not None else None),
        "size": int(meta.size) if meta is not None else None,
        "mode": make_ls(meta) if meta is not None else None,
        "uid": int(meta.uid) if meta is not None else None,
        "gid": int(meta.gid) if meta is not None else None,
        "times": entry_times(meta),
    }


_JSON_TIME_CACHE: dict[int, str] = {}
_JSON_TYPES = ['"%s"' % t for t in META_TYPE_NAMES]
_JSON_NO_META = ('"meta_allocated":null,"size":null,"mode":null,"uid":null,"gid":null,'
                 '"times":{"modified":null,"accessed":null,"changed":null,"born":null}')


def _json_time(seconds: int, nano: int) -> str:
    """``_time`` as a JSON value; whole seconds repeat across a file system, so they are cached."""
    if nano:
        return '"%s"' % ns_to_iso(seconds * 1_000_000_000 + nano)
    text = _JSON_TIME_CACHE.get(seconds)
    if text is None:
        text = '"%s"' % seconds_to_iso(seconds) if seconds else "null"
        if len(_JSON_TIME_CACHE) >= 1 << 16:
            _JSON_TIME_CACHE.clear()
        _JSON_TIME_CACHE[seconds] = text
    return text


def entry_json_members(entry: Entry) -> str:
    """``path`` (``path_hex``) and :func:`entry_fields` of an entry as JSON object members.

    The text is exactly what ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` writes
    for ``{**path_fields(b"/" + entry.path), **entry_fields(entry)}``, without the braces: built
    directly because a listing spends most of its time per entry.
    """
    text, hexed = to_text(b"/" + entry.parent + entry.name)
    path = '"path":' + encode_json_string(text)
    if hexed is not None:
        path += ',"path_hex":"' + hexed + '"'
    ntype = entry.name_type
    flags = entry.name_flags
    head = (f'{path},"inode":{entry.meta_addr:d},'
            f'"name_type":"{NAME_TYPE_STR[ntype] if ntype < len(NAME_TYPE_STR) else "-"}","type":')
    allocated = "true" if flags & NAME_FLAG_ALLOC else "false"
    deleted = "true" if flags & NAME_FLAG_UNALLOC else "false"
    meta = entry.meta
    if meta is None:
        return f'{head}null,"allocated":{allocated},"deleted":{deleted},{_JSON_NO_META}'
    mtype = int(meta.type)  # type, flags and mode are enum objects in some pytsk3 builds
    return (
        f'{head}{_JSON_TYPES[mtype] if 0 <= mtype < len(_JSON_TYPES) else "null"},'
        f'"allocated":{allocated},"deleted":{deleted},'
        f'"meta_allocated":{"true" if int(meta.flags) & META_FLAG_ALLOC else "false"},'
        f'"size":{meta.size:d},"mode":"{_mode_string(mtype, int(meta.mode))}","uid":{meta.uid:d},"gid":{meta.gid:d},'
        f'"times":{{"modified":{_json_time(meta.mtime, meta.mtime_nano)},'
        f'"accessed":{_json_time(meta.atime, meta.atime_nano)},'
        f'"changed":{_json_time(meta.ctime, meta.ctime_nano)},'
        f'"born":{_json_time(meta.crtime, meta.crtime_nano)}}}'
    )


_ADDRESS = re.compile(r"^(\d+)(?:-(\d+)(?:-(\d+))?)?$")


@dataclass
class Target:
    """What ``fs cat`` streams: a file and one of its attributes (None: the default stream)."""

    file: Any
    attr_type: int | None = None
    attr_id: int | None = None
    size: int = 0


def _attr_list(f: Any) -> list[Any]:
    try:
        return [a for a in f]
    except (OSError, IOError, RuntimeError):
        return []


def open_target(fsys: FileSystem, target: str) -> Target:
    """Resolve an ``icat`` address or a path, the way ``icat`` and ``fls`` name them.

    ``INODE`` (the default stream), ``INODE-TYPE`` (the attribute of that type with the lowest
    id), ``INODE-TYPE-ID`` (exactly that attribute), ``/path`` and ``/path:stream`` (a named
    ``$DATA`` stream). An address or stream that does not exist raises :class:`InputError`;
    another stream is never returned in its place.
    """
    fs = fsys.fs
    where = f"in the {fsys.ftype} file system at offset {fsys.offset}"
    m = _ADDRESS.match(target)
    if m:
        inode = int(m.group(1))
        try:
            f = fs.open_meta(inode=inode)
        except (OSError, IOError, RuntimeError) as exc:
            raise InputError(f"{target}: no inode {inode} {where}") from exc
        if m.group(2) is None:
            meta = f.info.meta
            return Target(f, None, None, int(meta.size) if meta is not None else 0)
        atype = int(m.group(2))
        attrs = [a for a in _attr_list(f) if int(a.info.type) == atype]
        if m.group(3) is not None:
            attrs = [a for a in attrs if int(a.info.id) == int(m.group(3))]
        if not attrs:
            raise InputError(f"{target}: inode {inode} has no attribute {target.split('-', 1)[1]} {where}")
        attr = min(attrs, key=lambda a: int(a.info.id))
        return Target(f, atype, int(attr.info.id), int(attr.info.size))
    path = target if target.startswith("/") else "/" + target
    try:
        f = fs.open(path)
        meta = f.info.meta
        return Target(f, None, None, int(meta.size) if meta is not None else 0)
    except (OSError, IOError, RuntimeError) as exc:
        head, sep, stream = path.rpartition(":")
        if not sep or "/" in stream or not stream:
            raise InputError(f"{target}: no such file {where}") from exc
    try:
        f = fs.open(head)
    except (OSError, IOError, RuntimeError) as exc:
        raise InputError(f"{target}: no such file {where}") from exc
    wanted = stream.encode("utf-8", "surrogateescape")
    for attr in _attr_list(f):
        name = attr.info.name
        if isinstance(name, str):
            name = name.encode("utf-8", "surrogateescape")
        if int(attr.info.type) == ATTR_NTFS_DATA and name == wanted:
            return Target(f, ATTR_NTFS_DATA, int(attr.info.id), int(attr.info.size))
    raise InputError(f"{target}: {head} has no stream named {stream!r} {where}")


def entry_streams(entry: Entry) -> list[dict[str, Any]]:
    """The ``$DATA`` streams of an NTFS entry (the unnamed one and every alternate data stream),
    each with the address ``fs cat``/``icat`` take, its name (None for the unnamed one) and size."""
    out: list[dict[str, Any]] = []
    if entry.meta is None or _is_dot(entry.name):
        return out
    for attr in _attrs(entry):
        info = attr.info
        if int(info.type) != ATTR_NTFS_DATA:
            continue
        name = info.name
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        out.append({"address": f"{entry.meta_addr}-{ATTR_NTFS_DATA}-{int(info.id)}", "name": name or None,
                    "size": int(info.size)})
    return out


def open_file(fsys: FileSystem, target: str) -> Any:
    """Open a file by inode number (digits, or ``N-T-I`` like fls) or by path."""
    return open_target(fsys, target).file


def read_target(t: Target, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The content of a :class:`Target` (one attribute, or the default stream), chunk by chunk."""
    if t.attr_type is None:
        yield from read_file(t.file, chunk)
        return
    off = 0
    while off < t.size:
        want = min(chunk, t.size - off)
        try:
            data = t.file.read_random(off, want, t.attr_type, t.attr_id)
        except (OSError, IOError, RuntimeError) as exc:
            raise OSError(5, f"read error at offset {off}: {_short(exc)}") from exc
        if not data:  # as read_file: what icat prints
            break
        yield data
        off += len(data)


def read_file(f: Any, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The content of a pytsk3 file (its default data stream), chunk by chunk."""
    meta = f.info.meta
    size = int(meta.size) if meta is not None else 0
    off = 0
    while off < size:
        want = min(chunk, size - off)
        try:
            data = f.read_random(off, want)
        except (OSError, IOError, RuntimeError) as exc:
            raise OSError(5, f"read error at offset {off}: {_short(exc)}") from exc
        if not data:  # TSK gives nothing past an attribute's initialised size (icat prints nothing either)
            break
        yield data
        off += len(data)
