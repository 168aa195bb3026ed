"""Hash files and folders on the host into ``file`` records, reading each file once.

Walking happens in the calling process; reading and hashing in a pool of worker processes (one
per core), so per-file overhead (open, stat, read, hash, close) runs on every core. Large files
use the threaded :func:`forensic_kit.hashing.pump` inside the worker. Output order is the walk
order, whatever the pool does. Sources are opened read-only with ``O_NOATIME`` where permitted.
"""

from __future__ import annotations

import errno as errno_mod
import multiprocessing
import os
import stat as stat_mod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from forensic_kit import names
from forensic_kit.hashing import DEFAULT_ALGOS, SMALL_FILE, MultiHash, pump
from forensic_kit.records import KIND_ERROR, KIND_FILE, Record, error_record, new_record
from forensic_kit.timeutil import ns_to_iso

PARSER = "hash"
PARSER_VERSION = "1"
_NOATIME = getattr(os, "O_NOATIME", 0)
_BATCH = 128


@dataclass(frozen=True)
class WorkItem:
    """One thing to hash: a path under a root, an error met while walking, or a passed record."""

    path: bytes
    root: bytes
    record: Record | None = None  # a record read from stdin, to pass through with hashes added
    walk_error: tuple[str, int, str] | None = None  # (stage, errno, reason)


@dataclass
class HashStats:
    """What a hashing run did, for the summary and the exit code."""

    files: int = 0
    bytes: int = 0
    errors: int = 0
    changed: int = 0
    skipped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def open_readonly(path: bytes, follow: bool = False) -> int:
    """Open a file for reading without changing it: read-only, ``O_NOATIME`` when allowed.

    ``O_NOATIME`` is refused (EPERM) for files the caller does not own unless it is root; then
    the file is opened without it.
    """
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    if _NOATIME:
        try:
            return os.open(path, flags | _NOATIME)
        except PermissionError:
            pass
    return os.open(path, flags)


def file_type(mode: int) -> str:
    """The record ``type`` for an ``st_mode``."""
    if stat_mod.S_ISREG(mode):
        return "regular"
    if stat_mod.S_ISDIR(mode):
        return "directory"
    if stat_mod.S_ISLNK(mode):
        return "symlink"
    if stat_mod.S_ISFIFO(mode):
        return "fifo"
    if stat_mod.S_ISSOCK(mode):
        return "socket"
    if stat_mod.S_ISCHR(mode):
        return "char_device"
    if stat_mod.S_ISBLK(mode):
        return "block_device"
    return "unknown"


def stat_times(st: os.stat_result) -> dict[str, str | None]:
    """MAC(B) times of a stat result in UTC with nanoseconds; birth time is null when unknown."""
    birth = getattr(st, "st_birthtime_ns", None)
    return {
        "mtime": ns_to_iso(st.st_mtime_ns),
        "atime": ns_to_iso(st.st_atime_ns),
        "ctime": ns_to_iso(st.st_ctime_ns),
        "btime": ns_to_iso(birth) if isinstance(birth, int) else None,
    }


def _locator(path: bytes, root: bytes) -> dict[str, Any]:
    prefix = root if root.endswith(b"/") else root + b"/"
    if path.startswith(prefix):  # the walk builds paths as root/rel: no need for relpath()
        rel = path[len(prefix):]
    elif path == root:
        rel = os.path.basename(path)
    else:
        rel = os.path.relpath(path, root)
    loc: dict[str, Any] = {"scheme": "file"}
    loc.update(names.path_fields(root, "root"))
    loc.update(names.path_fields(rel, "relpath"))
    return loc


def _os_error(exc: OSError) -> tuple[int, str]:
    code = exc.errno or 0
    return code, exc.strerror or str(exc)


def _errno_name(code: int) -> str | None:
    return errno_mod.errorcode.get(code)


def read_and_hash(fd: int, size_hint: int, algos: Sequence[str]) -> tuple[dict[str, str], int]:
    """Hash an open file descriptor to its end; returns (digests, bytes read)."""
    mh = MultiHash(algos)
    if size_hint <= SMALL_FILE:
        data = os.read(fd, size_hint + 1)  # one read; a short read is the end of a regular file
        mh.update(data)
        if len(data) > size_hint:  # the file grew since fstat: read the rest
            while chunk := os.read(fd, SMALL_FILE):
                mh.update(chunk)
        return mh.hexdigests(), mh.nbytes
    raw = os.fdopen(fd, "rb", buffering=0, closefd=False)
    total = pump(raw.readinto, mh.consumers)
    return mh.hexdigests(), total


def hash_one(item: WorkItem, algos: Sequence[str], follow: bool = False) -> Record:
    """Hash one work item into a record (never raises for OS errors: they become records)."""
    base = item.record
    if base is not None and not item.path:
        return base  # nothing to hash: pass the record through untouched
    if item.walk_error is not None:
        stage, code, reason = item.walk_error
        return error_record(
            PARSER, stage, reason, errno_name=_errno_name(code),
            **names.path_fields(item.path), locator=_locator(item.path, item.root),
        )
    path = item.path
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError as exc:
        code, reason = _os_error(exc)
        return _failure(item, "stat", code, reason)
    ftype = file_type(st.st_mode)
    rec = _base_fields(item, st, ftype)
    if ftype == "symlink":
        try:
            rec.update(names.path_fields(os.readlink(path), "target"))
        except OSError as exc:
            rec["target"] = None
            rec.setdefault("warnings", []).append({"stage": "readlink", "reason": _os_error(exc)[1]})
        return _finish(rec, base)
    if ftype != "regular":
        rec["skipped"] = f"{ftype} is not hashed"
        return _finish(rec, base)
    try:
        fd = open_readonly(path, follow)
    except OSError as exc:
        code, reason = _os_error(exc)
        return _failure(item, "open", code, reason)
    try:
        before = os.fstat(fd)
        digests, nread = read_and_hash(fd, before.st_size, algos)
        after = os.fstat(fd)
    except OSError as exc:
        code, reason = _os_error(exc)
        return _failure(item, "read", code, reason)
    finally:
        os.close(fd)
    rec["size"] = before.st_size
    rec["hashes"] = digests
    changed = (
        after.st_size != before.st_size
        or after.st_mtime_ns != before.st_mtime_ns
        or nread != before.st_size
        or before.st_ino != st.st_ino
    )
    if changed:
        rec["changed_during_read"] = True
        rec["bytes_read"] = nread
        rec.setdefault("warnings", []).append({
            "stage": "read",
            "reason": (
                f"file changed while it was read: size {before.st_size} -> {after.st_size}, "
                f"{nread} bytes read, mtime {ns_to_iso(before.st_mtime_ns)} -> {ns_to_iso(after.st_mtime_ns)}"
            ),
        })
    return _finish(rec, base)


def _base_fields(item: WorkItem, st: os.stat_result, ftype: str) -> Record:
    fields: dict[str, Any] = {}
    fields.update(names.path_fields(item.path))
    fields.update({
        "type": ftype,
        "size": st.st_size if ftype == "regular" else None,
        "hashes": {},
        "times": stat_times(st),
        "mode": st.st_mode,
        "uid": st.st_uid,
        "gid": st.st_gid,
        "inode": st.st_ino,
        "nlink": st.st_nlink,
        "locator": _locator(item.path, item.root),
    })
    return new_record(KIND_FILE, PARSER, PARSER_VERSION, **fields)


def _failure(item: WorkItem, stage: str, code: int, reason: str) -> Record:
    if item.record is not None:
        rec = dict(item.record)
        errs = list(rec.get("errors") or [])
        errs.append({"stage": stage, "reason": reason, "errno": _errno_name(code), "parser": PARSER})
        rec["errors"] = errs
        return rec
    return error_record(
        PARSER, stage, reason, errno_name=_errno_name(code),
        **names.path_fields(item.path), locator=_locator(item.path, item.root),
    )


def _finish(rec: Record, base: Record | None) -> Record:
    """Merge a fresh file record into a passed-through record (unknown fields kept)."""
    if base is None:
        return rec
    out = dict(base)
    hashes = dict(out.get("hashes") or {})
    hashes.update(rec.get("hashes") or {})
    out["hashes"] = hashes
    for key in ("size", "type", "times", "target", "target_hex", "skipped"):
        if key in rec and key not in out:
            out[key] = rec[key]
    for key in ("changed_during_read", "bytes_read"):
        if key in rec:
            out[key] = rec[key]
    if rec.get("warnings"):
        out["warnings"] = list(out.get("warnings") or []) + rec["warnings"]
    return out


def walk(roots: Iterable[bytes], follow: bool = False) -> Iterator[WorkItem]:
    """Yield a work item for every file below each root, in sorted (byte) order per folder.

    Folders themselves are not items; a folder that cannot be listed is an error item. With
    ``follow``, symlinked folders are entered once (loops are cut and reported).
    """
    for root in roots:
        try:
            st = os.stat(root) if follow else os.lstat(root)
        except OSError as exc:
            code, reason = _os_error(exc)
            yield WorkItem(root, root, walk_error=("stat", code, reason))
            continue
        if stat_mod.S_ISDIR(st.st_mode):
            yield from _walk_dir(root, root, follow, {(st.st_dev, st.st_ino)})
        else:
            yield WorkItem(root, os.path.dirname(root) or b".")


def _walk_dir(path: bytes, root: bytes, follow: bool, seen: set[tuple[int, int]]) -> Iterator[WorkItem]:
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        code, reason = _os_error(exc)
        yield WorkItem(path, root, walk_error=("list", code, reason))
        return
    for entry in entries:
        full = entry.path
        try:
            is_dir = entry.is_dir(follow_symlinks=follow)
        except OSError:
            is_dir = False
        if not is_dir:
            yield WorkItem(full, root)
            continue
        if follow:
            try:
                st = os.stat(full)
            except OSError as exc:
                code, reason = _os_error(exc)
                yield WorkItem(full, root, walk_error=("stat", code, reason))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                yield WorkItem(full, root, walk_error=("walk", errno_mod.ELOOP, "folder loop: already visited, not entered again"))
                continue
            yield from _walk_dir(full, root, follow, seen | {key})
        else:
            yield from _walk_dir(full, root, follow, seen)


_worker_algos: tuple[str, ...] = DEFAULT_ALGOS
_worker_follow = False


def _init_worker(algos: tuple[str, ...], follow: bool) -> None:
    global _worker_algos, _worker_follow
    _worker_algos, _worker_follow = algos, follow


def _hash_batch(batch: list[WorkItem]) -> list[Record]:
    return [hash_one(item, _worker_algos, _worker_follow) for item in batch]


def _batches(items: Iterator[WorkItem], size: int) -> Iterator[list[WorkItem]]:
    while True:
        batch = list(islice(items, size))
        if not batch:
            return
        yield batch


def hash_items(
    items: Iterable[WorkItem],
    algos: Sequence[str] = DEFAULT_ALGOS,
    follow: bool = False,
    workers: int | None = None,
) -> Iterator[Record]:
    """Hash work items, yielding records in input order; uses a process pool for many files."""
    algos = tuple(algos)
    it = iter(items)
    head = list(islice(it, _BATCH))
    nworkers = workers if workers is not None else (os.cpu_count() or 1)
    if len(head) < _BATCH or nworkers <= 1:
        for item in head:
            yield hash_one(item, algos, follow)
        for item in it:
            yield hash_one(item, algos, follow)
        return
    ctx = multiprocessing.get_context("fork")
    stream = _batches(_chain(head, it), _BATCH)
    pool = ctx.Pool(nworkers, initializer=_init_worker, initargs=(algos, follow))
    try:
        for batch in pool.imap(_hash_batch, stream):
            yield from batch
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _chain(head: list[WorkItem], rest: Iterator[WorkItem]) -> Iterator[WorkItem]:
    yield from head
    yield from rest


def tally(records: Iterable[Record], stats: HashStats, on_record: Callable[[Record], None] | None = None) -> Iterator[Record]:
    """Count records into ``stats`` as they stream past."""
    for rec in records:
        kind = str(rec.get("kind"))
        stats.kinds[kind] = stats.kinds.get(kind, 0) + 1
        if kind == KIND_ERROR or rec.get("errors"):
            stats.errors += 1
        elif rec.get("hashes"):
            stats.files += 1
            stats.bytes += int(rec.get("size") or 0)
        elif rec.get("skipped") or rec.get("type") == "symlink":
            stats.skipped += 1
        if rec.get("changed_during_read"):
            stats.changed += 1
        if on_record is not None:
            on_record(rec)
        yield rec
