"""``fkit verify CASE|SUBSET``: signature, trust, manifests, records, payload and custody."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console, progress_view
from forensic_kit.cli.options import CLUSTER_OPTION, SPOT_CHECK_OPTION, TLS_CA_OPTION, TLS_CERT_OPTION, TLS_KEY_OPTION
from forensic_kit.display import safe_text
from forensic_kit.errors import InputError
from forensic_kit.exitcodes import ExitCode

TRUST_ENV = "FKIT_TRUST"
_MAX_LINES = 20


def _decode_trust(data: bytes, what: str, flag: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} is not a text allowed_signers file ({flag}): give your unit's "
                         f"OpenSSH allowed_signers list") from None
    if "\x00" in text:
        raise InputError(f"{what} is not a text allowed_signers file ({flag}): it holds NUL bytes")
    return text


def _trust_text(trust: Optional[Path], trust_package: bool, target: Path) -> tuple[str | None, str]:
    if trust is not None:
        try:
            data = trust.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read trusted signers file {trust} (--trust): {exc.strerror}") from None
        return _decode_trust(data, f"trusted signers file {trust}", "--trust"), str(trust)
    env = os.environ.get(TRUST_ENV)
    if env:
        try:
            data = Path(env).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {TRUST_ENV}={env}: {exc.strerror} (fix it or give --trust FILE)") from None
        return _decode_trust(data, f"{TRUST_ENV}={env}", TRUST_ENV), env
    if trust_package:
        from forensic_kit.manifest.safeio import read_regular

        console.warn("trusting the package's own fkit/allowed_signers: confirm the signer's fingerprint "
                     "by another channel")
        p = target / "fkit" / "allowed_signers"
        own, why = read_regular(p, 1 << 20)
        if own is None:
            console.warn(f"--trust-package: {p} cannot be used ({why}): no signature can be trusted; give --trust FILE")
            return None, "none"
        return _decode_trust(own, str(p), "--trust-package"), f"{p} (the package's own list)"
    return None, "none"


TRUST_HINT = ("no trust list: give --trust ALLOWED_SIGNERS (your unit's list, kept outside the package) "
              f"or set {TRUST_ENV}; without one no signature can be trusted")


def verify_command(
    target: Path = typer.Argument(..., metavar="CASE|SUBSET", help="A sealed case package or a subset made by fkit prove."),
    trust: Optional[Path] = typer.Option(None, "--trust", help=f"Trusted OpenSSH allowed_signers file (default: ${TRUST_ENV})."),
    trust_package: bool = typer.Option(False, "--trust-package", help="Trust the package's own fkit/allowed_signers (only after checking the fingerprint by another channel)."),
    as_json: bool = typer.Option(False, "--json", help="Write the full report as JSON on stdout."),
    records: bool = typer.Option(False, "--records", help="Write every per-file verdict record (JSON Lines) on stdout."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes for hashing."),
    deep: bool = typer.Option(False, "--deep", help="Also re-check every record against manifest-sha256.txt."),
    expect_head: List[str] = typer.Option([], "--expect-head", metavar="SEQ:SHA256", help="A custody ledger head from a receipt or paper (custody add prints it); the ledger must still hold it. Repeatable."),
    report_pdf: Optional[Path] = typer.Option(None, "--report", help="Also write a PDF verification report (needs the report module)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
    cluster: Optional[str] = CLUSTER_OPTION,
    spot_check: int = SPOT_CHECK_OPTION,
    tls_ca: Optional[Path] = TLS_CA_OPTION,
    tls_cert: Optional[Path] = TLS_CERT_OPTION,
    tls_key: Optional[Path] = TLS_KEY_OPTION,
) -> None:
    """Check that nothing changed since the package was sealed, and who sealed it.

    Exit 0: everything checked out. 1: a check failed (changed/missing/new file, bad or untrusted
    signature, broken custody chain). 3: some items could not be read. 4: not a sealed package.
    """
    from forensic_kit.manifest.verify import verify_case

    if as_json and records:
        from forensic_kit.errors import UsageError

        raise UsageError("--json and --records both write to stdout: choose one")
    from forensic_kit.cli.cluster_opts import client_for

    trusted, trust_src = _trust_text(trust, trust_package, target)
    client = client_for(cluster, tls_ca, tls_cert, tls_key)
    if trusted is None and not quiet:
        console.say(TRUST_HINT)
    out = console.stdout_bytes()
    def write_verdict(rec: dict[str, object]) -> None:
        out.write(jsonl.dump_bytes(rec))

    on_verdict = write_verdict if records else None
    items, nbytes = _payload_oxum(target)
    with progress_view.job("verifying", quiet=quiet, total_items=items, total_bytes=nbytes) as meter:
        report = verify_case(target, trusted, jobs, on_verdict, deep=deep, expect_heads=expect_head, cluster=client,
                             spot_check=spot_check)
        if report.kind == "case" and (target / "fkit" / "received").is_dir():  # opened by fkit receive: the sender's chain
            from forensic_kit.share.check import verify_received

            verify_received(report, target, trusted)
    if as_json:
        doc = report.as_dict()
        doc["trust_source"] = trust_src
        out.write(json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n")
    out.flush()
    if report_pdf is not None:
        _pdf_hook(target, report_pdf, report, trust)
    if not quiet:
        _summary(report, trust_src)
        console.say(f"  checked {progress_view.summary(meter, meter.snapshot().bytes or None)}")
        if client is not None and report.spot:
            agree = "all agree" if not any(f.code == "cluster.spot_check" for f in report.findings) else "DISAGREEMENT"
            console.say(f"  cluster {client.scheduler.address}: {report.spot['checked']} payload files spot-checked "
                        f"here ({spot_check} per worker, {report.spot['workers']} workers): {agree}")
    if client is not None:
        client.close()
    from forensic_kit.casefacts import required_warnings  # case facts the profile requires (papers)
    for line in required_warnings(target):
        console.warn(line)
    raise typer.Exit(int(report.exit_code))


def _payload_oxum(target: Path) -> tuple[int | None, int | None]:
    """The payload's file count and bytes as the bag declares them (``Payload-Oxum``), for the
    progress display only: the verdicts never rely on it."""
    try:
        text = (target / "bag-info.txt").read_text("utf-8", errors="replace")
    except OSError:
        return None, None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "payload-oxum":
            nbytes, _, count = value.strip().partition(".")
            if nbytes.isdigit() and count.isdigit():
                return int(count), int(nbytes)
    return None, None


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
    from forensic_kit.errors import FkitError

    try:
        render_verify_certificate(Case.open(target), report, pdf, trust=trust)
    except FkitError as exc:  # a package too damaged for a certificate: the verdict above still stands
        console.warn(f"--report: no certificate written: {exc.message}")
        return
    console.say(f"  report: {pdf}")


def _summary(report: object, trust_src: str) -> None:
    from forensic_kit.manifest.verify import VerifyReport

    assert isinstance(report, VerifyReport)
    def say(text: str) -> None:  # every line escaped once, here
        console.say(safe_text(text))

    sig = report.signature
    say(f"fkit verify: {report.kind} {report.target} (case {report.case_id})")
    if sig.get("valid"):
        person = sig.get("person")
        who = (f"{person['name']}" + (f" ({person['id']})" if person.get("id") else "")) if person else (
            ", ".join(sig.get("principals") or []) or "signer not in the trust list")
        state = "EXPIRED" if sig.get("expired") else ("TRUSTED" if sig.get("trusted") else "NOT TRUSTED")
        say(f"  signature: valid, {who} {sig.get('fingerprint')} — {state} (trust: {trust_src})")
    elif report.manifest_sha256 is not None:
        say("  signature: INVALID or missing")
    if report.revision is not None:
        say(f"  seal: revision {report.revision}, manifest sha256 {report.manifest_sha256}")
    if len(report.revisions) > 1:
        for r in report.revisions:
            person = r.get("person")
            by = person["name"] if isinstance(person, dict) else (r.get("signer") or "?")
            why = f", reason: {r['reason']}" if r.get("reason") else ""
            say(f"    revision {r['number']}: {r.get('created')}, signed by {by}{why}")
    custody = report.custody or {}
    if custody.get("head"):
        say(f"  custody head: {custody['head']} ({custody.get('events', 0)} events)")
    for name, state in report.checks.items():
        if name != "signature":
            say(f"  {name}: {state}")
    c = report.counts
    if c:
        shown = ", ".join(f"{k} {v}" for k, v in c.items() if k not in ("bytes", "files"))
        on_disk = f" ({c['files']} files, {c.get('bytes', 0)} bytes on disk)" if "files" in c else ""
        say(f"  verdicts: {shown}{on_disk}")
    for f in report.findings[:_MAX_LINES]:
        say(f"  ! {f.message}")
    if len(report.findings) > _MAX_LINES:
        say(f"  ... and {len(report.findings) - _MAX_LINES} more (use --json)")
    for note in report.notes:
        say(f"  note: {note}")
    code = report.exit_code
    verdict = {ExitCode.OK: "OK: nothing changed since sealing; seal is trusted",
               ExitCode.CHECK_FAILED: "FAILED", ExitCode.PARTIAL: "INCOMPLETE: some items could not be checked"}
    say(f"  result: {verdict.get(code, str(int(code)))}")


def register(app: typer.Typer) -> None:
    """Add ``fkit verify`` to the application."""
    app.command("verify")(verify_command)
