"""Hash files and folders on the host into ``file`` records, reading each file once.

Walking happens in the calling process; reading and hashing in worker processes (one per usable
core), so per-file overhead (open, stat, read, hash, close) runs on every core. Large files use
the threaded :func:`forensic_kit.hashing.pump` inside the worker. Output order is the walk order,
whatever the workers do. Sources are opened read-only with ``O_NOATIME`` where permitted.

Many small files are what costs: the walk sends the workers compact tasks (a folder's paths
joined in one byte string, not one object per file), each worker answers with a whole block of
JSON Lines already encoded plus a summary of counts, and the common case (a regular file that
did not change while read) is written straight to its JSON line without building a dict.
"""

from __future__ import annotations

import errno as errno_mod
import json
import operator
import os
import stat as stat_mod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple, TypeVar, Union
from functools import lru_cache, partial

from forensic_kit import names, progress
from forensic_kit.jsonl import dumps
from forensic_kit.fileopen import NOATIME, open_noatime, open_readonly
from forensic_kit.hashing import DEFAULT_ALGOS, SMALL_FILE, HasherFactory, MultiHash, hasher_factories, pump
from forensic_kit.records import KIND_ERROR, KIND_FILE, SCHEMA_ID, Record, error_record, producer
from forensic_kit.timeutil import ns_to_iso
from forensic_kit.workers import in_workers, usable_cores

PARSER = "hash"
PARSER_VERSION = "1"


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

    def merge(self, other: "HashStats") -> None:
        """Add the counts of another run (a worker's block of records) to these."""
        self.files += other.files
        self.bytes += other.bytes
        self.errors += other.errors
        self.changed += other.changed
        self.skipped += other.skipped
        for kind, n in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n

    @property
    def records(self) -> int:
        """How many records were counted."""
        return sum(self.kinds.values())


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
        progress.add(mh.nbytes)
        return mh.hexdigests(), mh.nbytes
    raw = os.fdopen(fd, "rb", buffering=0, closefd=False)
    total = pump(progress.counting(raw.readinto), mh.consumers)
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
    return _finish(_read_record(rec, st, before, after, digests, nread), base)


def _read_record(rec: Record, st: os.stat_result, before: os.stat_result, after: os.stat_result,
                 digests: dict[str, str], nread: int) -> Record:
    """Complete a regular file's record with what reading it found (and flag a change)."""
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
    return rec


_PRODUCER = producer(PARSER, PARSER_VERSION)


_KNOWN_REGULAR_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _open_regular(path: bytes) -> int:
    """Open a file the walk saw as regular: read-only, no-follow, non-blocking (a FIFO swapped in
    since cannot hang us), ``O_NOATIME`` unless the kernel refuses it for this file."""
    return open_noatime(path, _KNOWN_REGULAR_FLAGS)


_FAST_OPEN = _KNOWN_REGULAR_FLAGS | NOATIME


def _open_known_regular(item: WorkItem) -> tuple[int, os.stat_result | None]:
    """Fast path for a file the walk saw as regular: open it (no-follow, non-blocking) and fstat
    the open descriptor, saving an lstat. Anything unexpected falls back to the careful path."""
    try:
        fd = _open_regular(item.path)
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
    ``follow``, symlinked folders are entered once (loops are cut and reported). A root that is a
    symbolic link to a folder is entered either way (like ``find -H``): the folder named on the
    command line is what was meant.
    """
    for root in roots:
        try:
            st = os.stat(root) if follow else os.lstat(root)
            if stat_mod.S_ISLNK(st.st_mode):
                target = os.stat(root)
                if stat_mod.S_ISDIR(target.st_mode):
                    st = target
        except OSError as exc:
            if not follow and exc.errno in (errno_mod.ENOENT, errno_mod.ELOOP) and os.path.islink(root):
                yield WorkItem(root, os.path.dirname(root) or b".")  # a dangling link: reported as a link
                continue
            code, reason = _os_error(exc)
            yield WorkItem(root, root, walk_error=("stat", code, reason))
            continue
        if stat_mod.S_ISDIR(st.st_mode):
            yield from _walk_dir(root, root, follow, {(st.st_dev, st.st_ino)})
        else:
            yield WorkItem(root, os.path.dirname(root) or b".")


_entry_name: Callable[[os.DirEntry[bytes]], bytes] = operator.attrgetter("name")


def _walk_dir(path: bytes, root: bytes, follow: bool, seen: set[tuple[int, int]]) -> Iterator[WorkItem]:
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=_entry_name)
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
            yield WorkItem(full, root, None, None, regular)  # positional: once per file, keep it cheap
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


class Outcome(NamedTuple):
    """What the summary needs to know of one record."""

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


# --- Tasks: what crosses from the walk to a worker ------------------------------------------------

Run = tuple[bytes, bytes, bytes]
"""Plain files under one root: (root, their paths joined by NUL bytes, one regular-flag byte each)."""

Task = list[Union[Run, WorkItem]]
"""A unit of work for a worker: runs of plain files, and items that need more (errors, records)."""

_TASK_ITEMS = 256  # files per task: few messages, yet fine-grained enough to share the work evenly
_TASK_BYTES = 16 * 1024  # path bytes per task: keeps a task message well under a pipe's capacity


def _tasks(items: Iterable[WorkItem]) -> Iterator[Task]:
    """Pack work items into tasks, in order. Plain items travel as joined byte strings (one
    object per run, not per file); items carrying a record or a walk error travel as they are."""
    task: Task = []
    root = b""
    paths: list[bytes] = []
    flags = bytearray()
    count = size = 0
    for item in items:
        path = item.path
        if item.record is None and item.walk_error is None and b"\0" not in path:
            if item.root != root:
                if paths:
                    task.append((root, b"\0".join(paths), bytes(flags)))
                    paths, flags = [], bytearray()
                root = item.root
            paths.append(path)
            flags.append(item.regular)
            size += len(path) + 1
        else:
            if paths:
                task.append((root, b"\0".join(paths), bytes(flags)))
                paths, flags = [], bytearray()
            task.append(item)
            size += len(path) + 1024
        count += 1
        if count >= _TASK_ITEMS or size >= _TASK_BYTES:
            if paths:
                task.append((root, b"\0".join(paths), bytes(flags)))
                paths, flags = [], bytearray()
            yield task
            task, count, size = [], 0, 0
    if paths:
        task.append((root, b"\0".join(paths), bytes(flags)))
    if task:
        yield task


def _task_items(task: Task) -> Iterator[WorkItem]:
    """The work items of a task, as they were packed."""
    for run in task:
        if isinstance(run, WorkItem):
            yield run
        else:
            root, joined, flags = run
            for path, regular in zip(joined.split(b"\0"), flags):
                yield WorkItem(path, root, regular=bool(regular))


# --- Worker side -----------------------------------------------------------------------------------

_worker_algos: tuple[str, ...] = DEFAULT_ALGOS
_worker_follow = False
_worker_factories: tuple[HasherFactory, ...] = ()
_worker_hash_keys: tuple[str, ...] = ()


def _init_worker(algos: tuple[str, ...], follow: bool) -> None:
    global _worker_algos, _worker_follow, _worker_factories, _worker_hash_keys
    _worker_algos, _worker_follow = algos, follow
    _worker_factories = hasher_factories(algos)
    _worker_hash_keys = tuple(f'{_enc(a)}:"' for a in algos)


def _records_task(task: Task) -> list[Record]:
    out = []
    live = progress.live()
    for item in _task_items(task):
        if live:
            progress.current(item.path)
        out.append(hash_one(item, _worker_algos, _worker_follow))
        if live:
            progress.add(items=1)
    return out


_enc: Callable[[str], str] = json.encoder.encode_basestring  # JSON string, ensure_ascii=False
_HEAD = '{"schema":' + _enc(SCHEMA_ID) + ',"kind":' + _enc(KIND_FILE) + ","
_PRODUCER_JSON = dumps(_PRODUCER)
_HAS_BIRTH = hasattr(os.stat_result, "st_birthtime_ns")


def _path_json(raw: bytes, key: str) -> str:
    """``"key":"text"`` (and ``"key_hex":...`` when needed) exactly as :func:`names.path_fields`
    and the JSON encoder would write them. ASCII is always valid UTF-8 in NFC: no lookup needed."""
    if raw.isascii():
        return f'"{key}":{_enc(raw.decode("ascii"))}'
    return ",".join([f"{_enc(k)}:{_enc(v)}" for k, v in names.path_fields(raw, key).items()])


_NS = 1_000_000_000
_iso_heads: dict[int, str] = {}  # whole second -> "YYYY-MM-DDTHH:MM:SS", per process


def _iso(ns: int) -> str:
    """:func:`ns_to_iso` for the hot path: the text of each whole second is made once."""
    seconds, frac = divmod(ns, _NS)
    head = _iso_heads.get(seconds)
    if head is None:
        if len(_iso_heads) >= 65536:
            _iso_heads.clear()
        head = _iso_heads[seconds] = str(ns_to_iso(seconds * _NS))[:-11]  # less ".000000000Z"
    return f"{head}.{str(frac + _NS)[1:]}Z"


def _add(rec: Record, out: list[str], stats: HashStats) -> None:
    out.append(dumps(rec) + "\n")
    stats.add(outcome(rec))


_NOT_HANDLED, _RECORDED, _FAST_LINE = 0, 1, 2


def _jsonl_regular(path: bytes, root: bytes, cut: int, path_head: str, loc_head: str, out: list[str],
                   stats: HashStats) -> int:
    """Hash a file the walk saw as regular straight into its JSON line.

    Returns ``_NOT_HANDLED``, having read nothing, when the file is not what the fast path handles
    (cannot be opened, is no longer regular, is large): the careful :func:`hash_one` then takes
    it. A file that changed while read, or a read error, is recorded through the common record
    code and counted in ``stats`` (``_RECORDED``). Otherwise the line is written directly and only
    the bytes are counted: the caller counts the ``_FAST_LINE`` files.
    """
    try:
        fd = os.open(path, _FAST_OPEN)
    except OSError:
        try:  # O_NOATIME refused (not the owner), or a real error that the careful path reports
            fd = _open_regular(path)
        except OSError:
            return _NOT_HANDLED
    try:
        st = os.fstat(fd)
        size = st.st_size
        if size > SMALL_FILE or not stat_mod.S_ISREG(st.st_mode):
            return _NOT_HANDLED
        try:
            data = os.read(fd, size + 1)  # one read; a short read is the end of a regular file
            hashers = [make(data) for make in _worker_factories]
            nread = len(data)
            if nread > size:  # the file grew since fstat: read (and hash) the rest
                while chunk := os.read(fd, SMALL_FILE):
                    for h in hashers:
                        h.update(chunk)
                    nread += len(chunk)
            after = os.fstat(fd)
        except OSError as exc:
            _add(_failure(WorkItem(path, root, regular=True), "read", *_os_error(exc)), out, stats)
            return _RECORDED
    finally:
        os.close(fd)
    progress.add(nread)
    if nread != size or after.st_size != size or after.st_mtime_ns != st.st_mtime_ns or _HAS_BIRTH:
        item = WorkItem(path, root, regular=True)
        digests = {a: h.hexdigest() for a, h in zip(_worker_algos, hashers)}
        _add(_read_record(_base_fields(item, st, "regular"), st, st, after, digests, nread), out, stats)
        return _RECORDED
    hashes = ",".join([f'{k}{h.hexdigest()}"' for k, h in zip(_worker_hash_keys, hashers)])
    rel = path[cut:]
    if path_head and rel.isascii():  # "path" is the root's JSON text followed by relpath's
        rel_text = _enc(rel.decode("ascii"))
        path_json, rel_json = path_head + rel_text[1:], '"relpath":' + rel_text
    else:
        path_json, rel_json = _path_json(path, "path"), _path_json(rel, "relpath")
    mtime = _iso(st.st_mtime_ns)
    ctime = mtime if st.st_ctime_ns == st.st_mtime_ns else _iso(st.st_ctime_ns)
    out.append(
        f'{_HEAD}{path_json},"type":"regular","size":{size},"hashes":{{{hashes}}},'
        f'"times":{{"mtime":"{mtime}","atime":"{_iso(st.st_atime_ns)}","ctime":"{ctime}","btime":null}},'
        f'"mode":{st.st_mode},"uid":{st.st_uid},"gid":{st.st_gid},"inode":{st.st_ino},'
        f'"nlink":{st.st_nlink},"locator":{loc_head}{rel_json}}},"producer":{_PRODUCER_JSON}}}\n'
    )
    stats.bytes += size
    return _FAST_LINE


def _jsonl_task(task: Task) -> tuple[bytes, HashStats]:
    """Hash a task into one block of JSON Lines (UTF-8) and the counts of its records."""
    out: list[str] = []
    stats = HashStats()
    fast = not _worker_follow
    lines = 0
    live = progress.live()
    for run in task:
        if isinstance(run, WorkItem):
            _add(hash_one(run, _worker_algos, _worker_follow), out, stats)
            if live:
                progress.add(items=1)
            continue
        root, joined, flags = run
        prefix = root if root.endswith(b"/") else root + b"/"
        cut = len(prefix)
        # JSON text shared by the run's records: the locator's root, the start of each "path"
        loc_head = '{"scheme":"file",' + _path_json(root, "root") + ","
        path_head = '"path":' + _enc(prefix.decode("ascii"))[:-1] if prefix.isascii() else ""
        for path, regular in zip(joined.split(b"\0"), flags):
            if live:
                progress.current(path)
                progress.add(items=1)
            if fast and regular and path.startswith(prefix):
                done = _jsonl_regular(path, root, cut, path_head, loc_head, out, stats)
                if done:
                    lines += done == _FAST_LINE
                    continue
            _add(hash_one(WorkItem(path, root, regular=bool(regular)), _worker_algos, _worker_follow), out, stats)
    if lines:  # counted here rather than once per file
        stats.files += lines
        stats.kinds[KIND_FILE] = stats.kinds.get(KIND_FILE, 0) + lines
    return "".join(out).encode("utf-8"), stats


# --- Driver: the walk feeds tasks to forked workers and yields their results in order ----------

T = TypeVar("T")

_BATCH = 128  # fewer items than this are hashed in the calling process: forking is not worth it


def _run(items: Iterable[WorkItem], algos: tuple[str, ...], follow: bool, workers: int | None,
         task_fn: Callable[[Task], T], cluster: Any = None,
         on_worker: Callable[[str, T], None] | None = None) -> Iterator[T]:
    """Apply ``task_fn`` to tasks of items, in worker processes when there are many items, or on
    a Dask cluster (``cluster``: a ``distributed.Client``; ``on_worker`` sees who made each result)."""
    if cluster is not None:
        from forensic_kit.lab.cluster import ordered_map

        for who, result in ordered_map(cluster, _remote_task, ((task_fn, algos, follow, t) for t in _tasks(items)),
                                       "fkit-hash"):
            if on_worker is not None:
                on_worker(who, result)
            yield result
        return
    it = iter(items)
    head = list(islice(it, _BATCH))
    nworkers = workers if workers is not None else usable_cores()
    if len(head) < _BATCH or nworkers <= 1:
        _init_worker(algos, follow)
        for task in _tasks(_chain(head, it)):
            yield task_fn(task)
        return
    yield from in_workers(_tasks(_chain(head, it)), nworkers, task_fn, init=partial(_init_worker, algos, follow),
                          what="hashing")


def _remote_task(task_fn: Callable[[Task], T], algos: tuple[str, ...], follow: bool, task: Task) -> T:
    """A task on a cluster worker: the same function as a local worker runs, set up for ``algos``."""
    if (_worker_algos, _worker_follow) != (algos, follow) or not _worker_factories:
        _init_worker(algos, follow)
    return task_fn(task)


def hash_items(
    items: Iterable[WorkItem],
    algos: Sequence[str] = DEFAULT_ALGOS,
    follow: bool = False,
    workers: int | None = None,
    cluster: Any = None,
    on_worker: Callable[[str, list[Record]], None] | None = None,
) -> Iterator[Record]:
    """Hash work items, yielding records in input order; uses worker processes for many files
    (or the Dask ``cluster``'s workers)."""
    for batch in _run(items, tuple(algos), follow, workers, _records_task, cluster, on_worker):
        yield from batch


def hash_items_jsonl(
    items: Iterable[WorkItem],
    algos: Sequence[str] = DEFAULT_ALGOS,
    follow: bool = False,
    workers: int | None = None,
    cluster: Any = None,
    on_worker: Callable[[str, tuple[bytes, HashStats]], None] | None = None,
) -> Iterator[tuple[bytes, HashStats]]:
    """Like :func:`hash_items`, but yields blocks of JSON Lines (UTF-8) with the counts of their
    records; the bytes are exactly what :func:`forensic_kit.jsonl.dump_bytes` gives per record."""
    yield from _run(items, tuple(algos), follow, workers, _jsonl_task, cluster, on_worker)


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
