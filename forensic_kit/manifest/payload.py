"""Memory-bounded payload check of a BagIt case against its sealed file list.

Same verdicts and record shape as :mod:`forensic_kit.audit` (``kind: "audit"``, ``verdict`` one of
OK / MODIFIED / MOVED / NEW / MISSING / UNREADABLE), specialised for a bag: every listed path is
relative to the bag root, so no path-matching guesswork is needed, and the list is streamed rather
than loaded. Memory is one 16-byte key per listed file plus the digests of files found missing, so
a million-entry package is checked in well under 512 MB; hashing runs in a process pool with a
bounded number of batches in flight.

1. stream the list; hash every listed file (pool): OK / MODIFIED / UNREADABLE, or MISSING (kept
   aside with its digest);
2. walk ``data/``; every file whose path is not listed is hashed: MOVED when its content is that of
   a MISSING entry (which it consumes), else NEW;
3. the MISSING entries left over.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import stat
import struct
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from forensic_kit import names
from forensic_kit.audit import PARSER_VERSION, VERDICTS
from forensic_kit import progress
from forensic_kit.fileopen import open_readonly
from forensic_kit.records import KIND_AUDIT, Record, new_record

PARSER = "verify"
_BATCH = 256
_READ = 1 << 20

# (digest hex or None, size, error reason or None, errno name or None)
HashResult = tuple[str | None, int, str | None, str | None]


NOT_REGULAR = "NOTREG"
"""``errno`` name :func:`hash_path` gives for an entry that is not a regular file (never opened)."""

_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a FIFO (named pipe)",
          stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}


def kind_of(mode: int) -> str:
    """``"a folder"``, ``"a symbolic link"``, ``"a FIFO (named pipe)"``, ... for an ``st_mode``."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def hash_path(path: bytes) -> HashResult:
    """SHA-256 of one regular file, read-only; never raises for I/O problems.

    The entry is ``lstat``-ed first: a folder, symbolic link, FIFO, socket or device is never
    opened (errno name :data:`NOT_REGULAR`, reason "is a FIFO (named pipe)"...). The open itself
    is ``O_NOFOLLOW | O_NONBLOCK`` and checked with ``fstat`` against the ``lstat``, so an entry
    swapped in between cannot make the check hang or follow a link.
    """
    try:
        st = os.lstat(path)
    except OSError as exc:
        progress.add(items=1)
        return None, 0, exc.strerror or str(exc), errno.errorcode.get(exc.errno or 0)
    if not stat.S_ISREG(st.st_mode):
        return None, 0, f"is {kind_of(st.st_mode)}, not a regular file", NOT_REGULAR
    try:
        fd = open_readonly(path, nonblock=True)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            return None, 0, "was replaced while being checked (not a regular file)", NOT_REGULAR
        return None, 0, exc.strerror or str(exc), errno.errorcode.get(exc.errno or 0)
    h = hashlib.sha256()
    size = 0
    if progress.live():
        progress.current(path)
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode) or (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            return None, 0, "was replaced while being checked (not the same regular file)", NOT_REGULAR
        while True:
            block = os.read(fd, _READ)
            if not block:
                break
            h.update(block)
            size += len(block)
            progress.add(len(block))
    except OSError as exc:
        return None, size, exc.strerror or str(exc), errno.errorcode.get(exc.errno or 0)
    finally:
        os.close(fd)
        progress.add(items=1)
    return h.hexdigest(), size, None, None


def _hash_batch(paths: list[bytes]) -> list[HashResult]:
    return [hash_path(p) for p in paths]


def _batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for it in items:
        batch.append(it)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


_CLUSTER_BATCH = 1024  # files per cluster task: the per-task cost of the engine spread over many files
_PACK = struct.Struct("<32sQ")  # a file hashed on a cluster worker: its digest and size


def hash_joined(joined: bytes) -> tuple[bytes, list[tuple[int, int, str | None, str | None]]]:
    """A cluster task: hash the NUL-joined ``paths`` (each with :func:`hash_path`) and answer in
    compact bytes, one 40-byte digest-and-size per file, plus ``(index, size, reason, errno
    name)`` for those that could not be hashed (their digest is left zero)."""
    out = bytearray()
    errors: list[tuple[int, int, str | None, str | None]] = []
    zero = bytes(32)
    for i, path in enumerate(joined.split(b"\0")):
        found, size, err, errname = hash_path(path)
        if found is None:
            errors.append((i, size, err, errname))
            out += _PACK.pack(zero, size)
        else:
            out += _PACK.pack(bytes.fromhex(found), size)
    return bytes(out), errors


def unpack_hashed(packed: bytes, errors: list[tuple[int, int, str | None, str | None]]) -> list[HashResult]:
    """The :data:`HashResult` of each file of a :func:`hash_joined` answer, in order."""
    res: list[HashResult] = [(digest.hex(), size, None, None) for digest, size in _PACK.iter_unpack(packed)]
    for i, size, err, errname in errors:
        res[i] = (None, size, err, errname)
    return res


class Witness(Protocol):
    """Told, on a cluster run, what each worker answered (``lab.spot.SpotChecker``)."""

    def add_hashed(self, worker: str, paths: list[bytes], results: list[Any]) -> None:
        """The worker's answers for these (absolute) paths."""

    def contradicted(self, worker: str, path: bytes, theirs: Any, mine: Any) -> None:
        """The worker could not hash ``path`` but this machine can (or not the same way)."""


def _on_cluster(items: Iterable[tuple[bytes, Any]], client: Any, spot: Witness | None
                ) -> Iterator[tuple[bytes, Any, HashResult]]:
    from forensic_kit.lab.cluster import ordered_map

    sent: deque[list[tuple[bytes, Any]]] = deque()

    def tasks() -> Iterator[tuple[bytes]]:
        for batch in _batched(items, _CLUSTER_BATCH):
            sent.append(batch)  # a worker has its own current folder: it is sent absolute paths
            yield (b"\0".join([os.path.abspath(p) for p, _ in batch]),)

    for who, (packed, errors) in ordered_map(client, hash_joined, tasks(), "fkit-verify"):
        batch = sent.popleft()
        results = unpack_hashed(packed, errors)
        if len(results) != len(batch):
            raise RuntimeError(f"cluster worker {who} answered {len(results)} results for {len(batch)} files")
        progress.add(sum(r[1] for r in results), items=len(results))
        paths = [os.path.abspath(p) for p, _ in batch]
        if spot is not None:
            spot.add_hashed(who, paths, results)
        for i, res in enumerate(results):
            if res[0] is None:  # missing, unreadable, not regular: a verdict this machine confirms itself
                mine = hash_path(paths[i])  # (a worker without the mount would call every file MISSING)
                if mine != res:
                    results[i] = mine
                    if spot is not None:
                        spot.contradicted(who, paths[i], res, mine)
        for (p, tag), res in zip(batch, results):
            yield p, tag, res


def hash_many(items: Iterable[tuple[bytes, Any]], workers: int | None = None, cluster: Any = None,
              spot: Witness | None = None) -> Iterator[tuple[bytes, Any, HashResult]]:
    """Hash ``(path, tag)`` items in order with a bounded window of batches in a process pool, or
    on a Dask ``cluster`` (a ``distributed.Client``: batches of paths go out, compact digests
    come back; ``spot`` is told who hashed what; every answer that is not a digest is confirmed
    here, and one this machine contradicts is told to ``spot``)."""
    if cluster is not None:
        yield from _on_cluster(items, cluster, spot)
        return
    nworkers = workers if workers is not None else (os.cpu_count() or 1)
    batches = _batched(items, _BATCH)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if nworkers <= 1 or second is None:
        for batch in [first] + ([second] if second else []):
            for (p, tag), res in zip(batch, _hash_batch([p for p, _ in batch])):
                yield p, tag, res
        for batch in batches:
            for (p, tag), res in zip(batch, _hash_batch([p for p, _ in batch])):
                yield p, tag, res
        return
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(nworkers)
    window: deque[tuple[list[tuple[bytes, Any]], Any]] = deque()
    try:
        def submit(batch: list[tuple[bytes, Any]]) -> None:
            window.append((batch, pool.apply_async(_hash_batch, ([p for p, _ in batch],))))

        submit(first)
        submit(second)
        for batch in batches:
            submit(batch)
            if len(window) >= 4 * nworkers:
                done, res = window.popleft()
                for (p, tag), r in zip(done, res.get()):
                    yield p, tag, r
        while window:
            done, res = window.popleft()
            for (p, tag), r in zip(done, res.get()):
                yield p, tag, r
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def path_key(path: bytes) -> bytes:
    """16-byte key of a bag-relative path."""
    return hashlib.blake2b(path, digest_size=16).digest()


@dataclass
class PayloadSummary:
    """Counts per verdict, plus what was found on disk."""

    counts: dict[str, int] = field(default_factory=lambda: {v: 0 for v in VERDICTS})
    files: int = 0
    bytes: int = 0


def _rec(verdict: str, rel: bytes, **fields: Any) -> Record:
    f: dict[str, Any] = dict(names.path_fields(rel))
    f.update(fields)
    return new_record(KIND_AUDIT, PARSER, PARSER_VERSION, verdict=verdict, **f)


def safe_bag_path(rel: bytes) -> bool:
    """True for a payload path a list may name: ``data/...``, relative, without ``.``/``..`` or
    empty components (a hostile list must not make the check read outside the package)."""
    parts = rel.split(b"/")
    return len(parts) >= 2 and parts[0] == b"data" and all(p not in (b"", b".", b"..") for p in parts)


def _under_blocked(rel: bytes, blocked: set[bytes]) -> bytes | None:
    """The first ancestor folder of ``rel`` that is in ``blocked`` (a symlink or special entry)."""
    i = rel.find(b"/")
    while i != -1:
        if rel[:i] in blocked:
            return rel[:i]
        i = rel.find(b"/", i + 1)
    return None


def walk_regular(root: bytes, top: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(full path, path relative to ``root``) of every regular file under ``top``, in sorted
    order; symbolic links, FIFOs, sockets and devices are skipped (never followed or opened)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield entry.path, entry.path[len(root) + 1:]
            except OSError:
                continue
        stack.extend(reversed(subdirs))


def check_payload(root: bytes, entries: Callable[[], Iterable[tuple[bytes, str]]], workers: int | None = None,
                  summary: PayloadSummary | None = None, emit_ok: bool = True,
                  blocked: set[bytes] | None = None, cluster: Any = None,
                  spot: Witness | None = None) -> Iterator[Record]:
    """Verdict records for the bag at ``root`` against ``entries()`` (bag path bytes, sha256 hex).

    ``entries`` is called once; paths are relative to ``root`` (``data/...``). ``summary`` fills in.
    ``emit_ok=False`` counts OK files without building their records (the fast path of ``verify``).
    ``blocked`` holds the bag-relative paths of symbolic links and special entries found in the
    package: a listed file below one of them is MISSING (never reached through the link).
    A listed file replaced by a folder, link, FIFO, socket or device is MODIFIED (never opened);
    a listed path outside ``data/`` or with ``..`` is MISSING with a reason (never opened).
    ``cluster``/``spot``: hash on a Dask cluster (:func:`hash_many`); same records, same order.
    """
    s = summary if summary is not None else PayloadSummary()
    blocked = blocked or set()
    listed: set[bytes] = set()
    missing: dict[str, list[bytes]] = {}  # digest -> listed paths absent on disk
    missing_order: list[tuple[bytes, str]] = []
    refused: list[tuple[bytes, str, str]] = []  # listed paths never looked at, with the reason
    sep = b"/"

    def listed_items() -> Iterator[tuple[bytes, Any]]:
        for rel, digest in entries():
            k = path_key(rel)
            if k in listed:
                continue  # listed twice: judged once
            listed.add(k)
            if not safe_bag_path(rel):
                refused.append((rel, digest, "the list names a path outside data/ (never opened)"))
                continue
            if blocked:
                link = _under_blocked(rel, blocked)
                if link is not None:
                    refused.append((rel, digest, f"{names.display(link)} is not a folder of the package (not followed)"))
                    continue
            yield root + sep + rel, (rel, digest)

    for _full, (rel, digest), (found, size, err, errname) in hash_many(listed_items(), workers, cluster, spot):
        if found is None and errname == "ENOENT":
            missing.setdefault(digest, []).append(rel)
            missing_order.append((rel, digest))
            continue
        s.files += 1
        s.bytes += size
        if found is None and errname == NOT_REGULAR:
            s.counts["MODIFIED"] += 1
            yield _rec("MODIFIED", rel, size=0, reason=err, expected={"sha256": digest}, found=None)
        elif found is None:
            s.counts["UNREADABLE"] += 1
            yield _rec("UNREADABLE", rel, reason=err, errno=errname, expected={"sha256": digest})
        elif found == digest:
            s.counts["OK"] += 1
            if emit_ok:
                yield _rec("OK", rel, size=size, hashes={"sha256": found})
        else:
            s.counts["MODIFIED"] += 1
            yield _rec("MODIFIED", rel, size=size, expected={"sha256": digest}, found={"sha256": found})

    def unlisted() -> Iterator[tuple[bytes, Any]]:
        for full, rel in walk_regular(root, root + sep + b"data"):
            if path_key(rel) not in listed:
                yield full, rel

    consumed: set[bytes] = set()
    for _full, rel, (found, size, err, errname) in hash_many(unlisted(), workers, cluster, spot):
        s.files += 1
        s.bytes += size
        if found is None:
            if errname == NOT_REGULAR:  # swapped for a special file since the walk: reported as NEW
                s.counts["NEW"] += 1
                yield _rec("NEW", rel, size=0, reason=err)
                continue
            s.counts["UNREADABLE"] += 1
            yield _rec("UNREADABLE", rel, reason=err, errno=errname)
            continue
        movers = [p for p in missing.get(found, []) if p not in consumed]
        if movers:
            consumed.add(movers[0])
            s.counts["MOVED"] += 1
            known: dict[str, Any] = dict(names.path_fields(movers[0], "known_path"))
            yield _rec("MOVED", rel, size=size, hashes={"sha256": found}, **known)
        else:
            s.counts["NEW"] += 1
            yield _rec("NEW", rel, size=size, found={"sha256": found})
    for rel, digest in missing_order:
        if rel in consumed:
            continue
        s.counts["MISSING"] += 1
        yield _rec("MISSING", rel, expected={"sha256": digest})
    for rel, digest, reason in refused:
        s.counts["MISSING"] += 1
        yield _rec("MISSING", rel, reason=reason, expected={"sha256": digest})
