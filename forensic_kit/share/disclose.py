"""``fkit share``: a disclosure subset of a sealed case, encrypted to named recipients, logged.

The output is one age file (age-encryption.org/v1) whose plaintext is a pax tar with one top folder::

    CASE-Dn/VERIFY.txt                    how to check it with age, sha256sum and ssh-keygen (ar/fr/en)
    CASE-Dn/SHA256SUMS                    ``sha256sum -c`` list of the disclosed files
    CASE-Dn/fkit/manifest.json(.sshsig)   the sealed manifest and its signature, as sealed
    CASE-Dn/fkit/allowed_signers          the sender case's signer list (informative only)
    CASE-Dn/fkit/proofs.jsonl             per file: record line, salt, RFC 9162 inclusion proof
    CASE-Dn/fkit/custody-excerpt.jsonl    the sender's custody events about the disclosed exhibits,
                                          ending with the signed ``disclosed`` event
    CASE-Dn/fkit/disclosure.json(.sshsig) that event without its signatures, and the sender's
                                          signature over it (``ssh-keygen -Y verify -n fkit-custody``)
    CASE-Dn/data/EX-01/...                the disclosed payload files, under their bag paths

The ``disclosed`` event (file list hash, Merkle root, recipients, time, purpose, legal basis, handling
code, channel) is prepared and signed first, travels inside the archive, and is appended to the
sender's ledger only after the encrypted file is complete; the file is renamed into place last.
Payload files are hashed while they are read for encryption; one that differs from its sealed
hash stops the run and nothing is written or logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit.custody import append_event, event_body, ledger_lines, new_event, sign_event
from forensic_kit.errors import CaseExistsError, InputError, UsageError
from forensic_kit.manifest.build import MANIFEST, RECORDS, SIGNATURE, record_bag_path, record_lines
from forensic_kit.manifest.canonical import canonical_bytes
from forensic_kit.manifest.prove import proof_entries
from forensic_kit.package import Case
from forensic_kit.share.agefile import Recipient, encrypt, parse_recipient
from forensic_kit.share.tarstream import Member, TarReader
from forensic_kit.signing.keys import SigningKey, fingerprint_of_blob
from forensic_kit.signing.people import TrustList

HANDLING_CODES = ("H0", "H1", "H2", "H3")
FILE_LIST = "SHA256SUMS"
DISCLOSURE = "fkit/disclosure.json"
DISCLOSURE_SIG = "fkit/disclosure.json.sshsig"
SENDER_CUSTODY = "fkit/custody-excerpt.jsonl"  # not custody.jsonl: that name marks a full case (seal)
PROOFS = "fkit/proofs.jsonl"
ALLOWED = "fkit/allowed_signers"


@dataclass
class Addressee:
    """One recipient: the age key and, when the trust list binds it, the person."""

    recipient: Recipient
    principal: str | None = None
    person: dict[str, Any] | None = None  # {"name","id","org"}
    fingerprint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """What the ``disclosed`` event records about this recipient."""
        return {"recipient": self.recipient.text, "type": self.recipient.kind, "principal": self.principal,
                "person": self.person, "fingerprint": self.fingerprint, "bound": self.person is not None}

    def label(self) -> str:
        """How the recipient is named on screen."""
        if self.person:
            extra = ", ".join(str(x) for x in (self.person.get("id"), self.person.get("org")) if x)
            return f"{self.person['name']} ({extra})" if extra else str(self.person["name"])
        return f"anonymous key {self.recipient.text[:24]}..."


@dataclass
class ShareResult:
    """What ``fkit share`` did."""

    out: Path
    event: dict[str, Any]
    files: int
    bytes: int
    warnings: list[str] = field(default_factory=list)


def resolve_recipients(specs: Iterable[str], trust: TrustList | None) -> tuple[list[Addressee], list[str]]:
    """``--to`` values → addressees, plus one warning per key not bound to a person.

    A value is a principal of the trust list (``amina@dgsn.ma``), an ``ssh-ed25519 AAAA...`` line,
    a ``.pub`` file, or an ``age1...`` X25519 key (age keys cannot be bound in an allowed_signers list).
    """
    out: list[Addressee] = []
    warnings: list[str] = []
    for spec in specs:
        spec = spec.strip()
        if not spec:
            continue
        text = spec
        if spec.endswith(".pub") and Path(spec).is_file():
            text = Path(spec).read_text(encoding="utf-8").strip()
        if text.startswith(("ssh-", "age1")):
            rec = parse_recipient(text)
            a = Addressee(rec)
            if rec.kind == "ssh-ed25519":
                blob = base64.b64decode(rec.text.split()[1])
                a.fingerprint = fingerprint_of_blob(blob)
                person = trust.person_for(blob) if trust else None
                if person is not None:
                    a.principal, a.person = person.principal, person.as_party()
            if a.person is None:
                warnings.append(f"--to {spec[:40]}: an anonymous key, not bound to a person in the trust list; "
                                "the disclosure log names only the key")
            out.append(a)
            continue
        if trust is None:
            raise UsageError(f"--to {spec}: a principal needs the sender's trust list (--trust or FKIT_TRUST)")
        entries = [e for e in trust.entries if spec in e.principals and e.key_type == "ssh-ed25519"]
        if not entries:
            raise InputError(f"--to {spec}: no ssh-ed25519 key for this principal in {trust.source or 'the trust list'}")
        if all(trust.expired(e.key_blob) for e in entries):
            raise InputError(f"--to {spec}: every key of this principal has expired (valid-before) in the trust list")
        for e in entries:
            if trust.expired(e.key_blob):
                continue
            rec = parse_recipient(f"ssh-ed25519 {base64.b64encode(e.key_blob).decode()}")
            person = trust.person_for(e.key_blob)
            a = Addressee(rec, principal=spec, fingerprint=fingerprint_of_blob(e.key_blob),
                          person=person.as_party() if person else None)
            if person is None:
                warnings.append(f"--to {spec}: key {a.fingerprint} is not bound to a person (no '# fkit-person:' line)")
            out.append(a)
    if not out:
        raise UsageError("--to: name at least one recipient")
    seen: set[str] = set()
    unique = []
    for a in out:
        if a.recipient.text not in seen:
            seen.add(a.recipient.text)
            unique.append(a)
    return unique, warnings


def select(case: Case, exhibits: Iterable[str] = (), paths: Iterable[str] = (),
           records: Iterable[dict[str, Any]] = ()) -> dict[bytes, str]:
    """Bag paths to disclose (bag path -> how the user named it) from exhibits, paths and records."""
    from forensic_kit.manifest.prove import _bag_relative

    wanted: dict[bytes, str] = {}
    ex_ids = [e.strip() for e in exhibits if e.strip()]
    for ex in ex_ids:
        case.exhibit(ex)  # InputError when unknown
    prefixes = tuple(f"data/{ex}/".encode() for ex in ex_ids)
    if prefixes:
        for line in record_lines(case.root / RECORDS):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            bp = record_bag_path(rec) if isinstance(rec, dict) and rec.get("kind") == "file" else None
            if bp is not None and bp.startswith(prefixes):
                wanted[bp] = bp.decode("utf-8", "replace")
        empty = [ex for ex, p in zip(ex_ids, prefixes) if not any(bp.startswith(p) for bp in wanted)]
        if empty:
            raise InputError(f"--exhibits: no sealed file record for {', '.join(empty)}")
    for p in paths:
        wanted[_bag_relative(case.root, p)] = p
    for rec in records:
        bp = record_bag_path(rec) if rec.get("bag_path") else None
        if bp is None and isinstance(rec.get("path"), str):
            bp = _bag_relative(case.root, str(rec["path"]))
        if bp is None:
            raise InputError("--from-records: a record has neither bag_path nor path")
        wanted[bp] = bp.decode("utf-8", "replace")
    if not wanted:
        raise UsageError("nothing to disclose: give --exhibits, --paths or --from-records")
    return wanted


def _sums_line(sha: str, name: str) -> str:
    """A ``sha256sum`` line, escaped as GNU coreutils does for names with ``\\`` or a newline."""
    if "\\" in name or "\n" in name or "\r" in name:
        return "\\" + sha + "  " + name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") + "\n"
    return f"{sha}  {name}\n"


def _top_name(case_id: str, seq: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", case_id).strip("._") or "case"
    return f"{stem}-D{seq}"


def _relevant_events(lines: list[bytes], exhibits: set[str]) -> list[bytes]:
    """The ledger lines about ``exhibits``, except earlier disclosures (they name other recipients)."""
    out = []
    for line in lines:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        raw = ev.get("exhibits") if isinstance(ev, dict) else None
        if isinstance(raw, list) and exhibits & {str(x) for x in raw} and ev.get("action") != "disclosed":
            out.append(line)
    return out


def render_verify(values: dict[str, Any]) -> bytes:
    """VERIFY.txt of a disclosure (templates/share/VERIFY.{ar,fr,en}.txt)."""
    from forensic_kit.resources import templates_dir

    folder = templates_dir() / "share"
    parts = [(folder / f"VERIFY.{lang}.txt").read_text(encoding="utf-8").format(**values) for lang in ("ar", "fr", "en")]
    return "\n".join(parts).encode("utf-8")


def share(case_root: Path, *, to: list[Addressee], wanted: dict[bytes, str], key: SigningKey, out: Path,
          purpose: str, legal_basis: str, handling: str, channel: str, trust: TrustList | None,
          at: str | None = None, warnings: list[str] | None = None) -> ShareResult:
    """Build, encrypt and log one disclosure (see the module docstring)."""
    from forensic_kit.signing import allowed_signers, sshsig
    from forensic_kit.signing.keys import require_key_fits_case

    warnings = list(warnings or [])
    if handling not in HANDLING_CODES:
        raise UsageError(f"--handling {handling!r}: must be one of {', '.join(HANDLING_CODES)}")
    for name, value in (("--purpose", purpose), ("--legal-basis", legal_basis), ("--channel", channel)):
        if not value.strip():
            raise UsageError(f"{name} must not be empty")
    if out.exists() or out.is_symlink():
        raise CaseExistsError(f"{out} already exists; refusing to overwrite it")
    case = Case.open(case_root)
    require_key_fits_case(key, case.info, "sign a disclosure of")
    entries = proof_entries(case.root, wanted, check_content=False)
    manifest_bytes = (case.root / MANIFEST).read_bytes()
    manifest = json.loads(manifest_bytes)
    members_data: list[Member] = []
    total = 0
    sums = []
    exhibits: set[str] = set()
    for e in entries:
        rec = json.loads(e["record"])
        sha = str((rec.get("hashes") or {}).get("sha256") or "")
        if not sha:
            raise InputError(f"{e['bag_path']}: its sealed record has no SHA-256; cannot disclose it")
        size = int(rec.get("size") if isinstance(rec.get("size"), int) else (case.root / e["bag_path"]).stat().st_size)
        exhibits.add(str(rec.get("exhibit") or e["bag_path"].split("/")[1]))
        members_data.append(Member(e["bag_path"], path=case.root / e["bag_path"], size=size, sha256=sha))
        total += size
        sums.append(_sums_line(sha, e["bag_path"]))
    sums_bytes = "".join(sums).encode("utf-8", "surrogateescape")
    person = trust.person_for(key.public_blob) if trust else None
    if person is None:
        warnings.append(f"the signing key {key.fingerprint} is not bound to a person in the trust list; "
                        f"the event names {key.name}")
    lines = ledger_lines(case)
    head = f"{len(lines)}:{hashlib.sha256(lines[-1]).hexdigest()}" if lines else "0:"
    event = new_event(case, action="disclosed", exhibits=sorted(exhibits), by=key.name.replace(",", " "),
                      at=at, purpose=purpose, note=f"disclosed to {', '.join(a.label() for a in to)} via {channel}")
    if person is not None:
        event["released_by"] = person.as_party()
    top = _top_name(str(case.info.get("case_id") or "case"), int(event["seq"]))
    event["disclosure"] = {
        "format": "age-encryption.org/v1", "archive": top, "files": len(entries), "bytes": total,
        "file_list": FILE_LIST, "file_list_sha256": hashlib.sha256(sums_bytes).hexdigest(),
        "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
        "merkle_root": (manifest.get("merkle") or {}).get("root"),
        "recipients": [a.as_dict() for a in to], "legal_basis": legal_basis, "handling": handling,
        "channel": channel, "ledger_head": head,
    }
    signed = sign_event(event, key)
    line = canonical_bytes(signed) + b"\n"
    body = event_body(signed)
    allowed_path = case.fkit_dir / "allowed_signers"
    allowed_text = allowed_path.read_text(encoding="utf-8") if allowed_path.is_file() else ""
    key_line = allowed_signers.line_for(key)
    if key_line not in (ln.strip() for ln in allowed_text.splitlines()):
        allowed_text += ("" if not allowed_text or allowed_text.endswith("\n") else "\n") + key_line + "\n"
    proofs = b"".join(json.dumps(e, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" for e in entries)
    custody = b"".join(_relevant_events(lines, exhibits)) + line
    values = {"case_id": case.info.get("case_id") or "", "sender": event["released_by"].get("name"),
              "fingerprint": key.fingerprint, "time": event["time"], "handling": handling, "channel": channel,
              "purpose": purpose, "legal_basis": legal_basis, "files": len(entries), "bytes": total,
              "manifest_principal": (manifest.get("signer") or {}).get("key_id", "SIGNER"),
              "manifest_fingerprint": (manifest.get("signer") or {}).get("fingerprint", ""),
              "principal": person.principal if person else key.key_id,
              "file_list_sha256": event["disclosure"]["file_list_sha256"],
              "merkle_root": event["disclosure"]["merkle_root"]}
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    meta = [("VERIFY.txt", render_verify(values)), (FILE_LIST, sums_bytes), (MANIFEST, manifest_bytes),
            (SIGNATURE, (case.root / SIGNATURE).read_bytes()), (ALLOWED, allowed_text.encode("utf-8")),
            (PROOFS, proofs), (SENDER_CUSTODY, custody), (DISCLOSURE, body),
            (DISCLOSURE_SIG, sshsig.sign(body, key, "fkit-custody"))]
    members = [Member(f"{top}/{name}", data=data, mtime=mtime) for name, data in meta]
    members += [Member(f"{top}/{m.name}", path=m.path, size=m.size, sha256=m.sha256, mtime=mtime) for m in members_data]
    part = out.with_name(out.name + ".part")
    reader = TarReader(members)
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CaseExistsError(f"{part} exists (another share running, or a left-over): remove it first") from None
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as f:
            encrypt(reader, f, [a.recipient for a in to])
            f.flush()
            os.fsync(f.fileno())
        append_event(case, signed)
        allowed_signers.add(case, key)
        case.update_bag()
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return ShareResult(out=out, event=signed, files=len(entries), bytes=total,
                       warnings=warnings)


__all__ = ["HANDLING_CODES", "Addressee", "ShareResult", "resolve_recipients", "select", "share"]
