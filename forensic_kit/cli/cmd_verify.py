"""``fkit verify CASE|SUBSET``: signature, trust, manifests, records, payload and custody."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.errors import InputError
from forensic_kit.exitcodes import ExitCode

TRUST_ENV = "FKIT_TRUST"
_MAX_LINES = 20


def _trust_text(trust: Optional[Path], trust_package: bool, target: Path) -> tuple[str | None, str]:
    if trust is not None:
        try:
            return trust.read_text(encoding="utf-8"), str(trust)
        except OSError as exc:
            raise InputError(f"cannot read trusted signers file {trust}: {exc.strerror}") from None
    env = os.environ.get(TRUST_ENV)
    if env:
        try:
            return Path(env).read_text(encoding="utf-8"), env
        except OSError as exc:
            raise InputError(f"cannot read {TRUST_ENV}={env}: {exc.strerror}") from None
    if trust_package:
        console.warn("trusting the package's own fkit/allowed_signers: confirm the signer's fingerprint "
                     "by another channel")
        p = target / "fkit" / "allowed_signers"
        try:
            return p.read_text(encoding="utf-8"), f"{p} (the package's own list)"
        except OSError:
            return None, "none"
    return None, "none"


def verify_command(
    target: Path = typer.Argument(..., metavar="CASE|SUBSET", help="A sealed case package or a subset made by fkit prove."),
    trust: Optional[Path] = typer.Option(None, "--trust", help=f"Trusted OpenSSH allowed_signers file (default: ${TRUST_ENV})."),
    trust_package: bool = typer.Option(False, "--trust-package", help="Trust the package's own fkit/allowed_signers (only after checking the fingerprint by another channel)."),
    as_json: bool = typer.Option(False, "--json", help="Write the full report as JSON on stdout."),
    records: bool = typer.Option(False, "--records", help="Write every per-file verdict record (JSON Lines) on stdout."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes for hashing."),
    deep: bool = typer.Option(False, "--deep", help="Also re-check every record against manifest-sha256.txt."),
    report_pdf: Optional[Path] = typer.Option(None, "--report", help="Also write a PDF verification report (needs the report module)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Check that nothing changed since the package was sealed, and who sealed it.

    Exit 0: everything checked out. 1: a check failed (changed/missing/new file, bad or untrusted
    signature, broken custody chain). 3: some items could not be read. 4: not a sealed package.
    """
    from forensic_kit.manifest.verify import verify_case

    if as_json and records:
        from forensic_kit.errors import UsageError

        raise UsageError("--json and --records both write to stdout: choose one")
    trusted, trust_src = _trust_text(trust, trust_package, target)
    out = console.stdout_bytes()
    def write_verdict(rec: dict[str, object]) -> None:
        out.write(jsonl.dump_bytes(rec))

    on_verdict = write_verdict if records else None
    report = verify_case(target, trusted, jobs, on_verdict, deep=deep)
    if as_json:
        doc = report.as_dict()
        doc["trust_source"] = trust_src
        out.write(json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n")
    out.flush()
    if report_pdf is not None:
        _pdf_hook(target, report_pdf, report, trust)
    if not quiet:
        _summary(report, trust_src)
    from forensic_kit.casefacts import required_warnings  # case facts the profile requires (papers)
    for line in required_warnings(target):
        console.warn(line)
    raise typer.Exit(int(report.exit_code))


def _pdf_hook(target: Path, pdf: Path, report: object, trust: Optional[Path] = None) -> None:
    """``--report``: the custody/report engineer's one-page verification certificate."""
    try:
        from forensic_kit.package import Case
        from forensic_kit.report import render_verify_certificate
    except ImportError:
        console.warn("--report: the PDF verification report is not available in this build")
        return
    if not (target / "bagit.txt").is_file():
        console.warn("--report: a PDF certificate is made for a full case package, not a subset")
        return
    render_verify_certificate(Case.open(target), report, pdf, trust=trust)
    console.say(f"  report: {pdf}")


def _summary(report: object, trust_src: str) -> None:
    from forensic_kit.manifest.verify import VerifyReport

    assert isinstance(report, VerifyReport)
    sig = report.signature
    console.say(f"fkit verify: {report.kind} {report.target} (case {report.case_id})")
    if sig.get("valid"):
        who = ", ".join(sig.get("principals") or []) or "signer not in the trust list"
        state = "TRUSTED" if sig.get("trusted") else "NOT TRUSTED"
        console.say(f"  signature: valid, {who} {sig.get('fingerprint')} — {state} (trust: {trust_src})")
    else:
        console.say("  signature: INVALID or missing")
    for name, state in report.checks.items():
        if name != "signature":
            console.say(f"  {name}: {state}")
    c = report.counts
    if c:
        shown = ", ".join(f"{k} {v}" for k, v in c.items() if k not in ("bytes", "files"))
        on_disk = f" ({c['files']} files, {c.get('bytes', 0)} bytes on disk)" if "files" in c else ""
        console.say(f"  verdicts: {shown}{on_disk}")
    for f in report.findings[:_MAX_LINES]:
        console.say(f"  ! {f.message}")
    if len(report.findings) > _MAX_LINES:
        console.say(f"  ... and {len(report.findings) - _MAX_LINES} more (use --json)")
    for note in report.notes:
        console.say(f"  note: {note}")
    code = report.exit_code
    verdict = {ExitCode.OK: "OK: nothing changed since sealing; seal is trusted",
               ExitCode.CHECK_FAILED: "FAILED", ExitCode.PARTIAL: "INCOMPLETE: some items could not be checked"}
    console.say(f"  result: {verdict.get(code, str(int(code)))}")


def register(app: typer.Typer) -> None:
    """Add ``fkit verify`` to the application."""
    app.command("verify")(verify_command)
