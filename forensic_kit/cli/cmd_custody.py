"""``fkit custody add|verify|show``: the signed, hash-chained chain-of-custody ledger."""

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

custody_app = typer.Typer(help="Chain-of-custody ledger (fkit/custody.jsonl).", no_args_is_help=True)


@custody_app.command("add")
def custody_add(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    action: str = typer.Option(..., "--action", help="seized|sealed|transferred|received|acquired|examined|stored|returned|destroyed|exported"),
    exhibits: str = typer.Option(..., "--exhibits", help="Comma-separated exhibit ids, e.g. EX-01,EX-02."),
    by: str = typer.Option(..., "--by", help="Who releases / acts: NAME[,ID,ORG]."),
    to: Optional[str] = typer.Option(None, "--to", help="Who receives: NAME[,ID,ORG]."),
    at: Optional[str] = typer.Option(None, "--at", help="ISO 8601 time (default now; no offset = the profile's time zone)."),
    location: Optional[str] = typer.Option(None, "--location", help="Where it happened."),
    purpose: Optional[str] = typer.Option(None, "--purpose", help="Why (transport, storage, examination...)."),
    seal_number: Optional[str] = typer.Option(None, "--seal-number", help="Seal or bag number."),
    seal_state: Optional[str] = typer.Option(None, "--seal-state", help="intact|broken|new"),
    note: Optional[str] = typer.Option(None, "--note", help="Free text."),
    recheck: bool = typer.Option(False, "--recheck", help="Re-hash the exhibits' files against manifest-sha256.txt and record the result in the event (exit 1 if it fails)."),
    sign: Path = typer.Option(..., "--sign", help="Releaser's Ed25519 OpenSSH private key."),
    cosign: Optional[Path] = typer.Option(None, "--cosign", help="Receiver's private key (countersignature)."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Passphrase of the --sign key (else FKIT_PASSPHRASE or prompt)."),
    cosign_passphrase_file: Optional[Path] = typer.Option(None, "--cosign-passphrase-file", help="Passphrase of the --cosign key (else FKIT_COSIGN_PASSPHRASE, FKIT_PASSPHRASE or prompt)."),
) -> None:
    """Append one signed event to fkit/custody.jsonl (hash-chained to the previous one)."""
    from forensic_kit.custody import append_event, new_event, recheck_exhibits, recheck_summary, sign_event
    from forensic_kit.package import Case
    from forensic_kit.signing import allowed_signers
    from forensic_kit.signing.keys import load_private_key, require_key_fits_case

    the_case = Case.open(case)
    ids = exhibits.split(",")
    checked = recheck_exhibits(the_case, [e.strip() for e in ids if e.strip()]) if recheck else None
    event = new_event(the_case, action=action, exhibits=ids, by=by, to=to, at=at,
                      location=location, purpose=purpose, seal_number=seal_number, seal_state=seal_state,
                      note=note, recheck=checked)
    key = load_private_key(sign, get_passphrase(passphrase_file, required=False))
    co_key = None
    if cosign is not None:
        env = os.environ.get("FKIT_COSIGN_PASSPHRASE")
        if cosign_passphrase_file is None and env is not None:
            co_pass: bytes | None = env.encode()
        else:
            co_pass = get_passphrase(cosign_passphrase_file, required=False)
        co_key = load_private_key(cosign, co_pass)
    for k in (key, co_key):
        if k is not None:
            require_key_fits_case(k, the_case.info, "sign custody events of")
    signed = sign_event(event, key, co_key)
    append_event(the_case, signed)
    for k in (key, co_key):
        if k is not None:
            allowed_signers.add(the_case, k)
    the_case.update_bag()
    rec = new_record("custody.event", "custody", "1", case=str(case), **{k: v for k, v in signed.items() if k != "schema"})
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit custody: event {signed['seq']} ({action}) for {', '.join(signed['exhibits'])} "
                f"signed by {key.key_id}" + (f" and {co_key.key_id}" if co_key else ""))
    if checked is not None:
        summary = recheck_summary(checked)
        console.say(f"  hash re-check: {checked['ok']} of {checked['files']} files OK" + (f"; {summary}" if summary else ""))
        if checked["result"] != "ok":
            raise typer.Exit(int(ExitCode.CHECK_FAILED))


@custody_app.command("verify")
def custody_verify(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Trusted OpenSSH allowed_signers file (default: $FKIT_TRUST)."),
    trust_package: bool = typer.Option(False, "--trust-package", help="Trust the package's own fkit/allowed_signers."),
) -> None:
    """Check chain, signatures and trust, time order, continuity and that every exhibit is accounted for.

    Exit 0 when all holds, 1 with one sentence per gap or break.
    """
    from forensic_kit.cli.cmd_verify import _trust_text
    from forensic_kit.custody import verify_custody
    from forensic_kit.package import Case

    the_case = Case.open(case)
    trusted, source = _trust_text(trust, trust_package, case)
    result = verify_custody(the_case, trusted)
    out = console.stdout_bytes()
    for f in result.findings:
        out.write(jsonl.dump_bytes(new_record("custody.finding", "custody", "1", case=str(case), **f.as_dict())))
    out.write(jsonl.dump_bytes(new_record("custody.verify", "custody", "1", case=str(case), ok=result.ok,
                                          events=len(result.events), findings=len(result.findings), trust=source)))
    for f in result.findings:
        console.say(f"  {f.message}")
    console.say(f"fkit custody: {len(result.events)} events, "
                + ("chain intact, every exhibit accounted for" if result.ok else f"{len(result.findings)} problem(s)")
                + f" (trust: {source})")
    raise typer.Exit(int(ExitCode.OK if result.ok else ExitCode.CHECK_FAILED))


@custody_app.command("show")
def custody_show(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
) -> None:
    """List the events: a table on a terminal, JSON Lines otherwise."""
    from forensic_kit.custody import party_label, read_events, short_time
    from forensic_kit.package import Case

    events = read_events(Case.open(case))
    if not console.stdout_is_tty():
        out = console.stdout_bytes()
        for e in events:
            out.write(jsonl.dump_bytes(e))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("#", "time (UTC)", "action", "exhibits", "released by", "received by", "seal", "signed")
    for e in events:
        seal = e.get("seal") or {}
        roles = ",".join(str(s.get("role")) for s in e.get("signatures") or [] if isinstance(s, dict))
        table.add_row(str(e.get("seq")), short_time(e.get("time")), str(e.get("action")),
                      ",".join(e.get("exhibits") or []), party_label(e.get("released_by")),
                      party_label(e.get("received_by")) if e.get("received_by") else "",
                      " ".join(str(v) for v in (seal.get("number"), seal.get("state")) if v), roles)
    Console(highlight=False).print(table)


def register(app: typer.Typer) -> None:
    """Add ``fkit custody`` to the application."""
    app.add_typer(custody_app, name="custody")
