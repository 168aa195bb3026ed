"""Spot checks: a cluster worker cannot vouch for itself.

While a cluster run streams, :class:`SpotChecker` keeps a uniform random sample of the file
records each worker returned (reservoir sampling: memory bounded by the sample size, whatever the
run's size). At the end the client hashes those files again itself and compares; a disagreement
is a finding (exit 1) naming the worker.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from forensic_kit import names


@dataclass
class _Reservoir:
    seen: int = 0
    kept: list[Any] = field(default_factory=list)  # record lines (JSON), or (path, sha256) pairs


class SpotChecker:
    """A per-worker sample of ``k`` file records, checked again on the client."""

    def __init__(self, k: int, seed: int = 0) -> None:
        self.k = k
        self.rng = random.Random(seed)
        self.by_worker: dict[str, _Reservoir] = {}
        self.contradictions: list[dict[str, Any]] = []
        """Answers this machine contradicted as they came (a worker that could not hash a file
        this machine can: its mount is missing or other than the client's)."""

    def _offer(self, worker: str, line: Any) -> None:
        res = self.by_worker.setdefault(worker, _Reservoir())
        res.seen += 1
        if len(res.kept) < self.k:
            res.kept.append(line)
        else:
            j = self.rng.randrange(res.seen)
            if j < self.k:
                res.kept[j] = line

    def add_block(self, worker: str, block: tuple[bytes, Any]) -> None:
        """A worker's block of JSON Lines (``hash_items_jsonl``)."""
        if self.k <= 0:
            return
        for line in block[0].splitlines():
            if b'"kind":"file"' in line and b'"hashes":{"' in line:
                self._offer(worker, line)

    def add_records(self, worker: str, records: list[dict[str, Any]]) -> None:
        """A worker's list of records (``hash_items``)."""
        if self.k <= 0:
            return
        for rec in records:
            if rec.get("kind") == "file" and rec.get("hashes"):
                self._offer(worker, json.dumps(rec).encode())

    def add_hashed(self, worker: str, paths: list[bytes], results: list[Any]) -> None:
        """A worker's answer for a batch of payload files (``manifest.payload.hash_many``)."""
        if self.k <= 0:
            return
        for path, res in zip(paths, results):
            if res[0] is not None:
                self._offer(worker, (path, res[0], res[1]))

    def add_pairs(self, worker: str, pairs: list[tuple[Any, Any]]) -> None:
        """A worker's answers as (work item, its record) pairs (``fkit meta``)."""
        if self.k <= 0:
            return
        for pair in pairs:
            self._offer(worker, pair)

    def check_meta(self, options: Any) -> tuple[int, list[dict[str, Any]]]:
        """Parse the sampled files again here (:func:`forensic_kit.media.runner.media_records`, one
        isolated process) and compare the records byte for byte; returns how many were checked and
        the disagreements."""
        from forensic_kit.jsonl import dump_bytes
        from forensic_kit.media.runner import media_records

        pairs = [(worker, item, rec) for worker, res in sorted(self.by_worker.items()) for item, rec in res.kept]
        mine = list(media_records([item for _, item, _ in pairs], options, 1))
        bad: list[dict[str, Any]] = []
        for (worker, item, theirs), ours in zip(pairs, mine):
            if dump_bytes(theirs) != dump_bytes(ours):
                bad.append({"worker": worker, "path": names.display(item.path), "reason": "a different record"})
        return len(pairs), bad

    def contradicted(self, worker: str, path: bytes, theirs: Any, mine: Any) -> None:
        """A worker's answer for ``path`` that this machine contradicts (see ``manifest.payload``)."""
        self.contradictions.append({"worker": worker, "path": path, "worker_sha256": theirs[0],
                                    "client_sha256": mine[0],
                                    "reason": f"the worker said: {theirs[2]}" if theirs[2] else "different answers"})

    def check_sha256(self) -> tuple[int, list[dict[str, Any]]]:
        """Hash the sampled payload files here (:func:`forensic_kit.manifest.payload.hash_path`);
        returns how many were checked and the disagreements (``path`` is raw bytes)."""
        from forensic_kit.manifest.payload import hash_path

        checked = 0
        bad: list[dict[str, Any]] = []
        for worker, res in sorted(self.by_worker.items()):
            for path, digest, size in res.kept:
                found, nbytes, err, _errname = hash_path(path)
                checked += 1
                if (found, nbytes) != (digest, size):
                    bad.append({"worker": worker, "path": path, "worker_sha256": digest, "client_sha256": found,
                                "reason": err or "different digests"})
        return checked, bad

    def check(self, algos: Sequence[str]) -> tuple[int, list[dict[str, Any]]]:
        """Hash the sampled files here; returns how many were checked and the disagreements."""
        from forensic_kit.filehash import WorkItem, hash_one

        checked = 0
        bad: list[dict[str, Any]] = []
        for worker, res in sorted(self.by_worker.items()):
            for line in res.kept:
                rec = json.loads(line)
                path = names.raw_path(rec)
                mine = hash_one(WorkItem(path, path), algos)
                checked += 1
                theirs = rec.get("hashes") or {}
                ours = mine.get("hashes") or {}
                if any(theirs.get(a) != ours.get(a) for a in algos):
                    bad.append({"worker": worker, "path": rec.get("path"), "worker_hashes": theirs,
                                "client_hashes": ours or None,
                                "reason": (mine.get("error") or {}).get("reason") or "different digests"})
        return checked, bad
