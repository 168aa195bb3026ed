"""Training signing keys, derived from the seed so that signatures (and so the whole case) are reproducible.

The files have the same layout as ``fkit key new`` writes (OpenSSH private key encrypted with the
passphrase, ``.pub``, ``.fkit.json`` with ``training: true``); only the private key is not random: it
is SHA-256("fkit-training-key/<seed>/<key id>"). Never use such a key for real work: anyone who knows
the seed can recompute it. That is why every key made here is marked ``training``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
    priv.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                           serialization.BestAvailableEncryption(PASSPHRASE)))
    priv.chmod(0o600)
    pub = private.public_key()
    priv.with_name(priv.name + ".pub").write_text(public_line_of(pub, key_id) + "\n", encoding="utf-8")
    info = {"key_id": key_id, "name": name, "training": True, "fingerprint": fingerprint_of_blob(public_blob(pub))}
    priv.with_name(priv.name + ".fkit.json").write_text(
        json.dumps(info, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return priv
