"""``fkit hash``: hash files, folders, or the paths of records on stdin."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit.cli import console, records_out
from forensic_kit.cli.inputs import work_items
from forensic_kit.cli.options import ALGO_OPTION, RecordFormat, default_format
from forensic_kit.exitcodes import ExitCode
from forensic_kit.filehash import HashStats, hash_items, hash_items_jsonl, tally
from forensic_kit.hashing import parse_algos


def hash_command(
    paths: List[str] = typer.Argument(..., metavar="PATH...|-", help="Files or folders (recursive); - reads paths or fkit records from stdin."),
    algo: Optional[str] = ALGO_OPTION,
    fmt: Optional[RecordFormat] = typer.Option(None, "--format", "-f", help="jsonl (default in a pipe), sha256sum, b3sum, hashdeep, table (default on a terminal)."),
    nul: bool = typer.Option(False, "-0", "--null", help="Paths on stdin are NUL-separated (find -print0)."),
    follow: bool = typer.Option(False, "--follow", help="Follow symbolic links (default: record them, do not follow)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: one per core)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line on stderr."),
    known: Optional[List[Path]] = typer.Option(None, "--known", metavar="SET", help="Mark files in this hash set (NSRL RDS, hashdeep, sha256sum, fkit list) known: ignorable."),
    known_bad: Optional[List[Path]] = typer.Option(None, "--known-bad", metavar="SET", help="Mark files in this hash set known: bad."),
) -> None:
    """Hash every byte of files and folders once, with all requested algorithms in one pass.

    Unreadable files become error records with the OS's reason and the run goes on (exit 3).
    A file whose size or mtime changes while it is read is flagged (exit 3).
    """
    algos = parse_algos(algo)
    out_fmt = default_format(fmt)
    if out_fmt is RecordFormat.hashdeep:
        from forensic_kit.hashlists import hashdeep_algos

        hashdeep_algos(algos)  # fail early, before reading anything
    stats = HashStats()
    items = work_items(paths, nul, follow)
    marker = None
    if known or known_bad:
        from forensic_kit.knownfiles import Marker

        marker = Marker.open(known or [], known_bad or [])
    with console.item_progress("hashing") as tick:
        if out_fmt is RecordFormat.jsonl and marker is None:
            records_out.write_encoded(hash_items_jsonl(items, algos, follow, jobs), stats, tick)
        else:
            records = tally(hash_items(items, algos, follow, jobs), stats, lambda r: tick(1))
            records_out.write(marker.mark_all(records) if marker else records, out_fmt, algos)
    if not quiet:
        console.say(
            f"fkit hash: {stats.files} files, {stats.bytes:,} bytes hashed ({', '.join(algos)}); "
            f"{stats.skipped} not hashed (links, special files); {stats.errors} errors; "
            f"{stats.changed} changed while read"
        )
    if marker is not None and not quiet:
        console.say(f"fkit hash: {marker.summary()}")
    code = ExitCode.PARTIAL if (stats.errors or stats.changed) else ExitCode.OK
    raise typer.Exit(int(code))


def register(app: typer.Typer) -> None:
    """Add ``fkit hash`` to the application."""
    app.command("hash")(hash_command)
