"""``fkit case init``: create a case package (BagIt 1.0 bag, DESIGN.md section 5);
``fkit case set``: record signed case facts (legal authority, seizure) with their history."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.records import new_record

case_app = typer.Typer(help="Case packages (BagIt 1.0 bags).", no_args_is_help=True)


@case_app.command("init")
def case_init(
    case: Path = typer.Argument(..., metavar="CASE", help="Folder of the new case package (must not exist or be empty)."),
    case_id: str = typer.Option(..., "--case-id", help="Case identifier, e.g. 2026-RABAT-0042."),
    agency: str = typer.Option(..., "--agency", help="Agency that owns the case."),
    officer: str = typer.Option(..., "--officer", help="Officer in charge."),
    profile: str = typer.Option("eu", "--profile", help="Profile: ma, tn, dz, eg, ly, eu, training."),
) -> None:
    """Create an empty case package: bagit.txt, bag-info.txt, data/, fkit/case.json, manifests.

    Refuses to overwrite an existing case or any non-empty folder.
    """
    from forensic_kit.package import Case
    from forensic_kit.profiles import load_profile

    prof = load_profile(profile)  # an unknown profile is a usage error
    prof.check_case_id(case_id)  # the training profile refuses ids without MOCK-
    the_case = Case.init(case, case_id, agency, officer, profile=profile, training=prof.training)
    rec = new_record("case", "case", "1", case=str(case), **the_case.info)
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit case: created {the_case.info['case_id']} in {case}")


@case_app.command("set")
def case_set(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    legal_basis: Optional[str] = typer.Option(None, "--legal-basis", help="Legal authority, as the agency words it (e.g. the article of the code of criminal procedure)."),
    order_number: Optional[str] = typer.Option(None, "--order-number", help="Number of the warrant / order / requisition."),
    issued_by: Optional[str] = typer.Option(None, "--issued-by", help="Court, judge or prosecutor who issued the order."),
    issued_on: Optional[str] = typer.Option(None, "--issued-on", help="Date the order was issued (YYYY-MM-DD)."),
    seizure_place: Optional[str] = typer.Option(None, "--seizure-place", help="Where the exhibits were seized."),
    seizure_time: Optional[str] = typer.Option(None, "--seizure-time", help="When (ISO 8601; without offset: the profile's zone)."),
    seized_by: Optional[str] = typer.Option(None, "--seized-by", help="NAME[,ID[,ORG]] of the seizing officer."),
    officer_in_charge: Optional[str] = typer.Option(None, "--officer-in-charge", help="NAME[,ID[,ORG]] of the officer in charge."),
    prosecutor: Optional[str] = typer.Option(None, "--prosecutor", help="Prosecutor (NAME[,ID[,ORG]] or the office)."),
    court_ref: Optional[str] = typer.Option(None, "--court-ref", help="Court / docket reference."),
    sign: Path = typer.Option(..., "--sign", help="Ed25519 OpenSSH private key of the person setting the facts."),
    passphrase_file: Optional[Path] = typer.Option(None, "--passphrase-file", help="Passphrase of the key (else FKIT_PASSPHRASE or prompt)."),
    new_revision: bool = typer.Option(False, "--new-revision", help="The case is sealed: change its facts anyway, as the next revision (seal it again with fkit manifest build --reason)."),
) -> None:
    """Set case facts: one signed entry appended to fkit/case-facts.jsonl (earlier values are kept).

    Facts never set fall back to the first "seized" custody event (place, time, seizing officer).
    """
    from forensic_kit.casefacts import append_entry, new_entry, sign_entry
    from forensic_kit.cli.passphrase import get_passphrase
    from forensic_kit.package import Case
    from forensic_kit.signing import allowed_signers
    from forensic_kit.signing.keys import load_private_key, require_key_fits_case

    the_case = Case.open(case)
    given = {"legal_basis": legal_basis, "order_number": order_number, "issued_by": issued_by,
             "issued_on": issued_on, "seizure_place": seizure_place, "seizure_time": seizure_time,
             "seized_by": seized_by, "officer_in_charge": officer_in_charge, "prosecutor": prosecutor,
             "court_ref": court_ref}
    entry = new_entry(the_case, {k: v for k, v in given.items() if v is not None})  # values checked first
    the_case.require_unsealed("case set", new_revision)  # facts are part of what the seal covers
    key = load_private_key(sign, get_passphrase(passphrase_file, required=False))
    require_key_fits_case(key, the_case.info, "set facts of")
    signed = sign_entry(entry, key)
    append_entry(the_case, signed)
    allowed_signers.add(the_case, key, allowed_signers.DEFAULT_NAMESPACES + ("fkit-case",))
    rec = new_record("case.facts", "case", "1", case=str(case), **{k: v for k, v in signed.items() if k != "schema"})
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit case: entry {signed['seq']} sets {', '.join(signed['set'])} (signed by {key.key_id})")


def register(app: typer.Typer) -> None:
    """Add ``fkit case`` to the application."""
    app.add_typer(case_app, name="case")
