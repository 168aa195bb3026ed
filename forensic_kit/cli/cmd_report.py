"""``fkit report custody CASE -o custody.pdf``: the court-ready chain-of-custody record."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console, progress_view
from forensic_kit.records import new_record
from forensic_kit.exitcodes import ExitCode

report_app = typer.Typer(help="PDF reports (custody record).", no_args_is_help=True)


@report_app.command("custody")
@progress_view.shows_progress("custody record")
def report_custody(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Languages, first authoritative (default: the profile's), e.g. ar,fr,en."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Profile (default: the case's)."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Trust list (OpenSSH allowed_signers with '# fkit-person:' lines) naming each signer; default $FKIT_TRUST. Without one every signature prints as not verified."),
    sign_pdf: Optional[Path] = typer.Option(None, "--sign-pdf", help="PKCS#12 certificate to add a PAdES signature (pyHanko); passphrase from FKIT_P12_PASSPHRASE."),
    mrz: Optional[Path] = typer.Option(None, "--mrz", metavar="RECORDS.jsonl", help="Add a section listing the travel documents of this fkit mrz output (zone picture, fields, check digits, findings)."),
) -> None:
    """Render the custody record: case, exhibits and seals, integrity, custody events with signature
    lines, verification statement, per-file hash annex. PDF/A-3b with fkit/manifest.json attached.
    """
    from forensic_kit.package import Case
    from forensic_kit.report import render_custody_report

    the_case = Case.open(case)
    langs = [x.strip() for x in lang.split(",") if x.strip()] if lang else None
    result = render_custody_report(the_case, output, langs=langs, profile_name=profile, sign_p12=sign_pdf,
                                   trust=trust, mrz=mrz)
    rec = new_record("report", "report", "1", case=str(case), report=str(output), **result)
    console.stdout_bytes().write(jsonl.dump_bytes(rec))
    console.say(f"fkit report: wrote {output} ({result['pages']} pages, languages {','.join(result['languages'])})")
    if result.get("mrz_images_changed"):
        console.error(f"{result['mrz_images_changed']} document images no longer match their MRZ records' SHA-256: "
                      "printed without a picture")
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


@report_app.command("disclosures")
def report_disclosures(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Languages, first authoritative (default: the profile's)."),
) -> None:
    """Render the transfer log: every 'disclosed' custody event (date, recipient authority, data, justification)."""
    from forensic_kit.package import Case
    from forensic_kit.report.disclosures import render

    result = render(Case.open(case), output, [x.strip() for x in lang.split(",") if x.strip()] if lang else None)
    console.stdout_bytes().write(jsonl.dump_bytes(new_record("report", "report", "1", case=str(case), report=str(output), **result)))
    console.say(f"fkit report: wrote {output} ({result['pages']} pages, {result['disclosures']} disclosures)")


def register(app: typer.Typer) -> None:
    """Add ``fkit report`` to the application."""
    app.add_typer(report_app, name="report")
