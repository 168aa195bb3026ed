"""Build a small *encrypted* iTunes/Finder backup for tests (no such backup is in the shared data).

Layout and crypto as Apple writes them (and as ``iphone-backup-decrypt`` reads them): a
``BackupKeyBag`` (TLV) in ``Manifest.plist`` whose class keys are AES-key-wrapped with the key
derived from the password (PBKDF2-SHA256 with DPSL/DPIC, then PBKDF2-SHA1 with SALT/ITER);
``ManifestKey`` (class + wrapped key) encrypts ``Manifest.db`` (AES-256-CBC, zero IV, PKCS#7);
each file's key is in its ``Files.file`` NSKeyedArchiver plist (``EncryptionKey``).
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import sqlite3
import struct
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

CLASS = 3
DPIC = 1000
ITER = 100


def _tlv(tag: bytes, value: bytes | int) -> bytes:
    data = struct.pack(">L", value) if isinstance(value, int) else value
    return tag + struct.pack(">L", len(data)) + data


def _encrypt(key: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\x00" * 16)).encryptor()
    return enc.update(padded) + enc.finalize()


def _file_plist(wrapped_key: bytes, size: int) -> bytes:
    objects = ["$null",
               {"$class": plistlib.UID(3), "EncryptionKey": plistlib.UID(2), "ProtectionClass": CLASS,
                "Size": size, "LastModified": 1_600_000_000, "Birth": 1_600_000_000, "Mode": 0o100644,
                "RelativePath": plistlib.UID(4)},
               {"NS.data": struct.pack("<l", CLASS) + wrapped_key, "$class": plistlib.UID(5)},
               {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]},
               "x",
               {"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]}]
    return plistlib.dumps({"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": {"root": plistlib.UID(1)},
                           "$objects": objects}, fmt=plistlib.FMT_BINARY)


def make_encrypted_backup(root: Path, password: str, files: list[tuple[str, str, bytes]],
                          info: dict[str, object]) -> Path:
    """``root`` becomes an encrypted backup holding ``files`` (domain, relative path, content)."""
    root.mkdir(parents=True)
    dpsl, salt = os.urandom(20), os.urandom(20)
    round1 = hashlib.pbkdf2_hmac("sha256", password.encode(), dpsl, DPIC, 32)
    pass_key = hashlib.pbkdf2_hmac("sha1", round1, salt, ITER, 32)
    class_key = os.urandom(32)
    keybag = b"".join([
        _tlv(b"VERS", 3), _tlv(b"TYPE", 1), _tlv(b"UUID", os.urandom(16)), _tlv(b"HMCK", os.urandom(40)),
        _tlv(b"WRAP", 0), _tlv(b"SALT", salt), _tlv(b"ITER", ITER), _tlv(b"DPWT", 1), _tlv(b"DPIC", DPIC),
        _tlv(b"DPSL", dpsl),
        _tlv(b"UUID", os.urandom(16)), _tlv(b"CLAS", CLASS), _tlv(b"WRAP", 2), _tlv(b"KTYP", 0),
        _tlv(b"WPKY", aes_key_wrap(pass_key, class_key))])
    manifest_key = os.urandom(32)
    plain_db = root.parent / "Manifest.plain.db"
    conn = sqlite3.connect(plain_db)
    conn.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)")
    conn.execute("CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)")
    for domain, rel, content in files:
        file_id = hashlib.sha1(f"{domain}-{rel}".encode()).hexdigest()
        file_key = os.urandom(32)
        (root / file_id[:2]).mkdir(exist_ok=True)
        (root / file_id[:2] / file_id).write_bytes(_encrypt(file_key, content))
        conn.execute("INSERT INTO Files VALUES (?,?,?,1,?)",
                     (file_id, domain, rel, _file_plist(aes_key_wrap(class_key, file_key), len(content))))
    conn.commit()
    conn.close()
    (root / "Manifest.db").write_bytes(_encrypt(manifest_key, plain_db.read_bytes()))
    plain_db.unlink()
    with open(root / "Manifest.plist", "wb") as f:
        plistlib.dump({"IsEncrypted": True, "BackupKeyBag": keybag, "Version": "10.0",
                       "ManifestKey": struct.pack("<l", CLASS) + aes_key_wrap(class_key, manifest_key),
                       "Lockdown": {"ProductType": "iPhone12,3", "ProductVersion": "16.1"}}, f, fmt=plistlib.FMT_BINARY)
    with open(root / "Info.plist", "wb") as f:
        plistlib.dump(info, f, fmt=plistlib.FMT_XML)
    return root
