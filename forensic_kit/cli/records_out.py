"""Writing record streams to stdout in the format a person or script asked for."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence

import typer

from forensic_kit import jsonl, names
from forensic_kit.cli import console
from forensic_kit.cli.options import RecordFormat
from forensic_kit.errors import UsageError
from forensic_kit.filehash import HashStats
from forensic_kit.hashing import HEX_LENGTHS
from forensic_kit.records import Record


def write(records: Iterable[Record], fmt: RecordFormat, algos: Sequence[str]) -> None:
    """Write ``records`` to stdout as ``fmt``; ``table`` goes to stderr (it is for people).

    A reader that goes away (``| head``) ends the command quietly with exit 0.
    """
    try:
        _write(records, fmt, algos)
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None


def write_encoded(batches: Iterable[tuple[bytes, HashStats]], stats: HashStats,
                  tick: Callable[[int], object]) -> None:
    """Write blocks of JSON Lines already encoded by the workers, adding their counts to ``stats``."""
    out = console.stdout_bytes()
    try:
        for data, counts in batches:
            out.write(data)
            stats.merge(counts)
            tick(counts.records)
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None


def _write(records: Iterable[Record], fmt: RecordFormat, algos: Sequence[str]) -> None:
    out = console.stdout_bytes()
    if fmt is RecordFormat.table:
        _table(records, algos)
        return
    if fmt is RecordFormat.jsonl:
        for rec in records:
            out.write(jsonl.dump_bytes(rec))
        out.flush()
        return
    from forensic_kit import hashlists  # imported here: JSON Lines output does not need it

    if fmt is RecordFormat.hashdeep:
        cols = hashlists.hashdeep_algos(algos)
        command = "fkit " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        out.write(hashlists.hashdeep_header(cols, os.getcwd(), command))
        for rec in records:
            hashes = rec.get("hashes") or {}
            if all(a in hashes for a in cols):
                out.write(hashlists.hashdeep_line(int(rec.get("size") or 0), hashes, cols, names.raw_path(rec)))
        out.flush()
        return
    algo = "sha256" if fmt is RecordFormat.sha256sum else "blake3"
    if algo not in algos:
        raise UsageError(f"--format {fmt.value} needs {algo} among the algorithms (--algo)")
    for rec in records:
        digest = (rec.get("hashes") or {}).get(algo)
        if digest:
            out.write(hashlists.checksum_line(digest, names.raw_path(rec)))
    out.flush()


def _table(records: Iterable[Record], algos: Sequence[str]) -> None:
    from rich.table import Table  # imported here: only terminals get a table

    table = Table(show_lines=False, header_style="bold")
    table.add_column("path", overflow="fold")
    table.add_column("size", justify="right")
    for a in algos:  # a digest is never split across lines: people compare them by eye
        table.add_column(a, no_wrap=True, min_width=HEX_LENGTHS[a])
    table.add_column("note", overflow="fold")
    for rec in records:
        hashes = rec.get("hashes") or {}
        note = ""
        if rec.get("kind") == "error":
            note = f"ERROR {rec['error'].get('stage')}: {rec['error'].get('reason')}"
        elif rec.get("skipped"):
            note = str(rec["skipped"])
        elif rec.get("type") == "symlink":
            note = f"-> {rec.get('target')}"
        if rec.get("changed_during_read"):
            note = "CHANGED WHILE READ"
        size = rec.get("size")
        table.add_row(str(rec.get("path", "")), "" if size is None else f"{size:,}",
                      *(hashes.get(a, "") for a in algos), note)
    con = console.stderr_console()
    if not console.stderr_is_tty():
        con.width = max(con.width, 40 + sum(HEX_LENGTHS[a] + 3 for a in algos))
    con.print(table)
