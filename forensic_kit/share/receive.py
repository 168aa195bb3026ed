"""``fkit receive FILE -i KEY --into NEWCASE``: decrypt, verify, open a receiving case — or nothing.

Everything happens in a private staging folder beside NEWCASE (same file system):

1. the age file is decrypted as a stream into :class:`~forensic_kit.share.tarstream.TarSink`, which
   refuses links, devices, traversal names and unexpected members; payload files are written
   under ``data/`` and SHA-256-hashed as they arrive, the sender's material under ``fkit/received/``;
2. :func:`~forensic_kit.share.check.check_disclosure` checks every proof and signature against the
   receiver's own trust list and that the disclosure was addressed to the receiver's key;
3. the receiving case is created: the disclosed records, one exhibit sheet per disclosed exhibit,
   a first custody event ``received`` signed by the receiver that references the sender's manifest
   root, ledger head and disclosure event (and carries that signed event), then the case is sealed
   with the receiver's key;
4. the staging case is renamed to NEWCASE. Any failure before that removes the staging folder:
   nothing is half-imported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit.custody import append_event, new_event, sign_event
from forensic_kit.errors import CaseExistsError, CheckFailed, InputError, UsageError
from forensic_kit.package import Case
from forensic_kit.share.agefile import decrypt, identity_recipients, load_identities
from forensic_kit.share.check import RECEIVED_DIR, DisclosureCheck, check_disclosure
from forensic_kit.share.disclose import (
    ALLOWED, DISCLOSURE, DISCLOSURE_SIG, FILE_LIST, PROOFS, SENDER_CUSTODY,
)
from forensic_kit.share.tarstream import UnsafeArchive, safe_name
from forensic_kit.signing.keys import SigningKey
from forensic_kit.signing.people import TrustList

META = {"VERIFY.txt", FILE_LIST, "fkit/manifest.json", "fkit/manifest.json.sshsig", ALLOWED, PROOFS,
        SENDER_CUSTODY, DISCLOSURE, DISCLOSURE_SIG}


class DisclosureRefused(CheckFailed):
    """The disclosure decrypted but does not check out; ``check`` holds every finding."""

    def __init__(self, message: str, check: DisclosureCheck) -> None:
        super().__init__(message)
        self.check = check


@dataclass
class ReceiveResult:
    """What ``fkit receive`` made."""

    case: Path
    case_id: str
    files: int
    bytes: int
    sender: str
    event: dict[str, Any]
    ciphertext_sha256: str
    check: DisclosureCheck
    warnings: list[str] = field(default_factory=list)


class _Extractor:
    """TarSink callbacks: payload to ``<stage>/data``, sender material to ``<stage>/received/TOP``."""

    def __init__(self, stage: Path) -> None:
        self.stage = stage
        self.top: str | None = None
        self.hashes: dict[str, str] = {}
        self.bytes = 0
        self._fd = -1
        self._hash: Any = None

    def _place(self, name: str) -> tuple[Path, bool]:
        top, _, rest = name.partition("/")
        if self.top is None:
            self.top = top
        if top != self.top or not rest:
            raise UnsafeArchive(f"archive member {name!r} is outside the disclosure folder {self.top!r}")
        if rest.startswith("data/"):
            return self.stage / rest, True
        if rest in META:
            return self.stage / "received" / top / rest, False
        raise UnsafeArchive(f"unexpected archive member {name!r}; refusing the archive")

    def on_dir(self, name: str) -> None:
        top, _, rest = name.partition("/")
        if self.top is None:
            self.top = top
        if top != self.top:
            raise UnsafeArchive(f"archive folder {name!r} is outside the disclosure folder {self.top!r}")

    def on_start(self, name: str, size: int) -> Callable[[memoryview], object]:
        path, payload = self._place(safe_name(name))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            raise UnsafeArchive(f"archive member {name!r} appears twice; refusing the archive") from None
        except (NotADirectoryError, IsADirectoryError):
            raise UnsafeArchive(f"archive member {name!r} clashes with another member's name; refusing the archive") from None
        self._hash = hashlib.sha256() if payload else None
        self._rel = path.relative_to(self.stage).as_posix() if payload else None
        return self._write

    def _write(self, data: memoryview) -> None:
        if self._hash is not None:
            self._hash.update(data)
            self.bytes += len(data)
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def on_end(self, name: str) -> None:
        os.close(self._fd)
        self._fd = -1
        if self._hash is not None and self._rel is not None:
            self.hashes[self._rel] = self._hash.hexdigest()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class _Buffered:
    """Batches pyrage's 8 KiB writes into 1 MiB ones before the tar parser sees them."""

    def __init__(self, sink: Any, size: int = 1 << 20) -> None:
        self.sink, self.size, self.buf = sink, size, bytearray()

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= self.size:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buf:
            chunk, self.buf = self.buf, bytearray()  # handed over, not copied
            self.sink.write(chunk)


class _HashingReader:
    """The age file as pyrage reads it (8 KiB at a time), read from disk and hashed 1 MiB at a time."""

    def __init__(self, f: Any) -> None:
        self.f, self.digest = f, hashlib.sha256()
        self._buf = memoryview(b"")

    def read(self, n: int = -1) -> bytes:
        if not self._buf:
            block = self.f.read(max(n, 1 << 20))
            self.digest.update(block)
            self._buf = memoryview(block)
        out, self._buf = self._buf[:n] if n >= 0 else self._buf, self._buf[n:] if n >= 0 else memoryview(b"")
        return bytes(out)

    def pending(self) -> int:
        """Bytes read from the file but not taken by pyrage."""
        return len(self._buf)

    def readable(self) -> bool:
        return True


def receive(file: Path, identity: Path, into: Path, trusted: str | None, sign_key: SigningKey,
            passphrase: bytes | None = None, case_id: str | None = None, profile: str | None = None) -> ReceiveResult:
    """Decrypt ``file`` with ``identity``, verify it, and create the receiving case ``into``."""
    from forensic_kit.share.tarstream import TarSink

    into = Path(into)
    if not Path(file).is_file():
        raise InputError(f"{file}: not a regular file (missing, a folder, a FIFO or a device)")
    if into.exists() or into.is_symlink():
        raise CaseExistsError(f"{into} already exists; refusing to receive into it")
    if trusted is None:
        raise UsageError("fkit receive needs your own trust list (--trust or FKIT_TRUST) to check the sender")
    identities = load_identities(identity, passphrase)
    mine = identity_recipients(identity, passphrase)
    into.parent.mkdir(parents=True, exist_ok=True)
    stage = into.parent / f".{into.name}.fkit-receiving-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(mode=0o700)
    try:
        ex = _Extractor(stage / "in")
        (stage / "in").mkdir()
        sink = TarSink(ex.on_start, ex.on_end, ex.on_dir)
        buffered = _Buffered(sink)
        try:
            with open(file, "rb") as f:
                src = _HashingReader(f)
                decrypt(src, buffered, identities, name=str(file))
                buffered.flush()
                if src.pending() or f.read(1):
                    raise CheckFailed(f"{file}: data after the end of the encrypted file")
        finally:
            ex.close()
        sink.close_check()
        if ex.top is None:
            raise UnsafeArchive("the archive is empty")
        folder = stage / "in" / "received" / ex.top
        check = check_disclosure(folder, ex.hashes, trusted, mine)
        if not check.ok:
            raise DisclosureRefused(f"{file}: refused, nothing imported: {check.findings[0].message}"
                                    + (f" (and {len(check.findings) - 1} more)" if len(check.findings) > 1 else ""),
                                    check)
        result = _make_case(stage, ex, folder, check, trusted, sign_key, case_id, profile, src.digest.hexdigest())
        os.rename(stage / "case", into)
        result.case = into
        return result
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _make_case(stage: Path, ex: _Extractor, folder: Path, check: DisclosureCheck, trusted: str,
               key: SigningKey, case_id: str | None, profile: str | None, ciphertext_sha256: str) -> ReceiveResult:
    from forensic_kit.manifest.build import build
    from forensic_kit.signing import allowed_signers

    trust = TrustList(trusted, "the receiver's trust list")
    me = trust.person_for(key.public_blob)
    warnings = []
    if me is None:
        warnings.append(f"your signing key {key.fingerprint} is not bound to a person in your trust list")
    manifest = check.manifest
    sender_case = str(manifest.get("case_id") or "unknown")
    d = check.event["disclosure"]
    training = bool(manifest.get("training"))
    prof = profile or ("training" if training else "eu")
    assert ex.top is not None
    case = Case.init(stage / "case", case_id or f"{sender_case}-R{check.event.get('seq')}",
                     agency=(me.org if me and me.org else "unknown"), officer=(me.name if me else key.name),
                     profile=prof, training=training,
                     received_from={"case_id": sender_case, "disclosure": ex.top, "seq": check.event.get("seq")})
    (case.root / "data").rmdir()
    os.rename(stage / "in" / "data", case.root / "data")
    (case.root / RECEIVED_DIR).mkdir(parents=True)
    os.rename(folder, case.root / RECEIVED_DIR / ex.top)
    sheets = {str(e.get("id")): e for e in manifest.get("exhibits") or [] if isinstance(e, dict)}
    exhibits = sorted({name.split("/")[1] for name in check.proven})
    for exid in exhibits:
        sheet = sheets.get(exid, {})
        case.write_exhibit(exid, {"id": exid, "description": sheet.get("description") or f"Exhibit {exid}",
                                  "received_from": {"case_id": sender_case, "exhibit": exid, "disclosure": ex.top}})
    case.append_records(b"".join(check.records))
    case.update_bag(hashes=ex.hashes)
    sender = check.sender.label() if check.sender else "unknown sender"
    event = new_event(case, action="received", exhibits=exhibits, by=(me.name if me else key.name).replace(",", " "),
                      purpose=check.event.get("purpose"),
                      note=f"received from {sender} via {d.get('channel')}; disclosure event {check.event.get('seq')} "
                           f"of case {sender_case}")
    if me is not None:
        event["released_by"] = me.as_party()
    event["handover"] = {
        "from_case": sender_case, "from": check.event.get("released_by"), "channel": d.get("channel"),
        "legal_basis": d.get("legal_basis"), "handling": d.get("handling"),
        "manifest_sha256": d.get("manifest_sha256"), "merkle_root": d.get("merkle_root"),
        "file_list_sha256": d.get("file_list_sha256"), "files": d.get("files"), "bytes": d.get("bytes"),
        "disclosure_seq": check.event.get("seq"), "ciphertext_sha256": ciphertext_sha256,
        "disclosure_sha256": hashlib.sha256(check.event_line).hexdigest(),
        "sender_ledger_head": f"{check.event.get('seq')}:{hashlib.sha256(check.event_line).hexdigest()}",
        "disclosure_event": check.event_line.decode("utf-8").rstrip("\n"),
    }
    signed = sign_event(event, key)
    append_event(case, signed)
    allowed_signers.add(case, key)
    build(case, key)
    return ReceiveResult(case=case.root, case_id=str(case.info["case_id"]), files=len(check.proven), bytes=ex.bytes,
                         sender=sender, event=signed, ciphertext_sha256=ciphertext_sha256, check=check, warnings=warnings)


__all__ = ["DisclosureRefused", "ReceiveResult", "receive"]
