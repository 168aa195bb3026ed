"""Logical acquisition: a file or folder copied under ``data/<EX>/`` keeping relative paths,
and files extracted from the file systems of a disk image (``--extract``)."""

from __future__ import annotations

import errno as errno_mod
import fnmatch
import os
import stat
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from forensic_kit import names, progress
from forensic_kit.acquire.copy import SMALL, Batch, copy_bytes, copy_into, read_small, verified_ok, verify_algo
from forensic_kit.acquire.core import PARSER, Acquisition, WriteFailed, final_record_line, observed_times
from forensic_kit.fileopen import open_readonly
from forensic_kit.filehash import walk
from forensic_kit.records import Record, error_record, new_record
from forensic_kit.workers import in_workers, usable_cores


# Files are copied by worker processes (copy_files), not by a pool of Python threads: with small
# files threads spend more (kernel) time handing the GIL around than they gain (measured on 2
# cores: 10,000 files copied in 1.0 s by one thread, 3-6 s by 2 or 4). Files over copy.SMALL
# are read, hashed and written by parallel threads inside their process (hashing.pump).


@dataclass
class Outcome:
    """What an acquisition did."""

    items: int = 0
    bytes: int = 0
    errors: int = 0
    skipped: int = 0
    changed: int = 0


def _rel_text(rel: bytes) -> str:
    """The copy's name for a relative path (:func:`forensic_kit.names.safe_relpath`): the same
    name when it is UTF-8 and usable; otherwise an escaped, marked name that cannot coincide with
    another item's. The record keeps the original bytes (``path_hex``)."""
    return names.safe_relpath(rel)


def _err(acq: Acquisition, stage: str, exc: OSError, **fields: Any) -> Record:
    rec = error_record(PARSER, stage, exc.strerror or str(exc),
                       errno_name=errno_mod.errorcode.get(exc.errno or 0), exhibit=acq.exhibit_id, **fields)
    acq.error(rec)
    return rec


def acquire_files(acq: Acquisition, source: Path, on_commit: Callable[[list[Record]], None] | None = None) -> Outcome:
    """Copy every regular file under ``source`` (or the file itself) into the staging folder."""
    out = Outcome()
    root = os.fsencode(source)
    single = not source.is_dir()
    with Batch(acq, on_commit=on_commit) as batch:
        _walk_and_copy(acq, root, single, batch, out)
        batch.flush()
    return out


def _walk_and_copy(acq: Acquisition, root: bytes, single: bool, batch: Batch, out: Outcome) -> None:
    staging = os.fspath(acq.staging)
    maker = RecordMaker(acq.exhibit_id, acq.prefix, acq.clamp_ns, root, single, staging, verify_algo(acq.algos))

    def jobs() -> Iterator[tuple[bytes, str]]:
        for item in walk([root], follow=False):
            rel = maker.relpath(item.path)
            if item.walk_error is not None:
                stage, code, reason = item.walk_error
                acq.error(error_record(PARSER, stage, reason, errno_name=errno_mod.errorcode.get(code),
                                       exhibit=acq.exhibit_id, locator=maker.locator(item.path, rel)))
                out.errors += 1
                continue
            staged = _rel_text(rel)
            if staged in acq.done:
                out.items += 1
                continue
            if not item.regular:  # the walk's d_type did not say "regular file": look closer
                try:
                    st = os.lstat(item.path)
                except OSError as exc:
                    _err(acq, "stat", exc, locator=maker.locator(item.path, rel))
                    out.errors += 1
                    continue
                if not stat.S_ISREG(st.st_mode):
                    out.skipped += 1
                    if stat.S_ISLNK(st.st_mode):
                        acq.info.setdefault("not_copied", []).append(
                            {**names.path_fields(rel, "relpath"), "type": "symlink",
                             "target": os.fsdecode(os.readlink(item.path))})
                    continue
            yield item.path, os.path.join(staging, staged)

    for copied in copy_files(jobs(), acq.algos, before_workers=batch.prepare, maker=maker):
        _record(acq, maker, copied, batch, out)


_VANISHED = (errno_mod.ENOENT, errno_mod.ENOTDIR)


class Copied(NamedTuple):
    """One source file after :func:`copy_file` (which may have run in a worker process)."""

    source: bytes
    dest: str
    hashes: dict[str, str] | None  # None: not copied (``error`` says why, or it is not a regular file)
    size: int = 0
    before: os.stat_result | None = None  # the source's status before it was read
    changed: bool = False  # size or mtime changed while it was read, or fewer bytes came
    error: tuple[int, str] | None = None  # (errno, reason) when it could not be opened or read
    stage: str = ""  # where it failed: "stat" (vanished) or "read"
    line: bytes | None = None  # the item's final record line (RecordMaker), made where it was copied


def copy_file(path: bytes, dest: str, algos: tuple[str, ...]) -> Copied:
    """Copy one source file to ``dest`` (in the staging folder), hashing it on the way.

    Read and write failures of the source come back in :attr:`Copied.error`; a destination that
    refuses bytes raises :class:`WriteFailed` (the exhibit cannot be finished).
    """
    if progress.live():
        progress.current(path)
    try:
        fd = open_readonly(path)
    except OSError as exc:  # vanished or unreadable
        progress.add(items=1)
        return Copied(path, dest, None, error=_reason(exc), stage="stat" if exc.errno in _VANISHED else "read")
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            return Copied(path, dest, None)
        times = (before.st_atime_ns, before.st_mtime_ns)
        try:
            if before.st_size <= SMALL:
                data = read_small(fd, before.st_size)
                progress.add(len(data))
                hashes = copy_bytes(dest, data, algos, times)
                size = len(data)
            else:
                raw = os.fdopen(fd, "rb", buffering=0, closefd=False)
                hashes, size = copy_into(dest, progress.counting(raw.readinto), algos, times=times)
        except WriteFailed:
            raise
        except OSError as exc:
            return Copied(path, dest, None, error=_reason(exc), stage="read")
        after = os.fstat(fd)
    finally:
        os.close(fd)
        progress.add(items=1)
    changed = (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or size != before.st_size
    return Copied(path, dest, hashes, size, before, changed)


def _reason(exc: OSError) -> tuple[int, str]:
    return exc.errno or errno_mod.EIO, exc.strerror or str(exc)


PARALLEL_MIN = 128
"""Fewer files than this are copied in the calling process: forking workers is not worth it."""
_TASK_MIN = 16  # a task ends with a folder once it has this many files ...
_TASK_MAX = 1024  # ... and after this many in any case


@dataclass(frozen=True)
class RecordMaker:
    """Makes a copied file's record, as the case will keep it, where the file was copied (a copy
    worker), so that the calling process only journals lines."""

    exhibit_id: str
    prefix: str  # the case folder as records name it
    clamp_ns: int | None  # training cases: file times clamped to SOURCE_DATE_EPOCH
    root: bytes  # the source folder (or file) as given
    single: bool  # the source is one file
    staging: str
    verify_algo: str

    def relpath(self, path: bytes) -> bytes:
        """A source file's path relative to the source folder (its name for a single file)."""
        if self.single:
            return os.path.basename(path)
        head = self.root if self.root.endswith(b"/") else self.root + b"/"
        # the walk builds root/rel: no relpath() (two getcwd calls) in the usual case
        return path[len(head):] if path.startswith(head) else os.path.relpath(path, self.root)

    def locator(self, path: bytes, rel: bytes | None = None) -> dict[str, Any]:
        """Where a file came from: its source path and its path relative to the source."""
        return {"scheme": "file", **names.path_fields(path, "source_path"),
                **names.path_fields(self.relpath(path) if rel is None else rel, "relpath")}

    def line(self, copied: Copied) -> bytes:
        """The final record line of a copied file, as journaled once its read-back has matched."""
        assert copied.before is not None
        st = copied.before
        rec = new_record("file", PARSER, "1", exhibit=self.exhibit_id, type="regular", size=copied.size,
                         hashes=copied.hashes, times=observed_times(st, self.clamp_ns), mode=oct(stat.S_IMODE(st.st_mode)))
        rec["locator"] = self.locator(copied.source)
        if copied.changed:
            rec["changed_while_read"] = True
        rec["verified"] = verified_ok(self.verify_algo)
        rec["producer"] = rec.pop("producer")
        return final_record_line(rec, self.exhibit_id, self.staged(copied.dest), self.prefix)

    def staged(self, dest: str) -> str:
        """A copy's name inside the exhibit."""
        return dest[len(self.staging) + 1:]


def _copy_task(algos: tuple[str, ...], maker: RecordMaker | None, task: list[tuple[bytes, str]]
               ) -> list[Copied] | tuple[int, str]:
    """A worker's task: copy each file (and make its record line); on a destination failure stop
    and answer (errno, reason)."""
    done: list[Copied] = []
    for path, dest in task:
        try:
            copied = copy_file(path, dest, algos)
        except WriteFailed as exc:
            return exc.errno or errno_mod.EIO, exc.strerror or str(exc)
        if maker is not None and copied.hashes is not None:
            copied = copied._replace(line=maker.line(copied), before=None)
        done.append(copied)
    return done


def _tasks(jobs: Iterator[tuple[bytes, str]]) -> Iterator[list[tuple[bytes, str]]]:
    """Jobs grouped by destination folder: two workers creating files in one folder queue on its
    lock (measured: no faster than one), so a task holds whole folders where it can."""
    task: list[tuple[bytes, str]] = []
    folder = ""
    for path, dest in jobs:
        here = os.path.dirname(dest)
        if len(task) >= _TASK_MAX or (here != folder and len(task) >= _TASK_MIN):
            yield task
            task = []
        folder = here
        task.append((path, dest))
    if task:
        yield task


def copy_files(jobs: Iterable[tuple[bytes, str]], algos: tuple[str, ...], workers: int | None = None,
               before_workers: Callable[[], None] | None = None, maker: RecordMaker | None = None) -> Iterator[Copied]:
    """:func:`copy_file` over ``(source path, destination)`` jobs, results in job order.

    Creating files costs this machine's kernel more than anything else (cp -a spends nearly all
    its time there), so with many files the copies run in one forked worker process per usable
    core, each creating its own files. ``before_workers`` runs just before they are forked.
    A destination failure in a worker is raised here as :class:`WriteFailed`. With ``maker``,
    each copied file comes with its record line (:attr:`Copied.line`).
    """
    it = iter(jobs)
    head = list(islice(it, PARALLEL_MIN))
    nworkers = workers if workers is not None else usable_cores()
    if len(head) < PARALLEL_MIN or nworkers <= 1:
        for path, dest in chain(head, it):
            yield from _results(_copy_task(algos, maker, [(path, dest)]))
        return
    if before_workers is not None:
        before_workers()
    for result in in_workers(_tasks(chain(head, it)), nworkers, partial(_copy_task, algos, maker), what="copy"):
        yield from _results(result)


def _results(answer: list[Copied] | tuple[int, str]) -> list[Copied]:
    """A task's copies; a destination failure (errno, reason) is raised as :class:`WriteFailed`."""
    if isinstance(answer, tuple):
        raise WriteFailed(answer[0], answer[1])  # the worker's reason already says what failed
    return answer


def _record(acq: Acquisition, maker: RecordMaker, copied: Copied, batch: Batch, out: Outcome) -> None:
    """Queue a copied file for the batch sync and read-back, or record why it was not copied."""
    if copied.hashes is None:
        if copied.error is None:
            out.skipped += 1
            return
        _err(acq, copied.stage, OSError(*copied.error), locator=maker.locator(copied.source))
        out.errors += 1
        return
    line = copied.line if copied.line is not None else maker.line(copied)
    batch.add(copied.dest, {"_staged": maker.staged(copied.dest), "size": copied.size, "hashes": copied.hashes,
                            "_line": line})
    if copied.changed:
        out.changed += 1
    out.items += 1
    out.bytes += copied.size


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
                  on_commit: Callable[[list[Record]], None] | None = None,
                  fstype: str | None = None) -> tuple[Outcome, dict[str, Any]]:
    """Copy files out of every file system of a disk image, each with its image locator."""
    from forensic_kit.evidence import disk
    from forensic_kit.evidence.ewf import EwfSource, check_result
    from forensic_kit.hashing import MultiHash

    out = Outcome()
    batch = Batch(acq, on_commit=on_commit)
    src = disk.open_source(image)
    try:
        stored = src.stored_hashes() if isinstance(src, EwfSource) else {}
        mh = MultiHash(("sha256", *sorted(stored)))
        off = 0
        read_error = None
        while off < src.size:
            try:
                data = src.pread(off, 4 << 20)
            except OSError as exc:
                read_error = f"read error at offset {off}: {exc.strerror or exc}"
                break
            if not data:
                break
            mh.update(data)
            off += len(data)
        digests = mh.hexdigests()
        image_sha = digests["sha256"]
        ewf_check = None
        if isinstance(src, EwfSource):
            ewf_check = check_result(src, {a: digests[a] for a in stored}, off, read_error).as_record()
        elif off != src.size:
            acq.error(error_record(PARSER, "read", read_error or f"image read {off} of {src.size} bytes",
                                   exhibit=acq.exhibit_id, image=str(image)))
            out.errors += 1
        from forensic_kit.evidence import apfs

        if fstype in (None, "apfs") and apfs.is_apfs(src):
            apfs_info: dict[str, Any] = {"image_sha256": image_sha, "image_type": src.kind, "image_size": src.size,
                                         "file_systems": [{"offset": 0, "fs": "apfs", "times_zone_assumed": None}]}
            if ewf_check is not None:
                apfs_info["ewf"] = ewf_check
            _extract_apfs(acq, image, src, image_sha, include, batch, out)
            batch.flush()
            return out, apfs_info
        img = disk.TskImg(src)
        vols = disk.volumes(img)
        found, problems = disk.filesystems(img, vols, fstype)
        for p in problems:
            acq.error(error_record(PARSER, "open", p, exhibit=acq.exhibit_id, image=str(image)))
            out.errors += 1
        if not found:
            from forensic_kit.errors import FormatError

            raise FormatError(f"{image}: no file system TSK can read")
        info: dict[str, Any] = {"image_sha256": image_sha, "image_type": src.kind, "image_size": src.size,
                                "file_systems": [{"offset": f.offset, "fs": f.ftype,
                                                  "times_zone_assumed": disk.assumed_zone(f.ftype),
                                                  **({"truncated": f.truncated} if f.truncated else {})}
                                                 for f in found]}
        if ewf_check is not None:
            info["ewf"] = ewf_check
        for fsys in found:
            zone = disk.assumed_zone(fsys.ftype)
            taken: set[str] = set()  # copy names given in this file system (two entries, one name)
            folders: dict[bytes, str] = {b"": f"fs-{fsys.offset}"}  # entry.parent -> its copy folder
            for entry in disk.walk(fsys):
                meta = entry.meta
                if entry.name in (b".", b".."):
                    continue
                folder = folders.get(entry.parent)
                if folder is None:
                    folder = _rel_text(f"fs-{fsys.offset}/".encode() + entry.parent.rstrip(b"/"))
                if entry.is_dir:
                    sub = folder + "/" + names.safe_component(entry.name)
                    if sub in taken:
                        sub = names.duplicate_name(sub, str(entry.meta_addr))
                    taken.add(sub)
                    folders[entry.path + b"/"] = sub
                    continue
                if meta is None and entry.deleted and deleted:
                    # a deleted name whose metadata is gone: listed, with why nothing is copied
                    acq.error(error_record(PARSER, "recover", "deleted name without metadata: no content to recover",
                                           exhibit=acq.exhibit_id, locator={
                                               "scheme": "image", "image": str(image), "partition_offset": fsys.offset,
                                               "fs": fsys.ftype, "inode": entry.meta_addr,
                                               **names.path_fields(b"/" + entry.path, "path"), "deleted": True}))
                    out.errors += 1
                    continue
                if meta is None or int(meta.type) != 1:
                    continue
                if entry.name.endswith(b"(Volume Label Entry)"):
                    continue  # TSK's pseudo-file for a FAT volume label: no content
                if entry.deleted and not deleted:
                    continue
                full = b"/" + entry.path
                if include and not any(fnmatch.fnmatch(os.fsdecode(full), g) or
                                        fnmatch.fnmatch(os.fsdecode(entry.name), g) for g in include):
                    continue
                rel = folder + "/" + names.safe_component(entry.name)
                if entry.deleted:
                    rel += f".deleted-{entry.meta_addr}"
                if rel in taken:  # a second entry under the same name in one folder (damaged or crafted)
                    rel = names.duplicate_name(rel, str(entry.meta_addr))
                taken.add(rel)
                if rel in acq.done:
                    out.items += 1
                    continue
                locator = {"scheme": "image", "image": str(image), "image_sha256": image_sha,
                           "partition_offset": fsys.offset, "fs": fsys.ftype, "inode": entry.meta_addr,
                           **names.path_fields(full, "path"), "deleted": entry.deleted}
                try:
                    progress.current(full)
                    hashes, size = copy_into(acq.staging / rel, progress.counting(_chunk_reader(disk.read_file(entry.file))),
                                             acq.algos)
                    progress.add(items=1)
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
            for problem in fsys.problems:
                acq.error(error_record(PARSER, "read", problem, exhibit=acq.exhibit_id, image=str(image),
                                       partition_offset=fsys.offset))
                out.errors += 1
        batch.flush()
        return out, info
    finally:
        batch.close()
        src.close()


def _extract_apfs(acq: Acquisition, image: Path, src: Any, image_sha: str, include: list[str],
                  batch: Batch, out: Outcome) -> None:
    """--extract for an APFS container (libfsapfs): every regular file of every unlocked volume,
    copied to ``fs-0/<volume>/<path>``; a locked volume is an error record."""
    import stat as stat_mod

    from forensic_kit.evidence import apfs

    container = apfs.Apfs(src, 0)
    try:
        for i, volume in enumerate(container.volumes):
            vname = names.safe_component((volume.name or f"volume-{i}").encode("utf-8", "surrogateescape"))
            if container.locked(volume):
                acq.error(error_record(PARSER, "open", f"APFS volume {i} ({volume.name}) is encrypted and locked",
                                       exhibit=acq.exhibit_id, image=str(image)))
                out.errors += 1
                continue
            for e in container.walk(volume):
                if not stat_mod.S_ISREG(e.mode):
                    continue
                full = b"/" + e.path
                if include and not any(fnmatch.fnmatch(os.fsdecode(full), g) or
                                       fnmatch.fnmatch(os.fsdecode(e.path.rsplit(b"/", 1)[-1]), g) for g in include):
                    continue
                rel = f"fs-0/{vname}/" + names.safe_relpath(e.path)
                if rel in acq.done:
                    out.items += 1
                    continue
                locator = {"scheme": "image", "image": str(image), "image_sha256": image_sha, "partition_offset": 0,
                           "fs": "apfs", "volume": volume.name, "inode": e.inode,
                           **names.path_fields(full, "path"), "deleted": False}
                try:
                    hashes, size = copy_into(acq.staging / rel, _chunk_reader(apfs.read(e.entry)), acq.algos)
                except OSError as exc:
                    if isinstance(exc, WriteFailed):
                        raise
                    _err(acq, "read", exc, locator=locator)
                    out.errors += 1
                    continue
                times = apfs.entry_fields(e)["times"]
                rec = new_record("file", PARSER, "1", exhibit=acq.exhibit_id, type="regular", size=size,
                                 hashes=hashes, times=times, locator=locator, _staged=rel)
                batch.add(acq.staging / rel, rec)
                out.items += 1
                out.bytes += size
    finally:
        container.close()
