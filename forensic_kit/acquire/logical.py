"""Logical acquisition: a file or folder copied under ``data/<EX>/`` keeping relative paths,
and files extracted from the file systems of a disk image (``--extract``)."""

from __future__ import annotations

import errno as errno_mod
import fnmatch
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from forensic_kit import names
from forensic_kit.acquire.copy import SMALL, Batch, copy_bytes, copy_into, read_small
from forensic_kit.acquire.core import PARSER, Acquisition, WriteFailed
from forensic_kit.filehash import open_readonly, stat_times, walk
from forensic_kit.records import Record, error_record, new_record


COPY_THREADS = 4
"""Files copied at once (reads, writes and hashes release the GIL)."""


@dataclass
class Outcome:
    """What an acquisition did."""

    items: int = 0
    bytes: int = 0
    errors: int = 0
    skipped: int = 0
    changed: int = 0


def _rel_text(rel: bytes) -> str:
    """The copy's name for a relative path: the same name when it is UTF-8; otherwise each byte
    that is not UTF-8 becomes ``%XX`` (the bag's tag files are UTF-8). The record keeps the
    original bytes (``relpath_hex``)."""
    try:
        return rel.decode("utf-8")
    except UnicodeDecodeError:
        text = rel.decode("utf-8", "surrogateescape")
        return "".join(f"%{ord(c) - 0xDC00:02X}" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in text)


def _err(acq: Acquisition, stage: str, exc: OSError, **fields: Any) -> Record:
    rec = error_record(PARSER, stage, exc.strerror or str(exc),
                       errno_name=errno_mod.errorcode.get(exc.errno or 0), exhibit=acq.exhibit_id, **fields)
    acq.error(rec)
    return rec


def acquire_files(acq: Acquisition, source: Path, on_commit: Callable[[list[Record]], None] | None = None) -> Outcome:
    """Copy every regular file under ``source`` (or the file itself) into the staging folder."""
    out = Outcome()
    batch = Batch(acq, on_commit=on_commit)
    root = os.fsencode(source)
    single = not source.is_dir()
    jobs: list[tuple[bytes, str, dict[str, Any]]] = []
    with ThreadPoolExecutor(max_workers=COPY_THREADS) as pool:
        _walk_and_copy(acq, root, single, jobs, pool, batch, out)
    batch.flush()
    return out


def _walk_and_copy(acq: Acquisition, root: bytes, single: bool, jobs: list[tuple[bytes, str, dict[str, Any]]],
                   pool: ThreadPoolExecutor, batch: Batch, out: Outcome) -> None:
    for item in walk([root], follow=False):
        rel = os.path.basename(item.path) if single else os.path.relpath(item.path, root)
        src_fields = {"scheme": "file", **names.path_fields(item.path, "source_path"),
                      **names.path_fields(rel, "relpath")}
        if item.walk_error is not None:
            stage, code, reason = item.walk_error
            acq.error(error_record(PARSER, stage, reason, errno_name=errno_mod.errorcode.get(code),
                                   exhibit=acq.exhibit_id, locator=src_fields))
            out.errors += 1
            continue
        staged = _rel_text(rel)
        if staged in acq.done:
            out.items += 1
            continue
        try:
            st = os.lstat(item.path)
        except OSError as exc:
            _err(acq, "stat", exc, locator=src_fields)
            out.errors += 1
            continue
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISLNK(st.st_mode):
                out.skipped += 1
                acq.info.setdefault("not_copied", []).append(
                    {**names.path_fields(rel, "relpath"), "type": "symlink",
                     "target": os.fsdecode(os.readlink(item.path))})
            else:
                out.skipped += 1
            continue
        jobs.append((item.path, staged, src_fields))
        if len(jobs) >= 64:
            _run_jobs(acq, jobs, pool, batch, out)
    _run_jobs(acq, jobs, pool, batch, out)


def _copy_one(acq: Acquisition, path: bytes, staged: str) -> tuple[Path, Record | None, OSError | None, bool]:
    """Copy one file into staging (runs in a worker thread). WriteFailed propagates."""
    try:
        fd = open_readonly(path)
    except OSError as exc:  # vanished or unreadable
        return acq.staging / staged, None, exc, False
    dest = acq.staging / staged
    try:
        before = os.fstat(fd)
        raw = os.fdopen(fd, "rb", buffering=0, closefd=False)
        try:
            if before.st_size <= SMALL:
                hashes, size = copy_bytes(dest, read_small(fd, before.st_size), acq.algos)
            else:
                hashes, size = copy_into(dest, raw.readinto, acq.algos)
        except WriteFailed:
            raise
        except OSError as exc:
            return dest, None, exc, False
        after = os.fstat(fd)
    finally:
        os.close(fd)
    try:
        os.utime(dest, ns=(before.st_atime_ns, before.st_mtime_ns), follow_symlinks=False)
    except OSError:
        pass
    rec = new_record("file", PARSER, "1", exhibit=acq.exhibit_id, type="regular", size=size,
                     hashes=hashes, times=stat_times(before), mode=oct(stat.S_IMODE(before.st_mode)),
                     _staged=staged)
    changed = (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or size != before.st_size
    return dest, rec, None, changed


def _run_jobs(acq: Acquisition, jobs: list[tuple[bytes, str, dict[str, Any]]], pool: ThreadPoolExecutor,
              batch: Batch, out: Outcome) -> None:
    """Copy queued files in parallel; record results in walk order; clear the queue."""
    results = list(pool.map(lambda job: _copy_one(acq, job[0], job[1]), jobs))
    for (_path, _staged, src_fields), (dest, rec, exc, changed) in zip(jobs, results):
        if rec is None:
            assert exc is not None
            _err(acq, "read", exc, locator=src_fields)
            out.errors += 1
            continue
        rec["locator"] = src_fields
        rec["producer"] = rec.pop("producer")
        if changed:
            rec["changed_while_read"] = True
            out.changed += 1
        batch.add(dest, rec)
        out.items += 1
        out.bytes += int(rec["size"])
    jobs.clear()


def _chunk_reader(chunks: Iterator[bytes]) -> Callable[[memoryview], int]:
    pending = b""

    def readinto(buf: memoryview) -> int:
        nonlocal pending
        if not pending:
            pending = next(chunks, b"")
            if not pending:
                return 0
        n = min(len(buf), len(pending))
        buf[:n] = pending[:n]
        pending = pending[n:]
        return n

    return readinto


def extract_files(acq: Acquisition, image: Path, include: list[str], deleted: bool,
                  on_commit: Callable[[list[Record]], None] | None = None) -> tuple[Outcome, dict[str, Any]]:
    """Copy files out of every file system of a disk image, each with its image locator."""
    from forensic_kit.evidence import disk
    from forensic_kit.hashing import MultiHash

    out = Outcome()
    batch = Batch(acq, on_commit=on_commit)
    src = disk.open_source(image)
    try:
        mh = MultiHash(("sha256",))
        off = 0
        while off < src.size:
            data = src.pread(off, 4 << 20)
            if not data:
                break
            mh.update(data)
            off += len(data)
        image_sha = mh.hexdigests()["sha256"]
        img = disk.TskImg(src)
        vols = disk.volumes(img)
        found, problems = disk.filesystems(img, vols)
        for p in problems:
            acq.error(error_record(PARSER, "open", p, exhibit=acq.exhibit_id, image=str(image)))
            out.errors += 1
        if not found:
            from forensic_kit.errors import FormatError

            raise FormatError(f"{image}: no file system TSK can read")
        info: dict[str, Any] = {"image_sha256": image_sha, "image_type": src.kind, "image_size": src.size,
                                "file_systems": [{"offset": f.offset, "fs": f.ftype,
                                                  "times_zone_assumed": disk.assumed_zone(f.ftype)} for f in found]}
        for fsys in found:
            zone = disk.assumed_zone(fsys.ftype)
            for entry in disk.walk(fsys):
                meta = entry.meta
                if meta is None or int(meta.type) != 1 or entry.name in (b".", b".."):
                    continue
                if entry.name.endswith(b"(Volume Label Entry)"):
                    continue  # TSK's pseudo-file for a FAT volume label: no content
                if entry.deleted and not deleted:
                    continue
                full = b"/" + entry.path
                if include and not any(fnmatch.fnmatch(os.fsdecode(full), g) or
                                        fnmatch.fnmatch(os.fsdecode(entry.name), g) for g in include):
                    continue
                rel = _rel_text(f"fs-{fsys.offset}".encode() + full)
                if entry.deleted:
                    rel += f".deleted-{entry.meta_addr}"
                if rel in acq.done:
                    out.items += 1
                    continue
                locator = {"scheme": "image", "image": str(image), "image_sha256": image_sha,
                           "partition_offset": fsys.offset, "fs": fsys.ftype, "inode": entry.meta_addr,
                           **names.path_fields(full, "path"), "deleted": entry.deleted}
                try:
                    hashes, size = copy_into(acq.staging / rel, _chunk_reader(disk.read_file(entry.file)), acq.algos)
                except OSError as exc:
                    if exc.__class__.__name__ == "WriteFailed":
                        raise
                    _err(acq, "read", exc, locator=locator)
                    out.errors += 1
                    continue
                times = disk.entry_times(meta)
                rec = new_record("file", PARSER, "1", exhibit=acq.exhibit_id, type="regular", size=size,
                                 hashes=hashes, times=times, locator=locator, _staged=rel)
                if zone:
                    rec["times_zone_assumed"] = zone
                batch.add(acq.staging / rel, rec)
                out.items += 1
                out.bytes += size
        batch.flush()
        return out, info
    finally:
        src.close()
