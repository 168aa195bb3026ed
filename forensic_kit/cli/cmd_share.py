"""``fkit share CASE --to RECIPIENT... -o OUT``: an encrypted, logged disclosure subset (age)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.cli.passphrase import get_passphrase
from forensic_kit.records import new_record


def _trust(trust: Optional[Path]):  # type: ignore[no-untyped-def]
    import os

    from forensic_kit.signing.people import TrustList

    path = trust or (Path(os.environ["FKIT_TRUST"]) if os.environ.get("FKIT_TRUST") else None)
    return TrustList.load(path) if path is not None else None


def share_command(
    case: Path = typer.Argument(..., metavar="CASE", help="A sealed case package."),
    to: List[str] = typer.Option(..., "--to", help="Recipient: a principal of your trust list, an ssh-ed25519 public key (or .pub file), or an age1... key. Repeat for several."),
    exhibits: Optional[str] = typer.Option(None, "--exhibits", help="Disclose every sealed file of these exhibits: EX-01,EX-02."),
    paths: Optional[List[str]] = typer.Option(None, "--paths", help="Disclose these files (bag paths data/EX-01/... or paths into CASE). Repeat."),
    from_records: Optional[Path] = typer.Option(None, "--from-records", help="Disclose the files of these JSON Lines records ('-' = stdin)."),
    purpose: str = typer.Option(..., "--purpose", help="Why the files are disclosed."),
    legal_basis: str = typer.Option(..., "--legal-basis", help="Legal basis of the transfer (request, treaty, order number...)."),
    handling: str = typer.Option(..., "--handling", help="Handling code H0|H1|H2|H3 (Europol handling codes)."),
    channel: str = typer.Option(..., "--channel", help="How the file travels (SIENA, courier, USB by hand...)."),
    sign: Path = typer.Option(..., "--sign", help="Sender's Ed25519 OpenSSH private key (signs the disclosed custody event)."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Passphrase of the --sign key (else FKIT_PASSPHRASE or prompt)."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Your trust list (allowed_signers with '# fkit-person:' lines; default $FKIT_TRUST)."),
    at: Optional[str] = typer.Option(None, "--at", help="Time of the disclosure (ISO 8601; default now)."),
    out: Path = typer.Option(..., "-o", "--output", help="The encrypted file to write (.age); never overwritten."),
) -> None:
    """Disclose chosen files of a sealed case to named recipients, encrypted with age.

    The file opens with stock tools (age -d -i ~/.ssh/id_ed25519 OUT > x.tar) and holds the files,
    their Merkle proofs, the signed manifest, the custody events about them and a trilingual
    VERIFY.txt. The case's custody ledger gets a signed 'disclosed' event.
    """
    from forensic_kit.package import Case
    from forensic_kit.share.disclose import resolve_recipients, select, share
    from forensic_kit.signing.keys import load_private_key

    trust_list = _trust(trust)
    addressees, warnings = resolve_recipients(to, trust_list)
    records = []
    if from_records is not None:
        raw = console.stdin_bytes().read() if str(from_records) == "-" else from_records.read_bytes()
        for n, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError:
                    from forensic_kit.errors import InputError

                    raise InputError(f"--from-records line {n} is not JSON") from None
    the_case = Case.open(case)
    wanted = select(the_case, exhibits.split(",") if exhibits else [], paths or [], records)
    key = load_private_key(sign, get_passphrase(passphrase_file, required=False))
    result = share(case, to=addressees, wanted=wanted, key=key, out=out, purpose=purpose, legal_basis=legal_basis,
                   handling=handling, channel=channel, trust=trust_list, at=at, warnings=warnings)
    for w in result.warnings:
        console.warn(w)
    ev = result.event
    d = ev["disclosure"]
    rec = new_record("share", "share", "1", case=str(case), output=str(out),
                     files=result.files, bytes=result.bytes, event_seq=ev["seq"], time=ev["time"],
                     file_list_sha256=d["file_list_sha256"], merkle_root=d["merkle_root"],
                     recipients=[a["recipient"] for a in d["recipients"]])
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit share: {result.files} file(s), {result.bytes} bytes of {the_case.info.get('case_id')} "
                f"encrypted to {len(addressees)} recipient(s) -> {out}")
    for a in addressees:
        console.say(f"  to: {a.label()}  [{a.recipient.kind}]")
    console.say(f"  custody event {ev['seq']} 'disclosed' signed by {key.key_id}; handling {handling}, via {channel}")
    console.say(f"  file list sha256 {d['file_list_sha256']} (SHA256SUMS inside; give it to the recipient by another channel)")


def register(app: typer.Typer) -> None:
    """Add ``fkit share`` to the application."""
    app.command("share")(share_command)
