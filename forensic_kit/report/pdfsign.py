"""PAdES signature of a finished report with pyHanko (``--sign-pdf cert.p12``).

The passphrase of the PKCS#12 file comes from ``FKIT_P12_PASSPHRASE`` (empty when unset). The
signature is an incremental update, so the PDF/A body and its attachment stay untouched.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from forensic_kit.errors import SigningKeyError

P12_PASSPHRASE_ENV = "FKIT_P12_PASSPHRASE"


def sign_pdf(pdf_bytes: bytes, p12: Path, passphrase: bytes | None = None, reason: str = "fkit custody record") -> bytes:
    """Return ``pdf_bytes`` with a PAdES B-B signature made with the key and certificate in ``p12``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    if passphrase is None:
        env = os.environ.get(P12_PASSPHRASE_ENV)
        passphrase = env.encode() if env is not None else None
    if not p12.is_file():
        raise SigningKeyError(f"--sign-pdf {p12}: no such file")
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=passphrase)  # type: ignore[no-untyped-call]
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many kinds for a bad file/passphrase
        raise SigningKeyError(f"--sign-pdf {p12}: cannot load the certificate and key ({exc}); "
                              f"is {P12_PASSPHRASE_ENV} set?") from exc
    if signer is None:
        raise SigningKeyError(f"--sign-pdf {p12}: cannot load the certificate and key; is {P12_PASSPHRASE_ENV} set?")
    meta = signers.PdfSignatureMetadata(field_name="fkit-signature", reason=reason,
                                        subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out)
    return out.getvalue()
