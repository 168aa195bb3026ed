"""Checking a disclosure against the RECEIVER's own trust list (used by ``fkit receive`` and ``fkit verify``).

A disclosure folder (the archive's top folder, kept in a receiving case under ``fkit/received/``)
checks out when every one of these holds; each failure is one :class:`Finding`:

1. ``fkit/manifest.json`` is signed (SSHSIG, ``fkit-manifest``) by a key the receiver trusts;
2. every line of ``fkit/proofs.jsonl`` is an RFC 9162 inclusion proof of its salted record to the
   sealed Merkle root, and the disclosed file has the record's SHA-256; no file comes without a proof;
3. ``SHA256SUMS`` lists exactly the proven files and hashes;
4. every event of the sender's ledger excerpt is canonical, signed by a trusted key, and chains to
   the event before it where both are present; the last one is the ``disclosed`` event;
5. that event (and ``fkit/disclosure.json`` = its body, signed alone) names this manifest, this Merkle
   root and this file list, is signed by the person it names as releaser, and is addressed to the
   receiver's key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit.custody import NAMESPACE, event_body, party_label
from forensic_kit.manifest import merkle
from forensic_kit.manifest.build import record_bag_path
from forensic_kit.manifest.canonical import canonical_bytes
from forensic_kit.share.disclose import DISCLOSURE, DISCLOSURE_SIG, FILE_LIST, PROOFS, SENDER_CUSTODY
from forensic_kit.signing import NAMESPACE_MANIFEST, SignatureError, sshsig
from forensic_kit.signing.people import Person, TrustList, same_person

RECEIVED_DIR = "fkit/received"


@dataclass
class Finding:
    """One reason the disclosure does not check out."""

    code: str
    message: str


@dataclass
class DisclosureCheck:
    """What :func:`check_disclosure` found."""

    findings: list[Finding] = field(default_factory=list)
    sender: Person | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    event: dict[str, Any] = field(default_factory=dict)
    event_line: bytes = b""
    events: list[dict[str, Any]] = field(default_factory=list)
    proven: dict[str, str] = field(default_factory=dict)  # bag path -> sha256
    records: list[bytes] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.findings

    def add(self, code: str, message: str) -> None:
        """Record a finding."""
        self.findings.append(Finding(code, message))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def parse_sums(data: bytes) -> dict[str, str]:
    """``sha256sum`` lines → {name: sha256} (GNU escapes for ``\\`` and newlines undone)."""
    out: dict[str, str] = {}
    for raw in data.decode("utf-8", "surrogateescape").split("\n"):
        if not raw:
            continue
        escaped = raw.startswith("\\")
        if escaped:
            raw = raw[1:]
        sha, _, name = raw.partition("  ")
        if escaped:
            name = name.replace("\\\\", "\0").replace("\\n", "\n").replace("\\r", "\r").replace("\0", "\\")
        out[name] = sha.lower()
    return out


def check_disclosure(folder: Path, payload: Mapping[str, str], trusted: str | None,
                     my_recipients: list[str] | None = None) -> DisclosureCheck:
    """Check the disclosure in ``folder`` whose payload files have the SHA-256 values ``payload``."""
    res = DisclosureCheck()
    trust = TrustList(trusted or "", "the receiver's trust list")
    if trusted is None:
        res.add("trust.missing", "no trust list was given (--trust or FKIT_TRUST): the sender cannot be trusted")
    mbytes = _read(folder / "fkit/manifest.json")
    sig = _read(folder / "fkit/manifest.json.sshsig")
    if mbytes is None or sig is None:
        res.add("manifest.missing", "the disclosure has no signed manifest")
        return res
    try:
        v = sshsig.verify(mbytes, sig, NAMESPACE_MANIFEST, trusted)
        if not v.trusted:
            res.add("signature.untrusted", f"the case manifest is signed by {v.fingerprint}, a key that is NOT in your trust list")
    except SignatureError as exc:
        res.add("signature.bad", f"the case manifest signature fails: {exc.message}")
    try:
        res.manifest = json.loads(mbytes)
        sealed_root = bytes.fromhex(str(res.manifest["merkle"]["root"]))
        size = int(res.manifest["merkle"]["size"])
    except (ValueError, KeyError, TypeError):
        res.add("manifest.unreadable", "the case manifest has no usable Merkle root")
        return res
    _check_proofs(res, folder, payload, sealed_root, size)
    sums = _read(folder / FILE_LIST)
    if sums is None or parse_sums(sums) != res.proven:
        res.add("filelist.mismatch", f"{FILE_LIST} does not list exactly the proven files and hashes")
    _check_events(res, folder, trusted, trust)
    _check_event_fields(res, folder, mbytes, sums or b"", trusted, trust, my_recipients)
    return res


def _check_proofs(res: DisclosureCheck, folder: Path, payload: Mapping[str, str], root: bytes, size: int) -> None:
    data = _read(folder / PROOFS) or b""
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            e = json.loads(raw)
            line = str(e["record"]).encode("utf-8")
            salt = bytes.fromhex(e["salt"])
            proof = [bytes.fromhex(h) for h in e["proof"]]
            rec = json.loads(line)
            bp = record_bag_path(rec)
            ok = len(salt) == merkle.SALT_SIZE and merkle.verify_inclusion(
                merkle.salted_leaf_hash(salt, line), int(e["leaf_index"]), size, proof, root)
        except (ValueError, KeyError, TypeError, AttributeError):
            res.add("proof.malformed", f"{PROOFS} line {n} is not a usable proof")
            continue
        name = bp.decode("utf-8", "surrogateescape") if bp else ""
        if not name or e.get("bag_path") != name or name in res.proven:
            res.add("proof.mismatch", f"{PROOFS} line {n} names no file, another file, or a file twice")
            continue
        if not ok:
            res.add("proof.invalid", f"{name}: its inclusion proof does not lead to the sealed Merkle root")
            continue
        sha = str((rec.get("hashes") or {}).get("sha256") or "").lower()
        res.proven[name] = sha
        res.records.append(line + b"\n")
        got = payload.get(name)
        if got is None:
            res.add("file.MISSING", f"{name} is MISSING from the disclosure")
        elif got != sha:
            res.add("file.MODIFIED", f"{name} is MODIFIED: its content is not the sealed one")
    if not res.proven and not any(f.code.startswith("proof.") for f in res.findings):
        res.add("proof.empty", "the disclosure proves no file")
    for name in sorted(set(payload) - set(res.proven)):
        res.add("file.NEW", f"{name} came with the disclosure but has no proof of belonging to the sealed case")


def _check_events(res: DisclosureCheck, folder: Path, trusted: str | None, trust: TrustList) -> None:
    data = _read(folder / SENDER_CUSTODY) or b""
    prev_seq: int | None = None
    prev_hash: str | None = None
    for n, line in enumerate(data.splitlines(keepends=True), 1):
        try:
            ev = json.loads(line)
            if not isinstance(ev, dict):
                raise ValueError
        except ValueError:
            res.add("custody.unreadable", f"line {n} of the sender's custody events is not an event")
            continue
        seq = ev.get("seq")
        if canonical_bytes(ev) + b"\n" != line:
            res.add("custody.noncanonical", f"sender event {seq} was edited outside fkit")
        if isinstance(seq, int) and prev_seq is not None and seq <= prev_seq:
            res.add("custody.order", f"sender event {seq} comes after event {prev_seq}")
        if isinstance(seq, int) and prev_seq is not None and seq == prev_seq + 1 and ev.get("prev") != prev_hash:
            res.add("custody.chain", f"sender event {seq} does not chain to event {prev_seq}")
        _check_event_signature(res, ev, seq, trusted, trust)
        prev_seq = seq if isinstance(seq, int) else prev_seq
        prev_hash = hashlib.sha256(line).hexdigest()
        res.events.append(ev)
        res.event_line = line
    if not res.events or res.events[-1].get("action") != "disclosed":
        res.add("custody.no_disclosure", "the sender's custody events do not end with a signed 'disclosed' event")
    else:
        res.event = res.events[-1]


def _check_event_signature(res: DisclosureCheck, ev: dict[str, Any], seq: Any, trusted: str | None,
                           trust: TrustList) -> None:
    sigs = [s for s in ev.get("signatures") or [] if isinstance(s, dict)]
    if not any(s.get("role") == "releaser" for s in sigs):
        res.add("custody.unsigned", f"sender event {seq} is not signed by its releaser")
    body = event_body(ev)
    for s in sigs:
        role = "receiver" if s.get("role") == "receiver" else "releaser"
        try:
            v = sshsig.verify(body, str(s.get("sshsig", "")).encode("ascii", "replace"), NAMESPACE, trusted)
        except (SignatureError, ValueError):
            res.add("custody.signature", f"the {role} signature on sender event {seq} does not match it")
            continue
        if not v.trusted:
            res.add("custody.untrusted", f"sender event {seq} is signed by {v.fingerprint}, NOT in your trust list")
            continue
        blob = base64.b64decode(v.public_line.split()[1])
        person = trust.person_for(blob)
        named = ev.get("released_by" if role == "releaser" else "received_by")
        if person is not None and not same_person(named, person):
            res.add("custody.impostor", f"sender event {seq} names {party_label(named)} as {role} but is signed by "
                                        f"{person.label()}")
        if role == "releaser" and ev.get("action") == "disclosed":
            res.sender = person


def _check_event_fields(res: DisclosureCheck, folder: Path, mbytes: bytes, sums: bytes, trusted: str | None,
                        trust: TrustList, my_recipients: list[str] | None) -> None:
    ev = res.event
    if not ev:
        return
    d = ev.get("disclosure") if isinstance(ev.get("disclosure"), dict) else {}
    assert isinstance(d, dict)
    expect = {"manifest_sha256": hashlib.sha256(mbytes).hexdigest(),
              "merkle_root": (res.manifest.get("merkle") or {}).get("root"),
              "file_list_sha256": hashlib.sha256(sums).hexdigest(), "files": len(res.proven)}
    for k, want in expect.items():
        if d.get(k) != want:
            res.add("disclosure.mismatch", f"the disclosed event's {k} does not match what was received")
    body = _read(folder / DISCLOSURE)
    dsig = _read(folder / DISCLOSURE_SIG)
    if body != event_body(ev) or dsig is None:
        res.add("disclosure.detached", f"{DISCLOSURE} is not the disclosed event's body, or is unsigned")
    else:
        try:
            sshsig.verify(body, dsig, NAMESPACE, trusted)
        except SignatureError as exc:
            res.add("disclosure.signature", f"{DISCLOSURE_SIG} fails: {exc.message}")
    if res.sender is None and not any(f.code.startswith("custody.") for f in res.findings):
        res.add("sender.unbound", "the sender's key is trusted but not bound to a person in your trust list "
                                    "(add a '# fkit-person:' line above it, after checking who holds it)")
    if my_recipients is not None:
        listed = {str(r.get("recipient")) for r in d.get("recipients") or [] if isinstance(r, dict)}
        if not listed & set(my_recipients):
            res.add("disclosure.not_addressed", "this disclosure was not addressed to your key (an onward "
                                                "transfer needs its own disclosure by the sender)")


def received_folders(case_root: Path) -> list[Path]:
    """The disclosure folders a receiving case keeps (``fkit/received/*``)."""
    base = Path(case_root) / RECEIVED_DIR
    return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def verify_received(report: Any, root: Path, trusted: str | None) -> None:
    """``fkit verify`` on a receiving case: the sender's chain and seal, against the verifier's list."""
    from forensic_kit.package import Case

    listed = Case.open(root).read_manifest()
    payload = {k: v for k, v in listed.items() if k.startswith("data/")}
    for folder in received_folders(root):
        res = check_disclosure(folder, payload, trusted)
        name = f"disclosure {folder.name}"
        report.checks[f"sender:{folder.name}"] = "ok" if res.ok else "failed"
        for f in res.findings:
            report.add(f"received.{f.code}", f"{RECEIVED_DIR}/{folder.name}", f"{name}: {f.message}")
        seqs = [str(e.get("seq")) for e in res.events]
        who = res.sender.label() if res.sender else "an unidentified sender"
        report.notes.append(f"sender chain ({res.manifest.get('case_id')}): events {', '.join(seqs)} "
                            f"(those about the disclosed exhibits), disclosed by {who} at "
                            f"{res.event.get('time')}; manifest root {(res.manifest.get('merkle') or {}).get('root')}")


__all__ = ["DisclosureCheck", "check_disclosure", "parse_sums", "received_folders", "verify_received"]
