"""Signing: Ed25519 OpenSSH keys, SSHSIG signatures and OpenSSH ``allowed_signers`` trust lists.

Everything here interoperates with stock OpenSSH: keys load in ``ssh-keygen``, signatures verify
with ``ssh-keygen -Y verify``, fingerprints are printed exactly as ``ssh-keygen -lf`` prints them.
No function here prints, logs or returns private key material or passphrases.
"""

from forensic_kit.signing.keys import SigningKey, generate_key, load_private_key, resolve_passphrase
from forensic_kit.signing.sshsig import SignatureError, VerifiedSignature, sign, verify

NAMESPACE_MANIFEST = "fkit-manifest"
NAMESPACE_CUSTODY = "fkit-custody"

__all__ = [
    "NAMESPACE_CUSTODY", "NAMESPACE_MANIFEST", "SignatureError", "SigningKey", "VerifiedSignature",
    "generate_key", "load_private_key", "resolve_passphrase", "sign", "verify",
]
