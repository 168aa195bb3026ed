"""``fkit lab verify``: every package under some roots verified, one record each, and a summary.

Each package is verified exactly as ``fkit verify`` does it (:func:`verify_package` wraps
:func:`forensic_kit.manifest.verify.verify_case`), locally one after the other or on a Dask cluster
one task per package. The records carry no timing and no worker name, so a cluster run and a local
run write the same bytes; the summary says how long it took and where.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit.errors import FkitError
from forensic_kit.exitcodes import ExitCode
from forensic_kit.fileopen import open_readonly
from forensic_kit.records import new_record

PARSER = "lab-verify"


def verify_package(path: str, trusted: str | None, workers: int | None = None) -> dict[str, Any]:
    """One ``lab.package`` record for the package at ``path`` (never raises for a bad package:
    a package that cannot be verified at all is ``unreadable``, with the reason)."""
    from forensic_kit.manifest.verify import verify_case

    rec = new_record("lab.package", PARSER, "1", package=path)
    try:
        report = verify_case(Path(path), trusted, workers, None)
    except FkitError as exc:
        rec.update(verdict="unreadable", exit_code=int(ExitCode.CANNOT_RUN), reason=exc.message, findings=[])
        return rec
    doc = report.as_dict()
    code = int(report.exit_code)
    rec.update(
        verdict="ok" if code == 0 else ("unreadable" if code == int(ExitCode.PARTIAL) else "findings"),
        exit_code=code, case_id=doc.get("case_id"), package_kind=doc.get("kind"),
        manifest_sha256=doc.get("manifest_sha256"), checks=doc.get("checks"), counts=doc.get("counts"),
        signer=(doc.get("signature") or {}).get("fingerprint"),
        findings=[{"code": f["code"], "path": f.get("path"), "message": f.get("message")}
                  for f in doc.get("findings") or []],
    )
    return rec


@dataclass
class LabSummary:
    """What one ``lab verify`` run found."""

    packages: int = 0
    ok: int = 0
    findings: int = 0
    unreadable: int = 0
    bytes: int = 0
    seconds: float = 0.0
    where: str = "local"
    spot_checks: list[dict[str, Any]] = field(default_factory=list)  # disagreements only
    spot_checked: int = 0
    address: str | None = None  # the cluster's scheduler (None: this machine only)
    workers: list[str] = field(default_factory=list)  # the cluster workers that answered

    @property
    def exit_code(self) -> ExitCode:
        """1 when any package has a finding (or a worker's answer was contradicted), 3 when only
        some could not be read, else 0."""
        if self.findings or self.spot_checks:
            return ExitCode.CHECK_FAILED
        return ExitCode.PARTIAL if self.unreadable else ExitCode.OK

    def count(self, rec: dict[str, Any]) -> None:
        """Add one package's record to the totals."""
        self.packages += 1
        verdict = rec.get("verdict")
        if verdict == "ok":
            self.ok += 1
        elif verdict == "findings":
            self.findings += 1
        else:
            self.unreadable += 1
        self.bytes += int(((rec.get("counts") or {}).get("bytes")) or 0)


def lab_verify(packages: list[Path], trusted: str | None, client: Any = None, spot_check: int = 3,
               on_record: Callable[[dict[str, Any]], None] | None = None) -> tuple[list[dict[str, Any]], LabSummary]:
    """Verify ``packages`` in order, locally or on ``client`` (a ``distributed.Client``)."""
    started = time.monotonic()
    summary = LabSummary()
    records: list[dict[str, Any]] = []
    by_worker: dict[str, list[str]] = {}
    seen: set[str] = set()
    for who, rec in _results(packages, trusted, client):
        records.append(rec)
        summary.count(rec)
        seen.add(who)
        if client is not None and rec.get("verdict") == "ok":
            by_worker.setdefault(who, []).append(str(rec["package"]))
        if on_record is not None:
            on_record(rec)
    if client is not None:
        summary.address = str(client.scheduler.address)
        summary.where = f"cluster {summary.address}"
        summary.workers = sorted(seen)
        for who, paths in sorted(by_worker.items()):
            checked, bad = spot_check_packages(paths, spot_check, seed=who)
            summary.spot_checked += checked
            summary.spot_checks.extend({**b, "worker": who} for b in bad)
    summary.seconds = time.monotonic() - started
    return records, summary


def _results(packages: list[Path], trusted: str | None, client: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if client is None:
        for p in packages:
            yield "local", verify_package(str(p), trusted)
        return
    from forensic_kit.lab.cluster import ordered_map

    # one process per worker thread: verify_case's own process pool is not used inside a worker
    yield from ordered_map(client, verify_package, ((str(p), trusted, 1) for p in packages), "fkit-lab")


def spot_check_packages(paths: list[str], per_worker: int, seed: str) -> tuple[int, list[dict[str, Any]]]:
    """Re-hash here ``per_worker`` payload files drawn from the packages a worker said were OK,
    against the package's sealed ``manifest-sha256.txt``: a worker cannot vouch for itself.

    Returns how many files were checked and the disagreements.
    """
    rng = random.Random(seed)
    listed: list[tuple[str, str, str]] = []  # (package, relative path, expected sha256)
    for pkg in paths:
        try:
            lines = (Path(pkg) / "manifest-sha256.txt").read_text("utf-8", errors="surrogateescape").splitlines()
        except OSError:
            continue
        for line in lines:
            digest, _, rel = line.partition("  ")
            if len(digest) == 64 and rel and "\\" not in rel:
                listed.append((pkg, rel, digest.lower()))
    bad: list[dict[str, Any]] = []
    sample = rng.sample(listed, min(per_worker, len(listed)))
    for pkg, rel, digest in sample:
        h = hashlib.sha256()
        try:
            fd = open_readonly(os.fsencode(pkg) + b"/" + rel.encode("utf-8", "surrogateescape"))
            try:
                while chunk := os.read(fd, 1 << 20):
                    h.update(chunk)
            finally:
                os.close(fd)
        except OSError as exc:
            bad.append({"package": pkg, "path": rel, "reason": f"cannot read it here: {exc.strerror}"})
            continue
        if h.hexdigest() != digest:
            bad.append({"package": pkg, "path": rel,
                        "reason": "the worker reported the package OK, but this file does not match its sealed hash here"})
    return len(sample), bad
