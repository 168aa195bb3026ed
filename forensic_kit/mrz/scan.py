"""``fkit mrz`` as a library: work items in, ``doc.mrz`` / ``error`` records out.

One ``doc.mrz`` record per document found (several per image or PDF page are possible), each with
the image's hashes and locator, the exhibit and locator of the record it came from (``fkit phone
... | fkit mrz -``), every field, every check digit, the raw OCR lines, the corrections, a
confidence, the region's corners and its findings. A file that cannot be read or decoded is an
``error`` record. :func:`conflicts` adds ``doc.mrz_conflict`` records at the end of a run for one
number seen with different holders.
"""

from __future__ import annotations

import datetime as dt
import os
import stat as stat_mod
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from forensic_kit import names
from forensic_kit.filehash import WorkItem
from forensic_kit.fileopen import open_readonly
from forensic_kit.mrz import findings, icao, images, reader
from forensic_kit.mrz.watchlist import Watchlist
from forensic_kit.records import Record, error_record, new_record

PARSER = "mrz"
VERSION = "1"


@dataclass
class Options:
    """How to scan."""

    reference: dt.date
    reference_source: str
    watchlist: Watchlist | None = None
    engine: str = "templates"
    tesseract_timeout_s: float = 5.0


@dataclass
class Stats:
    """What a run did."""

    files: int = 0
    not_images: int = 0
    images: int = 0
    documents: int = 0
    flagged: int = 0
    unreadable: int = 0
    seconds: float = 0.0
    seen: list[Record] = field(default_factory=list)


def _locator(item: WorkItem) -> dict[str, Any]:
    if item.record is not None and item.record.get("locator"):
        return dict(item.record["locator"])
    root = item.root if item.root.endswith(b"/") else item.root + b"/"
    rel = item.path[len(root):] if item.path.startswith(root) else os.path.basename(item.path)
    loc: dict[str, Any] = {"scheme": "file"}
    loc.update(names.path_fields(item.root, "root"))
    loc.update(names.path_fields(rel, "relpath"))
    return loc


def scan(items: Iterable[WorkItem], opts: Options, stats: Stats) -> Iterator[Record]:
    """Records for every work item (see the module docstring)."""
    for item in items:
        exhibit = item.record.get("exhibit") if item.record else None
        if item.walk_error is not None:
            stage, _, reason = item.walk_error
            stats.unreadable += 1
            yield error_record(PARSER, stage, reason, **names.path_fields(item.path), exhibit=exhibit)
            continue
        if not item.path:
            continue
        stats.files += 1
        start = time.perf_counter()
        yield from _one(item, exhibit, opts, stats)
        stats.seconds += time.perf_counter() - start


CLUSTER_BATCH = 16
"""Files per cluster task (an image takes 0.1 – 1 s: the engine's cost per task stays small)."""


def scan_batch(items: list[WorkItem], opts: Options) -> tuple[list[list[Record]], Stats]:
    """A cluster task: the records of each work item of a batch (a list per item: an image may
    hold several documents, or none) and the batch's counts (``seen`` is left empty: the client
    has the records)."""
    stats = Stats()
    per_item = [list(scan([item], opts, stats)) for item in items]
    stats.seen = []
    return per_item, stats


def scan_on(client: Any, items: Iterable[WorkItem], opts: Options, stats: Stats,
            spot: Any = None) -> Iterator[Record]:
    """:func:`scan` on a Dask cluster (``client``: a ``distributed.Client``), batches of
    :data:`CLUSTER_BATCH` files per task; the same records in the same order, the same counts.
    ``spot`` (a :class:`forensic_kit.lab.spot.SpotChecker`) keeps a sample of each worker's answers
    to read again here (:func:`check_again`)."""
    from forensic_kit.lab.cluster import absolute_items, batched, ordered_map, shared

    remote_opts = shared(client, opts)
    sent: deque[list[WorkItem]] = deque()

    def tasks() -> Iterator[tuple[list[WorkItem], Any]]:
        for batch in batched(absolute_items(items), CLUSTER_BATCH):
            sent.append(batch)
            yield batch, remote_opts

    for who, (per_item, part) in ordered_map(client, scan_batch, tasks(), "fkit-mrz"):
        batch = sent.popleft()
        for name in ("files", "not_images", "images", "documents", "flagged", "unreadable", "seconds"):
            setattr(stats, name, getattr(stats, name) + getattr(part, name))
        if spot is not None:
            spot.add_pairs(who, [(item, recs) for item, recs in zip(batch, per_item) if item.path])
        for recs in per_item:
            stats.seen.extend(r for r in recs if r.get("kind") == "doc.mrz")
            yield from recs


def check_again(spot: Any, opts: Options) -> tuple[int, list[dict[str, Any]]]:
    """Read the files a spot checker sampled again here and compare each one's records with the
    worker's, byte for byte; returns how many were checked and the disagreements."""
    from forensic_kit.jsonl import dump_bytes

    checked = 0
    bad: list[dict[str, Any]] = []
    for worker, res in sorted(spot.by_worker.items()):
        for item, theirs in res.kept:
            ours = list(scan([item], opts, Stats()))
            checked += 1
            if [dump_bytes(r) for r in ours] != [dump_bytes(r) for r in theirs]:
                bad.append({"worker": worker, "path": names.display(item.path), "reason": "different records"})
    return checked, bad


def _one(item: WorkItem, exhibit: Any, opts: Options, stats: Stats) -> Iterator[Record]:
    path_fields = names.path_fields(item.path)
    try:
        st = os.lstat(item.path)
    except OSError as exc:
        stats.unreadable += 1
        yield error_record(PARSER, "stat", exc.strerror or str(exc), **path_fields, exhibit=exhibit)
        return
    if stat_mod.S_ISLNK(st.st_mode):  # not followed: the file it names is read where it lies
        stats.not_images += 1
        return
    if not stat_mod.S_ISREG(st.st_mode):  # a FIFO would block a read; devices are not images
        stats.unreadable += 1
        yield error_record(PARSER, "open", "not a regular file", **path_fields, exhibit=exhibit)
        return
    try:  # the head only, to skip non-images cheaply (read-only, O_NOATIME: evidence is not touched)
        fd = open_readonly(item.path)
        try:
            head = os.read(fd, 16)
        finally:
            os.close(fd)
    except OSError as exc:
        stats.unreadable += 1
        yield error_record(PARSER, "open", exc.strerror or str(exc), **path_fields, exhibit=exhibit)
        return
    fmt = images.sniff(head)
    if fmt is None or fmt in ("GIF",):
        stats.not_images += 1
        return
    stats.images += 1
    try:
        data, hashes = images.read_file(item.path)
    except images.ImageError as exc:
        stats.unreadable += 1
        yield error_record(PARSER, "read", str(exc), **path_fields, exhibit=exhibit, locator=_locator(item))
        return
    image = {"format": fmt, "size": len(data), "hashes": hashes}
    try:
        for page in images.pages(data, fmt):
            for found in reader.find_mrz(page.gray, opts.engine, page.scale, opts.tesseract_timeout_s):
                rec = _record(found, item, exhibit, image, page, opts)
                stats.documents += 1
                stats.flagged += bool(rec["flagged"])
                stats.seen.append(rec)
                yield rec
    except images.ImageError as exc:
        stats.unreadable += 1
        yield error_record(PARSER, "decode", str(exc), **path_fields, exhibit=exhibit, locator=_locator(item),
                           image=image)


def _record(found: reader.Found, item: WorkItem, exhibit: Any, image: dict[str, Any], page: images.Page,
            opts: Options) -> Record:
    m = found.mrz
    birth = icao.mrz_date(m.birth_date, "birth", opts.reference)
    expiry = icao.mrz_date(m.expiry_date, "expiry", opts.reference)
    fnd = findings.document_findings(m, opts.reference)
    hits = []
    if opts.watchlist is not None:
        for e in opts.watchlist.hits(m.document_number, m.issuing_state):
            hits.append({"number": e.number, "state": e.state, "status": e.status, "note": e.note,
                         "line": e.line, "list": opts.watchlist.source})
            fnd.append(findings.watchlist_finding(m.document_number, m.issuing_state, e.status,
                                                  opts.watchlist.source, e.line))
    fields = m.fields()
    fields["birth_date_iso"] = birth.isoformat() if birth else None
    fields["expiry_date_iso"] = expiry.isoformat() if expiry else None
    return new_record(
        "doc.mrz", PARSER, VERSION,
        exhibit=exhibit,
        **names.path_fields(item.path),
        page=page.page,
        locator=_locator(item),
        source_record=({"kind": item.record.get("kind"), "locator": item.record.get("locator")}
                       if item.record else None),
        image=dict(image, width=page.width, height=page.height),
        mrz=fields,
        checks=[c.to_dict() for c in m.checks],
        check_digits_valid=m.check_digits_valid,
        lines=list(m.lines),
        raw_ocr=list(found.raw_lines),
        corrections=[c.to_dict() for c in found.changes],
        confidence=found.confidence,
        engine=found.engine,
        corners=[[round(x, 1), round(y, 1)] for x, y in found.corners],
        reference_date={"date": opts.reference.isoformat(), "source": opts.reference_source},
        watchlist_hits=hits,
        findings=fnd,
        flagged=any(f["exit_one"] for f in fnd),
    )


def holder(rec: Record) -> str:
    """Surname, given names and birth date of a ``doc.mrz`` record, as one string."""
    m = rec["mrz"]
    return f"{m['surname']}, {m['given_names']} ({m['birth_date']})"


def conflicts(recs: list[Record]) -> Iterator[Record]:
    """``doc.mrz_conflict`` records: one number of one state with different holders."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for r in recs:
        if r.get("check_digits_valid"):
            groups.setdefault((r["mrz"]["issuing_state"], r["mrz"]["document_number"]), []).append(r)
    for (state, number), rs in sorted(groups.items()):
        holders = sorted({holder(r) for r in rs})
        if len(holders) < 2:
            continue
        exhibits = sorted({str(r.get("exhibit")) for r in rs if r.get("exhibit")})
        yield new_record(
            "doc.mrz_conflict", PARSER, VERSION, issuing_state=state, document_number=number,
            holders=holders, exhibits=exhibits,
            documents=[{"path": r.get("path"), "page": r.get("page"), "exhibit": r.get("exhibit"),
                        "locator": r.get("locator"), "holder": holder(r)} for r in rs],
            findings=[findings.conflict_finding(number, state, holders, exhibits)], flagged=True)


CSV_COLUMNS = ("exhibit", "path", "page", "format", "document_code", "issuing_state", "document_number",
               "surname", "given_names", "nationality", "birth_date", "sex", "expiry_date", "optional_data",
               "check_digits_valid", "failed_checks", "watchlist", "findings", "confidence", "sha256")


def csv_row(rec: Record) -> list[str]:
    """One register row for a ``doc.mrz`` record (English finding codes)."""
    m = rec["mrz"]
    return [str(rec.get("exhibit") or ""), str(rec.get("path") or ""), str(rec.get("page") or ""), m["format"],
            m["document_code"], m["issuing_state"], m["document_number"], m["surname"], m["given_names"],
            m["nationality"], m["birth_date_iso"] or m["birth_date"], m["sex"], m["expiry_date_iso"] or m["expiry_date"],
            m["optional_data"], "yes" if rec["check_digits_valid"] else "no",
            " ".join(c["name"] for c in rec["checks"] if not c["valid"]),
            " ".join(h["status"] for h in rec["watchlist_hits"]),
            " ".join(sorted({f["code"] for f in rec["findings"]})), f"{rec['confidence']:.3f}",
            rec["image"]["hashes"].get("sha256", "")]
