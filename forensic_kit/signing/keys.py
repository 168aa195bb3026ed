"""Ed25519 signing keys in OpenSSH format, passphrase-protected (OpenSSH bcrypt KDF).

``generate_key`` writes ``<out>/<stem>`` (private, mode 0600, ``aes256-ctr`` + bcrypt KDF, exactly as
``ssh-keygen`` writes it), ``<stem>.pub`` (``ssh-ed25519 AAAA... <key_id>``) and ``<stem>.fkit.json``
(key id, display name, training flag: public data only). Existing OpenSSH Ed25519 keys made by
``ssh-keygen`` load too; their id comes from the ``.pub`` comment when there is one.

Private key bytes and passphrases are never put into an exception message, a repr or a return
value other than the in-memory key object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from forensic_kit.errors import CaseExistsError, SigningKeyError, UsageError

KEY_TYPE = "ssh-ed25519"
PASSPHRASE_ENV = "FKIT_PASSPHRASE"
COSIGN_PASSPHRASE_ENV = "FKIT_COSIGN_PASSPHRASE"
_SAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def public_blob(public_key: Ed25519PublicKey) -> bytes:
    """The SSH wire encoding of an Ed25519 public key (``string "ssh-ed25519" || string key``)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _ssh_string(KEY_TYPE.encode()) + _ssh_string(raw)


def fingerprint_of_blob(blob: bytes) -> str:
    """``SHA256:<base64 without padding>`` of a public key blob, as ``ssh-keygen -lf`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def public_line_of(public_key: Ed25519PublicKey, comment: str = "") -> str:
    """``ssh-ed25519 AAAA... comment`` for ``.pub`` files and ``allowed_signers``."""
    line = f"{KEY_TYPE} {base64.b64encode(public_blob(public_key)).decode()}"
    return f"{line} {comment}".rstrip()


def parse_public_line(line: str) -> tuple[Ed25519PublicKey, bytes]:
    """Parse ``ssh-ed25519 AAAA... [comment]`` into the key and its blob (FormatError-free: SigningKeyError)."""
    parts = line.strip().split()
    if len(parts) < 2 or parts[0] != KEY_TYPE:
        raise SigningKeyError("not an ssh-ed25519 public key line")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        key = serialization.load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError("unreadable ssh-ed25519 public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("not an ssh-ed25519 public key")
    return key, blob


@dataclass
class SigningKey:
    """A loaded private signing key. The private half is held in memory only and never shown."""

    key_id: str
    name: str
    fingerprint: str
    public_line: str
    training: bool = False
    _private: Ed25519PrivateKey | None = field(default=None, repr=False, compare=False)
    person_id: str | None = None
    """The holder's badge or registration number (``fkit key new --person-id``), if recorded."""
    org: str | None = None
    """The holder's organisation (``fkit key new --org``), if recorded."""

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The Ed25519 public key."""
        if self._private is None:
            raise SigningKeyError(f"key {self.key_id} has no private half loaded")
        return self._private.public_key()

    @property
    def public_blob(self) -> bytes:
        """SSH wire encoding of the public key."""
        return public_blob(self.public_key)

    def sign_raw(self, data: bytes) -> bytes:
        """Raw 64-byte Ed25519 signature over ``data`` (deterministic)."""
        if self._private is None:
            raise SigningKeyError(f"key {self.key_id} has no private half loaded")
        return self._private.sign(data)


def require_key_fits_case(key: SigningKey, case_info: Mapping[str, Any], action: str) -> None:
    """Refuse a training key on a real case, and a real key on a training case.

    Training keys are derived from a public seed (anyone can recompute them), so a signature made
    with one proves nothing; a real officer's key must not lend weight to a mock case either.
    ``action`` names what was refused (``"seal"``, ``"sign custody events of"``).
    """
    case_training = bool(case_info.get("training"))
    if key.training and not case_training:
        raise UsageError(f"{key.key_id} is a training key: it cannot {action} the real case "
                         f"{case_info.get('case_id')!s}; use an officer's own key")
    if case_training and not key.training:
        raise UsageError(f"{case_info.get('case_id')!s} is a training case: it cannot be signed with the "
                         f"real key {key.key_id}; make one with 'fkit key new --training'")


def _stem(key_id: str) -> str:
    stem = _SAFE_STEM.sub("_", key_id).strip("._") or "fkit_key"
    return f"{stem}_ed25519"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


MIN_PASSPHRASE = 12
"""Shortest passphrase accepted for a new key (characters)."""


def check_new_passphrase(passphrase: bytes, weak_ok: bool = False) -> None:
    """``UsageError`` for a passphrase too short to protect a new signing key (``weak_ok`` lifts it)."""
    n = len(passphrase.decode("utf-8", "replace"))
    if n < MIN_PASSPHRASE and not weak_ok:
        raise UsageError(f"the passphrase has {n} characters; a signing key needs at least {MIN_PASSPHRASE} "
                         f"(a few words work well). --weak-passphrase-ok is allowed only with --training")


def generate_key(key_id: str, name: str, out_dir: Path, passphrase: bytes, training: bool = False,
                 person_id: str | None = None, org: str | None = None) -> Path:
    """Create a new passphrase-protected Ed25519 key pair in ``out_dir``; return the private key path.

    Raises ``UsageError`` for an empty id or passphrase and ``CaseExistsError`` if a key file with the
    same name exists (keys are never overwritten).
    """
    if not key_id.strip():
        raise UsageError("the key id must not be empty (e.g. officer@agency)")
    if any(c.isspace() for c in key_id) or "," in key_id or '"' in key_id:
        raise UsageError("the key id must not contain spaces, commas or quotes (it is an allowed_signers principal)")
    if not passphrase:
        raise UsageError("an empty passphrase is not allowed for a signing key")
    out_dir.mkdir(parents=True, exist_ok=True)
    priv_path = out_dir / _stem(key_id)
    pub_path = priv_path.with_name(priv_path.name + ".pub")
    info_path = priv_path.with_name(priv_path.name + ".fkit.json")
    for p in (priv_path, pub_path, info_path):
        if p.exists():
            raise CaseExistsError(f"refusing to overwrite existing key file {p}")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.BestAvailableEncryption(passphrase),
    )
    _write_private(priv_path, pem)
    pub_path.write_text(public_line_of(private.public_key(), key_id) + "\n", encoding="utf-8")
    info: dict[str, Any] = {"key_id": key_id, "name": name, "training": bool(training),
                            "fingerprint": fingerprint_of_blob(public_blob(private.public_key()))}
    if person_id:
        info["person_id"] = person_id
    if org:
        info["org"] = org
    info_path.write_text(json.dumps(info, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return priv_path


def load_private_key(path: Path, passphrase: bytes | None) -> SigningKey:
    """Load an OpenSSH Ed25519 private key (fkit- or ssh-keygen-made).

    Raises ``SigningKeyError`` when the file is missing or unreadable, not Ed25519, or the
    passphrase is wrong or missing. The message never contains the passphrase.
    """
    try:
        st = os.stat(path)
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read signing key {path}: {exc.strerror}") from None
    if st.st_mode & 0o077 and data.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
        raise SigningKeyError(f"signing key {path} is readable by other users (mode {st.st_mode & 0o777:04o}); "
                              f"OpenSSH refuses such keys too: run chmod 600 {path}")
    try:
        private = serialization.load_ssh_private_key(data, password=passphrase or None)
    except TypeError:
        raise SigningKeyError(f"signing key {path} is passphrase-protected: give --passphrase-file or FKIT_PASSPHRASE") from None
    except (ValueError, UnsupportedAlgorithm):
        if not data.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
            raise SigningKeyError(f"{path} is not an OpenSSH private key") from None
        raise SigningKeyError(f"cannot unlock signing key {path}: wrong passphrase "
                              f"(check --passphrase-file or FKIT_PASSPHRASE)") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"signing key {path} is not Ed25519 (fkit signs with ssh-ed25519 keys)")
    key_id, name, training = _describe(Path(path), private)
    person_id, org = _person_fields(Path(path), private)
    blob = public_blob(private.public_key())
    return SigningKey(key_id=key_id, name=name, fingerprint=fingerprint_of_blob(blob),
                      public_line=public_line_of(private.public_key(), key_id), training=training,
                      _private=private, person_id=person_id, org=org)


def _person_fields(path: Path, private: Ed25519PrivateKey) -> tuple[str | None, str | None]:
    """``person_id`` and ``org`` from the ``.fkit.json`` sidecar (when it describes this key)."""
    fp = fingerprint_of_blob(public_blob(private.public_key()))
    try:
        info = json.loads(path.with_name(path.name + ".fkit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(info, dict) or info.get("fingerprint") not in (None, fp):
        return None, None
    pid, org = info.get("person_id"), info.get("org")
    return (str(pid) if pid else None), (str(org) if org else None)


def _describe(path: Path, private: Ed25519PrivateKey) -> tuple[str, str, bool]:
    """Key id, display name and training flag from the ``.fkit.json`` / ``.pub`` sidecars."""
    fp = fingerprint_of_blob(public_blob(private.public_key()))
    info_path = path.with_name(path.name + ".fkit.json")
    if info_path.is_file():
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            if info.get("fingerprint") in (None, fp) and info.get("key_id"):
                return str(info["key_id"]), str(info.get("name") or info["key_id"]), bool(info.get("training"))
        except (OSError, ValueError):
            pass
    pub_path = path.with_name(path.name + ".pub")
    if pub_path.is_file():
        try:
            parts = pub_path.read_text(encoding="utf-8").split(None, 2)
            if len(parts) == 3 and parts[2].strip():
                comment = parts[2].strip().split()[0]
                return comment, comment, False
        except (OSError, UnicodeDecodeError):
            pass
    return path.name, path.name, False


def resolve_passphrase(passphrase_file: Path | None, prompt: Callable[[], str] | None,
                       env_name: str = PASSPHRASE_ENV) -> bytes | None:
    """The passphrase from ``--passphrase-file`` (first line), else ``$env_name`` (default
    ``FKIT_PASSPHRASE``), else ``prompt()``.

    Returns ``None`` when none of them gives one (an unencrypted key may still load).
    """
    if passphrase_file is not None:
        try:
            raw = Path(passphrase_file).read_bytes()
        except OSError as exc:
            raise SigningKeyError(f"cannot read passphrase file {passphrase_file}: {exc.strerror}") from None
        line = raw.split(b"\n", 1)[0].rstrip(b"\r")
        if not line:
            raise SigningKeyError(f"passphrase file {passphrase_file} is empty")
        return line
    env = os.environb.get(env_name.encode()) if hasattr(os, "environb") else None
    if env is None and os.environ.get(env_name) is not None:
        env = os.environ[env_name].encode()
    if env:
        return env
    if prompt is not None:
        value = prompt()
        return value.encode() if value else None
    return None
