"""The age file format (age-encryption.org/v1) through the reference ``age`` program and ``pyrage``.

Encryption runs the reference implementation, the ``age`` program (Debian package ``age``), when it
is installed: fkit streams the plaintext into its standard input and it writes the output file,
on the other core, while fkit reads and hashes the next files (pyrage 1.4, the only release
installable here, holds the GIL for a whole ``encrypt_io`` call and costs ~1.5 x ``age``'s CPU per
GiB, so no overlap is possible in-process). Without the program (or with ``FKIT_AGE=pyrage``),
pyrage encrypts. Both write the same format; a recipient cannot tell which did. Decryption always
runs through pyrage, in this process: untrusted input is parsed by one code path.

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

import os
import re
import shutil
import subprocess
import tempfile
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


_PIPE_CHUNK = 1 << 20
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ (Linux), absent from Python 3.11's fcntl on some builds


def age_program() -> str | None:
    """The ``age`` program encryption runs through, or None for pyrage (``FKIT_AGE=pyrage`` forces it;
    ``FKIT_AGE=/path/to/age`` names the program)."""
    choice = os.environ.get("FKIT_AGE", "")
    if choice == "pyrage":
        return None
    return shutil.which(choice or "age")


def encrypt(reader: Reader, out: IO[bytes], recipients: list[Recipient]) -> None:
    """Encrypt everything ``reader`` gives to ``recipients`` into ``out`` (binary age, no armor).

    The ``age`` program writes straight to ``out``'s descriptor (pyrage is used for an in-memory
    ``out``, which has none). An exception raised
    by ``reader`` (say, a file that no longer matches its sealed hash) stops the encryption and is
    re-raised as it was; the partial output is the caller's to remove.
    """
    if not recipients:
        raise InputError("no recipient: name at least one with --to")
    for r in recipients:
        r._pyrage()  # every recipient checked by the same code, whichever program encrypts
    program = age_program()
    try:
        out.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory output: no descriptor to hand over
        program = None
    if program is not None:
        _encrypt_program(program, reader, out, recipients)
    else:
        _encrypt_pyrage(reader, out, recipients)


def _encrypt_program(program: str, reader: Reader, out: IO[bytes], recipients: list[Recipient]) -> None:
    import fcntl

    out.flush()
    args = [program, "--encrypt"]
    for r in recipients:
        args += ["-r", r.text]
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(args, bufsize=0, stdin=subprocess.PIPE, stdout=out.fileno(), stderr=err,
                                    env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"})
        except OSError as exc:
            raise InputError(f"cannot run {program}: {exc.strerror or exc}") from None
        assert proc.stdin is not None
        try:
            try:
                fcntl.fcntl(proc.stdin.fileno(), _F_SETPIPE_SZ, _PIPE_CHUNK)  # fewer wake-ups
            except OSError:
                pass
            while True:
                block = reader.read(_PIPE_CHUNK)
                if not block:
                    break
                proc.stdin.write(block)
            proc.stdin.close()
            code = proc.wait()
        except BrokenPipeError:  # the program stopped reading before the end: never a complete file
            code = proc.wait() or -1
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            err.seek(0)
            why = " ".join(err.read(400).decode("utf-8", "replace").split()) or f"exit {code}"
            raise InputError(f"age encryption failed ({program}): {why}")


def _encrypt_pyrage(reader: Reader, out: IO[bytes], recipients: list[Recipient]) -> None:
    import pyrage

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
