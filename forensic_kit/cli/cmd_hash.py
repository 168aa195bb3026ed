"""``fkit hash``: hash files, folders, or the paths of records on stdin."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit.cli import console, progress_view, records_out
from forensic_kit.cli.inputs import work_items
from forensic_kit.cli.options import (
    ALGO_OPTION, CLUSTER_OPTION, KNOWN_BAD_OPTION, KNOWN_OPTION, SPOT_CHECK_OPTION, TLS_CA_OPTION, TLS_CERT_OPTION,
    TLS_KEY_OPTION, RecordFormat, default_format, open_known, say_known,
)
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
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display and no summary line on stderr."),
    cluster: Optional[str] = CLUSTER_OPTION,
    spot_check: int = SPOT_CHECK_OPTION,
    tls_ca: Optional[Path] = TLS_CA_OPTION,
    tls_cert: Optional[Path] = TLS_CERT_OPTION,
    tls_key: Optional[Path] = TLS_KEY_OPTION,
    known: Optional[List[Path]] = KNOWN_OPTION,
    known_bad: Optional[List[Path]] = KNOWN_BAD_OPTION,
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
    from forensic_kit.cli.cluster_opts import client_for, say_spot_check

    client = client_for(cluster, tls_ca, tls_cert, tls_key)
    spot = None
    if client is not None:
        from forensic_kit.lab.spot import SpotChecker

        spot = SpotChecker(spot_check)
    stats = HashStats()
    items = work_items(paths, nul, follow)
    if client is not None:
        from forensic_kit.lab.cluster import absolute_items

        items = absolute_items(items)
    marker = open_known(known, known_bad)
    scan = [os.fsencode(p) for p in paths if p != "-"] if "-" not in paths else None
    with progress_view.job("hashing", quiet=quiet, scan=scan) as meter:
        if out_fmt is RecordFormat.jsonl and marker is None:
            blocks = hash_items_jsonl(items, algos, follow, jobs, client, spot.add_block if spot else None)
            records_out.write_encoded(blocks, stats, lambda n: None)
        else:
            records = tally(hash_items(items, algos, follow, jobs, client, spot.add_records if spot else None), stats)
            if marker is not None:
                records = marker.mark_all(records)
            if out_fmt is RecordFormat.table:  # drawn once the progress lines are gone
                table = list(records)
            else:
                records_out.write(records, out_fmt, algos)
    if out_fmt is RecordFormat.table:
        records_out.write(table, out_fmt, algos)
    if not quiet:
        console.say(
            f"fkit hash: {stats.files} files, {stats.bytes:,} bytes hashed ({', '.join(algos)}) "
            f"{progress_view.summary(meter, stats.bytes)}; "
            f"{stats.skipped} not hashed (links, special files); {stats.errors} errors; "
            f"{stats.changed} changed while read"
        )
    if marker is not None and not quiet:
        say_known("hash", marker)
    code = ExitCode.PARTIAL if (stats.errors or stats.changed) else ExitCode.OK
    if spot is not None:
        checked, bad = spot.check(algos)
        if say_spot_check(bad, "spot check: worker {worker} reported {path} with other digests than this machine "
                          "reads ({reason})", f"  cluster {client.scheduler.address}: {checked} files spot-checked here "
                          f"({spot.k} per worker, {len(spot.by_worker)} workers): all agree", quiet):
            code = ExitCode.CHECK_FAILED
        client.close()
    raise typer.Exit(int(code))


def register(app: typer.Typer) -> None:
    """Add ``fkit hash`` to the application."""
    app.command("hash")(hash_command)
