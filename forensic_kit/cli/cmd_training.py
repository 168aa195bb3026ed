"""``fkit training new|check``: mock-trial cases with planted flaws, and the trainer's cross-checks."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console, progress_view
from forensic_kit.exitcodes import ExitCode
from forensic_kit.records import new_record

training_app = typer.Typer(help="Mock-trial cases with planted flaws and an answer key (training only).",
                           no_args_is_help=True)


@training_app.command("new")
@progress_view.shows_progress("training case")
def training_new(
    out: Path = typer.Argument(..., metavar="OUT", help="Folder to create (must not exist or be empty)."),
    seed: int = typer.Option(..., "--seed", help="Seed: the same seed and options give byte-identical outputs."),
    flaws: Optional[str] = typer.Option(None, "--flaws", help="Comma-separated: custody-gap, tampered-file, wrong-timezone, "
                                        "swapped-exhibit, unsigned-transfer, late-seal, untrusted-signer (default: none)."),
    profile: str = typer.Option("training", "--profile", help="training, ma, tn, eg, ly or dz (the case is always a MOCK- training case)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Languages of the PDFs, first authoritative (default: the profile's), e.g. ar,fr,en."),
) -> None:
    """Generate a synthetic case (two phones, a camera card, a USB stick), run it through the real
    pipeline with training keys, plant the flaws, and write handout.pdf and answer-key.pdf.

    Prints one record describing the case, its PDFs and every planted flaw (where it shows, which
    command reveals it).
    """
    from forensic_kit.training.case import generate_case
    from forensic_kit.training.flaws import parse_flaws

    names = parse_flaws(flaws)
    langs = [x.strip() for x in lang.split(",") if x.strip()] if lang else None
    console.say(f"fkit training: generating seed {seed}, flaws: {', '.join(names) or 'none'} ...")
    result = generate_case(out, seed, names, profile=profile, langs=langs)
    rec = new_record("training.case", "training", "1", out=str(out), **result.as_dict())
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit training: case {result.case}, {len(result.exhibits)} exhibits, "
                f"{len(result.flaws)} planted flaw(s)")
    for name, path in sorted(result.pdfs.items()):
        console.say(f"  {name}: {path}")
    console.say(f"  verify with: fkit verify {result.case} --trust {result.trust}")


@training_app.command("check")
def training_check(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
) -> None:
    """The cross-check no signature or ledger shows: photo clocks against GPS time and the legal
    offset of the place (seal numbers and seal delays are checked by 'fkit custody verify').

    Exit 0 when nothing is found, 1 with one record and one sentence per finding.
    """
    from forensic_kit.package import Case
    from forensic_kit.training.check import check_case

    findings = check_case(Case.open(case))
    out = console.stdout_bytes()
    for f in findings:
        out.write(jsonl.dump_bytes(new_record("training.finding", "training-check", "1", case=str(case), **f.as_dict())))
        console.say(f"  {f.message}")
    console.say(f"fkit training check: {len(findings)} finding(s)")
    raise typer.Exit(int(ExitCode.CHECK_FAILED if findings else ExitCode.OK))


def register(app: typer.Typer) -> None:
    """Add ``fkit training`` to the application."""
    app.add_typer(training_app, name="training")
