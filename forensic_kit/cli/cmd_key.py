"""``fkit key new``: create a passphrase-protected Ed25519 signing key in OpenSSH format."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.cli.passphrase import get_passphrase
from forensic_kit.display import safe_text
from forensic_kit.records import new_record
from forensic_kit.signing.keys import generate_key, load_private_key

key_app = typer.Typer(help="Signing keys (Ed25519, OpenSSH format, usable with ssh-keygen).",
                      no_args_is_help=True)


@key_app.command("new")
def key_new(
    key_id: str = typer.Option(..., "--id", help="Signer identity, e.g. officer@agency (the allowed_signers principal)."),
    name: str = typer.Option(..., "--name", help="The signer's full name, as it appears on reports."),
    out: Path = typer.Option(Path("."), "--out", help="Folder for the key files (created if needed)."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Read the passphrase from the first line of this file."),
    training: bool = typer.Option(False, "--training", help="Mark the key as a training key."),
    person_id: Optional[str] = typer.Option(None, "--person-id", help="The holder's badge or registration number (bound to the key in the person block)."),
    org: Optional[str] = typer.Option(None, "--org", help="The holder's organisation (bound to the key in the person block)."),
    weak_passphrase_ok: bool = typer.Option(False, "--weak-passphrase-ok", help="Accept a passphrase shorter than 12 characters (only with --training)."),
) -> None:
    """Create an Ed25519 key pair; the private key is encrypted with a passphrase (12 characters
    or more).

    The passphrase comes from --passphrase-file, else FKIT_PASSPHRASE, else a hidden prompt.
    Also writes KEY.person: the key's line for an allowed_signers trust list with the comment line
    that binds it to the holder (name, --person-id, --org); the unit appends it to its list.
    Prints a record with the key id, name, fingerprint (as ssh-keygen -lf) and file paths.
    """
    from forensic_kit.errors import UsageError
    from forensic_kit.signing.allowed_signers import line_for
    from forensic_kit.signing.keys import check_new_passphrase
    from forensic_kit.signing.people import person_block

    if weak_passphrase_ok and not training:
        raise UsageError("--weak-passphrase-ok is allowed only with --training (a real key needs 12 characters or more)")
    passphrase = get_passphrase(passphrase_file, confirm=True)
    assert passphrase is not None
    check_new_passphrase(passphrase, weak_passphrase_ok)
    priv = generate_key(key_id, name, out, passphrase, training=training, person_id=person_id, org=org)
    key = load_private_key(priv, passphrase)
    block_path = priv.with_name(priv.name + ".person")
    block_path.write_text(person_block(key.key_id, key.name, person_id, org, line_for(key)), encoding="utf-8")
    rec = new_record("signing.key", "key", "1", key_id=key.key_id, name=key.name, person_id=person_id, org=org,
                     fingerprint=key.fingerprint, public_key=key.public_line,
                     private_key_path=str(priv), public_key_path=str(priv) + ".pub",
                     person_block_path=str(block_path), training=key.training)
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(safe_text(f"fkit key: {key.key_id} ({key.name}) {key.fingerprint}"))
    console.say(f"  private key (passphrase-protected): {priv}")
    console.say(f"  public key: {priv}.pub")
    console.say(f"  person block for your unit's trust list: {block_path} (cat it >> allowed_signers)")


@key_app.command("show")
def key_show(
    key: Path = typer.Argument(..., metavar="KEY", help="Private key or .pub file."),
) -> None:
    """Print a key's id and fingerprint (public data only; no passphrase needed)."""
    from forensic_kit.signing.keys import fingerprint_of_blob, parse_public_line

    pub = key if key.name.endswith(".pub") else key.with_name(key.name + ".pub")
    text = pub.read_text(encoding="utf-8") if pub.is_file() else ""
    if not text:
        from forensic_kit.errors import InputError

        raise InputError(f"no public key file {pub}")
    _k, blob = parse_public_line(text)
    parts = text.split()
    rec = new_record("signing.key", "key", "1", key_id=parts[2] if len(parts) > 2 else None,
                     fingerprint=fingerprint_of_blob(blob), public_key=" ".join(parts[:2]),
                     public_key_path=str(pub))
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit key: {rec['fingerprint']}")


def register(app: typer.Typer) -> None:
    """Add ``fkit key`` to the application."""
    app.add_typer(key_app, name="key")
