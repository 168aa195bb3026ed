"""Android ``adb backup`` files (``.ab``): plain, compressed, or encrypted with a password.

The format (AOSP ``BackupManagerService``/``KeyValueBackup``, documented by Nikolay Elenkov's
*Android Backup Extractor*): four text lines ``ANDROID BACKUP``, version (1-5), compressed
(0/1), encryption (``none`` or ``AES-256``); for AES-256 five more lines: user salt, master-key
checksum salt, PBKDF2 rounds, user IV and the encrypted master-key blob (hex). The user key is
PBKDF2-HMAC-SHA1(password, user salt, rounds, 256 bits); it decrypts (AES-256-CBC) the blob
``[len][IV][len][master key][len][checksum]``; the master key and IV decrypt the rest, which is
(zlib-)compressed when the flag says so, and is a tar archive. The checksum is PBKDF2 of the
master key (as Java chars, UTF-8 encoded from version 2 on) with the checksum salt: a wrong
password is told apart from a damaged file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import zlib
from pathlib import Path
from typing import IO

from forensic_kit.errors import InputError
from forensic_kit.fileopen import open_readonly
from forensic_kit.phone.source import Limits, Source, SourceIssue, _untar

MAGIC = b"ANDROID BACKUP\n"
_CHUNK = 1 << 20


class BackupPasswordError(ValueError):
    """The ``.ab`` is encrypted and the password is missing or wrong."""


def is_ab(path: Path) -> bool:
    """True when the file starts with the ``.ab`` magic line."""
    try:
        with os.fdopen(open_readonly(str(path)), "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _line(f: IO[bytes]) -> str:
    raw = f.readline(4096)
    if not raw.endswith(b"\n"):
        raise ValueError("truncated .ab header")
    return raw[:-1].decode("ascii", "replace")


def _java_chars_utf8(key: bytes) -> bytes:
    """The master key as Java ``(char) byte`` values (sign-extended), UTF-8 encoded."""
    return "".join(chr(b if b < 0x80 else b | 0xFF00) for b in key).encode("utf-8")


def _unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= 16 or data[-n:] != bytes([n]) * n:
        raise BackupPasswordError("wrong backup password (the master key does not decrypt)")
    return data[:-n]


def _master_key(f: IO[bytes], version: int, password: str | None) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    user_salt = bytes.fromhex(_line(f))
    ck_salt = bytes.fromhex(_line(f))
    rounds = int(_line(f))
    user_iv = bytes.fromhex(_line(f))
    blob = bytes.fromhex(_line(f))
    if password is None:
        raise BackupPasswordError("encrypted Android backup: give its password with --backup-password")
    if not 1 <= rounds <= 10_000_000 or len(blob) % 16 or not blob:
        raise ValueError(f"implausible .ab encryption header (rounds {rounds}, blob {len(blob)} bytes)")
    user_key = hashlib.pbkdf2_hmac("sha1", password.encode("utf-8"), user_salt, rounds, 32)
    dec = Cipher(algorithms.AES(user_key), modes.CBC(user_iv)).decryptor()
    plain = _unpad(dec.update(blob) + dec.finalize())
    parts = []
    pos = 0
    for _ in range(3):
        if pos >= len(plain):
            raise BackupPasswordError("wrong backup password (master key blob malformed)")
        n = plain[pos]
        parts.append(plain[pos + 1: pos + 1 + n])
        pos += 1 + n
    iv, key, check = parts
    mk = key if version < 2 else _java_chars_utf8(key)
    if not hmac.compare_digest(hashlib.pbkdf2_hmac("sha1", mk, ck_salt, rounds, 32), check):
        raise BackupPasswordError("wrong backup password (master key checksum differs)")
    return key, iv


def unpack_to_tar(path: Path, out: Path, password: str | None, max_bytes: int) -> dict[str, object]:
    """Decrypt/decompress the ``.ab`` at ``path`` into the tar file ``out``; its header as a dict.

    Raises :class:`BackupPasswordError` (password missing or wrong) or ``ValueError`` (not a
    backup, damaged, or it would unpack to more than ``max_bytes``).
    """
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    with os.fdopen(open_readonly(str(path)), "rb") as f:  # O_NOATIME: the evidence's atime stays
        if f.read(len(MAGIC)) != MAGIC:
            raise ValueError("not an Android backup (.ab) file")
        version = int(_line(f))
        compressed = _line(f) == "1"
        encryption = _line(f)
        header: dict[str, object] = {"version": version, "compressed": compressed, "encryption": encryption}
        dec = None
        if encryption == "AES-256":
            key, iv = _master_key(f, version, password)
            dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        elif encryption != "none":
            raise ValueError(f"unknown .ab encryption {encryption!r}")
        inflate = zlib.decompressobj() if compressed else None
        written = 0
        pending = b""
        with open(out, "xb") as fout:
            def emit(data: bytes, raw: bool = False) -> None:
                nonlocal written
                if inflate is not None and not raw:
                    data = inflate.decompress(data, max(0, max_bytes - written) + 1)
                    if inflate.unconsumed_tail:
                        raise ValueError(f"backup would unpack to more than {max_bytes} bytes")
                written += len(data)
                if written > max_bytes:
                    raise ValueError(f"backup would unpack to more than {max_bytes} bytes")
                fout.write(data)

            while chunk := f.read(_CHUNK):
                if dec is not None:
                    chunk = pending + dec.update(chunk)
                    pending, chunk = chunk[-16:], chunk[:-16]
                emit(chunk)
            if dec is not None:
                last = pending + dec.finalize()
                emit(_unpad(last) if last else b"")
            if inflate is not None:
                emit(inflate.flush(), raw=True)
        header["tar_bytes"] = written
    return header


def open_ab(path: Path, scratch: Path, limits: Limits, password: str | None) -> Source:
    """An ``.ab`` file as a source: its tar unpacked under ``scratch`` (``apps/<package>/...``)."""
    src = Source(path, "android_backup", root=scratch)
    _expand_one(src, path, "", scratch / "ab", limits, password)
    if not src.files and src.issues and "password" in src.issues[-1].reason:
        raise InputError(f"{path}: {src.issues[-1].reason}")
    return src


def _expand_one(src: Source, path: Path, prefix: str, out: Path, limits: Limits, password: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tar = out / "backup.tar"
    max_bytes = min(limits.max_total_bytes, max(limits.max_ratio * path.stat().st_size, 1 << 20))
    try:
        header = unpack_to_tar(path, tar, password, max_bytes)
        if header.get("encryption") != "none":
            src.encrypted_backup = True
    except (BackupPasswordError, ValueError, OSError, zlib.error) as exc:
        tar.unlink(missing_ok=True)
        if isinstance(exc, BackupPasswordError):
            src.encrypted_backup = True
        src.issues.append(SourceIssue("open", f"Android backup not opened: {exc}", prefix or path.name))
        return
    inner = _untar(tar, out, Limits(limits.max_total_bytes, limits.max_members, 1 << 30))
    tar.unlink(missing_ok=True)
    where = prefix or path.name
    src.issues.extend(SourceIssue(i.stage, i.reason, f"{where}/{i.member}" if i.member else where)
                      for i in inner.issues)
    for logical, real in inner.files.items():
        src.files[f"{prefix}/{logical}" if prefix else logical] = real


def expand_in(src: Source, scratch: Path, limits: Limits, password: str | None) -> None:
    """Unpack every ``.ab`` found in a folder or archive source (e.g. androidqf's ``backup.ab``);
    its files appear under ``<path of the .ab>/``."""
    found = [(logical, real) for logical, real in sorted(src.files.items())
             if logical.lower().endswith(".ab") and is_ab(real)]
    for n, (logical, real) in enumerate(found):
        _expand_one(src, real, logical, scratch / f"ab{n:03d}", limits, password)
