"""Audit files against a known hash list: one verdict per file, on both sides.

Verdicts: ``OK`` (same path, same content), ``MODIFIED`` (same path, other content), ``MOVED``
(content known under a path that is now absent), ``NEW`` (not in the list; a copy of a listed
file is NEW with ``duplicate_of``), ``MISSING`` (listed, not found), ``UNREADABLE`` (could not be
read). Every regular file found gets exactly one of OK/MODIFIED/MOVED/NEW/UNREADABLE and every
listed entry is consumed by exactly one of OK/MODIFIED/MOVED/MISSING/UNREADABLE, so the counts add
up on both sides. Completeness (MISSING/NEW) and fixity (MODIFIED) are told apart.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from forensic_kit import names
from forensic_kit.errors import FormatError
from forensic_kit.exitcodes import ExitCode
from forensic_kit.filehash import WorkItem, hash_items, walk
from forensic_kit.hashlists import KnownEntry, KnownList, resolve_candidates
from forensic_kit.records import KIND_AUDIT, KIND_ERROR, Record, new_record

PARSER = "audit"
PARSER_VERSION = "1"
VERDICTS = ("OK", "MODIFIED", "MOVED", "NEW", "MISSING", "UNREADABLE")


@dataclass
class AuditSummary:
    """Counts per verdict plus both sides' totals (they must add up)."""

    counts: dict[str, int] = field(default_factory=lambda: {v: 0 for v in VERDICTS})
    known_entries: int = 0
    found_files: int = 0
    not_audited: int = 0  # symlinks, special files found (recorded, not compared)
    unreadable_found: int = 0
    unreadable_known: int = 0  # of which were listed
    algorithm_note: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """0 all OK; 1 anything MODIFIED/MOVED/NEW/MISSING; 3 only unreadable items."""
        c = self.counts
        if c["MODIFIED"] or c["MOVED"] or c["NEW"] or c["MISSING"]:
            return ExitCode.CHECK_FAILED
        if c["UNREADABLE"]:
            return ExitCode.PARTIAL
        return ExitCode.OK

    def balanced(self) -> bool:
        """True when the verdicts account for every found file and every listed entry."""
        c = self.counts
        found = c["OK"] + c["MODIFIED"] + c["MOVED"] + c["NEW"] + self.unreadable_found
        known = c["OK"] + c["MODIFIED"] + c["MOVED"] + c["MISSING"] + self.unreadable_known
        return found == self.found_files and known == self.known_entries



def _norm(path: bytes) -> bytes:
    p = posixpath.normpath(path)
    while p.startswith(b"./"):
        p = p[2:]
    return p


def _keys_for(path: bytes, root: bytes, base: bytes) -> tuple[bytes, bytes, bytes | None, bytes]:
    """Ways a list may name a file: (path as walked, relative to the root argument, relative to
    the list's base folder (BagIt), absolute (hashdeep's default))."""
    full = _norm(path)
    rel = _norm(os.path.relpath(path, root)) if path != root else _norm(os.path.basename(path))
    based = None
    if base:
        try:
            based = _norm(os.path.relpath(os.path.abspath(path), os.path.abspath(base)))
        except ValueError:
            based = None
    return full, rel, based, os.path.abspath(path)


class Auditor:
    """Matches hashed files against a known list and hands out verdict records."""

    def __init__(self, known: KnownList, present_keys: set[bytes]) -> None:
        self.known = known
        self.summary = AuditSummary(known_entries=0)
        self.by_path: dict[bytes, KnownEntry] = {}
        for entry in known.entries:
            key = _norm(entry.path)
            if key in self.by_path:
                if self.by_path[key].hashes != entry.hashes:
                    self.summary.notes.append(
                        f"{names.display(key)} is listed twice with different digests (line {entry.line}); the first is used"
                    )
                continue
            self.by_path[key] = entry
        self.summary.known_entries = len(self.by_path)
        self.primary = known.algos[0] if known.algos else ""
        # content index over listed paths that are absent now: candidates for MOVED
        self.absent_by_digest: dict[str, list[bytes]] = {}
        self.any_by_digest: dict[str, bytes] = {}
        self.consumed: set[bytes] = set()
        self.present = present_keys
        self._index()

    def _index(self) -> None:
        self.absent_by_digest.clear()
        self.any_by_digest.clear()
        for key, entry in self.by_path.items():
            digest = entry.hashes.get(self.primary)
            if digest is None:
                continue
            self.any_by_digest.setdefault(digest, key)
            if key not in self.present:
                self.absent_by_digest.setdefault(digest, []).append(key)

    def verdict(self, key: bytes, rec: Record) -> Record:
        """The audit record for one found file (``rec`` is its ``file`` or ``error`` record)."""
        entry = self.by_path.get(key)
        unreadable = rec.get("kind") == KIND_ERROR or bool(rec.get("errors"))
        fields: dict[str, Any] = {}
        fields.update(names.path_fields(names.raw_path(rec)))
        if unreadable:
            self.summary.counts["UNREADABLE"] += 1
            self.summary.found_files += 1
            self.summary.unreadable_found += 1
            if entry is not None and key not in self.consumed:
                self.consumed.add(key)
                self.summary.unreadable_known += 1
                fields["expected"] = entry.hashes
            err = rec.get("error") or (rec.get("errors") or [{}])[-1]
            fields["reason"] = err.get("reason")
            return new_record(KIND_AUDIT, PARSER, PARSER_VERSION, verdict="UNREADABLE", **fields)
        self.summary.found_files += 1
        found = {a: d for a, d in (rec.get("hashes") or {}).items() if a in self.known.algos}
        fields["size"] = rec.get("size")
        if entry is not None and key not in self.consumed:
            self.consumed.add(key)
            common = [a for a in entry.hashes if a in found]
            same = bool(common) and all(entry.hashes[a] == found[a] for a in common)
            if same and entry.size is not None and entry.size != rec.get("size"):
                same = False
            verdict = "OK" if same else "MODIFIED"
            self.summary.counts[verdict] += 1
            if verdict == "MODIFIED":
                fields["expected"] = entry.hashes
                fields["found"] = found
                if entry.size is not None:
                    fields["expected_size"] = entry.size
            else:
                fields["hashes"] = found
            return new_record(KIND_AUDIT, PARSER, PARSER_VERSION, verdict=verdict, **fields)
        digest = found.get(self.primary)
        movers = self.absent_by_digest.get(digest or "", [])
        while movers and movers[0] in self.consumed:
            movers.pop(0)
        if movers:
            old = movers.pop(0)
            self.consumed.add(old)
            self.summary.counts["MOVED"] += 1
            fields.update(names.path_fields(old, "known_path"))
            fields["hashes"] = found
            return new_record(KIND_AUDIT, PARSER, PARSER_VERSION, verdict="MOVED", **fields)
        self.summary.counts["NEW"] += 1
        fields["found"] = found
        dup = self.any_by_digest.get(digest or "")
        if dup is not None:
            fields.update(names.path_fields(dup, "duplicate_of"))
        return new_record(KIND_AUDIT, PARSER, PARSER_VERSION, verdict="NEW", **fields)

    def missing(self) -> Iterator[Record]:
        """MISSING records for every listed entry no found file consumed, in list order."""
        for key, entry in self.by_path.items():
            if key in self.consumed:
                continue
            self.summary.counts["MISSING"] += 1
            fields: dict[str, Any] = names.path_fields(entry.path)
            fields["expected"] = entry.hashes
            if entry.size is not None:
                fields["expected_size"] = entry.size
            yield new_record(KIND_AUDIT, PARSER, PARSER_VERSION, verdict="MISSING", **fields)


def _choose_key_mode(known: KnownList, items: Sequence[WorkItem]) -> int:
    listed = {_norm(e.path) for e in known.entries}
    best, best_hits = 0, -1
    for mode in (2, 1, 0, 3):
        hits = 0
        for item in items:
            key = _keys_for(item.path, item.root, known.base)[mode]
            if key is not None and key in listed:
                hits += 1
        if hits > best_hits:
            best, best_hits = mode, hits
    return best


def _resolve_algorithm(known: KnownList, items: Sequence[WorkItem], mode: int, workers: int | None) -> None:
    """For a bare 64-hex list (sha256 or BLAKE3?), find the algorithm that matches the files."""
    listed = {_norm(e.path): e.hashes["?"] for e in known.entries}
    all_digests = set(listed.values())
    sample = [it for it in items if _keys_for(it.path, it.root, known.base)[mode] in listed][:64] or list(items[:64])
    score = {a: 0 for a in known.candidates}
    for rec in hash_items(sample, known.candidates, workers=1):
        for a in known.candidates:
            if (rec.get("hashes") or {}).get(a) in all_digests:
                score[a] += 1
    best = max(known.candidates, key=lambda a: (score[a], a == "sha256"))
    if score[best] == 0:
        note = f"no listed digest matched any file; assumed {best}"
    else:
        note = f"digests identified as {best}"
    resolve_candidates(known, best)
    known.notes.append(note)


def run_audit(
    known: KnownList,
    roots: Sequence[bytes],
    workers: int | None = None,
    follow: bool = False,
) -> tuple[Iterator[Record], AuditSummary]:
    """Audit the files under ``roots`` against ``known``.

    Returns a lazy stream of audit records (found files in walk order, then MISSING entries) and
    the summary that fills in as the stream is consumed.
    """
    if not known.entries:
        raise FormatError("the known list has no entries: nothing to check against")
    items = list(walk(roots, follow))
    mode = _choose_key_mode(known, items)
    if known.candidates:
        _resolve_algorithm(known, items, mode, workers)
    keyed = [(_keys_for(it.path, it.root, known.base)[mode] or _norm(it.path), it) for it in items]
    auditor = Auditor(known, {k for k, _ in keyed})
    auditor.summary.algorithm_note = "; ".join(known.notes) or None

    def stream() -> Iterator[Record]:
        records = hash_items([it for _, it in keyed], known.algos, follow, workers)
        for (key, _item), rec in zip(keyed, records):
            if rec.get("kind") != KIND_ERROR and not rec.get("hashes") and not rec.get("errors"):
                auditor.summary.not_audited += 1  # symlink or special file: not content
                continue
            yield auditor.verdict(key, rec)
        yield from auditor.missing()

    return stream(), auditor.summary
