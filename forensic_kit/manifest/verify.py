"""``fkit verify``: check a sealed case package, or a selective-disclosure subset, offline.

A folder that holds ``bagit.txt``, ``manifest-sha256.txt``, ``fkit/case.json`` or a ledger is a
full case and is checked as one (a planted ``fkit/proofs.jsonl`` cannot turn it into a subset).
Checks, each adding findings (nothing stops at the first problem; every finding exits 1):

1. one walk of the whole package (:mod:`forensic_kit.manifest.scan`): symbolic links, FIFOs,
   sockets and devices anywhere are findings, never followed or opened;
2. the SSHSIG signature over the exact bytes of ``fkit/manifest.json`` (never a re-serialisation),
   and the signer's key in the verifier's trust list (untrusted or expired: a finding);
3. the sealed hashes: ``manifest-sha256.txt``, ``fkit/records.jsonl``, every sealed tag file
   (``bagit.txt``, ``bag-info.txt``, ``VERIFY.txt``, case and exhibit files, ...);
4. the Merkle root recomputed over the record lines and their salts;
5. the payload against the sealed list (OK / MODIFIED / MOVED / NEW / MISSING / UNREADABLE);
6. everything else outside ``data/``: ``tagmanifest-sha256.txt`` must agree with the files,
   the package's ``allowed_signers`` must start with the sealed bytes, any other file is NEW;
7. the custody ledger, anchored to the head the seal recorded and to ``--expect-head``;
8. the revision chain: every kept revision's manifest, signature and file list, linked by hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit import names
from forensic_kit.display import safe_text
from forensic_kit.errors import FkitError, FormatError, NotACaseError
from forensic_kit.exitcodes import ExitCode, worst
from forensic_kit.manifest import merkle
from forensic_kit.manifest.build import (
    ALLOWED, BAG_MANIFEST, FORMAT, LEDGER, LOCK, MANIFEST, MINISIG, RECORDS, REVISION_FILES, REVISIONS, SALTS,
    SIGNATURE, TAGMANIFEST, path_key, record_bag_path,
)
from forensic_kit.manifest.canonical import is_canonical
from forensic_kit.manifest.safeio import file_sha256, lines_of, prefix_sha256, read_regular
from forensic_kit.manifest.scan import PackageScan, scan
from forensic_kit.records import Record
from forensic_kit.signing import NAMESPACE_MANIFEST, SignatureError, sshsig

PROOFS = "fkit/proofs.jsonl"
FULL_CASE_MARKERS = ("bagit.txt", BAG_MANIFEST, "bag-info.txt", TAGMANIFEST, "fkit/case.json", RECORDS, LEDGER,
                     SALTS)
"""Any of these makes a folder a full case (never a subset)."""
_HEX64 = re.compile(rb"[0-9a-fA-F]{64}")


class ManifestUnusable(FormatError):
    """The manifest cannot be read and its signature already failed: report, do not go on."""


@dataclass
class Finding:
    """One problem (or one fact that stops the package from checking out)."""

    code: str  # signature.bad, signature.untrusted, file.MODIFIED, merkle.mismatch, custody.*, ...
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
    revision: int | None = None
    """The revision number of the current seal (None: no readable manifest)."""
    revisions: list[dict[str, Any]] = field(default_factory=list)
    """Every revision of the seal, oldest first: number, manifest SHA-256, signer, reason, result."""
    custody_report: Any = None
    """The :class:`forensic_kit.custody.CustodyReport` (per-event signature verdicts), when run."""
    spot: dict[str, int] = field(default_factory=dict)
    """On a cluster: ``checked`` (payload files hashed again here) and ``workers`` (how many answered).
    Not in :meth:`as_dict`: a cluster run's JSON is the local run's, byte for byte."""

    @property
    def exit_code(self) -> ExitCode:
        """0 when every check passed; else the worst finding's code."""
        return worst(ExitCode.OK, *(f.exit_code for f in self.findings))

    def add(self, code: str, path: str | None, message: str, exit_code: ExitCode = ExitCode.CHECK_FAILED) -> None:
        """Record a finding."""
        self.findings.append(Finding(code, path, message, exit_code))

    def has_path(self, path: str) -> bool:
        """True when a finding already names ``path`` (``path (event 3)`` counts)."""
        return any(f.path == path or (f.path or "").startswith(path + " (") for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """JSON report."""
        return {
            "schema": "fkit.verify/1", "target": self.target, "kind": self.kind, "case_id": self.case_id,
            "result": "OK" if self.exit_code == ExitCode.OK else "FAILED",
            "exit_code": int(self.exit_code), "signature": self.signature,
            "manifest_sha256": self.manifest_sha256, "checks": self.checks, "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings], "notes": self.notes, "custody": self.custody,
            "revision": self.revision, "revisions": self.revisions,
        }


# ----------------------------------------------------------------------------- lists
def list_entries(path: Path, report: VerifyReport | None = None, rel: str = BAG_MANIFEST
                 ) -> Iterator[tuple[bytes, str]]:
    """(bag path, sha256) of every well-formed line of a BagIt sha256 list; a malformed line is a
    finding (when ``report`` is given), never a stop."""
    bad = 0
    for n, line in enumerate(lines_of(path), 1):
        parts = line.split(None, 1)
        if len(parts) != 2 or not _HEX64.fullmatch(parts[0]):
            bad += 1
            if report is not None and bad <= 5:
                report.add("list.bad_line", rel, f"{rel} line {n} is not a 'SHA256  path' line")
            continue
        digest = parts[0].decode("ascii").lower()
        name = parts[1]
        if b"%" in name:
            name = name.replace(b"%0D", b"\r").replace(b"%0A", b"\n").replace(b"%25", b"%")
        yield name, digest
    if report is not None and bad > 5:
        report.add("list.bad_line", rel, f"{rel} has {bad} malformed lines in all")


# ----------------------------------------------------------------------------- signature
def check_signature(report: VerifyReport, data: bytes, sig_path: Path, trusted: str | None,
                    rel_sig: str = SIGNATURE, rel_manifest: str = MANIFEST, record: bool = True) -> bool:
    """Signature over the exact manifest bytes, then trust; True when valid and trusted."""
    sig, why = read_regular(sig_path, 1 << 20)
    check = "signature" if record else f"signature {rel_sig}"
    if sig is None:
        code = "signature.missing" if why == "missing" else "file.MODIFIED"
        report.add(code, rel_sig, f"{rel_sig} is {'missing' if why == 'missing' else why}: the manifest is not signed")
        report.checks[check] = "failed"
        return False
    try:
        v = sshsig.verify(data, sig, NAMESPACE_MANIFEST, trusted)
        if sshsig.armor(sshsig.dearmor(sig)) != sig:
            report.add("file.MODIFIED", rel_sig, f"{rel_sig} is MODIFIED: the signature is valid, but the file is "
                       f"not the one that was written (its armor was edited)")
    except SignatureError as exc:
        where = rel_manifest if "does not match" in exc.message else rel_sig
        report.add("signature.bad", where, f"signature check failed ({rel_sig}): {exc.message}")
        report.checks[check] = "failed"
        if record:
            report.signature = {"valid": False}
        return False
    person = None
    expired = False
    if trusted is not None:
        from forensic_kit.signing.people import TrustList

        trust = TrustList(trusted)
        p = trust.person_for(v.key_blob)
        person = p.as_dict() if p else None
        expired = not v.trusted and trust.expired(v.key_blob)
    if record:
        report.signature = {"valid": True, "fingerprint": v.fingerprint, "public_key": v.public_line,
                            "principals": v.principals, "trusted": v.trusted, "person": person, "expired": expired}
    who = f"{v.fingerprint}" + (f" ({person['name']})" if person else "")
    if trusted is None:
        report.add("signature.untrusted", rel_sig,
                   f"valid signature by {who}, but no trust list was given: add --trust ALLOWED_SIGNERS "
                   f"(your unit's list, kept outside the package)")
    elif expired:
        report.add("signature.expired", rel_sig,
                   f"valid signature by {who}, whose key has expired in the trust list (valid-before)")
    elif not v.trusted:
        report.add("signature.untrusted", rel_sig,
                   f"valid signature by {who}, a key that is NOT in the trusted allowed_signers")
    else:
        report.checks[check] = "ok"
        return True
    report.checks[check] = "failed"
    return False


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
    """Read the manifest bytes, check the signature, parse (``ManifestUnusable`` when it cannot be
    used; the finding is already in ``report``)."""
    mpath = root / MANIFEST
    data, why = read_regular(mpath)
    if data is None:
        if why == "missing":
            report.add("manifest.missing", MANIFEST,
                       f"{MANIFEST} missing: nothing proves what this package held when it was sealed "
                       f"(if it was never sealed: fkit manifest build)")
        else:
            report.add("file.MODIFIED", MANIFEST, f"{MANIFEST} (the seal) is MODIFIED: {why}")
        raise ManifestUnusable(f"{MANIFEST} cannot be read: {why}")
    report.manifest_sha256 = hashlib.sha256(data).hexdigest()
    check_signature(report, data, root / SIGNATURE, trusted)
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        if report.checks.get("signature") != "failed":
            report.add("manifest.unreadable", MANIFEST, f"{MANIFEST} is not an fkit manifest")
        raise ManifestUnusable(f"{MANIFEST} is not a readable fkit manifest")
    if not is_canonical(data):
        report.add("manifest.not_canonical", MANIFEST, f"{MANIFEST} is not in RFC 8785 canonical form")
    cid = value.get("case_id")
    report.case_id = cid if isinstance(cid, str) else None
    rev = value.get("revision")
    number = rev.get("number") if isinstance(rev, dict) else 1
    report.revision = number if isinstance(number, int) else None
    return data, value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _check_file_hash(report: VerifyReport, root: Path, rel: str, expected: Any, what: str) -> bool:
    if not isinstance(expected, str):
        report.add("manifest.incomplete", rel, f"the manifest does not give the SHA-256 of {rel}")
        return False
    found, why = file_sha256(root / rel)
    if found is None:
        if why == "missing":
            report.add("file.MISSING", rel, f"{rel} ({what}) is MISSING")
        else:
            report.add("file.MODIFIED", rel, f"{rel} ({what}) is MODIFIED: {why}")
        return False
    if found != expected.lower():
        report.add("file.MODIFIED", rel, f"{rel} ({what}) is MODIFIED: SHA-256 {found} != sealed {expected}")
        return False
    return True


def _records_grown(report: VerifyReport, root: Path, rec: dict[str, Any]) -> bool:
    """Growth mode: the sealed records are the start of ``records.jsonl`` (appended since)."""
    nbytes = rec.get("bytes")
    if isinstance(nbytes, int):
        ok = prefix_sha256(root / RECORDS, nbytes) == rec.get("sha256")
    else:  # a manifest from before revisions: the first COUNT lines
        count: int = rec["count"] if isinstance(rec.get("count"), int) else -1
        data, _ = read_regular(root / RECORDS, 1 << 40)
        lines = data.splitlines(keepends=True) if data else []
        ok = len(lines) >= count >= 0 and hashlib.sha256(b"".join(lines[:count])).hexdigest() == rec.get("sha256")
    if not ok:
        report.add("file.MODIFIED", RECORDS, f"{RECORDS} (the item records) is MODIFIED: the sealed records are "
                   f"no longer its first lines")
    return ok


def _merkle_check(report: VerifyReport, root: Path, manifest: dict[str, Any], limit: int | None = None,
                  records_ok: bool = False) -> None:
    m = _dict(manifest.get("merkle"))
    from forensic_kit.manifest.build import read_salts, record_lines

    for rel in (SALTS, RECORDS):  # never open a FIFO, a device or a link in their place
        _data, why = read_regular(root / rel, 0) if not os.path.isfile(root / rel) or os.path.islink(root / rel) \
            else (b"", None)
        if why is not None:
            if not report.has_path(rel):
                code = "file.MISSING" if why == "missing" else "file.MODIFIED"
                report.add(code, rel, f"{rel} is {'MISSING' if why == 'missing' else 'MODIFIED: ' + why}: "
                           f"the Merkle root cannot be recomputed")
            report.checks["merkle"] = "failed"
            return
    builder = merkle.RootBuilder()
    try:
        salts = read_salts(root / SALTS)
        n = 0
        for line in record_lines(root / RECORDS):
            if limit is not None and n >= limit:
                break
            salt = next(salts, None)
            if salt is None:
                raise FormatError(f"{SALTS} has fewer salts than {RECORDS} has records (record {n + 1})")
            builder.add_leaf_hash(merkle.salted_leaf_hash(salt, line))
            n += 1
        if limit is None and next(salts, None) is not None:
            raise FormatError(f"{SALTS} has more salts than {RECORDS} has records")
    except (OSError, FormatError) as exc:
        if records_ok:
            if not report.has_path(SALTS):
                report.add("file.MODIFIED", SALTS, f"{SALTS} is MODIFIED: {safe_text(str(exc))}")
        else:
            report.add("merkle.unreadable", SALTS, f"cannot recompute the Merkle root: {safe_text(str(exc))}")
        report.checks["merkle"] = "failed"
        return
    ok = builder.root().hex() == m.get("root") and builder.size == m.get("size")
    report.checks["merkle"] = "ok" if ok else "failed"
    if not ok:
        where = SALTS if records_ok else RECORDS  # the records are the sealed ones: the salts changed
        report.add("merkle.mismatch", where,
                   f"Merkle root over {RECORDS} and {SALTS} ({builder.size} leaves) does not match the sealed root"
                   + (f": {SALTS} is MODIFIED" if records_ok else ""))


def _records_vs_bag(report: VerifyReport, root: Path) -> None:
    """Every file record's copy is listed in manifest-sha256.txt with its acquisition SHA-256."""
    listed: dict[bytes, bytes] = {}
    for name, digest in list_entries(root / BAG_MANIFEST):
        listed[path_key(name)] = bytes.fromhex(digest)
    bad = 0
    for n, line in enumerate(lines_of(root / RECORDS), 1):
        try:
            rec = json.loads(line)
        except ValueError:
            report.add("records.bad_line", RECORDS, f"{RECORDS} line {n} is not JSON")
            bad += 1
            continue
        if not isinstance(rec, dict) or rec.get("kind") != "file":
            continue
        bp = record_bag_path(rec)
        sha = _dict(rec.get("hashes")).get("sha256")
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
    for line in lines_of(root / RECORDS):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        bp = record_bag_path(rec) if isinstance(rec, dict) and rec.get("kind") == "file" else None
        sha = _dict(rec.get("hashes")).get("sha256") if bp else None
        if bp and isinstance(sha, str) and len(sha) == 64:
            yield bp, sha.lower()


def _payload(report: VerifyReport, root: Path, entries: Callable[[], Iterable[tuple[bytes, str]]],
             workers: int | None, on_verdict: Callable[[Record], None] | None, blocked: set[bytes],
             allowed_new: set[bytes] | None = None, cluster: Any = None, spot_check: int = 3) -> tuple[int, int]:
    """Per-file verdicts of the payload (data/) against the sealed list. Returns (files, bytes) found.

    With ``cluster`` (a ``distributed.Client``) the files are hashed on its workers, and
    ``spot_check`` files per worker are hashed again here: a disagreement is a finding."""
    from forensic_kit.manifest.payload import PayloadSummary, check_payload

    spot = None
    if cluster is not None:
        from forensic_kit.lab.spot import SpotChecker

        spot = SpotChecker(spot_check)
    summary = PayloadSummary()
    for rec in check_payload(os.fsencode(root), entries, workers, summary, emit_ok=on_verdict is not None,
                             blocked=blocked, cluster=cluster, spot=spot):
        if on_verdict is not None:
            on_verdict(rec)
        verdict = rec.get("verdict")
        if verdict == "OK":
            continue
        shown = str(rec.get("path"))
        raw = names.raw_path(rec)
        if verdict == "NEW" and allowed_new is not None and path_key(raw) in allowed_new:
            continue  # growth mode: acquired since the seal, listed, sealed by the next revision
        reason = rec.get("reason")
        if verdict == "MOVED":
            report.add("file.MOVED", shown, f"{shown} is MOVED (sealed as {rec.get('known_path')})")
        elif verdict == "UNREADABLE":
            report.add("file.UNREADABLE", shown, f"{shown} is UNREADABLE: {reason}", ExitCode.PARTIAL)
        elif verdict == "NEW" and reason:
            report.add("file.NEW", shown, f"{shown} is NEW: not covered by the seal ({reason})")
        elif verdict == "NEW":
            report.add("file.NEW", shown, f"{shown} is NEW: not covered by the seal")
        else:
            report.add(f"file.{verdict}", shown, f"{shown} is {verdict}" + (f": {reason}" if reason else ""))
    report.counts.update(summary.counts)
    if spot is not None:
        checked, bad = spot.check_sha256()
        report.spot = {"checked": checked, "workers": len(spot.by_worker)}
        cut = len(os.path.abspath(os.fsencode(root))) + 1  # the workers were sent absolute paths
        for b in [*spot.contradictions, *bad]:
            shown = names.display(b["path"][cut:])
            report.add("cluster.spot_check", shown,
                       f"{shown}: cluster worker {b['worker']} reported "
                       f"{'SHA-256 ' + b['worker_sha256'] if b['worker_sha256'] else 'no digest'}, but this machine "
                       f"reads {b['client_sha256'] or 'nothing'} ({b['reason']}): the worker's answers cannot be "
                       f"trusted")
    return summary.files, summary.bytes


# ----------------------------------------------------------------------------- the tag area
def _tagmanifest(report: VerifyReport, root: Path, found: PackageScan) -> None:
    """``tagmanifest-sha256.txt`` must list every tag file with its current SHA-256 (a BagIt
    validator checks the same); other ``manifest-*``/``tagmanifest-*`` lists are NEW unless sealed."""
    path = root / TAGMANIFEST
    rel_tm = TAGMANIFEST
    data, why = read_regular(path)
    if data is None:
        report.add("file.MISSING" if why == "missing" else "file.MODIFIED", rel_tm,
                   f"{rel_tm} is {'MISSING' if why == 'missing' else 'MODIFIED: ' + str(why)}")
        report.checks["tagmanifest"] = "failed"
        return
    listed: dict[bytes, str] = {}
    bad = 0
    before = len(report.findings)
    if data and not data.endswith(b"\n"):
        report.add("tagmanifest.mismatch", rel_tm, f"{rel_tm} is MODIFIED: its last line is cut short")
    for name, digest in list_entries(path, report, rel_tm):
        listed[name] = digest
    present = {p for p in found.tag_files if not p.startswith(b"fkit/work/")}
    for name, digest in sorted(listed.items()):
        shown = safe_text(names.display(name))
        if name not in present:
            if not report.has_path(shown):
                report.add("tagmanifest.mismatch", rel_tm, f"{rel_tm} lists {shown}, which is not a file of the package")
            bad += 1
            continue
        have, _why = file_sha256(root / os.fsdecode(name))
        if have != digest:
            if not report.has_path(shown):
                report.add("tagmanifest.mismatch", rel_tm, f"{rel_tm} gives another SHA-256 for {shown} than the file has")
            bad += 1
    for name in sorted(present - set(listed)):
        if name.startswith(b"tagmanifest-"):
            continue
        shown = safe_text(names.display(name))
        if not report.has_path(shown):
            report.add("tagmanifest.incomplete", rel_tm, f"{rel_tm} does not list {shown}")
        bad += 1
    report.checks["tagmanifest"] = "ok" if not bad and len(report.findings) == before else "failed"


def _allowed_signers(report: VerifyReport, root: Path, sealed: dict[str, Any], custody_fps: set[str]) -> None:
    """The package's own ``allowed_signers`` starts with the sealed bytes; a key added since must
    be one that signed a custody event (what ``fkit custody add`` appends)."""
    from forensic_kit.signing import allowed_signers
    from forensic_kit.signing.keys import fingerprint_of_blob

    nbytes, digest = sealed.get("bytes"), sealed.get("sha256")
    data, why = read_regular(root / ALLOWED)
    if data is None:
        report.add("file.MISSING" if why == "missing" else "file.MODIFIED", ALLOWED,
                   f"{ALLOWED} (the package's signer list) is {'MISSING' if why == 'missing' else 'MODIFIED: ' + str(why)}")
        return
    if not isinstance(nbytes, int) or len(data) < nbytes or hashlib.sha256(data[:nbytes]).hexdigest() != digest:
        report.add("file.MODIFIED", ALLOWED, f"{ALLOWED} (the package's signer list) is MODIFIED: "
                   f"it no longer starts with the list that was sealed")
        return
    added = data[nbytes:]
    if not added:
        return
    try:
        text = added.decode("utf-8")
    except UnicodeDecodeError:
        report.add("file.MODIFIED", ALLOWED, f"{ALLOWED}: bytes added after sealing are not text")
        return
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    entries = allowed_signers.parse(text)
    if len(entries) != len(lines) or not text.endswith("\n"):
        report.add("file.MODIFIED", ALLOWED, f"{ALLOWED}: lines added after sealing are not allowed_signers lines")
        return
    for e in entries:
        fp = fingerprint_of_blob(e.key_blob)
        if fp not in custody_fps:
            report.add("allowed_signers.added", ALLOWED,
                       f"{ALLOWED}: key {fp} ({safe_text(','.join(e.principals))}) was added after sealing and "
                       f"signed no custody event")


def _unsealed_files(report: VerifyReport, found: PackageScan, manifest: dict[str, Any], revisions: set[bytes]) -> None:
    """Every file outside ``data/`` is sealed, checked another way, or reported NEW."""
    tag_files = _dict(manifest.get("tag_files"))
    old = manifest.get("format_version") == 1
    for raw in found.tag_files:
        rel = os.fsdecode(raw)
        if rel in tag_files or rel in (MANIFEST, SIGNATURE, MINISIG, BAG_MANIFEST, RECORDS, SALTS, LEDGER, ALLOWED,
                                       TAGMANIFEST) or raw in revisions:
            continue
        shown = safe_text(names.display(raw))
        if rel == LOCK:
            if (Path(report.target) / LOCK).stat().st_size == 0:
                continue
        if old and rel in ("bagit.txt", "bag-info.txt", "VERIFY.txt", "fkit/minisign.pub"):
            report.notes.append(f"{shown} is not covered by this seal (sealed by an older fkit)")
            continue
        if report.has_path(shown):
            continue
        report.add("file.NEW", shown, f"{shown} is NEW: not covered by the seal")


# ----------------------------------------------------------------------------- custody
def _custody(report: VerifyReport, root: Path, trusted: str | None, sealed: dict[str, Any] | None,
             expect_heads: Sequence[str], sealed_heads: Sequence[tuple[str, str]]) -> set[str]:
    """The ledger, anchored to the seal's head(s) and ``--expect-head``; returns the fingerprints
    of every key that validly signed an event (for the allowed_signers check)."""
    from forensic_kit.custody import verify_custody
    from forensic_kit.package import Case

    exists = os.path.lexists(root / LEDGER)
    heads = [(h, src) for h, src in sealed_heads if h and not h.startswith("0:")]
    heads += [(h, "--expect-head") for h in expect_heads]
    if not exists:
        if heads:
            h, src = heads[0]
            report.add("custody.missing", LEDGER, f"{LEDGER} is missing, but {src} records custody events "
                       f"(head {h[:20]}...): the ledger was removed")
            report.checks["custody"] = "failed"
        else:
            report.checks["custody"] = "absent"
        return set()
    data, why = read_regular(root / LEDGER)
    if data is None:
        report.add("file.MODIFIED", LEDGER, f"{LEDGER} (the custody ledger) is MODIFIED: {why}")
        report.checks["custody"] = "failed"
        return set()
    info = {}
    case_json, _ = read_regular(root / "fkit" / "case.json", 1 << 20)
    try:
        parsed = json.loads(case_json) if case_json else {}
        info = parsed if isinstance(parsed, dict) else {}
    except ValueError:
        info = {}
    try:
        result = verify_custody(Case(root, info), trusted, heads)
    except FkitError as exc:
        report.checks["custody"] = "failed"
        report.add("custody.error", LEDGER, f"custody ledger: {exc.message}")
        return set()
    report.custody_report = result
    report.checks["custody"] = "ok" if result.ok else "failed"
    report.custody = result.as_dict()
    for f in result.findings:
        where = LEDGER + (f" (event {f.seq})" if f.seq is not None else "")
        report.add(f"custody.{f.code}", where, f.message)
    report.notes.extend(result.notes)
    return {v.fingerprint for v in result.signatures if v.valid and v.fingerprint}


# ----------------------------------------------------------------------------- revisions
def _revisions(report: VerifyReport, root: Path, manifest: dict[str, Any], data: bytes, trusted: str | None,
               found: PackageScan) -> tuple[set[bytes], list[tuple[str, str]]]:
    """Check every kept revision and the links between them; returns the paths the revision folders
    account for and the custody heads earlier revisions recorded."""
    accounted: set[bytes] = set()
    heads: list[tuple[str, str]] = []
    current = report.revision or 1
    rev = _dict(manifest.get("revision"))
    history: list[dict[str, Any]] = []
    folders: dict[int, set[bytes]] = {}
    for raw in found.tag_files:
        if raw.startswith(REVISIONS.encode() + b"/"):
            parts = raw.split(b"/")
            if len(parts) == 4 and parts[2].isdigit() and parts[3].decode("utf-8", "replace") in REVISION_FILES:
                folders.setdefault(int(parts[2]), set()).add(raw)
    # the current revision's own copy must be the current files
    mine = folders.pop(current, set())
    if manifest.get("format_version") != 1:
        tag_sha = _dict(manifest.get("tag_files")).get("bag-info.txt")
        kept_expect = {"manifest.json": report.manifest_sha256, "manifest.json.sshsig": file_sha256(root / SIGNATURE)[0],
                    "manifest-sha256.txt": _dict(manifest.get("bag")).get("manifest_sha256"), "bag-info.txt": tag_sha}
        for name in REVISION_FILES:
            rel = f"{REVISIONS}/{current}/{name}"
            if kept_expect[name] is None or report.has_path(rel):
                continue
            have, why = file_sha256(root / rel)
            if have is None:
                report.add("file.MISSING" if why == "missing" else "file.MODIFIED", rel,
                           f"{rel} (revision {current}'s kept copy) is "
                           + ("MISSING" if why == "missing" else f"MODIFIED: {why}"))
            elif have != kept_expect[name]:
                report.add("file.MODIFIED", rel, f"{rel} (revision {current}'s kept copy) is MODIFIED: it is not "
                           f"what revision {current} sealed")
    accounted |= mine
    signer = _dict(manifest.get("signer"))
    history.append({"number": current, "manifest_sha256": report.manifest_sha256, "reason": rev.get("reason"),
                    "signer": report.signature.get("fingerprint"), "person": report.signature.get("person"),
                    "created": _dict(manifest.get("created")).get("utc"), "claimed_signer": signer.get("name")})
    link = _dict(rev.get("previous"))
    number = current
    later_list = (root / BAG_MANIFEST, BAG_MANIFEST)
    while number > 1:
        prev = number - 1
        folder = f"{REVISIONS}/{prev}"
        accounted |= folders.pop(prev, set())
        pdata, why = read_regular(root / folder / "manifest.json")
        expected = link.get("manifest_sha256")
        if pdata is None:
            report.add("revision.missing", f"{folder}/manifest.json",
                       f"revision {prev} is missing ({folder}/manifest.json {why}): the history of the seal is cut")
            break
        sha = hashlib.sha256(pdata).hexdigest()
        if link.get("number") != prev or sha != expected:
            report.add("revision.link", f"{folder}/manifest.json",
                       f"revision {number} does not chain to the kept revision {prev}: its manifest has SHA-256 {sha}")
        sub = VerifyReport(target=report.target)
        check_signature(sub, pdata, root / folder / "manifest.json.sshsig", trusted,
                        f"{folder}/manifest.json.sshsig", f"{folder}/manifest.json")
        report.findings.extend(f for f in sub.findings)
        try:
            pman = json.loads(pdata)
        except ValueError:
            pman = None
        if not isinstance(pman, dict):
            report.add("revision.unreadable", f"{folder}/manifest.json", f"revision {prev}'s manifest is not readable")
            break
        plist_sha = _dict(pman.get("bag")).get("manifest_sha256")
        if pman.get("format_version") == 1 and not os.path.lexists(root / folder / "manifest-sha256.txt"):
            report.notes.append(f"revision {prev} was sealed before revisions were kept: its file list is not kept, "
                                f"so its files cannot be compared with revision {number}'s")
        elif _check_file_hash(report, root, f"{folder}/manifest-sha256.txt", plist_sha, f"revision {prev}'s file list"):
            later: dict[bytes, str] = {path_key(n): d for n, d in list_entries(later_list[0])}
            for entry_name, digest in list_entries(root / folder / "manifest-sha256.txt"):
                now = later.get(path_key(entry_name))
                if now != digest:
                    shown = safe_text(names.display(entry_name))
                    report.add("revision.payload", shown,
                               f"{shown} was sealed in revision {prev} but revision {number} "
                               + ("no longer lists it" if now is None else "lists other content for it"))
            later_list = (root / folder / "manifest-sha256.txt", f"{folder}/manifest-sha256.txt")
        precs = _dict(pman.get("records"))
        if isinstance(precs.get("bytes"), int) and prefix_sha256(root / RECORDS, precs["bytes"]) != precs.get("sha256"):
            report.add("revision.records", RECORDS, f"{RECORDS} no longer starts with the records revision {prev} sealed")
        phead = _dict(pman.get("custody")).get("head")
        if isinstance(phead, str):
            heads.append((phead, f"the seal of revision {prev}"))
        prev_rev = _dict(pman.get("revision"))
        history.append({"number": prev, "manifest_sha256": sha, "reason": prev_rev.get("reason"),
                        "signer": sub.signature.get("fingerprint"), "person": sub.signature.get("person"),
                        "created": _dict(pman.get("created")).get("utc"),
                        "claimed_signer": _dict(pman.get("signer")).get("name")})
        link = _dict(prev_rev.get("previous"))
        number = prev
    for leftover in sorted(folders):
        for raw in sorted(folders[leftover]):
            report.add("file.NEW", safe_text(os.fsdecode(raw)),
                       f"{safe_text(os.fsdecode(raw))} is NEW: not a revision of this seal")
            accounted.add(raw)
    report.revisions = list(reversed(history))
    report.checks["revisions"] = "ok" if not any(f.code.startswith("revision.") for f in report.findings) else "failed"
    return accounted, heads


# ----------------------------------------------------------------------------- entry point
def is_full_case(root: Path) -> bool:
    """True when ``root`` holds anything only a full case holds (bagit.txt, a list, a ledger...)."""
    return any(os.path.lexists(root / m) for m in FULL_CASE_MARKERS)


def verify_case(root: Path, trusted: str | None, workers: int | None = None,
                on_verdict: Callable[[Record], None] | None = None, deep: bool = False,
                expect_heads: Sequence[str] = (), growth: bool = False, cluster: Any = None,
                spot_check: int = 3) -> VerifyReport:
    """Verify a sealed case package (or a subset made by ``fkit prove``).

    ``deep`` also re-checks that every record agrees with ``manifest-sha256.txt``.
    ``expect_heads`` are custody heads (``SEQ:SHA256``) the user holds on receipts.
    ``growth`` (used by ``manifest build`` before a new revision) accepts what a new revision
    adds: records appended, payload files acquired and listed since the seal, new tag files.
    ``cluster`` (a ``distributed.Client``) hashes the payload on its workers, ``spot_check`` files
    per worker hashed again here; the report is the local run's (plus any spot-check finding).
    """
    root = Path(root)
    if not is_full_case(root):
        if os.path.lexists(root / PROOFS):
            from forensic_kit.manifest.prove import verify_subset

            return verify_subset(root, trusted)
        if not os.path.lexists(root / MANIFEST):
            raise NotACaseError(f"{root} is not an fkit case package or subset (no bagit.txt, no {MANIFEST})")
    from forensic_kit.custody import parse_head

    for h in expect_heads:
        parse_head(h)
    report = VerifyReport(target=str(root))
    _REL_BASE.append(root)
    try:
        _verify_full(report, root, trusted, workers, on_verdict, deep, expect_heads, growth, cluster, spot_check)
    finally:
        _REL_BASE.pop()
    return report


def _verify_full(report: VerifyReport, root: Path, trusted: str | None, workers: int | None,
                 on_verdict: Callable[[Record], None] | None, deep: bool, expect_heads: Sequence[str],
                 growth: bool, cluster: Any = None, spot_check: int = 3) -> None:
    found = scan(root)
    for raw_rel, why in found.unreadable:
        report.add("file.UNREADABLE", safe_text(os.fsdecode(raw_rel)),
                   f"{safe_text(os.fsdecode(raw_rel))} cannot be listed: {why}", ExitCode.PARTIAL)
    blocked = found.blocked()
    try:
        data, m = load_manifest(root, report, trusted)
    except ManifestUnusable as exc:
        report.notes.append(exc.message)
        _unsealed_checks(report, root, found, trusted, expect_heads)
        return
    bag = _dict(m.get("bag"))
    recs = _dict(m.get("records"))
    bag_sha = bag.get("manifest_sha256")
    revision_list = root / REVISIONS / str(report.revision or 1) / "manifest-sha256.txt"
    if growth and os.path.lexists(revision_list):
        bag_ok = _check_file_hash(report, root, _rel(revision_list), bag_sha, "the sealed file list, kept")
        sealed_list = revision_list
    else:
        bag_ok = _check_file_hash(report, root, BAG_MANIFEST, bag_sha, "the sealed file list")
        sealed_list = root / BAG_MANIFEST
    if growth:
        rec_ok = _records_grown(report, root, recs)
    else:
        rec_ok = _check_file_hash(report, root, RECORDS, recs.get("sha256"), "the item records")
    for rel, digest in sorted(_dict(m.get("tag_files")).items()):
        if not isinstance(rel, str):
            continue
        if growth and rel in ("bag-info.txt",):
            _bag_info_grown(report, root, digest)
            continue
        _check_file_hash(report, root, rel, digest, "a sealed tag file")
    report.checks["bag_manifest"] = "ok" if bag_ok else "failed"
    if os.path.lexists(root / RECORDS):
        _merkle_check(report, root, m, limit=recs.get("count") if growth else None, records_ok=rec_ok)
    if bag_ok and rec_ok and deep:
        _records_vs_bag(report, root)
    source = "bag" if bag_ok or not rec_ok else "records"
    if source == "records":
        report.notes.append(f"{BAG_MANIFEST} is not the sealed one: files checked against the sealed {RECORDS}")
    elif not bag_ok:
        report.notes.append(f"neither {BAG_MANIFEST} nor {RECORDS} is the sealed one: file verdicts are against a changed list")

    def entries() -> Iterable[tuple[bytes, str]]:
        return list_entries(sealed_list, report) if source == "bag" else _record_entries(root)

    allowed_new = {path_key(n) for n, _d in list_entries(root / BAG_MANIFEST)} if growth else None
    files, nbytes = _payload(report, root, entries, workers, on_verdict, blocked, allowed_new, cluster, spot_check)
    sealed_totals = _dict(m.get("payload"))
    report.counts["files"] = files
    report.counts["bytes"] = nbytes
    if not growth and (files, nbytes) != (sealed_totals.get("files"), sealed_totals.get("bytes")) and not any(
            f.code.startswith("file.") for f in report.findings):
        report.add("payload.totals", "data",
                   f"payload holds {files} files / {nbytes} bytes; sealed {sealed_totals.get('files')} / {sealed_totals.get('bytes')}")
    report.checks["payload"] = "ok" if not any((f.code.startswith("file.") and f.path and f.path.startswith("data"))
                                               or f.code == "cluster.spot_check" for f in report.findings) else "failed"
    accounted, old_heads = _revisions(report, root, m, data, trusted, found)
    sealed_head = _dict(m.get("custody")).get("head")
    heads = ([(sealed_head, "the seal")] if isinstance(sealed_head, str) else []) + old_heads
    custody_fps = _custody(report, root, trusted, m, expect_heads, heads)
    allowed = m.get("allowed_signers")
    if isinstance(allowed, dict):
        _allowed_signers(report, root, allowed, custody_fps)
    if not growth:
        _tagmanifest(report, root, found)
        _unsealed_files(report, found, m, accounted)
    _specials(report, found)


def _bag_info_grown(report: VerifyReport, root: Path, digest: Any) -> None:
    """Growth mode: bag-info.txt may differ from revision N's copy only in Payload-Oxum and
    Bagging-Date (what a new acquisition changes)."""
    kept = root / REVISIONS / str(report.revision or 1) / "bag-info.txt"
    if not os.path.lexists(kept):
        return
    if not _check_file_hash(report, root, _rel(kept), digest, "the sealed bag-info.txt, kept"):
        return

    def fields(p: Path) -> list[str] | None:
        data, _ = read_regular(p, 1 << 20)
        if data is None:
            return None
        return [ln for ln in data.decode("utf-8", "replace").splitlines()
                if not ln.lower().startswith(("payload-oxum:", "bagging-date:"))]

    if fields(kept) != fields(root / "bag-info.txt"):
        report.add("file.MODIFIED", "bag-info.txt", "bag-info.txt (a sealed tag file) is MODIFIED beyond what an "
                   "acquisition changes (Payload-Oxum, Bagging-Date)")


def _specials(report: VerifyReport, found: PackageScan) -> None:
    for rel, kind in found.specials:
        shown = safe_text(names.display(rel))
        if report.has_path(shown):
            continue
        code = "file.SYMLINK" if kind == "a symbolic link" else "file.SPECIAL"
        report.add(code, shown, f"{shown} is {kind}: not part of a sealed package (never followed or opened)")


def _unsealed_checks(report: VerifyReport, root: Path, found: PackageScan, trusted: str | None,
                     expect_heads: Sequence[str]) -> None:
    """No usable manifest: still name what can be named (custody against --expect-head, links)."""
    report.checks["payload"] = "skipped"
    _custody(report, root, trusted, None, expect_heads, [])
    known = ("bagit.txt", "bag-info.txt", "VERIFY.txt", BAG_MANIFEST, TAGMANIFEST, RECORDS, SALTS, SIGNATURE,
             MINISIG, LEDGER, ALLOWED, "fkit/case.json", "fkit/minisign.pub")
    for raw in found.tag_files:
        rel = os.fsdecode(raw)
        if rel in known or rel.startswith(("fkit/exhibits/", REVISIONS + "/")):
            continue
        shown = safe_text(rel)
        if not report.has_path(shown):
            report.add("file.NEW", shown, f"{shown} is NEW: not a file of an fkit package")
    _specials(report, found)
