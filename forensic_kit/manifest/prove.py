"""Selective disclosure: ``fkit prove CASE PATH... --out SUBSET`` and its verification.

A subset folder holds the disclosed files under their bag paths, the signed manifest
(``fkit/manifest.json`` + ``.sshsig``), the signer list, and ``fkit/proofs.jsonl``: per disclosed
file, its exact record line, that record's salt, its leaf index and the RFC 9162 inclusion proof
to the sealed Merkle root. Nothing else: no other file's name, record or content. Sibling hashes in
a proof are over salted leaves, so they cannot be matched against guessed contents.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from forensic_kit.errors import CaseExistsError, CheckFailed, FormatError, InputError, NotACaseError
from forensic_kit.manifest import merkle
from forensic_kit.manifest.build import (
    MANIFEST, RECORDS, SALTS, SIGNATURE, read_salts, record_bag_path, record_lines, sha256_file,
)
from forensic_kit.display import safe_text
from forensic_kit.manifest.payload import safe_bag_path, walk_regular
from forensic_kit.manifest.scan import scan
from forensic_kit.manifest.safeio import file_sha256, read_regular
from forensic_kit.manifest.verify import PROOFS, ManifestUnusable, VerifyReport, _REL_BASE, _dict, load_manifest

PROOF_FORMAT = "fkit-proof"
SUBSET_FILES = (MANIFEST, SIGNATURE, "fkit/allowed_signers")
SUBSET_COMPANIONS = {
    "VERIFY.txt": "instructions for stock tools",
    "SHA256SUMS": "a sha256sum list of the disclosed files (the proofs cover the files themselves)",
    "fkit/disclosure.json": "the hand-over's disclosed event (checked by fkit receive against its signature)",
    "fkit/disclosure.json.sshsig": "the signature of the disclosed event (checked by fkit receive)",
    "fkit/custody-excerpt.jsonl": "the sender's custody events about these exhibits (checked by fkit receive)",
}
"""Files a subset made by ``fkit prove`` or ``fkit share`` carries beside its proofs: expected, not
covered by the seal, each named in a note of the report (anything else is NEW)."""


def _bag_relative(case_root: Path, path: str) -> bytes:
    """A PATH argument as a bag-relative path (accepts ``data/...`` or a path into the case)."""
    p = Path(path)
    candidates = [p] if p.is_absolute() else [Path.cwd() / p]
    for c in candidates:
        try:
            rel = c.resolve().relative_to(case_root.resolve())
            if c.exists():
                return rel.as_posix().encode("utf-8")
        except ValueError:
            pass
    return os.fsencode(path).lstrip(b"/")


def prove(case_root: Path, paths: Sequence[str], out: Path) -> list[dict[str, Any]]:
    """Write the subset folder ``out`` for ``paths``; return the proof entries written."""
    case_root = Path(case_root)
    if not (case_root / MANIFEST).is_file():
        raise NotACaseError(f"{case_root} is not a sealed case (no {MANIFEST})")
    if out.exists() and any(out.iterdir()):
        raise CaseExistsError(f"refusing to write into non-empty {out}")
    entries = proof_entries(case_root, {_bag_relative(case_root, p): p for p in paths})
    out.mkdir(parents=True, exist_ok=True)
    for rel in SUBSET_FILES:
        if (case_root / rel).is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(case_root / rel, out / rel)
    for e in entries:
        dst = out / e["bag_path"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case_root / e["bag_path"], dst)
    with open(out / PROOFS, "wb") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return entries


def proof_entries(case_root: Path, wanted: dict[bytes, str], check_content: bool = True) -> list[dict[str, Any]]:
    """The proof entry of every bag path in ``wanted`` (bag path -> how the user named it).

    ``InputError`` when one is not a sealed record or is missing; ``CheckFailed`` when the records no
    longer give the sealed Merkle root, or (``check_content``) a file no longer has its sealed hash.
    Callers that read the files anyway (``fkit share``) pass ``check_content=False`` and hash as they read.
    """
    case_root = Path(case_root)
    if not (case_root / MANIFEST).is_file():
        raise NotACaseError(f"{case_root} is not a sealed case (no {MANIFEST})")
    manifest = json.loads((case_root / MANIFEST).read_bytes())
    m = manifest.get("merkle") or {}
    leaves: list[bytes] = []
    chosen: list[tuple[int, bytes, bytes, bytes]] = []  # (index, bag_path, salt, line)
    salts = read_salts(case_root / SALTS)
    for i, line in enumerate(record_lines(case_root / RECORDS)):
        salt = next(salts, None)
        if salt is None:
            raise FormatError(f"{SALTS} has fewer salts than {RECORDS} has records")
        leaves.append(merkle.salted_leaf_hash(salt, line))
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        bp = record_bag_path(rec) if isinstance(rec, dict) else None
        if bp is not None and bp in wanted:
            chosen.append((i, bp, salt, line))
    root = merkle.root_of(leaves)
    if root.hex() != m.get("root") or len(leaves) != m.get("size"):
        raise CheckFailed(f"{RECORDS} does not match the sealed Merkle root: run fkit verify {case_root} first")
    found = {bp for _i, bp, _s, _l in chosen}
    missing = [wanted[bp] for bp in wanted if bp not in found]
    if missing:
        raise InputError(f"not in the sealed records of {case_root}: {', '.join(missing)}")
    entries: list[dict[str, Any]] = []
    for i, bp, salt, line in chosen:
        src = case_root / os.fsdecode(bp)
        if not src.is_file():
            raise InputError(f"{os.fsdecode(bp)} is listed but missing from {case_root}")
        rec = json.loads(line)
        sha = (rec.get("hashes") or {}).get("sha256")
        if check_content and sha is not None and sha256_file(src) != sha:
            raise CheckFailed(f"{os.fsdecode(bp)} no longer matches its sealed hash; refusing to disclose it")
        entries.append({
            "format": PROOF_FORMAT, "bag_path": bp.decode("utf-8", "replace"), "leaf_index": i,
            "tree_size": len(leaves), "salt": salt.hex(), "record": line.decode("utf-8"),
            "proof": [h.hex() for h in merkle.inclusion_proof(leaves, i)],
        })
    return entries


def verify_subset(root: Path, trusted: str | None) -> VerifyReport:
    """Verify a subset made by :func:`prove`: signature, then each file's proof and content."""
    root = Path(root)
    report = VerifyReport(target=str(root), kind="subset")
    report.counts = {"OK": 0, "MODIFIED": 0, "MISSING": 0, "NEW": 0, "proof_failed": 0}
    _REL_BASE.append(root)
    try:
        try:
            _data, manifest = load_manifest(root, report, trusted)
        except ManifestUnusable as exc:
            report.notes.append(exc.message)
            return report
        m = _dict(manifest.get("merkle"))
        try:
            sealed_root = bytes.fromhex(str(m.get("root")))
            size = int(m["size"])
        except (KeyError, TypeError, ValueError):
            report.add("manifest.incomplete", MANIFEST, f"{MANIFEST} has no usable Merkle root")
            return report
        disclosed: set[str] = set()
        raw_proofs, why = read_regular(root / PROOFS)
        if raw_proofs is None:
            report.add("proof.unreadable", PROOFS, f"{PROOFS} cannot be read: {why}")
            raw_proofs = b""
        lines = raw_proofs.splitlines()
        if not any(ln.strip() for ln in lines):
            report.add("proof.empty", PROOFS, f"{PROOFS} holds no proof: nothing is proven")
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            _check_entry(report, root, raw, n, sealed_root, size, disclosed)
        found = scan(root)
        for rel_raw in found.tag_files:
            rel_text = os.fsdecode(rel_raw)
            if rel_text in SUBSET_COMPANIONS:
                report.notes.append(f"{rel_text}: {SUBSET_COMPANIONS[rel_text]}; not covered by the seal")
            elif rel_text not in SUBSET_FILES and rel_text != PROOFS:
                shown = safe_text(rel_text)
                report.counts["NEW"] += 1
                report.add("file.NEW", shown, f"{shown} is NEW: a subset holds only the disclosed files and their proofs")
        for full, rel_raw in walk_regular(os.fsencode(root), os.fsencode(root / "data")):
            rel = rel_raw.decode("utf-8", "replace")
            if rel not in disclosed:
                report.counts["NEW"] += 1
                report.add("file.NEW", safe_text(rel), f"{safe_text(rel)} is NEW: it has no proof of belonging to the sealed case")
        for rel_raw, kind in found.specials:
            shown = safe_text(os.fsdecode(rel_raw))
            if not report.has_path(shown):
                report.add("file.SYMLINK" if kind == "a symbolic link" else "file.SPECIAL", shown,
                           f"{shown} is {kind}: never followed or opened")
        report.checks["proofs"] = "ok" if not any(f.code.startswith(("proof.", "file.")) for f in report.findings) else "failed"
    finally:
        _REL_BASE.pop()
    return report


def _check_entry(report: VerifyReport, root: Path, raw: bytes, n: int, sealed_root: bytes, size: int,
                 disclosed: set[str]) -> None:
    try:
        e = json.loads(raw)
        if not isinstance(e, dict):
            raise TypeError
        line = str(e["record"]).encode("utf-8")
        salt = bytes.fromhex(e["salt"])
        index = int(e["leaf_index"])
        proof = [bytes.fromhex(h) for h in e["proof"]]
        rec = json.loads(line)
        if not isinstance(rec, dict):
            raise TypeError
        bag_path = record_bag_path(rec)
    except (ValueError, KeyError, TypeError, AttributeError):
        report.counts["proof_failed"] += 1
        report.add("proof.malformed", PROOFS, f"{PROOFS} line {n} is not a usable proof")
        return
    shown = bag_path.decode("utf-8", "replace") if bag_path else f"{PROOFS} line {n}"
    if bag_path is None or e.get("bag_path") != shown or not safe_bag_path(bag_path):
        report.counts["proof_failed"] += 1
        report.add("proof.mismatch", safe_text(shown), f"proof line {n} names a file its record does not")
        return
    if shown in disclosed:
        report.counts["proof_failed"] += 1
        report.add("proof.duplicate", safe_text(shown), f"proof line {n} proves {safe_text(shown)} a second time")
        return
    disclosed.add(shown)  # reported here, whatever the outcome: not again as NEW
    if len(salt) != merkle.SALT_SIZE or not merkle.verify_inclusion(
            merkle.salted_leaf_hash(salt, line), index, size, proof, sealed_root):
        report.counts["proof_failed"] += 1
        report.add("proof.invalid", safe_text(shown), f"{safe_text(shown)}: inclusion proof does not lead to the sealed Merkle root")
        return
    sha = _dict(rec.get("hashes")).get("sha256")
    found, why = file_sha256(root / shown)
    if found is None and why == "missing":
        report.counts["MISSING"] += 1
        report.add("file.MISSING", safe_text(shown), f"{safe_text(shown)} is MISSING")
    elif found is None:
        report.counts["MODIFIED"] += 1
        report.add("file.MODIFIED", safe_text(shown), f"{safe_text(shown)} is MODIFIED: {why}")
    elif not isinstance(sha, str) or found != sha.lower():
        report.counts["MODIFIED"] += 1
        report.add("file.MODIFIED", safe_text(shown), f"{safe_text(shown)} is MODIFIED: its content is not the sealed one")
    else:
        report.counts["OK"] += 1


__all__ = ["proof_entries", "prove", "verify_subset"]
