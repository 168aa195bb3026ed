"""Training signing keys, derived from the seed so that signatures (and so the whole case) are reproducible.

The files have the same layout as ``fkit key new`` writes (OpenSSH private key encrypted with the
passphrase — ``aes256-ctr`` with the bcrypt KDF, 16 rounds — ``.pub``, ``.fkit.json`` with
``training: true``); only nothing in them is random: the private key is
SHA-256("fkit-training-key/<seed>/<key id>"), and the KDF salt and check integers come from the same
seed, so the same seed writes byte-identical key files. Never use such a key for real work: anyone who
knows the seed can recompute it. That is why every key made here is marked ``training``, and why fkit
refuses to sign a real case with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

import bcrypt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from forensic_kit.signing.keys import fingerprint_of_blob, public_blob, public_line_of

PASSPHRASE = b"training"
"""The passphrase of every training key (printed in the answer key; training keys protect nothing)."""


def _stem(key_id: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in key_id) + "_ed25519"


def training_key(out_dir: Path, seed: int, key_id: str, name: str) -> Path:
    """Write the seeded training key ``key_id`` into ``out_dir``; return the private key path."""
    private = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"fkit-training-key/{seed}/{key_id}".encode()).digest())
    out_dir.mkdir(parents=True, exist_ok=True)
    priv = out_dir / _stem(key_id)
    priv.write_bytes(_openssh_encrypted(private, key_id, hashlib.sha256(f"fkit-training-kdf/{seed}/{key_id}".encode()).digest()))
    priv.chmod(0o600)
    pub = private.public_key()
    priv.with_name(priv.name + ".pub").write_text(public_line_of(pub, key_id) + "\n", encoding="utf-8")
    info = {"key_id": key_id, "name": name, "training": True, "fingerprint": fingerprint_of_blob(public_blob(pub))}
    priv.with_name(priv.name + ".fkit.json").write_text(
        json.dumps(info, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return priv


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _openssh_encrypted(private: Ed25519PrivateKey, comment: str, seed: bytes, rounds: int = 16) -> bytes:
    """The ``openssh-key-v1`` file of ``private``, encrypted with :data:`PASSPHRASE`, salt and check
    integers taken from ``seed`` (32 bytes) instead of the random generator (PROTOCOL.key in OpenSSH)."""
    raw_priv = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
    raw_pub = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    salt, check = seed[:16], seed[16:20]
    pub_blob = _string(b"ssh-ed25519") + _string(raw_pub)
    section = (check + check + _string(b"ssh-ed25519") + _string(raw_pub) + _string(raw_priv + raw_pub)
               + _string(comment.encode("utf-8")))
    section += bytes(range(1, 1 + (-len(section)) % 16))
    key_iv = bcrypt.kdf(PASSPHRASE, salt, 48, rounds, ignore_few_rounds=True)
    enc = Cipher(algorithms.AES(key_iv[:32]), modes.CTR(key_iv[32:])).encryptor()
    body = (b"openssh-key-v1\0" + _string(b"aes256-ctr") + _string(b"bcrypt")
            + _string(_string(salt) + struct.pack(">I", rounds)) + struct.pack(">I", 1) + _string(pub_blob)
            + _string(enc.update(section) + enc.finalize()))
    b64 = base64.b64encode(body).decode("ascii")
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    return ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n").encode()
