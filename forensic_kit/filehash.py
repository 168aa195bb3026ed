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
from typing import Any, NamedTuple, TypeVar
from functools import lru_cache

from forensic_kit import names
from forensic_kit.jsonl import dump_bytes
from forensic_kit.hashing import DEFAULT_ALGOS, SMALL_FILE, MultiHash, pump
from forensic_kit.records import KIND_ERROR, KIND_FILE, SCHEMA_ID, Record, error_record, producer
from forensic_kit.timeutil import ns_to_iso

PARSER = "hash"
PARSER_VERSION = "1"
_NOATIME = getattr(os, "O_NOATIME", 0)
_BATCH = 128


class WorkItem(NamedTuple):
    """One thing to hash: a path under a root, an error met while walking, or a passed record.

    A named tuple, because millions of them cross to worker processes (tuples pickle fast).
    """

    path: bytes
    root: bytes
    record: Record | None = None  # a record read from stdin, to pass through with hashes added
    walk_error: tuple[str, int, str] | None = None  # (stage, errno, reason)
    regular: bool = False  # the walk saw a regular file (d_type): hash_one may skip an lstat


@dataclass
class HashStats:
    """What a hashing run did, for the summary and the exit code."""

    files: int = 0
    bytes: int = 0
    errors: int = 0
    changed: int = 0
    skipped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, o: "Outcome") -> None:
        """Count one record's outcome."""
        self.kinds[o.kind] = self.kinds.get(o.kind, 0) + 1
        if o.error:
            self.errors += 1
        elif o.hashed:
            self.files += 1
            self.bytes += o.size
        elif o.skipped:
            self.skipped += 1
        if o.changed:
            self.changed += 1


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


@lru_cache(maxsize=256)
def _root_fields(root: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(names.path_fields(root, "root").items())


def _locator(path: bytes, root: bytes) -> dict[str, Any]:
    prefix = root if root.endswith(b"/") else root + b"/"
    if path.startswith(prefix):  # the walk builds paths as root/rel: no need for relpath()
        rel = path[len(prefix):]
    elif path == root:
        rel = os.path.basename(path)
    else:
        rel = os.path.relpath(path, root)
    loc: dict[str, Any] = {"scheme": "file"}
    loc.update(_root_fields(root))
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
    fd, st = _open_known_regular(item) if item.regular and not follow else (-1, None)
    fast = fd >= 0
    if st is None:
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
    if fd < 0:
        try:
            fd = open_readonly(path, follow)
        except OSError as exc:
            code, reason = _os_error(exc)
            return _failure(item, "open", code, reason)
    try:
        before = st if fast else os.fstat(fd)
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


_PRODUCER = producer(PARSER, PARSER_VERSION)


def _open_known_regular(item: WorkItem) -> tuple[int, os.stat_result | None]:
    """Fast path for a file the walk saw as regular: open it (no-follow, non-blocking) and fstat
    the open descriptor, saving an lstat. Anything unexpected falls back to the careful path."""
    try:
        fd = os.open(item.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | _NOATIME)
    except OSError:
        return -1, None
    st = os.fstat(fd)
    if not stat_mod.S_ISREG(st.st_mode):
        os.close(fd)
        return -1, None
    return fd, st


def _base_fields(item: WorkItem, st: os.stat_result, ftype: str) -> Record:
    # Built literally (not through new_record) because it runs once per file on hot paths.
    rec: Record = {"schema": SCHEMA_ID, "kind": KIND_FILE}
    rec.update(names.path_fields(item.path))
    rec["type"] = ftype
    rec["size"] = st.st_size if ftype == "regular" else None
    rec["hashes"] = {}
    rec["times"] = stat_times(st)
    rec["mode"] = st.st_mode
    rec["uid"] = st.st_uid
    rec["gid"] = st.st_gid
    rec["inode"] = st.st_ino
    rec["nlink"] = st.st_nlink
    rec["locator"] = _locator(item.path, item.root)
    rec["producer"] = dict(_PRODUCER)
    return rec


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
            try:
                regular = entry.is_file(follow_symlinks=False)
            except OSError:
                regular = False
            yield WorkItem(full, root, regular=regular)
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


class Outcome(NamedTuple):
    """What the summary needs to know of one record (sent instead of the record itself)."""

    kind: str
    size: int
    hashed: bool
    error: bool
    skipped: bool
    changed: bool


def outcome(rec: Record) -> Outcome:
    """Classify one record for :class:`HashStats`."""
    kind = str(rec.get("kind"))
    error = kind == KIND_ERROR or bool(rec.get("errors"))
    hashed = not error and bool(rec.get("hashes"))
    skipped = not error and not hashed and (bool(rec.get("skipped")) or rec.get("type") == "symlink")
    return Outcome(kind, int(rec.get("size") or 0) if hashed else 0, hashed, error, skipped,
                   bool(rec.get("changed_during_read")))


def _hash_batch_jsonl(batch: list[WorkItem]) -> tuple[bytes, list[Outcome]]:
    # Encoding in the worker spares the walking process the JSON work and the pickling of dicts.
    lines: list[bytes] = []
    outcomes: list[Outcome] = []
    for item in batch:
        rec = hash_one(item, _worker_algos, _worker_follow)
        lines.append(dump_bytes(rec))
        outcomes.append(outcome(rec))
    return b"".join(lines), outcomes


def _batches(items: Iterator[WorkItem], size: int) -> Iterator[list[WorkItem]]:
    while True:
        batch = list(islice(items, size))
        if not batch:
            return
        yield batch


T = TypeVar("T")


def _run(items: Iterable[WorkItem], algos: tuple[str, ...], follow: bool, workers: int | None,
         batch_fn: Callable[[list[WorkItem]], T]) -> Iterator[T]:
    """Apply ``batch_fn`` to batches of items, in a process pool when there are many."""
    it = iter(items)
    head = list(islice(it, _BATCH))
    nworkers = workers if workers is not None else (os.cpu_count() or 1)
    if len(head) < _BATCH or nworkers <= 1:
        _init_worker(algos, follow)
        for batch in _batches(_chain(head, it), _BATCH):
            yield batch_fn(batch)
        return
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(nworkers, initializer=_init_worker, initargs=(algos, follow))
    try:
        yield from pool.imap(batch_fn, _batches(_chain(head, it), _BATCH))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def hash_items(
    items: Iterable[WorkItem],
    algos: Sequence[str] = DEFAULT_ALGOS,
    follow: bool = False,
    workers: int | None = None,
) -> Iterator[Record]:
    """Hash work items, yielding records in input order; uses a process pool for many files."""
    for batch in _run(items, tuple(algos), follow, workers, _hash_batch):
        yield from batch


def hash_items_jsonl(
    items: Iterable[WorkItem],
    algos: Sequence[str] = DEFAULT_ALGOS,
    follow: bool = False,
    workers: int | None = None,
) -> Iterator[tuple[bytes, list[Outcome]]]:
    """Like :func:`hash_items`, but yields JSON Lines bytes per batch with their outcomes."""
    yield from _run(items, tuple(algos), follow, workers, _hash_batch_jsonl)


def _chain(head: list[WorkItem], rest: Iterator[WorkItem]) -> Iterator[WorkItem]:
    yield from head
    yield from rest


def tally(records: Iterable[Record], stats: HashStats, on_record: Callable[[Record], None] | None = None) -> Iterator[Record]:
    """Count records into ``stats`` as they stream past."""
    for rec in records:
        stats.add(outcome(rec))
        if on_record is not None:
            on_record(rec)
        yield rec
