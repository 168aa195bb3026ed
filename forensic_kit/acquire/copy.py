"""Copy-while-hashing into the staging folder, batch durability and read-back verification."""

from __future__ import annotations

import errno
import multiprocessing
import os
from collections import deque
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from forensic_kit.acquire import fastio
from forensic_kit.acquire.core import Acquisition, WriteFailed
from forensic_kit.fileopen import open_readonly
from forensic_kit.filehash import read_and_hash
from forensic_kit.hashing import MultiHash, pump
from forensic_kit.records import Record, error_record

BATCH_FILES = int(os.environ.get("FKIT_BATCH_FILES", "2000"))
"""Files per durability batch (one sync, then read-back and journal). Tunable for tests."""
BATCH_BYTES = 512 << 20


class FaultyWriter:
    """Test hook: ``FKIT_FAULT_WRITE_AFTER=N`` makes writes fail with ENOSPC after N bytes in all."""

    written = 0

    @classmethod
    def check(cls, n: int) -> None:
        """Raise ENOSPC when the injected limit is passed."""
        limit = os.environ.get("FKIT_FAULT_WRITE_AFTER")
        if limit is None:
            return
        cls.written += n
        if cls.written > int(limit):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def writer(fd: int) -> Callable[[memoryview], None]:
    """A pump consumer that writes every chunk fully to ``fd``."""

    def write(chunk: memoryview) -> None:
        try:
            FaultyWriter.check(len(chunk))
            view = chunk
            while view:
                n = os.write(fd, view)
                view = view[n:]
        except OSError as exc:
            raise WriteFailed(exc.errno or errno.EIO, f"cannot write to the case: {exc.strerror}") from exc

    return write


Times = tuple[int, int] | None
"""(atime_ns, mtime_ns) to set on a copy, or None."""

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
"""Exclusive: a copy never replaces another item's copy (names are injective; partial copies of
a crashed run are deleted before a resume), so two items can never end up as one file."""


def _create(dest: Path | str) -> int:
    try:
        try:
            return os.open(dest, _CREATE, 0o444)
        except FileNotFoundError:  # first file of a folder: create the folder, then the file
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            return os.open(dest, _CREATE, 0o444)
    except FileExistsError as exc:  # that item's error, not the destination's
        raise OSError(errno.EEXIST, f"another item already has the copy name {os.fsdecode(dest)}") from exc
    except NotADirectoryError as exc:
        raise OSError(errno.ENOTDIR, f"another item's copy is in the way of {os.fsdecode(dest)}") from exc
    except OSError as exc:
        raise WriteFailed(exc.errno or errno.EIO, f"cannot create {dest}: {exc.strerror}") from exc


def _finish(fd: int, dest: Path | str, times: Times, ok: bool) -> None:
    """Set the source times on the copy (through the descriptor: no path lookup), close it; on
    failure delete the partial copy."""
    if ok and times is not None:
        try:
            os.utime(fd, ns=times)
        except OSError:
            pass
    os.close(fd)
    if not ok:
        try:
            os.unlink(dest)
        except OSError:
            pass


def copy_into(dest: Path | str, readinto: Callable[[memoryview], int], algos: tuple[str, ...],
              chunk_size: int = 1 << 20, times: Times = None) -> tuple[dict[str, str], int]:
    """Copy a stream to ``dest`` hashing it on the way (every hash and the writer in their own
    thread: hashing.pump fan-out).

    ``dest`` is written under its final name inside the exhibit's staging folder, which is the
    temporary name of the whole exhibit: it becomes ``data/<EX>`` by one rename when the exhibit
    is finished, and a copy is journaled only after the batch sync and read-back. A copy that
    fails is deleted; one left by a crash is not in the journal and is deleted on the rerun.
    """
    fd = _create(dest)
    mh = MultiHash(algos)
    ok = False
    try:
        total = pump(readinto, [*mh.consumers, writer(fd)], chunk_size=chunk_size)
        ok = True
    finally:
        _finish(fd, dest, times, ok)
    return mh.hexdigests(), total


SMALL = 4 << 20
"""Files up to this size are read in one call and hashed in the calling thread (no pump threads)."""


def read_small(fd: int, size_hint: int) -> bytes:
    """Read a small file to its end (one read in the usual case)."""
    parts = [os.read(fd, size_hint + 1)]
    if len(parts[0]) > size_hint:
        while chunk := os.read(fd, 1 << 20):
            parts.append(chunk)
    return b"".join(parts)


def copy_bytes(dest: Path | str, data: bytes, algos: tuple[str, ...], times: Times = None) -> dict[str, str]:
    """Hash a small file's bytes and write them to ``dest`` (see :func:`copy_into` for the name);
    returns the digests."""
    mh = MultiHash(algos)
    mh.update(data)
    fd = _create(dest)
    ok = False
    try:
        writer(fd)(memoryview(data))
        ok = True
    finally:
        _finish(fd, dest, times, ok)
    return mh.hexdigests()


READBACK_WINDOW = 64
"""Copies whose read-back is started ahead of the one being hashed (reads in flight)."""


def read_back(items: Sequence[tuple[Path | str, int]], algo: str) -> list[tuple[dict[str, str], int, str]]:
    """Read synced copies back from the device and hash them: (digests, bytes, reason if it fails).

    One thread (a pool of Python threads costs more in GIL hand-offs than it gains with small
    files), with the device kept busy: each copy is opened :data:`READBACK_WINDOW` files ahead,
    its clean cached pages evicted (``POSIX_FADV_DONTNEED``, so the bytes must come from the
    device) and, for a small copy, an asynchronous read of it started (``POSIX_FADV_WILLNEED``).
    Copies are opened with ``O_NOATIME`` where allowed, keeping the access time set on them.
    """
    results: list[tuple[dict[str, str], int, str]] = []
    window: deque[tuple[int, str]] = deque()  # (fd, or -1 and the reason it could not be opened)
    pending = iter(items)

    def start() -> None:
        item = next(pending, None)
        if item is None:
            return
        dest, size = item
        try:
            fd = open_readonly(os.fsencode(dest))
        except OSError as exc:
            window.append((-1, f"cannot read the copy back: {exc.strerror}"))
            return
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            if size <= SMALL:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except (OSError, AttributeError):
            pass
        window.append((fd, ""))

    try:
        for _ in range(READBACK_WINDOW):
            start()
        for _dest, size in items:
            fd, reason = window.popleft()
            start()
            if fd < 0:
                results.append(({}, -1, reason))
                continue
            try:
                digests, n = read_and_hash(fd, size, (algo,))
            except OSError as exc:
                results.append(({}, -1, f"cannot read the copy back: {exc.strerror}"))
                continue
            finally:
                os.close(fd)
            results.append((digests, n, "the copy read back differs from the source bytes"))
    finally:
        for fd, _reason in window:
            if fd >= 0:
                os.close(fd)
    return results


def verify_algo(algos: tuple[str, ...]) -> str:
    """The algorithm used to read copies back (the fastest one requested)."""
    return "blake3" if "blake3" in algos else algos[0]


def verified_ok(algo: str) -> dict[str, object]:
    """The ``verified`` field of a copy whose read-back matched."""
    return {"method": f"read back after sync ({algo})", "ok": True}


READBACK_PROCESS = os.environ.get("FKIT_READBACK_PROCESS", "1") != "0"
"""Read full batches back in a helper process while the next batch is copied (see :class:`Batch`)."""

_Pending = list[tuple["Path | str", Record]]
_Results = list[tuple[dict[str, str], int, str]]


def _worker_init(parent: int) -> None:
    """In the helper process: die with fkit (``kill -9`` included) and hold none of its pipes open
    (``fkit acquire ... | fkit meta`` must see the end of its input when fkit ends)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # fkit ended before the line above
        os._exit(0)


def _read_back_paths(items: list[tuple[str, int]], algo: str) -> _Results:
    """:func:`read_back` in the helper process (a module-level function: it is pickled by name)."""
    return read_back(items, algo)


@dataclass
class Batch:
    """Items copied but not yet durable; flushed by :meth:`flush`.

    A full batch is synced (``syncfs``) and then read back in one helper process while the
    calling thread copies the next batch: the read-back's kernel work runs on another core, and
    a second Python thread would cost more in GIL hand-offs than it saves. Batches are journaled
    strictly in order, each only after its sync and its read-back. The last batch is read back in
    the calling process, at the same time as the helper finishes the one before.
    """

    acq: Acquisition
    pending: list[tuple[Path | str, Record]] = field(default_factory=list)
    bytes: int = 0
    on_commit: Callable[[list[Record]], None] | None = None
    inflight: deque[tuple[Future[_Results], _Pending]] = field(default_factory=deque)
    pool: ProcessPoolExecutor | None = None
    prepared: bool = False  # prepare() ran: other processes exist now, so no helper is forked later

    def prepare(self) -> None:
        """Start the read-back helper process now (before any other process is forked).

        A process forked later would inherit it, and the helper would inherit that process's
        pipes if it came second: copy workers must see the end of their task pipe when fkit
        closes it, so the helper is forked first.
        """
        self.prepared = True
        if READBACK_PROCESS and self.pool is None:
            try:
                self.pool = self._new_pool()
                self.pool.submit(os.getpid).result()  # the pool forks on its first task
            except (OSError, RuntimeError, ValueError, BrokenExecutor):
                self.pool = None

    @staticmethod
    def _new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_init, initargs=(os.getpid(),))

    def add(self, dest: Path | str, rec: Record) -> None:
        """Queue a copied item; sync and start its read-back when the batch is full."""
        self.pending.append((dest, rec))
        self.bytes += int(rec.get("size") or 0)
        if len(self.pending) >= BATCH_FILES or self.bytes >= BATCH_BYTES:
            self._sync_and_verify(background=READBACK_PROCESS)

    def flush(self) -> None:
        """Make every queued item durable, read it back and journal it (returns when done)."""
        try:
            self._sync_and_verify(background=False)
        finally:
            self._drain(wait=True)
            self.close()

    def close(self) -> None:
        """Stop the read-back helper process now (idempotent).

        Called on every way out, failures included: a pool left to interpreter exit races with
        ``concurrent.futures``' own exit hook, which then writes to a closed wake-up pipe and
        prints a traceback after fkit's one-line error (CPython 3.11).
        """
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sync_and_verify(self, background: bool) -> None:
        if not self.pending:
            return
        items, self.pending, self.bytes = self.pending, [], 0
        try:
            fastio.syncfs(self.acq.staging)
        except OSError as exc:  # the kernel could not write what was copied
            raise WriteFailed(exc.errno or errno.EIO, f"cannot write to the case: {exc.strerror}") from exc
        algo = verify_algo(self.acq.algos)
        args = [(os.fspath(dest), int(rec.get("size") or 0)) for dest, rec in items]
        if background and (self.pool is not None or not self.prepared):
            try:
                if self.pool is None:
                    self.pool = self._new_pool()
                self.inflight.append((self.pool.submit(_read_back_paths, args, algo), items))
                self._drain(wait=False)
                return
            except (OSError, RuntimeError, ValueError):
                pass  # no helper process: read back here
        results = read_back(args, algo)  # while the helper may still read the previous batch
        self._drain(wait=True)  # earlier batches are journaled first
        self._check(items, results)

    def _drain(self, wait: bool) -> None:
        """Journal the batches whose read-back has finished, in order."""
        while self.inflight and (wait or self.inflight[0][0].done()):
            future, items = self.inflight.popleft()
            algo = verify_algo(self.acq.algos)
            try:
                results = future.result()
            except (OSError, BrokenExecutor):
                results = read_back([(os.fspath(d), int(r.get("size") or 0)) for d, r in items], algo)
            self._check(items, results)

    def _check(self, items: _Pending, results: _Results) -> None:
        """Compare read-back hashes with the ones taken while copying; journal the good copies."""
        algo = verify_algo(self.acq.algos)
        good: list[Record] = []
        for (dest, rec), (digests, n, reason) in zip(items, results):
            if n != rec.get("size") or digests.get(algo) != rec["hashes"].get(algo):
                err = error_record("acquire", "verify", reason, exhibit=self.acq.exhibit_id,
                                   **{k: rec[k] for k in ("path", "path_hex") if k in rec})
                self.acq.error(err)
                try:
                    os.unlink(dest)
                except OSError:
                    pass
                continue
            rec["verified"] = verified_ok(algo)
            good.append(rec)
        self.acq.commit(good)
        if self.on_commit is not None:
            self.on_commit(good)
