"""``fkit manifest build``: seal a case package with a signed, canonical manifest.

Writes, in this order: ``fkit/leaf-salts.txt`` (one hex salt per record line), ``fkit/manifest.json``
(RFC 8785 bytes), ``fkit/manifest.json.sshsig`` (SSHSIG, namespace ``fkit-manifest``), the signer's
line in ``fkit/allowed_signers``, ``VERIFY.txt``, optionally ``fkit/manifest.json.minisig``; then
refreshes the BagIt tag manifest. With the same case, key and ``SOURCE_DATE_EPOCH`` every one of
these files is byte-identical from run to run (Ed25519 is deterministic; the leaf salts are derived
from a signature by the sealing key, so nobody without that key can predict them).

Streaming throughout: records, salts and ``manifest-sha256.txt`` are read line by line, so a
package of a million entries is sealed in bounded memory.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from forensic_kit import timeutil
from forensic_kit.errors import CheckFailed, FormatError, InputError, NotACaseError, SigningKeyError, UsageError
from forensic_kit.manifest import merkle
from forensic_kit.manifest.canonical import canonical_bytes
from forensic_kit.signing import NAMESPACE_MANIFEST, allowed_signers, sshsig
from forensic_kit.signing.keys import SigningKey, require_key_fits_case

FORMAT = "fkit-manifest"
FORMAT_VERSION = 2
"""2: every tag file sealed, the custody head, the allowed_signers prefix and the revision chain."""
MANIFEST = "fkit/manifest.json"
SIGNATURE = "fkit/manifest.json.sshsig"
MINISIG = "fkit/manifest.json.minisig"
MINISIGN_PUB = "fkit/minisign.pub"
VERIFY_LANGS = ("ar", "fr", "en")
SALTS = "fkit/leaf-salts.txt"
RECORDS = "fkit/records.jsonl"
BAG_MANIFEST = "manifest-sha256.txt"
LEAF_FORMAT = "salt32||record-line"
LEDGER = "fkit/custody.jsonl"
ALLOWED = "fkit/allowed_signers"
REVISIONS = "fkit/revisions"
"""``fkit/revisions/<N>/``: what revision N sealed, kept when later revisions are written."""
REVISION_FILES = ("manifest.json", "manifest.json.sshsig", "manifest-sha256.txt", "bag-info.txt")
TAGMANIFEST = "tagmanifest-sha256.txt"
LOCK = "fkit/work/custody.lock"
NOT_IN_TAG_FILES = frozenset({MANIFEST, SIGNATURE, MINISIG, BAG_MANIFEST, RECORDS, LEDGER, ALLOWED})
"""Files outside ``data/`` that the seal covers another way (signature, own hash, Merkle root,
ledger head, allowed_signers prefix) or that change after sealing by design."""


def seals_as_tag_file(rel: str) -> bool:
    """True for a file outside ``data/`` whose SHA-256 goes into the manifest's ``tag_files``."""
    if rel in NOT_IN_TAG_FILES or rel.startswith(("fkit/revisions/", "fkit/work/")):
        return False
    return not (rel.startswith("tagmanifest-") and "/" not in rel)
_SALT_DOMAIN = b"fkit-leaf-salt-seed-v1\x00"


class CaseLike(Protocol):
    """The parts of :class:`forensic_kit.package.Case` the manifest needs."""

    root: Path
    fkit_dir: Path
    info: dict[str, Any]

    def exhibits(self) -> list[dict[str, Any]]: ...

    def update_tags(self) -> None: ...

    def update_bag(self) -> None: ...

    def write_tag_file(self, relpath: str, data: bytes) -> None: ...


@dataclass
class BuildResult:
    """What ``build`` wrote."""

    manifest_bytes: bytes
    manifest_sha256: str
    signature: bytes
    merkle_root: str
    leaves: int
    files: int
    bytes: int
    minisig: bool = False
    revision: int = 1


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_lines(path: Path) -> Iterator[bytes]:
    """The non-empty lines of a JSON Lines file, without their line ends (exact bytes)."""
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line


def read_salts(path: Path) -> Iterator[bytes]:
    """Salts from ``leaf-salts.txt`` (FormatError on a malformed line)."""
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            text = line.strip()
            if not text:
                continue
            try:
                salt = bytes.fromhex(text.decode("ascii"))
            except (ValueError, UnicodeDecodeError):
                raise FormatError(f"{path}:{n}: not a hex salt") from None
            if len(salt) != merkle.SALT_SIZE:
                raise FormatError(f"{path}:{n}: a salt must be 32 bytes")
            yield salt


def leaf_hashes(records: Path, salts: Path) -> Iterator[bytes]:
    """Salted leaf hashes of every record line, in file order (FormatError if counts differ)."""
    salt_iter = read_salts(salts)
    for n, line in enumerate(record_lines(records), 1):
        salt = next(salt_iter, None)
        if salt is None:
            raise FormatError(f"{salts} has fewer salts than {records} has records (record {n})")
        yield merkle.salted_leaf_hash(salt, line)
    if next(salt_iter, None) is not None:
        raise FormatError(f"{salts} has more salts than {records} has records")


def salt_seed(key: SigningKey, records_sha256: str) -> bytes:
    """Secret seed of the per-record salts: SHA-256 of an Ed25519 signature (deterministic)."""
    return hashlib.sha256(key.sign_raw(_SALT_DOMAIN + bytes.fromhex(records_sha256))).digest()


def _atomic_stream(target: Path, chunks: Iterator[bytes]) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_salts(records: Path, target: Path, seed: bytes) -> int:
    count = 0

    def gen() -> Iterator[bytes]:
        nonlocal count
        for i, _line in enumerate(record_lines(records)):
            count += 1
            yield merkle.derive_salt(seed, i).hex().encode() + b"\n"

    _atomic_stream(target, gen())
    return count


def bag_manifest_entries(path: Path) -> Iterator[tuple[bytes, str]]:
    """(relative path bytes, sha256 hex) of every line of a BagIt ``manifest-sha256.txt``."""
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            parts = line.split(None, 1)
            if len(parts) != 2 or len(parts[0]) != 64:
                raise FormatError(f"{path}:{n}: not a BagIt sha256 manifest line")
            name = parts[1]
            if b"%" in name:
                name = name.replace(b"%0D", b"\r").replace(b"%0A", b"\n").replace(b"%25", b"%")
            yield name, parts[0].decode("ascii").lower()


def path_key(path: bytes) -> bytes:
    """Compact key for a path in memory-bounded indexes (16-byte BLAKE2b)."""
    return hashlib.blake2b(path, digest_size=16).digest()


def record_bag_path(rec: dict[str, Any]) -> bytes | None:
    """The exact bytes of a record's ``bag_path`` (``bag_path_hex`` wins when present)."""
    hx = rec.get("bag_path_hex")
    if isinstance(hx, str):
        try:
            return bytes.fromhex(hx)
        except ValueError:
            return None
    bp = rec.get("bag_path")
    return bp.encode("utf-8") if isinstance(bp, str) else None


def _payload_totals(root: Path, entries: int) -> tuple[int, int]:
    """(files, bytes) from bag-info's Payload-Oxum when it agrees with the manifest, else by stat."""
    info = root / "bag-info.txt"
    if info.is_file():
        for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("payload-oxum:"):
                try:
                    nbytes, nfiles = line.split(":", 1)[1].strip().split(".")
                    if int(nfiles) == entries:
                        return int(nfiles), int(nbytes)
                except ValueError:
                    break
    total = 0
    for name, _d in bag_manifest_entries(root / BAG_MANIFEST):
        try:
            total += os.stat(os.path.join(os.fsencode(root), name)).st_size
        except OSError:
            pass
    return entries, total


def _json_safe(value: Any) -> Any:
    """Copy of ``value`` with floats turned into decimal strings (the manifest holds no floats)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


_ACQ_KEYS = ("kind", "status", "source", "started", "ended", "hash_algorithms", "items", "bytes", "resumed",
             "command", "host", "os", "user", "method", "tool")


def exhibit_summary(ex: dict[str, Any]) -> dict[str, Any]:
    """The part of an exhibit record the manifest names: id, description, seal, acquisition, hashes.

    Error lists are summarised as a count (the full list is in the sealed exhibit file, whose
    SHA-256 the manifest carries under ``tag_files``).
    """
    acq_value = ex.get("acquisition")
    acq: dict[str, Any] = dict(acq_value) if isinstance(acq_value, dict) else {k: ex[k] for k in _ACQ_KEYS if k in ex}
    errors = ex.get("errors")
    acq["error_count"] = len(errors) if isinstance(errors, list) else int(errors or 0) if isinstance(errors, int) else 0
    acq.pop("errors", None)
    src = ex.get("source")
    src_hashes = ex.get("source_hashes")
    if src_hashes is None and isinstance(src, dict):
        src_hashes = src.get("hashes")
    return {
        "id": ex.get("id") or ex.get("exhibit"),
        "description": ex.get("description"),
        "seal": ex.get("seal"),
        "acquisition": _json_safe(acq),
        "source_hashes": _json_safe(src_hashes),
    }


def _cross_check(root: Path, records: Path) -> None:
    """Every file record's copy must be listed in manifest-sha256.txt with the same SHA-256."""
    import json

    listed: dict[bytes, bytes] = {}
    for name, digest in bag_manifest_entries(root / BAG_MANIFEST):
        listed[path_key(name)] = bytes.fromhex(digest)
    for n, line in enumerate(record_lines(records), 1):
        try:
            rec = json.loads(line)
        except ValueError:
            raise FormatError(f"{records}:{n}: not a JSON record") from None
        if not isinstance(rec, dict) or rec.get("kind") != "file":
            continue
        bp = record_bag_path(rec)
        sha = (rec.get("hashes") or {}).get("sha256")
        if bp is None or not isinstance(sha, str):
            continue
        have = listed.get(path_key(bp))
        if have is None:
            raise CheckFailed(f"{bp.decode('utf-8', 'replace')} is in records.jsonl but not in {BAG_MANIFEST}; refusing to seal")
        if have.hex() != sha.lower():
            raise CheckFailed(f"{bp.decode('utf-8', 'replace')} differs from its acquisition hash; refusing to seal")


def _completeness(root: Path) -> None:
    """Every payload file is listed and every listed file is present (no hashing: acquisition
    verified the copies). Refuses to seal a package that files were added to or removed from by
    hand."""
    listed: set[bytes] = set()
    for name, _digest in bag_manifest_entries(root / BAG_MANIFEST):
        listed.add(path_key(name))
    broot = os.fsencode(root)
    unlisted: list[str] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(os.path.join(broot, b"data")):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                continue
            if path_key(full[len(broot) + 1:]) in listed:
                seen += 1
            elif len(unlisted) < 5:
                unlisted.append(os.fsdecode(full[len(broot) + 1:]))
            else:
                unlisted.append("...")
                break
    if unlisted:
        raise CheckFailed(f"payload files not in {BAG_MANIFEST} (not acquired with fkit?): "
                          f"{', '.join(unlisted[:6])}; refusing to seal")
    if seen != len(listed):
        raise CheckFailed(f"{len(listed) - seen} file(s) listed in {BAG_MANIFEST} are missing from data/; refusing to seal")


def compose(case: CaseLike, key: SigningKey, records_sha: str, bag_sha: str, root_hex: str, leaves: int,
            files: int, nbytes: int, *, tag_files: dict[str, str] | None = None, records_bytes: int | None = None,
            custody_head: str | None = None, allowed: dict[str, Any] | None = None,
            revision: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest as a JSON value (before canonicalisation)."""
    now = timeutil.now_utc()
    exhibits = []
    tag_files = dict(tag_files or {})
    case_json = case.fkit_dir / "case.json"
    if case_json.is_file() and "fkit/case.json" not in tag_files:
        tag_files["fkit/case.json"] = sha256_file(case_json)
    for ex in case.exhibits():
        ex_id = str(ex.get("id") or ex.get("exhibit") or "")
        ex_path = case.fkit_dir / "exhibits" / f"{ex_id}.json"
        ex_sha = sha256_file(ex_path) if ex_path.is_file() else None
        if ex_sha is not None and f"fkit/exhibits/{ex_id}.json" not in tag_files:
            tag_files[f"fkit/exhibits/{ex_id}.json"] = ex_sha
        exhibits.append(exhibit_summary(ex))
    info = case.info
    records_value: dict[str, Any] = {"path": RECORDS, "sha256": records_sha, "count": leaves}
    if records_bytes is not None:
        records_value["bytes"] = records_bytes
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "case_id": info.get("case_id"),
        "case": _json_safe({k: info.get(k) for k in ("agency", "officer", "profile", "training") if k in info}),
        "exhibits": exhibits,
        "signer": {"key_id": key.key_id, "name": key.name, "fingerprint": key.fingerprint,
                   "namespace": NAMESPACE_MANIFEST},
        "created": {"utc": timeutil.datetime_to_iso(now), "offset": timeutil.local_offset(now)},
        "payload": {"files": files, "bytes": nbytes},
        "bag": {"manifest": BAG_MANIFEST, "manifest_sha256": bag_sha},
        "records": records_value,
        "merkle": {"algorithm": merkle.ALGORITHM, "leaf": LEAF_FORMAT, "salts": SALTS,
                   "size": leaves, "root": root_hex},
        "tag_files": tag_files,
        "training": bool(info.get("training") or key.training),
        "custody": {"ledger": LEDGER, "head": custody_head},
        "allowed_signers": allowed,
        "revision": revision or {"number": 1, "previous": None, "reason": None},
    }


def current_revision(root: Path) -> int:
    """The revision number of the seal ``root`` holds now (0: not sealed; 1 for a manifest made
    before revisions existed). A manifest that cannot be read counts as sealed (revision 1)."""
    from forensic_kit.package import Case

    return Case(Path(root), {}).sealed_revision()


def _refuse_strays(root: Path) -> dict[str, str]:
    """Refuse to seal a package with links or special files, or an acquisition in progress;
    return the SHA-256 of every file that goes into ``tag_files``."""
    from forensic_kit.display import safe_text
    from forensic_kit.manifest.scan import scan

    found = scan(root)
    if found.specials:
        first, kind = found.specials[0]
        raise CheckFailed(f"{safe_text(os.fsdecode(first))} is {kind}: a package holds only files and folders; "
                          f"remove it, then seal ({len(found.specials)} such entr{'y' if len(found.specials) == 1 else 'ies'})")
    tags: dict[str, str] = {}
    for raw in found.tag_files:
        rel: str = os.fsdecode(raw)
        if rel.startswith("fkit/work/"):
            if rel == LOCK:
                continue
            raise CheckFailed(f"{safe_text(rel)}: an acquisition is in progress or was interrupted; finish it "
                              f"(fkit acquire resumes it) before sealing")
        if seals_as_tag_file(rel):
            tags[rel] = sha256_file(root / rel)
    return tags


def _keep_revision(root: Path, number: int, only_seal: bool = False) -> None:
    """Copy what revision ``number`` sealed into ``fkit/revisions/<number>/`` (never overwritten).

    ``only_seal`` keeps just the manifest and its signature: for a revision sealed before
    revisions existed, whose file list may have changed since."""
    import shutil

    folder = root / REVISIONS / str(number)
    names = REVISION_FILES[:2] if only_seal else REVISION_FILES
    folder.mkdir(parents=True, exist_ok=True)
    sources = {"manifest.json": root / MANIFEST, "manifest.json.sshsig": root / SIGNATURE,
               "manifest-sha256.txt": root / BAG_MANIFEST, "bag-info.txt": root / "bag-info.txt"}
    for name in names:
        src, dst = sources[name], folder / name
        if dst.exists():
            if sha256_file(dst) == sha256_file(src):
                continue
            raise CheckFailed(f"{REVISIONS}/{number}/{name} exists and differs: refusing to overwrite a kept revision")
        if src.is_file():
            shutil.copyfile(src, dst)
            os.chmod(dst, 0o644)


def build(case: CaseLike, key: SigningKey, minisign_key: Path | None = None,
          minisign_passphrase: bytes | None = None, reason: str | None = None,
          trusted: str | None = None) -> BuildResult:
    """Seal ``case`` with ``key``; see the module docstring for what is written.

    On a case that is already sealed (revision N) this writes revision N+1: ``reason`` is then
    required, and the current seal, its payload and its custody anchor are verified first (against
    ``trusted``, the verifier's allowed_signers text; None: the package's own list). Any finding
    refuses the re-seal, so a re-seal cannot launder a change made since revision N.
    """
    from forensic_kit.custody import ledger_head

    root = Path(case.root)
    records = case.fkit_dir / "records.jsonl"
    if not (root / "bagit.txt").is_file():
        raise NotACaseError(f"{root} is not a BagIt case package (no bagit.txt)")
    require_key_fits_case(key, case.info, "seal")
    sealed = current_revision(root)
    previous: dict[str, Any] | None = None
    if sealed:
        if not reason or not reason.strip():
            raise UsageError(f"{root} is sealed (revision {sealed}): sealing again writes revision {sealed + 1}; "
                             f"say why with --reason TEXT")
        _verify_before_reseal(root, sealed, trusted)
        previous = {"number": sealed, "manifest_sha256": sha256_file(root / MANIFEST)}
        if not (root / REVISIONS / str(sealed) / "manifest.json").is_file():  # sealed before revisions existed
            _keep_revision(root, sealed, only_seal=True)
    if not records.is_file():
        raise InputError(f"{records} does not exist: acquire something into the case first")
    bag_manifest = root / BAG_MANIFEST
    if not bag_manifest.is_file():
        case.update_bag()
    if not bag_manifest.is_file():
        raise InputError(f"{bag_manifest} does not exist")
    _cross_check(root, records)
    _completeness(root)
    _refuse_strays(root)
    records_sha = sha256_file(records)
    records_bytes = records.stat().st_size
    seed = salt_seed(key, records_sha)
    leaves = _write_salts(records, case.fkit_dir / "leaf-salts.txt", seed)
    root_hash = merkle.root_of(leaf_hashes(records, case.fkit_dir / "leaf-salts.txt"))
    entries = sum(1 for _ in bag_manifest_entries(bag_manifest))
    files, nbytes = _payload_totals(root, entries)
    bag_sha = sha256_file(bag_manifest)
    allowed_signers.add(case, key)
    allowed_path = root / ALLOWED
    allowed = {"path": ALLOWED, "bytes": allowed_path.stat().st_size, "sha256": sha256_file(allowed_path)}
    wrote_minisig = minisign_key is not None
    if minisign_key is not None:
        pub = Path(minisign_key).with_suffix(".pub")
        if pub.is_file():
            case.write_tag_file(MINISIGN_PUB, pub.read_bytes())
    tag_files = _refuse_strays(root)
    tag_files.pop("VERIFY.txt", None)  # an earlier VERIFY.txt: the new one is written from this manifest, then sealed
    revision = {"number": sealed + 1, "previous": previous, "reason": reason.strip() if reason else None}
    value = compose(case, key, records_sha, bag_sha, root_hash.hex(), leaves, files, nbytes, tag_files=tag_files,
                    records_bytes=records_bytes, custody_head=ledger_head(case),  # type: ignore[arg-type]
                    allowed=allowed, revision=revision)
    verify_text = render_verify_text(value, wrote_minisig)
    case.write_tag_file("VERIFY.txt", verify_text)
    value["tag_files"]["VERIFY.txt"] = hashlib.sha256(verify_text).hexdigest()
    data = canonical_bytes(value)
    signature = sshsig.sign(data, key, NAMESPACE_MANIFEST)
    if minisign_key is not None:
        case.write_tag_file(MINISIG, minisign_sign(data, minisign_key, minisign_passphrase,
                                                   f"fkit manifest sha256:{hashlib.sha256(data).hexdigest()}"))
    case.write_tag_file(MANIFEST, data)
    case.write_tag_file(SIGNATURE, signature)
    _keep_revision(root, sealed + 1)
    case.update_tags()
    if sha256_file(bag_manifest) != bag_sha:
        raise CheckFailed(f"{BAG_MANIFEST} changed while sealing (payload changed?); run manifest build again")
    return BuildResult(manifest_bytes=data, manifest_sha256=hashlib.sha256(data).hexdigest(),
                       signature=signature, merkle_root=root_hash.hex(), leaves=leaves, files=files,
                       bytes=nbytes, minisig=wrote_minisig, revision=sealed + 1)


def _verify_before_reseal(root: Path, sealed: int, trusted: str | None) -> None:
    """Refuse a re-seal unless revision ``sealed`` and its payload check out (additions allowed)."""
    from forensic_kit.display import safe_text
    from forensic_kit.manifest.verify import verify_case

    if trusted is None:
        try:
            trusted = (root / ALLOWED).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            trusted = None
    report = verify_case(root, trusted, growth=True)
    if report.findings:
        first = report.findings[0]
        more = f" (and {len(report.findings) - 1} more: run fkit verify)" if len(report.findings) > 1 else ""
        raise CheckFailed(f"refusing to seal revision {sealed + 1}: revision {sealed} does not check out: "
                          f"{safe_text(first.message)}{more}")


def render_verify_text(manifest: dict[str, Any], minisign: bool) -> bytes:
    """VERIFY.txt: the stock-tool steps in Arabic, French and English (see :mod:`.verify_text`)."""
    from forensic_kit.manifest.verify_text import render_verify_text as render

    return render(manifest, minisign)


def minisign_sign(data: bytes, secret_key: Path, passphrase: bytes | None, trusted_comment: str) -> bytes:
    """A minisign signature of ``data`` made by the ``minisign`` tool (passphrase through stdin)."""
    if not Path(secret_key).is_file():
        raise SigningKeyError(f"minisign secret key {secret_key} not found")
    with tempfile.TemporaryDirectory(prefix="fkit-minisign-") as tmp:
        msg = Path(tmp) / "manifest.json"
        msg.write_bytes(data)
        sig = Path(tmp) / "manifest.json.minisig"
        try:
            proc = subprocess.run(
                ["minisign", "-S", "-s", str(secret_key), "-m", str(msg), "-x", str(sig), "-t", trusted_comment],
                input=(passphrase or b"") + b"\n", capture_output=True, timeout=300,
            )
        except FileNotFoundError:
            raise SigningKeyError("--minisign needs the minisign tool on PATH") from None
        if proc.returncode != 0 or not sig.is_file():
            raise SigningKeyError(f"minisign could not sign with {secret_key} (wrong passphrase or key?)")
        return sig.read_bytes()
