"""``fkit custody add|verify|show``: the signed, hash-chained chain-of-custody ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.cli.passphrase import get_passphrase, key_owner
from forensic_kit.display import safe_text
from forensic_kit.exitcodes import ExitCode
from forensic_kit.records import new_record

if TYPE_CHECKING:
    from forensic_kit.signing.people import TrustList

custody_app = typer.Typer(help="Chain-of-custody ledger (fkit/custody.jsonl).", no_args_is_help=True)


@custody_app.command("add")
def custody_add(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    action: str = typer.Option(..., "--action", help="seized|sealed|transferred|received|acquired|examined|stored|returned|destroyed|exported"),
    exhibits: str = typer.Option(..., "--exhibits", help="Comma-separated exhibit ids, e.g. EX-01,EX-02."),
    by: str = typer.Option(..., "--by", help="Who releases / acts: NAME[,ID,ORG]; must be the holder of the --sign key."),
    to: Optional[str] = typer.Option(None, "--to", help="Who receives: NAME[,ID,ORG]; must be the holder of the --cosign key."),
    at: Optional[str] = typer.Option(None, "--at", help="ISO 8601 time (default now; no offset = the profile's time zone; not in the future)."),
    location: Optional[str] = typer.Option(None, "--location", help="Where it happened."),
    purpose: Optional[str] = typer.Option(None, "--purpose", help="Why (transport, storage, examination...)."),
    seal_number: Optional[str] = typer.Option(None, "--seal-number", help="Seal or bag number."),
    seal_state: Optional[str] = typer.Option(None, "--seal-state", help="intact|broken|new"),
    note: Optional[str] = typer.Option(None, "--note", help="Free text."),
    recheck: bool = typer.Option(False, "--recheck", help="Re-hash the exhibits' files against manifest-sha256.txt and record the result in the event (exit 1 if it fails)."),
    sign: Path = typer.Option(..., "--sign", help="Releaser's Ed25519 OpenSSH private key (the --by person's own key)."),
    cosign: Optional[Path] = typer.Option(None, "--cosign", help="Receiver's private key (the --to person's own key; needed with --to)."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Trusted allowed_signers with person lines: who holds each key (default: $FKIT_TRUST, else the case's own list)."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Passphrase of the --sign key (else FKIT_PASSPHRASE or prompt)."),
    cosign_passphrase_file: Optional[Path] = typer.Option(None, "--cosign-passphrase-file", help="Passphrase of the --cosign key (else FKIT_COSIGN_PASSPHRASE or prompt)."),
    again: bool = typer.Option(False, "--again", help="Add the event even if an identical one is in the ledger (it really happened twice)."),
) -> None:
    """Append one signed event to fkit/custody.jsonl (hash-chained to the previous one).

    Each person signs with their own key: --by must hold the --sign key and --to the --cosign key,
    as the trust list (--trust, else the case's own list) binds keys to people. Prints the ledger
    head (SEQ:SHA256): write it on the receipt; fkit verify --expect-head checks it later.
    """
    from forensic_kit.custody import (
        append_event, bind_signers, head_of, ledger_lines, new_event, recheck_exhibits, recheck_summary,
        refuse_duplicate, sign_event,
    )
    from forensic_kit.errors import SigningKeyError
    from forensic_kit.package import Case
    from forensic_kit.signing import allowed_signers
    from forensic_kit.signing.keys import COSIGN_PASSPHRASE_ENV, load_private_key, require_key_fits_case
    from forensic_kit.signing.people import TrustList

    the_case = Case.open(case)
    ids = exhibits.split(",")
    event = new_event(the_case, action=action, exhibits=ids, by=by, to=to, at=at,
                      location=location, purpose=purpose, seal_number=seal_number, seal_state=seal_state,
                      note=note, recheck=None)
    if to is not None and cosign is None:
        bind_signers(the_case, event, _NoKey(), None, None)  # type: ignore[arg-type]  # the one-line refusal, before any prompt
    if not again:
        refuse_duplicate(the_case, event)
    trust_list = _trust_list(trust)
    key = load_private_key(sign, get_passphrase(passphrase_file, required=False, whose=key_owner(sign)))
    co_key = None
    if cosign is not None:
        co_pass = get_passphrase(cosign_passphrase_file, required=False, env_name=COSIGN_PASSPHRASE_ENV,
                                 flag="--cosign-passphrase-file", whose=key_owner(cosign))
        try:
            co_key = load_private_key(cosign, co_pass)
        except SigningKeyError as exc:  # name the cosign's own passphrase source, not --sign's
            raise SigningKeyError(exc.message.replace("--passphrase-file or FKIT_PASSPHRASE",  # noqa: B904
                                                      f"--cosign-passphrase-file or {COSIGN_PASSPHRASE_ENV}")) from None
    for k in (key, co_key):
        if k is not None:
            require_key_fits_case(k, the_case.info, "sign custody events of")
    holders = bind_signers(the_case, event, key, co_key, trust_list)
    if recheck:
        event["recheck"] = recheck_exhibits(the_case, [e.strip() for e in ids if e.strip()])
    checked = event.get("recheck")
    signed = sign_event(event, key, co_key)
    append_event(the_case, signed)
    for k in (key, co_key):
        if k is not None:
            allowed_signers.add(the_case, k)
    the_case.update_tags()
    head = head_of(ledger_lines(the_case))
    rec = new_record("custody.event", "custody", "1", case=str(case), head=head,
                     **{k: v for k, v in signed.items() if k != "schema"})
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    signers = f"{key.key_id} and {co_key.key_id}" if co_key else f"{key.key_id} only (single signer)"
    console.say(safe_text(f"fkit custody: event {signed['seq']} ({action}) for {', '.join(signed['exhibits'])} "
                          f"signed by {signers}"))
    for h in holders:
        console.say(safe_text(f"  {h}"))
    if trust_list is None:
        console.say(f"  note: no --trust given: {TRUST_HINT_ADD}")
    console.say(f"  ledger head: {head}  (write it on the receipt; fkit verify --expect-head {head[:12]}...)")
    if checked is not None:
        summary = recheck_summary(checked)
        console.say(f"  hash re-check: {checked['ok']} of {checked['files']} files OK" + (f"; {summary}" if summary else ""))
        if checked["result"] != "ok":
            raise typer.Exit(int(ExitCode.CHECK_FAILED))


TRUST_HINT_ADD = "the people were checked against the case's own list or the keys' own descriptions"


class _NoKey:
    """Stands for a missing --cosign key in :func:`bind_signers`'s early refusal."""

    public_blob = b""


def _trust_list(trust: Optional[Path]) -> "TrustList | None":
    from forensic_kit.cli.cmd_verify import _trust_text
    from forensic_kit.signing.people import TrustList

    text, source = _trust_text(trust, False, Path("."))
    return TrustList(text, source) if text is not None else None


@custody_app.command("verify")
def custody_verify(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Trusted OpenSSH allowed_signers file (default: $FKIT_TRUST)."),
    trust_package: bool = typer.Option(False, "--trust-package", help="Trust the package's own fkit/allowed_signers."),
    expect_head: List[str] = typer.Option([], "--expect-head", metavar="SEQ:SHA256", help="A ledger head from a receipt or paper; the ledger must still hold it. Repeatable."),
) -> None:
    """Check chain, signatures and trust, who signed (derived from each signature), time order,
    continuity, that every exhibit is accounted for, and the anchors (the seal's recorded head,
    --expect-head).

    Exit 0 when all holds, 1 with one sentence per gap or break.
    """
    from forensic_kit.cli.cmd_verify import TRUST_HINT, _trust_text
    from forensic_kit.custody import parse_head, verify_custody
    from forensic_kit.manifest.safeio import read_regular
    from forensic_kit.manifest.verify import _dict
    from forensic_kit.package import Case

    the_case = Case.open(case)
    trusted, source = _trust_text(trust, trust_package, case)
    if trusted is None:
        console.say(TRUST_HINT)
    heads = []
    for h in expect_head:
        parse_head(h)
        heads.append((h, "--expect-head"))
    data, _why = read_regular(case / "fkit" / "manifest.json")
    if data is not None:
        try:
            sealed = _dict(_dict(json.loads(data)).get("custody")).get("head")
        except ValueError:
            sealed = None
        if isinstance(sealed, str):
            heads.append((sealed, "the seal"))
    result = verify_custody(the_case, trusted, heads)
    out = console.stdout_bytes()
    for f in result.findings:
        out.write(jsonl.dump_bytes(new_record("custody.finding", "custody", "1", case=str(case), **f.as_dict())))
    out.write(jsonl.dump_bytes(new_record("custody.verify", "custody", "1", case=str(case), ok=result.ok,
                                          events=len(result.events), findings=len(result.findings), trust=source,
                                          head=result.head, signatures=[v.as_dict() for v in result.signatures])))
    for v in result.signatures:
        who = v.person.label() if v.person else "not verified (no person bound to this key)"
        console.say(safe_text(f"  event {v.seq} {v.role}: {who} {v.fingerprint or 'invalid signature'}"
                              + (f" [{v.problem}]" if v.problem else "")))
    for f in result.findings:
        console.say(safe_text(f"  {f.message}"))
    for n in result.notes:
        console.say(safe_text(f"  note: {n}"))
    console.say(safe_text(f"fkit custody: {len(result.events)} events, head {result.head}, "
                          + ("chain intact, every exhibit accounted for" if result.ok else f"{len(result.findings)} problem(s)")
                          + f" (trust: {source})"))
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
    from rich.markup import escape
    from rich.table import Table

    table = Table("#", "time (UTC)", "action", "exhibits", "released by", "received by", "seal", "signed")
    for e in events:
        seal_value = e.get("seal")
        seal: dict[str, Any] = seal_value if isinstance(seal_value, dict) else {}
        roles = ",".join(str(s.get("role")) for s in e.get("signatures") or [] if isinstance(s, dict))
        cells = [str(e.get("seq")), short_time(e.get("time")), str(e.get("action")),
                 ",".join(str(x) for x in e.get("exhibits") or []), party_label(e.get("released_by")),
                 party_label(e.get("received_by")) if e.get("received_by") else "",
                 " ".join(str(v) for v in (seal.get("number"), seal.get("state")) if v), roles or "UNSIGNED"]
        table.add_row(*(escape(safe_text(c)) for c in cells))
    Console(highlight=False).print(table)


def register(app: typer.Typer) -> None:
    """Add ``fkit custody`` to the application."""
    app.add_typer(custody_app, name="custody")
