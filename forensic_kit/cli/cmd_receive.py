"""``fkit receive FILE -i KEY --into NEWCASE``: decrypt, verify and open a receiving case."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.cli.passphrase import get_passphrase
from forensic_kit.exitcodes import ExitCode
from forensic_kit.records import new_record


def receive_command(
    file: Path = typer.Argument(..., metavar="FILE", help="The .age file made by fkit share (or age -e of an fkit disclosure tar)."),
    identity: Path = typer.Option(..., "-i", "--identity", help="Your private key: OpenSSH ssh-ed25519, or an age identity file."),
    into: Path = typer.Option(..., "--into", help="The receiving case folder to create (must not exist)."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="YOUR trust list (allowed_signers with the sender; default $FKIT_TRUST)."),
    sign: Optional[Path] = typer.Option(None, "--sign", help="Your Ed25519 signing key (default: the -i key when it is an OpenSSH key)."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Passphrase of your key (else FKIT_PASSPHRASE or prompt)."),
    case_id: Optional[str] = typer.Option(None, "--case-id", help="Id of the receiving case (default: SENDERCASE-Rn)."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Profile of the receiving case (default eu; training for a training case)."),
) -> None:
    """Open a disclosure: decrypt, check every proof and signature against YOUR trust list, and
    create a receiving case sealed with your key whose first custody event records the hand-over.

    Exit 1 (and nothing created) when anything fails: not addressed to you, altered, unsigned,
    signed by someone your list does not trust, or a file without its proof.
    """
    from forensic_kit.share.receive import DisclosureRefused, receive
    from forensic_kit.signing.keys import load_private_key

    trust_path = trust or (Path(os.environ["FKIT_TRUST"]) if os.environ.get("FKIT_TRUST") else None)
    trusted = None
    if trust_path is not None:
        try:
            trusted = trust_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            from forensic_kit.errors import InputError

            raise InputError(f"cannot read trust list {trust_path}: {exc}") from None
    passphrase = get_passphrase(passphrase_file, required=False)
    key = load_private_key(sign or identity, passphrase)
    try:
        result = receive(file, identity, into, trusted, key, passphrase=passphrase, case_id=case_id, profile=profile)
    except DisclosureRefused as exc:
        out = console.stdout_bytes()
        for f in exc.check.findings:
            out.write(jsonl.dump_bytes(new_record("receive.finding", "receive", "1", file=str(file), code=f.code,
                                                  message=f.message)))
            console.say(f"  ! {f.message}")
        console.error(exc.message)
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
    for w in result.warnings:
        console.warn(w)
    h = result.event["handover"]
    rec = new_record("receive", "receive", "1", file=str(file), case=str(into), case_id=result.case_id,
                     files=result.files, bytes=result.bytes, sender=result.sender, from_case=h["from_case"],
                     disclosure_seq=h["disclosure_seq"], merkle_root=h["merkle_root"],
                     ciphertext_sha256=result.ciphertext_sha256)
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit receive: {result.files} file(s), {result.bytes} bytes from {result.sender} "
                f"(case {h['from_case']}, disclosure event {h['disclosure_seq']}) -> {into}")
    console.say(f"  every proof and signature checked against {trust_path}; sender's Merkle root {h['merkle_root']}")
    console.say(f"  case {result.case_id} opened: custody event 1 'received' signed by {key.key_id}; sealed")


def register(app: typer.Typer) -> None:
    """Add ``fkit receive`` to the application."""
    app.command("receive")(receive_command)
