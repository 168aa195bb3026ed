"""Add a ``media`` block to records, every file parsed in isolation with bounded time and memory.

Workers are forked processes (``concurrent.futures``), one per core; each file gets a wall-clock
budget (``SIGALRM`` inside the worker) and the worker an address-space limit, and at most
``MAX_IMAGE_BYTES`` of an image is read into memory. A worker that dies (a native parser crash)
breaks only its batch: that batch is re-run one file per process so the culprit alone becomes an
error. Output order is input order.
"""

from __future__ import annotations

import errno as errno_mod
import gc
import hashlib
import io
import multiprocessing
import os
import resource
import signal
import stat as stat_mod
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from types import FrameType
from typing import Any

from forensic_kit import names
from forensic_kit.fileopen import open_readonly
from forensic_kit.filehash import WorkItem, stat_times
from forensic_kit.errors import FkitError
from forensic_kit.media import PARSER, PARSER_VERSION, hints, imagefiles, xmpsidecar
from forensic_kit.records import KIND_FILE, Record, error_record, new_record

HEAD_BYTES = 256 * 1024
MAGIC_BYTES = 64 * 1024  # libmagic gives the same MIME type as `file` on the whole corpus with 64 KiB
MAX_IMAGE_BYTES = 64 * 1024 * 1024
FILE_TIMEOUT_S = 15.0
WORKER_MEMORY = 1536 * 1024 * 1024
_BATCH = 32


class FileTimeout(Exception):
    """A file's parsing ran past its time budget."""


@dataclass(frozen=True)
class MetaOptions:
    """How ``media_records`` works: per-file time budget, and whether located files that carry
    no hash get a SHA-256 (for the exports)."""

    timeout_s: float = FILE_TIMEOUT_S
    hash_located: bool = False


@dataclass
class MetaStats:
    """What a run did, for the summary line and the exit code."""

    files: int = 0
    unreadable: int = 0
    warnings: int = 0
    located: int = 0
    passed: int = 0
    skipped: int = 0


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise FileTimeout()


def _issue(parser: str, stage: str, reason: str) -> dict[str, str]:
    return {"parser": parser, "stage": stage, "reason": reason}


def _locator(path: bytes, root: bytes) -> dict[str, Any]:
    rel = os.path.relpath(path, root) if path != root else os.path.basename(path)
    loc: dict[str, Any] = {"scheme": "file"}
    loc.update(names.path_fields(root, "root"))
    loc.update(names.path_fields(rel, "relpath"))
    return loc


def _sha256_fd(fd: int) -> str:
    h = hashlib.sha256()
    off = 0
    while chunk := os.pread(fd, 1 << 20, off):
        h.update(chunk)
        off += len(chunk)
    return h.hexdigest()


def parse_fd(fd: int, size: int, name: bytes) -> dict[str, Any]:
    """The ``media`` block of an open regular file (may raise :class:`FileTimeout`)."""
    from forensic_kit.media import exif, type as mtype, video

    head = os.pread(fd, min(size, HEAD_BYTES), 0)
    media: dict[str, Any] = mtype.detect(head[:MAGIC_BYTES], name)
    warnings: list[dict[str, str]] = []
    if size == 0:
        media["kind"] = "empty"
        warnings.append(_issue(PARSER, "read", "empty file (0 bytes): no metadata to read"))
        media["parsers"] = {"type": mtype.PARSER_NAME}
        media["warnings"] = warnings
        return media
    kind = mtype.container(media["mime"], head)
    if kind in ("jpeg", "heif", "webp", "png", "jxl", "tiff"):
        media["kind"] = "image"
        if kind == "jpeg":
            data = head
            if size > len(head) and not exif.jpeg_headers_within(head):
                data = os.pread(fd, min(size, MAX_IMAGE_BYTES), 0)  # metadata segments go on: read further
        else:
            data = head if size <= len(head) else os.pread(fd, min(size, MAX_IMAGE_BYTES), 0)
        fields, warns = exif.image_metadata(data, kind)
        if size > len(data) and not fields.get("exif_present"):
            warns.append(_issue(PARSER, "read", f"only the first {len(data)} bytes were searched for metadata"))
        media.update(fields)
        warnings.extend(warns)
        _add_size(media, data, kind)
        hint = hints.recompressed_hint(media, name, data if kind == "jpeg" else b"")
        if hint:
            media["recompressed_hint"] = hint
    elif kind == "avi":
        from forensic_kit.media import riff

        fields, warns = riff.avi_metadata(head)
        media.update(fields)
        warnings.extend(warns)
    elif kind in ("gif", "bmp"):
        media["kind"] = "image"
        _add_size(media, head, kind)
    elif kind == "isobmff":
        def read(off: int, n: int) -> bytes:
            return os.pread(fd, max(0, min(n, size - off)), off) if off < size else b""

        def open_file() -> io.BufferedIOBase:
            return io.BufferedReader(io.FileIO(os.dup(fd), "rb", closefd=True))

        fields, warns = video.video_metadata(read, size, open_file)
        media.update(fields)
        warnings.extend(warns)
    else:
        top = media["mime"].split("/", 1)[0]
        media["kind"] = top if top in ("image", "video", "audio") else "other"
        if media["mime"] == "image/vnd.djvu":
            from forensic_kit.media import djvu

            data = head if size <= len(head) else os.pread(fd, min(size, djvu.MAX_BYTES), 0)
            fields, warns = djvu.djvu_metadata(data)
            media.update(fields)
            warnings.extend(warns)
        elif media["mime"] == "image/x-canon-crw":
            from forensic_kit.media import ciff

            media.update(ciff.crw_metadata(lambda off, n: os.pread(fd, max(0, min(n, size - off)), off), size))
        elif top in ("image", "video", "audio"):
            warnings.append(_issue(PARSER, "parse", f"no metadata reader for {media['mime']}"))
        if top == "image" and "image" not in media:
            from forensic_kit.media import dimensions

            found_size = dimensions.other_size(head)
            if found_size is not None:
                media["image"] = dimensions.size_block(*found_size)
        # never in documents, archives or disk images: a photo stored inside them is not their EXIF
        carve = media["kind"] != "other"
        found = exif.embedded_exif(head) if carve else None
        if found is not None:  # EXIF inside a format without a reader (PSD, XCF, RAF, MRW, X3F, PDF...)
            fields, at = found
            fields.pop("thumbnail", None)
            media.update(fields)
            media["exif_present"] = True
            media["exif_embedded_at"] = at
            media["parsers"] = {"exif": f"{exif.PARSER_NAMES['exifread']} (TIFF block at byte {at})"}
        if media["mime"] == "application/pdf":
            from forensic_kit.media import pdf

            if pdf.worth_opening(head):
                data = head if size <= len(head) else os.pread(fd, min(size, MAX_IMAGE_BYTES), 0)
                media.update(pdf.photoshop_metadata(data))
        xmp = exif.xmp_times(head)  # an XMP sidecar, or XMP inside a format without a reader
        if xmp:
            media["times"] = dict(media.get("times") or {}, **xmp)
            media["capture_time"] = exif.best_capture(media["times"])
            media.setdefault("parsers", {})["xmp"] = "fkit-xmp-dates 1"
        if xmpsidecar.is_description(head):
            described = xmpsidecar.description_fields(head)
            if described:
                times = dict(media.get("times") or {}, **described.pop("times", {}))
                if times:
                    media["times"] = times
                described.pop("capture_time", None)
                for key, value in described.items():
                    media.setdefault(key, value)
                if times and not media.get("capture_time"):
                    media["capture_time"] = times.get("original") or times.get("digitized") or times.get("modified")
                media.setdefault("parsers", {})["xmp_description"] = xmpsidecar.PARSER_NAME
    media.setdefault("parsers", {})["type"] = mtype.PARSER_NAME
    if warnings:
        media["warnings"] = warnings
    return media


def _add_size(media: dict[str, Any], data: bytes, kind: str) -> None:
    """``media.image``: stored and displayed size from the headers (no pixel is decoded)."""
    from forensic_kit.media import dimensions

    found = dimensions.image_size(data, kind)
    if found is None:
        return
    width, height, source, rotation = found
    media["image"] = dimensions.size_block(width, height, source, media.get("orientation"), rotation)
    if rotation:
        media["image"]["rotation"] = rotation


def _errno_name(code: int | None) -> str | None:
    return errno_mod.errorcode.get(code or 0)


def meta_one(item: WorkItem, options: MetaOptions) -> Record:
    """One work item → its record with a ``media`` block (OS and parser failures become data)."""
    base = item.record
    if base is not None and base.get("kind") == "error":
        return base  # an earlier step's failure: passed on as it is (and counted)
    if base is not None and imagefiles.is_image_entry(base):
        return _meta_image_entry(base, options)
    if base is not None and not item.path:
        return base
    if item.walk_error is not None:
        stage, code, reason = item.walk_error
        return error_record(PARSER, stage, reason, errno_name=_errno_name(code),
                            **names.path_fields(item.path), locator=_locator(item.path, item.root))
    try:
        st = os.lstat(item.path) if base is None else os.stat(item.path)
    except OSError as exc:
        return _unreadable(item, "stat", exc)
    if base is None:
        ftype = "regular" if stat_mod.S_ISREG(st.st_mode) else ("symlink" if stat_mod.S_ISLNK(st.st_mode) else "special")
        rec = new_record(KIND_FILE, PARSER, PARSER_VERSION, **names.path_fields(item.path), type=ftype,
                         size=st.st_size if ftype == "regular" else None, times=stat_times(st),
                         locator=_locator(item.path, item.root))
    else:
        rec = dict(base)
    if not stat_mod.S_ISREG(st.st_mode):
        rec["media"] = {"skipped": "not a regular file"}
        return rec
    try:
        fd = open_readonly(item.path, follow=base is not None)
    except OSError as exc:
        return _unreadable(item, "open", exc)
    try:
        signal.setitimer(signal.ITIMER_REAL, options.timeout_s)
        try:
            media = parse_fd(fd, st.st_size, item.path)
            if options.hash_located and media.get("gps") and not (rec.get("hashes") or {}).get("sha256"):
                rec["hashes"] = dict(rec.get("hashes") or {}, sha256=_sha256_fd(fd))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except FileTimeout:
        media = {"errors": [_issue(PARSER, "parse", f"gave up after {options.timeout_s:g} s (time budget per file)")]}
    except MemoryError:
        media = {"errors": [_issue(PARSER, "parse", "ran out of its memory budget")]}
    except OSError as exc:
        os.close(fd)
        return _unreadable(item, "read", exc)
    else:
        pass
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    rec["media"] = media
    return rec


def _meta_image_entry(base: Record, options: MetaOptions) -> Record:
    """A file inside a disk image: read through the image by inode, never opened on the host."""
    rec = dict(base)
    if base.get("type") not in ("file", "regular"):
        rec["media"] = {"skipped": "not a regular file"}
        return rec
    try:
        fd, copied, size = imagefiles.read_entry(base, MAX_IMAGE_BYTES)
    except (OSError, FkitError) as exc:
        reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        rec["errors"] = list(rec.get("errors") or []) + [{"stage": "read", "reason": reason, "errno": None, "parser": PARSER}]
        rec["media"] = {"unreadable": True}
        return rec
    try:
        signal.setitimer(signal.ITIMER_REAL, options.timeout_s)
        try:
            media = parse_fd(fd, copied, os.fsencode(str(base.get("path") or "")))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except FileTimeout:
        media = {"errors": [_issue(PARSER, "parse", f"gave up after {options.timeout_s:g} s (time budget per file)")]}
    except MemoryError:
        media = {"errors": [_issue(PARSER, "parse", "ran out of its memory budget")]}
    finally:
        os.close(fd)
    if copied < size:
        media.setdefault("warnings", []).append(
            _issue(PARSER, "read", f"only the first {copied} of {size} bytes were read from the image"))
    media["read_from"] = "image"
    rec["media"] = media
    return rec


def _unreadable(item: WorkItem, stage: str, exc: OSError) -> Record:
    reason = exc.strerror or str(exc)
    if item.record is not None:
        rec = dict(item.record)
        rec["errors"] = list(rec.get("errors") or []) + [
            {"stage": stage, "reason": reason, "errno": _errno_name(exc.errno), "parser": PARSER}]
        rec["media"] = {"unreadable": True}
        return rec
    return error_record(PARSER, stage, reason, errno_name=_errno_name(exc.errno),
                        **names.path_fields(item.path), locator=_locator(item.path, item.root))


_options = MetaOptions()


def _init_worker(options: MetaOptions) -> None:
    global _options
    _options = options
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass
    _warm_up()  # a no-op when the parent did it before forking
    # Parsers allocate many short-lived objects without reference cycles: collect cycles rarely,
    # and never scan the objects inherited from the parent (keeps their pages shared, too).
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _meta_batch(batch: list[WorkItem]) -> list[Record]:
    return [meta_one(item, _options) for item in batch]


def _crashed(item: WorkItem) -> Record:
    media = {"errors": [_issue(PARSER, "parse", "the parser process died on this file (native crash or memory limit)")]}
    if item.record is not None:
        return dict(item.record, media=media)
    return new_record(KIND_FILE, PARSER, PARSER_VERSION, **names.path_fields(item.path), type="regular",
                      locator=_locator(item.path, item.root), media=media)


def _isolated(batch: list[WorkItem], options: MetaOptions) -> list[Record]:
    ctx = multiprocessing.get_context("fork")
    out = []
    for item in batch:
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_worker, initargs=(options,)) as ex:
            try:
                out.extend(ex.submit(_meta_batch, [item]).result(timeout=options.timeout_s * 4))
            except (BrokenProcessPool, TimeoutError):
                out.append(_crashed(item))
    return out


def _warm_up() -> None:
    """Import the parsers and load libmagic's database once, before forking: workers share it."""
    from forensic_kit.media import exif, type as mtype, video  # noqa: F401

    import exifread  # noqa: F401

    mtype.detect(b"\xff\xd8\xff", "x.jpg")  # libmagic loaded for binary media (fast flags)
    mtype.detect(b"text", "x.txt")  # and for everything else
    exif.PARSER_NAMES["exifread"]  # looked up once here, inherited by every worker
    exif.exifread_header_class()  # the exifread header class, built once before forking


def media_records(items: Iterable[WorkItem], options: MetaOptions = MetaOptions(), workers: int | None = None) -> Iterator[Record]:
    """Records with ``media`` blocks for ``items``, in input order."""
    ctx = multiprocessing.get_context("fork")
    _warm_up()
    nworkers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    it = iter(items)
    first = list(islice(it, _BATCH))
    if len(first) < _BATCH:
        nworkers = 1
    batches = _chunks(first, it)
    ex = ProcessPoolExecutor(nworkers, mp_context=ctx, initializer=_init_worker, initargs=(options,))
    pending: deque[tuple[list[WorkItem], Future[list[Record]]]] = deque()
    try:
        for batch in batches:
            pending.append((batch, ex.submit(_meta_batch, batch)))
            while len(pending) > nworkers * 2:
                ex = yield from _drain_one(pending, ex, options, nworkers, ctx)
        while pending:
            ex = yield from _drain_one(pending, ex, options, nworkers, ctx)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def _drain_one(pending: deque[tuple[list[WorkItem], Future[list[Record]]]], ex: ProcessPoolExecutor,
               options: MetaOptions, nworkers: int, ctx: Any) -> Generator[Record, None, ProcessPoolExecutor]:
    """Yield the oldest batch's records; returns the pool to go on with (a fresh one if it broke)."""
    batch, fut = pending.popleft()
    try:
        # a worker stuck in native code (where SIGALRM cannot interrupt) is given up on too
        results = fut.result(timeout=options.timeout_s * (len(batch) + len(pending) * _BATCH) + 60)
    except (BrokenProcessPool, TimeoutError):
        pass
    else:
        yield from results
        return ex
    # the pool broke: re-run this batch file by file, then resubmit the rest to a fresh pool
    for proc in list(getattr(ex, "_processes", {}).values()):  # no public API to stop a stuck worker
        proc.terminate()
    ex.shutdown(wait=True, cancel_futures=True)  # reaped now: a pool left to exit races CPython's exit hook
    yield from _isolated(batch, options)
    new = ProcessPoolExecutor(nworkers, mp_context=ctx, initializer=_init_worker, initargs=(options,))
    rest = [b for b, _ in pending]
    pending.clear()
    for b in rest:
        pending.append((b, new.submit(_meta_batch, b)))
    return new


def _chunks(first: list[WorkItem], rest: Iterator[WorkItem]) -> Iterator[list[WorkItem]]:
    if first:
        yield first
    while True:
        batch = list(islice(rest, _BATCH))
        if not batch:
            return
        yield batch


def tally(records: Iterable[Record], stats: MetaStats) -> Iterator[Record]:
    """Count records into ``stats`` as they stream past."""
    for rec in records:
        media = rec.get("media")
        if rec.get("kind") == "error" or (isinstance(media, dict) and media.get("unreadable")):
            stats.unreadable += 1
        elif isinstance(media, dict) and media.get("skipped"):
            stats.skipped += 1
        elif isinstance(media, dict):
            stats.files += 1
            if media.get("warnings") or media.get("errors"):
                stats.warnings += 1
            if isinstance(media.get("gps"), dict) and "latitude" in media["gps"]:
                stats.located += 1
        else:
            stats.passed += 1
        yield rec
