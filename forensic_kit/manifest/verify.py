"""``fkit verify``: check a sealed case package, or a selective-disclosure subset, offline.

Order of checks (each one adds findings; nothing stops at the first problem):

1. the SSHSIG signature over the exact bytes of ``fkit/manifest.json`` (never a re-serialisation),
   and whether the key is in the trusted ``allowed_signers`` (an untrusted key fails the check);
2. the manifest's own hashes: ``manifest-sha256.txt``, ``fkit/records.jsonl``, case and exhibit files;
3. the Merkle root recomputed over the record lines and their salts;
4. records ↔ ``manifest-sha256.txt`` (every acquired copy listed with its acquisition hash);
5. the payload against the list, with the per-file verdicts of :mod:`forensic_kit.audit`
   (OK / MODIFIED / MOVED / NEW / MISSING / UNREADABLE);
6. the custody ledger (``fkit/custody.jsonl``) when there is one, through
   :func:`forensic_kit.custody.verify_custody`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit import names
from forensic_kit.errors import FkitError, FormatError, NotACaseError
from forensic_kit.exitcodes import ExitCode, worst
from forensic_kit.manifest import merkle
from forensic_kit.manifest.build import (
    BAG_MANIFEST, FORMAT, MANIFEST, RECORDS, SALTS, SIGNATURE, bag_manifest_entries, leaf_hashes,
    path_key, record_bag_path, record_lines, sha256_file,
)
from forensic_kit.manifest.canonical import is_canonical
from forensic_kit.records import Record
from forensic_kit.signing import NAMESPACE_MANIFEST, SignatureError, sshsig

PROOFS = "fkit/proofs.jsonl"


class ManifestUnusable(FormatError):
    """The manifest cannot be read and its signature already failed: report, do not go on."""


@dataclass
class Finding:
    """One problem (or one fact that stops the package from checking out)."""

    code: str  # signature.bad, signature.untrusted, hash.mismatch, file.MODIFIED, merkle.mismatch, ...
    path: str | None
    message: str
    exit_code: ExitCode = ExitCode.CHECK_FAILED

    def as_dict(self) -> dict[str, Any]:
        """JSON form for ``--json``."""
        return {"code": self.code, "path": self.path, "message": self.message, "exit_code": int(self.exit_code)}


@dataclass
class VerifyReport:
    """Everything ``fkit verify`` found."""

    target: str
    kind: str = "case"  # or "subset"
    case_id: str | None = None
    signature: dict[str, Any] = field(default_factory=dict)
    manifest_sha256: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # check name -> "ok" | "failed" | "skipped"
    custody: dict[str, Any] | None = None

    @property
    def exit_code(self) -> ExitCode:
        """0 when every check passed; else the worst finding's code."""
        return worst(ExitCode.OK, *(f.exit_code for f in self.findings))

    def add(self, code: str, path: str | None, message: str, exit_code: ExitCode = ExitCode.CHECK_FAILED) -> None:
        """Record a finding."""
        self.findings.append(Finding(code, path, message, exit_code))

    def as_dict(self) -> dict[str, Any]:
        """JSON report."""
        return {
            "schema": "fkit.verify/1", "target": self.target, "kind": self.kind, "case_id": self.case_id,
            "result": "OK" if self.exit_code == ExitCode.OK else "FAILED",
            "exit_code": int(self.exit_code), "signature": self.signature,
            "manifest_sha256": self.manifest_sha256, "checks": self.checks, "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings], "notes": self.notes, "custody": self.custody,
        }


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def check_signature(report: VerifyReport, data: bytes, sig_path: Path, trusted: str | None) -> None:
    """Step 1: signature over the exact manifest bytes, then trust."""
    sig = _read(sig_path)
    rel = _rel(sig_path)
    if sig is None:
        report.add("signature.missing", rel, f"{rel} is missing: the manifest is not signed")
        report.checks["signature"] = "failed"
        return
    try:
        v = sshsig.verify(data, sig, NAMESPACE_MANIFEST, trusted)
    except SignatureError as exc:
        where = MANIFEST if "does not match" in exc.message else rel
        report.add("signature.bad", where, f"signature check failed: {exc.message}")
        report.checks["signature"] = "failed"
        report.signature = {"valid": False}
        return
    report.signature = {"valid": True, "fingerprint": v.fingerprint, "public_key": v.public_line,
                        "principals": v.principals, "trusted": v.trusted}
    if trusted is None:
        report.add("signature.untrusted", rel,
                   f"valid signature by {v.fingerprint}, but no trusted allowed_signers was given (--trust FILE)")
        report.checks["signature"] = "failed"
    elif not v.trusted:
        report.add("signature.untrusted", rel,
                   f"valid signature by {v.fingerprint}, a key that is NOT in the trusted allowed_signers")
        report.checks["signature"] = "failed"
    else:
        report.checks["signature"] = "ok"


_REL_BASE: list[Path] = []


def _rel(path: Path) -> str:
    base = _REL_BASE[-1] if _REL_BASE else None
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return str(path)


def load_manifest(root: Path, report: VerifyReport, trusted: str | None) -> tuple[bytes, dict[str, Any]]:
    """Read the manifest bytes, check the signature, parse (NotACaseError/FormatError if unusable)."""
    mpath = root / MANIFEST
    data = _read(mpath)
    if data is None:
        raise NotACaseError(f"{root} has no readable {MANIFEST}: not sealed (run fkit manifest build)")
    import hashlib

    report.manifest_sha256 = hashlib.sha256(data).hexdigest()
    check_signature(report, data, root / SIGNATURE, trusted)
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        if report.checks.get("signature") == "failed":
            raise ManifestUnusable(f"{MANIFEST} is not a readable fkit manifest (and its signature fails)")
        raise FormatError(f"{MANIFEST} is not an fkit manifest")
    if not is_canonical(data):
        report.add("manifest.not_canonical", MANIFEST, f"{MANIFEST} is not in RFC 8785 canonical form")
    report.case_id = value.get("case_id")
    return data, value


def _check_file_hash(report: VerifyReport, root: Path, rel: str, expected: str | None, what: str) -> bool:
    path = root / rel
    if expected is None:
        report.add("manifest.incomplete", rel, f"the manifest does not give the SHA-256 of {rel}")
        return False
    if not path.is_file():
        report.add("file.MISSING", rel, f"{rel} ({what}) is MISSING")
        return False
    found = sha256_file(path)
    if found != expected:
        report.add("file.MODIFIED", rel, f"{rel} ({what}) is MODIFIED: SHA-256 {found} != sealed {expected}")
        return False
    return True


def _merkle_check(report: VerifyReport, root: Path, manifest: dict[str, Any]) -> None:
    m = manifest.get("merkle") or {}
    try:
        builder = merkle.RootBuilder()
        for h in leaf_hashes(root / RECORDS, root / SALTS):
            builder.add_leaf_hash(h)
    except (OSError, FormatError) as exc:
        report.add("merkle.unreadable", SALTS, f"cannot recompute the Merkle root: {exc}")
        report.checks["merkle"] = "failed"
        return
    ok = builder.root().hex() == m.get("root") and builder.size == m.get("size")
    report.checks["merkle"] = "ok" if ok else "failed"
    if not ok:
        report.add("merkle.mismatch", RECORDS,
                   f"Merkle root over {RECORDS} and {SALTS} ({builder.size} leaves) does not match the sealed root")


def _records_vs_bag(report: VerifyReport, root: Path) -> None:
    """Every file record's copy is listed in manifest-sha256.txt with its acquisition SHA-256."""
    listed: dict[bytes, bytes] = {}
    for name, digest in bag_manifest_entries(root / BAG_MANIFEST):
        listed[path_key(name)] = bytes.fromhex(digest)
    bad = 0
    for n, line in enumerate(record_lines(root / RECORDS), 1):
        try:
            rec = json.loads(line)
        except ValueError:
            report.add("records.bad_line", RECORDS, f"{RECORDS} line {n} is not JSON")
            bad += 1
            continue
        if not isinstance(rec, dict) or rec.get("kind") != "file":
            continue
        bp = record_bag_path(rec)
        sha = (rec.get("hashes") or {}).get("sha256")
        if bp is None or not isinstance(sha, str):
            continue
        have = listed.get(path_key(bp))
        shown = names.display(bp)
        if have is None:
            report.add("records.unlisted", shown, f"{shown} is in {RECORDS} but not in {BAG_MANIFEST}")
            bad += 1
        elif have.hex() != sha.lower():
            report.add("records.mismatch", shown, f"{shown}: {BAG_MANIFEST} and {RECORDS} disagree on its SHA-256")
            bad += 1
    report.checks["records"] = "ok" if not bad else "failed"


def _record_entries(root: Path) -> Iterator[tuple[bytes, str]]:
    """(bag path, sha256) of every file record (used when manifest-sha256.txt is not the sealed one)."""
    for line in record_lines(root / RECORDS):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        bp = record_bag_path(rec) if isinstance(rec, dict) and rec.get("kind") == "file" else None
        sha = (rec.get("hashes") or {}).get("sha256") if bp else None
        if bp and isinstance(sha, str):
            yield bp, sha.lower()


def _payload(report: VerifyReport, root: Path, known_source: str, workers: int | None,
             on_verdict: Callable[[Record], None] | None) -> tuple[int, int]:
    """Per-file verdicts of the payload (data/) against the sealed list. Returns (files, bytes) found."""
    from forensic_kit.manifest.payload import PayloadSummary, check_payload

    def entries() -> Iterable[tuple[bytes, str]]:
        if known_source == "bag":
            return bag_manifest_entries(root / BAG_MANIFEST)
        return _record_entries(root)

    summary = PayloadSummary()
    for rec in check_payload(os.fsencode(root), entries, workers, summary, emit_ok=on_verdict is not None):
        if on_verdict is not None:
            on_verdict(rec)
        verdict = rec.get("verdict")
        if verdict == "OK":
            continue
        shown = str(rec.get("path"))
        if verdict == "MOVED":
            report.add("file.MOVED", shown, f"{shown} is MOVED (sealed as {rec.get('known_path')})")
        elif verdict == "UNREADABLE":
            report.add("file.UNREADABLE", shown, f"{shown} is UNREADABLE: {rec.get('reason')}", ExitCode.PARTIAL)
        else:
            report.add(f"file.{verdict}", shown, f"{shown} is {verdict}")
    report.counts.update(summary.counts)
    return summary.files, summary.bytes


def _custody(report: VerifyReport, root: Path, trusted: str | None) -> None:
    if not (root / "fkit" / "custody.jsonl").is_file():
        report.checks["custody"] = "absent"
        return
    try:
        from forensic_kit.custody import verify_custody
        from forensic_kit.package import Case
    except ImportError:
        report.checks["custody"] = "skipped"
        report.add("custody.unchecked", "fkit/custody.jsonl",
                   "a custody ledger is present but this fkit cannot check it", ExitCode.PARTIAL)
        return
    try:
        result = verify_custody(Case.open(root), trusted)
    except FkitError as exc:
        report.checks["custody"] = "failed"
        report.add("custody.error", "fkit/custody.jsonl", f"custody ledger: {exc.message}", exc.exit_code)
        return
    report.checks["custody"] = "ok" if result.ok else "failed"
    report.custody = result.as_dict() if hasattr(result, "as_dict") else {"ok": bool(result.ok)}
    for f in result.findings:
        where = "fkit/custody.jsonl" + (f" (event {f.seq})" if f.seq is not None else "")
        report.add(f"custody.{f.code}", where, f.message)
    if not result.ok and not result.findings:
        report.add("custody.failed", "fkit/custody.jsonl", "the custody ledger does not check out")


def verify_case(root: Path, trusted: str | None, workers: int | None = None,
                on_verdict: Callable[[Record], None] | None = None, deep: bool = False) -> VerifyReport:
    """Verify a sealed case package (or a subset made by ``fkit prove``).

    ``deep`` also re-checks that every record agrees with ``manifest-sha256.txt`` (``manifest build``
    refuses to seal them otherwise, so this only matters for packages sealed by other tools).
    """
    root = Path(root)
    if (root / PROOFS).is_file():
        from forensic_kit.manifest.prove import verify_subset

        return verify_subset(root, trusted)
    if not (root / "bagit.txt").is_file() and not (root / MANIFEST).is_file():
        raise NotACaseError(f"{root} is not an fkit case package or subset")
    report = VerifyReport(target=str(root))
    _REL_BASE.append(root)
    try:
        try:
            _data, m = load_manifest(root, report, trusted)
        except ManifestUnusable as exc:
            report.notes.append(exc.message)
            return report
        bag_ok = _check_file_hash(report, root, BAG_MANIFEST, (m.get("bag") or {}).get("manifest_sha256"),
                                  "the sealed file list")
        rec_ok = _check_file_hash(report, root, RECORDS, (m.get("records") or {}).get("sha256"), "the item records")
        for rel, digest in sorted((m.get("tag_files") or {}).items()):
            _check_file_hash(report, root, rel, digest, "a sealed tag file")
        report.checks["bag_manifest"] = "ok" if bag_ok else "failed"
        if (root / RECORDS).is_file():
            _merkle_check(report, root, m)
        if bag_ok and rec_ok and deep:  # consistent by construction when both are the sealed ones
            _records_vs_bag(report, root)
        source = "bag" if bag_ok or not rec_ok else "records"
        if source == "records":
            report.notes.append(f"{BAG_MANIFEST} is not the sealed one: files checked against the sealed {RECORDS}")
        elif not bag_ok:
            report.notes.append(f"neither {BAG_MANIFEST} nor {RECORDS} is the sealed one: file verdicts are against a changed list")
        if (root / BAG_MANIFEST).is_file() or source == "records":
            files, nbytes = _payload(report, root, source, workers, on_verdict)
            sealed = m.get("payload") or {}
            report.counts["files"] = files
            report.counts["bytes"] = nbytes
            if (files, nbytes) != (sealed.get("files"), sealed.get("bytes")) and not any(
                    f.code.startswith("file.") for f in report.findings):
                report.add("payload.totals", "data",
                           f"payload holds {files} files / {nbytes} bytes; sealed {sealed.get('files')} / {sealed.get('bytes')}")
            report.checks["payload"] = "ok" if not any(f.code.startswith("file.") and f.path and f.path.startswith("data")
                                                       for f in report.findings) else "failed"
        _custody(report, root, trusted)
    finally:
        _REL_BASE.pop()
    return report
