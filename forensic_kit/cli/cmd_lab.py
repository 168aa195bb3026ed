"""``fkit lab verify ROOT...``: re-verify every sealed package a laboratory keeps."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console, progress_view
from forensic_kit.cli.options import CLUSTER_OPTION, SPOT_CHECK_OPTION, TLS_CA_OPTION, TLS_CERT_OPTION, TLS_KEY_OPTION
from forensic_kit.cli.records_out import console_safe
from forensic_kit.exitcodes import ExitCode

lab_app = typer.Typer(help="Laboratory scale: re-verify every package, spread work over a Dask cluster.",
                      no_args_is_help=True)

_MAX_LINES = 20


@lab_app.command("verify")
def lab_verify_command(
    roots: List[Path] = typer.Argument(..., metavar="ROOT...", help="Folders holding packages (searched recursively)."),
    trust: Optional[Path] = typer.Option(None, "--trust", help="The laboratory's trusted allowed_signers (else FKIT_TRUST)."),
    state: Optional[Path] = typer.Option(None, "--state", help="State file: remembers each package's last result and reports what changed since."),
    report_pdf: Optional[Path] = typer.Option(None, "--report", metavar="LAB.PDF", help="Also write the trilingual PDF report (Arabic, French, English): summary, one row per package, changes since the last run."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display and no summary on stderr."),
    cluster: Optional[str] = CLUSTER_OPTION,
    spot_check: int = SPOT_CHECK_OPTION,
    tls_ca: Optional[Path] = TLS_CA_OPTION,
    tls_cert: Optional[Path] = TLS_CERT_OPTION,
    tls_key: Optional[Path] = TLS_KEY_OPTION,
) -> None:
    """Verify every fkit package under ROOT... (seal, payload, custody) exactly as fkit verify does.

    Writes one lab.package record per package (and lab.change records with --state), then a
    summary. Exit 1 when any package has a finding (or a cluster worker's answer is contradicted
    by a spot check here), 3 when some package could not be verified at all, else 0.
    """
    import os

    from forensic_kit.cli.cluster_opts import client_for
    from forensic_kit.errors import InputError
    from forensic_kit.lab import state as lab_state
    from forensic_kit.lab.discover import find_packages
    from forensic_kit.lab.verify import lab_verify
    from forensic_kit.timeutil import datetime_to_iso, now_utc

    trust_path = trust or (Path(os.environ["FKIT_TRUST"]) if os.environ.get("FKIT_TRUST") else None)
    trusted = None
    if trust_path is not None:
        try:
            trusted = trust_path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the trust list {trust_path}: {getattr(exc, 'strerror', None) or exc}") from None
    for root in roots:
        if not root.is_dir():
            raise InputError(f"{root} is not a folder")
    if report_pdf is not None and not report_pdf.parent.is_dir():
        raise InputError(f"{report_pdf.parent}: no such folder for the report")
    before = lab_state.load(state) if state is not None else {}
    previous = lab_state.written(state) if state is not None else None
    packages = find_packages([r.absolute() for r in roots])  # a lab record names a package unambiguously
    client = client_for(cluster, tls_ca, tls_cert, tls_key)
    out = console.stdout_bytes()

    written: list[bytes] = []  # kept for the PDF report's attachment

    def emit(rec: dict[str, object]) -> None:
        line = jsonl.dump_bytes(rec)
        out.write(line)
        out.flush()
        if report_pdf is not None:
            written.append(line)

    with progress_view.job("lab verify", quiet=quiet, total_items=len(packages)) as meter:
        from forensic_kit import progress

        def on_record(rec: dict[str, object]) -> None:
            progress.add(items=1)
            emit(rec)

        records, summary = lab_verify(packages, trusted, client, spot_check, on_record)
    now = {str(r["package"]): {"verdict": r.get("verdict"), "manifest_sha256": r.get("manifest_sha256"),
                               "case_id": r.get("case_id"), "findings": len(r.get("findings") or [])}
           for r in records}
    changes = lab_state.changes(before, now) if state is not None else []
    if state is not None:
        for ch in changes:
            from forensic_kit.records import new_record

            emit(new_record("lab.change", "lab-verify", "1", **ch))
        lab_state.save(state, now, str(datetime_to_iso(now_utc())))
    if client is not None:
        client.close()
    made = None
    if report_pdf is not None:
        from forensic_kit.report.lab_report import LabRun, render

        made = render(LabRun(records, summary, changes, b"".join(written), state.absolute() if state else None,
                             previous, str(trust_path.absolute()) if trust_path and trusted is not None else None),
                      report_pdf)
    if not quiet:
        if trusted is None:
            console.warn("no trust list given (--trust FILE or FKIT_TRUST): every signature is reported untrusted")
        console.say(f"fkit lab verify: {summary.packages} packages: {summary.ok} OK, {summary.findings} with findings, "
                    f"{summary.unreadable} unreadable; {summary.bytes:,} payload bytes "
                    f"{progress_view.summary(meter, summary.bytes)} ({summary.where})")
        shown = 0
        for r in records:
            if r.get("verdict") != "ok" and shown < _MAX_LINES:
                first = (r.get("findings") or [{}])[0]
                reason = first.get("message") if isinstance(first, dict) and first else r.get("reason")
                console.say(f"  {str(r.get('verdict')).upper():10} {console_safe(str(r['package']))}: "
                            f"{console_safe(str(reason))}")
                shown += 1
        if summary.spot_checked:
            console.say(f"  {summary.spot_checked} payload files spot-checked here against the sealed hashes")
        for ch in changes:
            console.say(f"  since the last run: {ch['change']} {console_safe(str(ch['package']))}"
                        + (f" ({ch.get('before')} → {ch.get('now')})" if ch["change"] == "changed" else ""))
        if made is not None:
            console.say(f"  report: {report_pdf} ({made['pages']} pages, {', '.join(made['languages'])}; "
                        f"records SHA-256 {made['records_sha256']})")
    for bad in summary.spot_checks:
        console.error(f"spot check: worker {bad['worker']} said {bad['package']} was OK, but {bad['path']}: {bad['reason']}")
    raise typer.Exit(int(summary.exit_code))


def register(app: typer.Typer) -> None:
    """Add ``fkit lab`` to the application."""
    app.add_typer(lab_app, name="lab")
