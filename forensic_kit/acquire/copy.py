"""Copy-while-hashing into the staging folder, batch durability and read-back verification."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from forensic_kit.acquire.core import Acquisition, WriteFailed
from forensic_kit.filehash import read_and_hash
from forensic_kit.hashing import MultiHash, pump
from forensic_kit.records import Record, error_record

BATCH_FILES = int(os.environ.get("FKIT_BATCH_FILES", "2000"))
"""Files per durability batch (one sync, then read-back and journal). Tunable for tests."""
BATCH_BYTES = 512 << 20
PART_SUFFIX = ".fkit-part"


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


def copy_into(dest: Path, readinto: Callable[[memoryview], int], algos: tuple[str, ...],
              chunk_size: int = 1 << 20, threads: bool = True) -> tuple[dict[str, str], int]:
    """Copy a stream to ``dest`` (temporary name, then rename) hashing it on the way.

    With ``threads`` every hash and the writer run in their own thread (hashing.pump fan-out);
    without, everything runs in the calling thread (cheaper for small files).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}{PART_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o444)
    except OSError as exc:
        raise WriteFailed(exc.errno or errno.EIO, f"cannot create {dest}: {exc.strerror}") from exc
    mh = MultiHash(algos)
    write = writer(fd)
    try:
        if threads:
            total = pump(readinto, [*mh.consumers, write], chunk_size=chunk_size)
        else:
            def both(chunk: memoryview) -> None:
                mh.update(chunk)
                write(chunk)

            total = pump(readinto, [both], chunk_size=chunk_size)
    except BaseException:
        os.close(fd)
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    os.close(fd)
    os.rename(tmp, dest)
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


def copy_bytes(dest: Path, data: bytes, algos: tuple[str, ...]) -> tuple[dict[str, str], int]:
    """Write a small file's bytes to ``dest`` (temporary name, then rename) and hash them."""
    view = memoryview(data)
    sent = False

    def readinto(buf: memoryview) -> int:
        nonlocal sent
        if sent:
            return 0
        sent = True
        buf[:len(view)] = view
        return len(view)

    return copy_into(dest, readinto, algos, chunk_size=max(len(data), 1), threads=False)


def _drop_cache(path: Path) -> None:
    """After a sync, evict clean pages so that the read-back really reads the disk."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except (OSError, AttributeError):
        pass
    finally:
        os.close(fd)


def _read_back(dest: Path, size: int, algo: str) -> tuple[dict[str, str], int, str]:
    """Evict the (clean, synced) pages of a copy, then read it back and hash it."""
    try:
        fd = os.open(dest, os.O_RDONLY)
    except OSError as exc:
        return {}, -1, f"cannot read the copy back: {exc.strerror}"
    try:
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except (OSError, AttributeError):
            pass
        digests, n = read_and_hash(fd, size, (algo,))
    except OSError as exc:
        return {}, -1, f"cannot read the copy back: {exc.strerror}"
    finally:
        os.close(fd)
    return digests, n, "the copy read back differs from the source bytes"


def verify_algo(algos: tuple[str, ...]) -> str:
    """The algorithm used to read copies back (the fastest one requested)."""
    return "blake3" if "blake3" in algos else algos[0]


@dataclass
class Batch:
    """Items copied but not yet durable; flushed by :meth:`flush`."""

    acq: Acquisition
    pending: list[tuple[Path, Record]] = field(default_factory=list)
    bytes: int = 0
    on_commit: Callable[[list[Record]], None] | None = None

    def add(self, dest: Path, rec: Record) -> None:
        """Queue a copied item; flush when the batch is full."""
        self.pending.append((dest, rec))
        self.bytes += int(rec.get("size") or 0)
        if len(self.pending) >= BATCH_FILES or self.bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Make the batch durable (sync), read every copy back, then journal it."""
        if not self.pending:
            return
        os.sync()
        algo = verify_algo(self.acq.algos)
        good: list[Record] = []
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=4) as pool:  # reads and hashes release the GIL
            results = list(pool.map(lambda item: _read_back(item[0], int(item[1].get("size") or 0), algo),
                                    self.pending))
        for (dest, rec), (digests, n, reason) in zip(self.pending, results):
            if n != rec.get("size") or digests.get(algo) != rec["hashes"].get(algo):
                err = error_record("acquire", "verify", reason, exhibit=self.acq.exhibit_id,
                                   **{k: rec[k] for k in ("path", "path_hex") if k in rec})
                self.acq.error(err)
                try:
                    dest.unlink()
                except OSError:
                    pass
                continue
            rec["verified"] = {"method": f"read back after sync ({algo})", "ok": True}
            good.append(rec)
        self.acq.commit(good)
        if self.on_commit is not None:
            self.on_commit(good)
        self.pending = []
        self.bytes = 0
