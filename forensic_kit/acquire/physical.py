"""Physical acquisition: a block device or image file into ``data/<EX>/image.raw`` (or segments).

Read errors are retried, then the unreadable sectors are zero-filled and every bad range is
recorded (like dc3dd / Guymager); the exhibit is then marked incomplete (exit 3).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from forensic_kit.acquire.copy import _drop_cache, verify_algo, writer
from forensic_kit.acquire.core import PARSER, Acquisition, WriteFailed
from forensic_kit.filehash import open_readonly
from forensic_kit.hashing import MultiHash, pump
from forensic_kit.records import Record, new_record

SECTOR = 512
RETRIES = 3
CHUNK = 1 << 20


def parse_size(text: str) -> int:
    """``2G``, ``650M``, ``4096`` → bytes (powers of 1024)."""
    from forensic_kit.errors import UsageError

    t = text.strip().upper().rstrip("B").rstrip("I")
    mult = 1
    for suffix, m in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)):
        if t.endswith(suffix):
            t, mult = t[:-1], m
            break
    try:
        value = int(float(t) * mult)
    except ValueError as exc:
        raise UsageError(f"bad size {text!r} (use e.g. 2G, 650M)") from exc
    if value < SECTOR or value % SECTOR:
        raise UsageError(f"--split size must be a multiple of {SECTOR} bytes")
    return value


def _faults() -> list[tuple[int, int]]:
    """Test hook: ``FKIT_FAULT_READ=start-end,...`` byte ranges whose reads fail with EIO."""
    spec = os.environ.get("FKIT_FAULT_READ", "")
    out = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.append((int(a), int(b)))
    return out


@dataclass
class Reader:
    """Reads a source sequentially with retry and zero-fill, keeping the bad ranges."""

    pread: Callable[[int, int], bytes]
    size: int
    pos: int = 0
    bad: list[list[int]] = field(default_factory=list)
    faults: list[tuple[int, int]] = field(default_factory=_faults)

    def _read(self, off: int, n: int) -> bytes:
        for a, b in self.faults:
            if off < b and off + n > a:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
        return self.pread(off, n)

    def _add_bad(self, off: int, n: int) -> None:
        if self.bad and self.bad[-1][0] + self.bad[-1][1] == off:
            self.bad[-1][1] += n
        else:
            self.bad.append([off, n])

    def readinto(self, buf: memoryview) -> int:
        """pump callback: fill ``buf`` from the current position."""
        n = min(len(buf), self.size - self.pos) if self.size else len(buf)
        if n <= 0:
            return 0
        data = self._chunk(self.pos, n)
        if not data:
            return 0
        buf[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def _chunk(self, off: int, n: int) -> bytes:
        for _ in range(RETRIES):
            try:
                return self._read(off, n)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    raise
        # sector by sector, zero-filling what stays unreadable
        out = bytearray()
        for s in range(off, off + n, SECTOR):
            m = min(SECTOR, off + n - s)
            for attempt in range(RETRIES):
                try:
                    data = self._read(s, m)
                    break
                except OSError:
                    data = None
            if data is None or len(data) < m:
                self._add_bad(s, m)
                data = (data or b"") + bytes(m - len(data or b""))
            out += data
        return bytes(out)


class SplitWriter:
    """Writes a stream as one file or as ``image.000, image.001, ...`` segments of ``split`` bytes."""

    def __init__(self, folder: Path, split: int | None) -> None:
        self.folder = folder
        self.split = split
        self.files: list[Path] = []
        self.fd: int | None = None
        self.left = 0
        self._write: Callable[[memoryview], None] | None = None

    def _next(self) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
        name = "image.raw" if self.split is None else f"image.{len(self.files):03d}"
        path = self.folder / name
        try:
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o444)
        except OSError as exc:
            raise WriteFailed(exc.errno or errno.EIO, f"cannot create {path}: {exc.strerror}") from exc
        self.files.append(path)
        self._write = writer(self.fd)
        self.left = self.split or -1

    def __call__(self, chunk: memoryview) -> None:
        if self.fd is None:
            self._next()
        while chunk:
            if self.split is not None and self.left == 0:
                self._next()
            n = len(chunk) if self.split is None else min(len(chunk), self.left)
            assert self._write is not None
            self._write(chunk[:n])
            if self.split is not None:
                self.left -= n
            chunk = chunk[n:]

    def close(self) -> None:
        """fsync and close the last segment."""
        if self.fd is None:
            self._next()
        assert self.fd is not None
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None


def open_physical(source: Path) -> tuple[Callable[[int, int], bytes], int, dict[str, Any], Callable[[], None]]:
    """(pread, size, identity, close) for a block device, raw image or E01."""
    from forensic_kit.acquire.core import block_identity

    st = os.stat(source)
    ident: dict[str, Any] = {"path": os.fsdecode(os.path.abspath(source))}
    if stat.S_ISBLK(st.st_mode):
        fd = open_readonly(os.fsencode(source), follow=True)
        size = os.lseek(fd, 0, os.SEEK_END)
        ident.update({"type": "block_device", "size": size, **block_identity(source)})
        return (lambda off, n: os.pread(fd, n, off)), size, ident, (lambda: os.close(fd))
    from forensic_kit.evidence import disk

    src = disk.open_source(source)
    ident.update({"type": f"image:{src.kind}", "size": src.size, "segments": [os.fsdecode(s) for s in src.segments]})
    return src.pread, src.size, ident, src.close


def acquire_image(acq: Acquisition, pread: Callable[[int, int], bytes], size: int, split: int | None,
                  reread: bool) -> tuple[list[Record], dict[str, Any]]:
    """Image the source into staging; return the item records and exhibit fields."""
    reader = Reader(pread, size)
    out = SplitWriter(acq.staging, split)
    mh = MultiHash(acq.algos)
    total = pump(reader.readinto, [*mh.consumers, out])
    out.close()
    hashes = mh.hexdigests()
    if total != size:
        raise OSError(errno.EIO, f"source ended early: {total} of {size} bytes read (did it vanish?)")
    # durable: each segment was fsync'd; make the folder entries durable too, then read back
    os.sync()
    algo = verify_algo(acq.algos)
    back = MultiHash((algo,))
    seg_records: list[Record] = []
    for path in out.files:
        _drop_cache(path)
        seg_hash = MultiHash(("sha256",)) if split else None  # per-segment SHA-256 for the manifest
        fd = os.open(path, os.O_RDONLY)
        try:
            raw = os.fdopen(fd, "rb", buffering=0, closefd=False)
            consumers = [back.update] + ([seg_hash.update] if seg_hash is not None else [])
            n = pump(raw.readinto, consumers)
        finally:
            os.close(fd)
        staged = path.relative_to(acq.staging).as_posix()
        seg_records.append(new_record("file", PARSER, "1", exhibit=acq.exhibit_id, type="image-segment" if split else "image",
                                      size=n, hashes=seg_hash.hexdigests() if seg_hash is not None else hashes,
                                      times=None,
                                      locator={"scheme": "device" if acq.info.get("source", {}).get("type") == "block_device" else "file",
                                               "source": acq.info.get("source", {}).get("path")},
                                      _staged=staged))
    readback = back.hexdigests()
    ok = readback.get(algo) == hashes.get(algo)
    extra: dict[str, Any] = {
        "image": {"files": [p.name for p in out.files], "size": total, "hashes": hashes,
                  "split": split, "readback": {"algorithm": algo, "ok": ok}},
        "bad_ranges": [{"offset": a, "length": n, "sectors": f"{a // SECTOR}-{(a + n - 1) // SECTOR}"}
                       for a, n in reader.bad],
    }
    if not split:
        seg_records[0]["hashes"] = hashes
    if reread:
        again = MultiHash(acq.algos)
        r2 = Reader(pread, size)
        pump(r2.readinto, again.consumers)
        extra["reread"] = {"hashes": again.hexdigests(), "stable": again.hexdigests() == hashes,
                           "bad_ranges": [{"offset": a, "length": n} for a, n in r2.bad]}
    for rec in seg_records:
        rec["verified"] = {"method": f"read back after sync ({algo})", "ok": ok}
    acq.commit(seg_records)
    return seg_records, extra
