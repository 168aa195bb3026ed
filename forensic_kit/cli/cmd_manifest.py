"""``fkit manifest build CASE --sign KEY``: seal a case with a signed canonical manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console, progress_view
from forensic_kit.cli.passphrase import get_passphrase
from forensic_kit.display import safe_text
from forensic_kit.records import new_record

manifest_app = typer.Typer(help="Signed evidence manifest (fkit/manifest.json + SSHSIG).", no_args_is_help=True)


@manifest_app.command("build")
@progress_view.shows_progress("sealing")
def manifest_build(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    sign: Path = typer.Option(..., "--sign", help="Ed25519 OpenSSH private key to sign with (fkit key new or ssh-keygen)."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Read the key passphrase from this file's first line."),
    minisign: Optional[Path] = typer.Option(None, "--minisign", help="Also sign with this minisign secret key (its passphrase: FKIT_MINISIGN_PASSPHRASE or the same one)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the case is sealed again (needed for revision 2 and later; recorded in the manifest)."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Trusted allowed_signers to check the current seal against before a new revision (default: $FKIT_TRUST, else the package's own list)."),
) -> None:
    """Write fkit/manifest.json (RFC 8785), sign it (SSHSIG, namespace fkit-manifest), add the
    signer to fkit/allowed_signers and write VERIFY.txt (ar/fr/en).

    With the same case, key and SOURCE_DATE_EPOCH the manifest and signature are byte-identical.

    On a sealed case this writes the next revision: the current seal, its payload and its custody
    anchor are verified first (any finding refuses), the previous manifest and signature are kept
    in fkit/revisions/N/, and --reason says why.
    """
    import os

    from forensic_kit.manifest.build import MANIFEST, build
    from forensic_kit.package import Case
    from forensic_kit.signing.keys import load_private_key

    from forensic_kit.cli.cmd_verify import _trust_text

    the_case = Case.open(case)
    trusted = _trust_text(trust, False, case)[0] if trust is not None or os.environ.get("FKIT_TRUST") else None
    passphrase = get_passphrase(passphrase_file, required=False)
    key = load_private_key(sign, passphrase)
    mini_pass = None
    if minisign is not None:
        env = os.environ.get("FKIT_MINISIGN_PASSPHRASE")
        mini_pass = env.encode() if env is not None else passphrase
    result = build(the_case, key, minisign_key=minisign, minisign_passphrase=mini_pass, reason=reason,
                   trusted=trusted)
    rec = new_record("manifest", "manifest", "1", case=str(case), case_id=the_case.info.get("case_id"),
                     manifest=str(Path(case) / MANIFEST), manifest_sha256=result.manifest_sha256,
                     signer=key.key_id, fingerprint=key.fingerprint, merkle_root=result.merkle_root,
                     records=result.leaves, files=result.files, bytes=result.bytes, minisign=result.minisig,
                     revision=result.revision, reason=reason)
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(safe_text(f"fkit manifest: sealed {the_case.info.get('case_id')} (revision {result.revision}): "
                          f"{result.files} files, {result.bytes} bytes, {result.leaves} records"))
    console.say(f"  manifest sha256 {result.manifest_sha256}")
    console.say(safe_text(f"  signed by {key.key_id} ({key.name}) {key.fingerprint}"))
    if result.revision > 1:
        console.say(safe_text(f"  revision {result.revision} chains to revision {result.revision - 1} "
                              f"(kept in fkit/revisions/{result.revision - 1}/); reason: {reason}"))
    console.say(f"  Merkle root {result.merkle_root}")


def register(app: typer.Typer) -> None:
    """Add ``fkit manifest`` to the application."""
    app.add_typer(manifest_app, name="manifest")
