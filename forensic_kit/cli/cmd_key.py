"""``fkit key new``: create a passphrase-protected Ed25519 signing key in OpenSSH format."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.cli.passphrase import get_passphrase
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
) -> None:
    """Create an Ed25519 key pair; the private key is encrypted with a passphrase.

    The passphrase comes from --passphrase-file, else FKIT_PASSPHRASE, else a hidden prompt.
    Prints a record with the key id, name, fingerprint (as ssh-keygen -lf) and file paths.
    """
    passphrase = get_passphrase(passphrase_file, confirm=True)
    assert passphrase is not None
    priv = generate_key(key_id, name, out, passphrase, training=training)
    key = load_private_key(priv, passphrase)
    rec = new_record("signing.key", "key", "1", key_id=key.key_id, name=key.name,
                     fingerprint=key.fingerprint, public_key=key.public_line,
                     private_key_path=str(priv), public_key_path=str(priv) + ".pub",
                     training=key.training)
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit key: {key.key_id} ({key.name}) {key.fingerprint}")
    console.say(f"  private key (passphrase-protected): {priv}")
    console.say(f"  public key: {priv}.pub")


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
