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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

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


def hash_path(path: bytes) -> HashResult:
    """SHA-256 of one file, read-only; never raises for I/O problems."""
    try:
        fd = open_readonly(path)
    except OSError as exc:
        progress.add(items=1)
        return None, 0, exc.strerror or str(exc), errno.errorcode.get(exc.errno or 0)
    h = hashlib.sha256()
    size = 0
    if progress.live():
        progress.current(path)
    try:
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


def hash_many(items: Iterable[tuple[bytes, Any]], workers: int | None = None
              ) -> Iterator[tuple[bytes, Any, HashResult]]:
    """Hash ``(path, tag)`` items in order with a bounded window of batches in a process pool."""
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


def check_payload(root: bytes, entries: Callable[[], Iterable[tuple[bytes, str]]], workers: int | None = None,
                  summary: PayloadSummary | None = None, emit_ok: bool = True) -> Iterator[Record]:
    """Verdict records for the bag at ``root`` against ``entries()`` (bag path bytes, sha256 hex).

    ``entries`` is called once; paths are relative to ``root`` (``data/...``). ``summary`` fills in.
    ``emit_ok=False`` counts OK files without building their records (the fast path of ``verify``).
    """
    s = summary if summary is not None else PayloadSummary()
    listed: set[bytes] = set()
    missing: dict[str, list[bytes]] = {}  # digest -> listed paths absent on disk
    missing_order: list[tuple[bytes, str]] = []
    sep = b"/"

    def listed_items() -> Iterator[tuple[bytes, Any]]:
        for rel, digest in entries():
            k = path_key(rel)
            if k in listed:
                continue  # listed twice: judged once
            listed.add(k)
            yield root + sep + rel, (rel, digest)

    for _full, (rel, digest), (found, size, err, errname) in hash_many(listed_items(), workers):
        if found is None and errname == "ENOENT":
            missing.setdefault(digest, []).append(rel)
            missing_order.append((rel, digest))
            continue
        s.files += 1
        s.bytes += size
        if found is None:
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
        data = root + sep + b"data"
        for dirpath, dirnames, filenames in os.walk(data):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = full[len(root) + 1:]
                if path_key(rel) in listed:
                    continue
                if os.path.islink(full):
                    continue
                yield full, rel

    consumed: set[bytes] = set()
    for _full, rel, (found, size, err, errname) in hash_many(unlisted(), workers):
        s.files += 1
        s.bytes += size
        if found is None:
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
