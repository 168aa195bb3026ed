"""The age file format (age-encryption.org/v1) through ``pyrage`` (bindings to the Rust ``rage``).

Only this module imports ``pyrage``. Recipients are ``ssh-ed25519`` public key lines or X25519
``age1...`` strings; identities are OpenSSH Ed25519 private keys (passphrase-protected ones are
unlocked with :mod:`cryptography` and handed to pyrage in memory, never written) or age identity
files (``AGE-SECRET-KEY-1...`` lines). Encryption and decryption stream: pyrage pulls the plaintext
with ``read()`` and pushes the output with ``write()`` in chunks of 8 to 64 KiB, so memory stays flat.

Every failure becomes an :class:`AgeError` with one sentence and a ``kind`` that follows the
categories of the age test vectors (``no match``, ``HMAC failure``, ``header failure``,
``payload failure``, ``armor failure``) as far as rage's messages tell them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from forensic_kit.errors import CheckFailed, InputError, SigningKeyError

X25519_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
_SECRET_PREFIXES = ("AGE-SECRET-KEY-1",)


class AgeError(CheckFailed):
    """The age file cannot be opened (not addressed to us, altered, truncated, extended)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class Reader(Protocol):
    """What pyrage reads plaintext or ciphertext from."""

    def read(self, n: int = -1) -> bytes: ...


class Writer(Protocol):
    """What pyrage writes ciphertext or plaintext to."""

    def write(self, data: bytes) -> int: ...


@dataclass(frozen=True)
class Recipient:
    """One public key a file is encrypted to, in the text form the ``age`` CLI takes after ``-r``."""

    text: str  # "ssh-ed25519 AAAA..." (no comment) or "age1..."
    kind: str  # "ssh-ed25519" | "x25519"

    def _pyrage(self) -> Any:
        from pyrage import RecipientError, ssh, x25519

        try:
            if self.kind == "x25519":
                return x25519.Recipient.from_str(self.text)
            return ssh.Recipient.from_str(self.text)
        except RecipientError as exc:
            raise InputError(f"unusable age recipient {self.text[:40]}...: {exc}") from None


def parse_recipient(text: str) -> Recipient:
    """``ssh-ed25519 AAAA... [comment]`` or ``age1...`` → :class:`Recipient` (``InputError`` otherwise)."""
    parts = text.strip().split()
    if len(parts) == 1 and X25519_RECIPIENT.match(parts[0]):
        rec = Recipient(parts[0], "x25519")
        rec._pyrage()  # the Bech32 checksum, with a one-line error
        return rec
    if len(parts) >= 2 and parts[0] == "ssh-ed25519":
        rec = Recipient(f"{parts[0]} {parts[1]}", "ssh-ed25519")
        rec._pyrage()  # validate now, with a one-line error
        return rec
    raise InputError(f"not an age recipient (ssh-ed25519 public key or age1... X25519 key): {text.strip()[:60]!r}")


def load_identities(path: Path, passphrase: bytes | None = None) -> list[Any]:
    """The identities in ``path``: an OpenSSH Ed25519 private key, or an age identity file."""
    from pyrage import IdentityError, ssh, x25519

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read identity {path}: {exc.strerror}") from None
    if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        try:
            key = serialization.load_ssh_private_key(data, password=passphrase or None)
        except TypeError:
            raise SigningKeyError(f"identity {path} is passphrase-protected: give --passphrase-file or FKIT_PASSPHRASE") from None
        except ValueError:
            raise SigningKeyError(f"cannot unlock identity {path}: wrong passphrase or not a key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"identity {path} is not an Ed25519 key (age takes ssh-ed25519 and X25519)")
        clear = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                  serialization.NoEncryption())
        try:
            return [ssh.Identity.from_buffer(clear)]
        except IdentityError as exc:
            raise SigningKeyError(f"identity {path}: {exc}") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise SigningKeyError(f"{path} is neither an OpenSSH private key nor an age identity file") from None
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(_SECRET_PREFIXES):
            try:
                out.append(x25519.Identity.from_str(line))
            except IdentityError as exc:
                raise SigningKeyError(f"identity {path}: unusable age key ({exc})") from None
    if not out:
        raise SigningKeyError(f"{path} holds no usable identity (OpenSSH ssh-ed25519 or AGE-SECRET-KEY-1...)")
    return out


def identity_recipients(path: Path, passphrase: bytes | None = None) -> list[str]:
    """The public (recipient) form of each identity in ``path``, as :class:`Recipient` text."""
    data = Path(path).read_bytes()
    if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_ssh_private_key(data, password=passphrase or None)
        line = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode("ascii")
        return [" ".join(line.split()[:2])]
    return [str(i.to_public()) for i in load_identities(path, passphrase)]


def encrypt(reader: Reader, out: IO[bytes], recipients: list[Recipient]) -> None:
    """Encrypt everything ``reader`` gives to ``recipients`` into ``out`` (binary age, no armor).

    pyrage reports an exception raised by ``reader`` as a generic ``EncryptError``: a reader that
    keeps it in an ``error`` attribute (say, a file that no longer matches its sealed hash) has it
    re-raised here as it was.
    """
    import pyrage

    if not recipients:
        raise InputError("no recipient: name at least one with --to")
    keys = [r._pyrage() for r in recipients]
    try:
        pyrage.encrypt_io(reader, out, keys)
    except pyrage.EncryptError as exc:
        cause = getattr(reader, "error", None)  # what the reader raised, when it keeps it
        if isinstance(cause, BaseException):
            raise cause from None
        raise InputError(f"age encryption failed: {exc}") from None


_HEADER = (("No matching keys found", "no match", "the file is not encrypted to this identity"),
           ("Header MAC is invalid", "HMAC failure", "its header was altered (header MAC does not match)"),
           ("armor", "armor failure", "its ASCII armor is damaged"))


def decrypt(src: Reader, writer: Writer, identities: list[Any], name: str = "the file") -> None:
    """Decrypt ``src`` into ``writer`` with ``identities``; :class:`AgeError` on any failure.

    Plaintext reaches ``writer`` chunk by chunk (64 KiB), each only after its authentication tag
    checked, so a failure can come after some plaintext was written: callers write into staging.
    An exception raised by ``writer`` reaches the caller unchanged.
    """
    import pyrage

    try:
        pyrage.decrypt_io(src, writer, identities)
    except pyrage.DecryptError as exc:
        text = " ".join(str(exc).split())  # rage's messages can span lines: one line here
        for needle, kind, says in _HEADER:
            if needle.lower() in text.lower():
                raise AgeError(f"{name} cannot be opened: {says}", kind) from None
        raise AgeError(f"{name} cannot be opened: not a valid age header ({text})", "header failure") from None
    except OSError as exc:
        if type(exc) is OSError and exc.errno is None:  # rage's io::Error: a chunk failed to authenticate
            raise AgeError(f"{name} is damaged: the encrypted data was altered, truncated or extended "
                           f"(authentication failed: {' '.join(str(exc).split())})", "payload failure") from None
        raise

__all__ = ["AgeError", "Recipient", "decrypt", "encrypt", "identity_recipients", "load_identities",
           "parse_recipient"]
