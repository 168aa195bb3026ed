"""``fkit audit KNOWN PATH...``: per-file verdicts against any known hash list."""

from __future__ import annotations

import os
from typing import List, Optional

import typer

from forensic_kit import jsonl
from forensic_kit.audit import VERDICTS, run_audit
from forensic_kit.cli import console, progress_view
from forensic_kit.hashing import parse_algos
from forensic_kit.hashlists import read_known


def audit_command(
    known: str = typer.Argument(..., metavar="KNOWN", help="Known list: fkit JSONL, sha256sum/b3sum list, HASHDEEP-1.0 file or BagIt manifest."),
    paths: List[str] = typer.Argument(..., metavar="PATH...", help="Files or folders to check."),
    algo: Optional[str] = typer.Option(None, "--algo", "-a", help="Algorithm of a bare checksum list when it cannot be told (sha256 or blake3)."),
    follow: bool = typer.Option(False, "--follow", help="Follow symbolic links."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: one per core)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display and no summary on stderr."),
) -> None:
    """Check files against a known list: OK, MODIFIED, MOVED, NEW, MISSING or UNREADABLE each.

    Exit 0 only when every file is OK; 1 when anything is MODIFIED, MOVED, NEW or MISSING;
    3 when something could only not be read.
    """
    hint = parse_algos(algo)[0] if algo else None
    known_list = read_known(os.fsencode(known), hint)
    roots = [os.fsencode(p) for p in paths]
    out = console.stdout_bytes()
    with progress_view.job("auditing", quiet=quiet, scan=roots) as meter:
        records, summary = run_audit(known_list, roots, jobs, follow)
        try:
            for rec in records:
                out.write(jsonl.dump_bytes(rec))
            out.flush()
        except BrokenPipeError:
            console.silence_stdout()
            raise typer.Exit(0) from None
    if not quiet:
        counts = ", ".join(f"{v} {summary.counts[v]}" for v in VERDICTS)
        console.say(f"fkit audit: {known_list.format} list of {summary.known_entries} entries "
                    f"({', '.join(known_list.algos)}); {summary.found_files} files found")
        console.say(f"  {counts}")
        if summary.not_audited:
            console.say(f"  {summary.not_audited} links or special files recorded, not compared")
        for note in ([summary.algorithm_note] if summary.algorithm_note else []) + summary.notes:
            console.say(f"  note: {note}")
        verdict = {0: "ALL OK", 1: "DIFFERENCES FOUND", 3: "SOME FILES UNREADABLE"}[int(summary.exit_code)]
        console.say(f"  result: {verdict} ({progress_view.summary(meter, meter.snapshot().bytes or None)})")
    raise typer.Exit(int(summary.exit_code))


def register(app: typer.Typer) -> None:
    """Add ``fkit audit`` to the application."""
    app.command("audit")(audit_command)
