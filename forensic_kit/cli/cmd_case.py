"""``fkit case init``: create a case package (BagIt 1.0 bag, DESIGN.md section 5)."""

from __future__ import annotations

from pathlib import Path

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


def register(app: typer.Typer) -> None:
    """Add ``fkit case`` to the application."""
    app.add_typer(case_app, name="case")
