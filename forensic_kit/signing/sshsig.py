"""SSHSIG signatures (OpenSSH ``PROTOCOL.sshsig``), made and checked with ``cryptography``.

The signed blob is ``"SSHSIG" || string namespace || string reserved || string "sha512" ||
string SHA512(message)``; the armored signature holds ``"SSHSIG" || uint32 1 || string publickey ||
string namespace || string reserved || string "sha512" || string signature``. Output is accepted by
``ssh-keygen -Y verify``; Ed25519 makes it deterministic (same key + same bytes → same signature).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature

from forensic_kit.errors import FkitError
from forensic_kit.exitcodes import ExitCode
from forensic_kit.signing.keys import KEY_TYPE, SigningKey, fingerprint_of_blob, parse_public_line

MAGIC = b"SSHSIG"
VERSION = 1
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
_HASHES = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}


class SignatureError(FkitError):
    """A signature is malformed, forged, for another namespace, or does not match the bytes."""

    exit_code = ExitCode.CHECK_FAILED


@dataclass
class VerifiedSignature:
    """A cryptographically valid signature and what the trust list says about its key."""

    fingerprint: str
    public_line: str
    principals: list[str] = field(default_factory=list)
    trusted: bool = False
    key_blob: bytes = b""
    """The SSH wire encoding of the public key the signature carries (who signed)."""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise SignatureError("malformed SSHSIG signature (truncated)")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def string(self) -> bytes:
        return self.take(self.uint32())

    def done(self) -> bool:
        return self.pos == len(self.data)


def signed_data(message: bytes, namespace: str, hash_algorithm: str = "sha512") -> bytes:
    """The exact blob an SSHSIG signature signs."""
    digest = _HASHES[hash_algorithm](message).digest()
    return (MAGIC + _string(namespace.encode()) + _string(b"") + _string(hash_algorithm.encode())
            + _string(digest))


def armor(blob: bytes) -> bytes:
    """PEM-style armor exactly as ssh-keygen writes it (70-column base64 lines)."""
    text = base64.b64encode(blob).decode()
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return ("\n".join([BEGIN, *lines, END]) + "\n").encode()


def dearmor(armored: bytes) -> bytes:
    """The binary SSHSIG blob inside the armor (SignatureError if it is not one)."""
    try:
        text = armored.decode("ascii").strip()
    except UnicodeDecodeError:
        raise SignatureError("signature file is not an armored SSH signature") from None
    lines = [ln.strip() for ln in text.splitlines()]
    if len(lines) < 3 or lines[0] != BEGIN or lines[-1] != END:
        raise SignatureError("signature file is not an armored SSH signature")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:
        raise SignatureError("armored SSH signature has invalid base64") from None


def sign(data: bytes, key: SigningKey, namespace: str) -> bytes:
    """Armored SSHSIG over ``data`` in ``namespace`` (deterministic for Ed25519)."""
    if not namespace:
        raise SignatureError("an SSHSIG namespace must not be empty")
    raw = key.sign_raw(signed_data(data, namespace))
    sig = _string(KEY_TYPE.encode()) + _string(raw)
    blob = (MAGIC + struct.pack(">I", VERSION) + _string(key.public_blob) + _string(namespace.encode())
            + _string(b"") + _string(b"sha512") + _string(sig))
    return armor(blob)


def parse(armored: bytes) -> tuple[bytes, str, str, bytes]:
    """(public key blob, namespace, hash algorithm, raw Ed25519 signature) of an armored SSHSIG."""
    r = _Reader(dearmor(armored))
    if r.take(6) != MAGIC:
        raise SignatureError("not an SSHSIG signature (bad magic)")
    if r.uint32() != VERSION:
        raise SignatureError("unsupported SSHSIG version")
    pub = r.string()
    namespace = r.string().decode("utf-8", "replace")
    r.string()  # reserved
    halg = r.string().decode("ascii", "replace")
    sigr = _Reader(r.string())
    if not r.done():
        raise SignatureError("malformed SSHSIG signature (trailing data)")
    if sigr.string() != KEY_TYPE.encode():
        raise SignatureError("unsupported signature type (fkit verifies ssh-ed25519)")
    raw = sigr.string()
    if not sigr.done() or len(raw) != 64:
        raise SignatureError("malformed ssh-ed25519 signature")
    if halg not in _HASHES:
        raise SignatureError(f"unsupported SSHSIG hash algorithm {halg!r}")
    return pub, namespace, halg, raw


def verify(data: bytes, armored: bytes, namespace: str, allowed_signers: str | None) -> VerifiedSignature:
    """Check ``armored`` over the exact ``data`` bytes and look the key up in ``allowed_signers``.

    Raises ``SignatureError`` for a malformed or forged signature, a different namespace, or bytes
    that do not match. A valid signature by a key absent from the trust list (or with no trust list)
    comes back with ``trusted=False``: the caller reports it, it is not a valid seal.
    """
    pub, ns, halg, raw = parse(armored)
    if ns != namespace:
        raise SignatureError(f"signature is for namespace {ns!r}, expected {namespace!r}")
    r = _Reader(pub)
    if r.string() != KEY_TYPE.encode():
        raise SignatureError("signature key is not ssh-ed25519")
    line = f"{KEY_TYPE} {base64.b64encode(pub).decode()}"
    key, _ = parse_public_line(line)
    try:
        key.verify(raw, signed_data(data, namespace, halg))
    except InvalidSignature:
        raise SignatureError("signature does not match the signed bytes (changed or forged)") from None
    fp = fingerprint_of_blob(pub)
    principals: list[str] = []
    if allowed_signers is not None:
        from forensic_kit.signing.allowed_signers import principals_for

        principals = principals_for(allowed_signers, pub, namespace)
    return VerifiedSignature(fingerprint=fp, public_line=line, principals=principals, trusted=bool(principals),
                             key_blob=pub)
