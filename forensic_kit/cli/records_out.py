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
from forensic_kit.display import safe_text
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
    """A table on stderr that keeps every name whole (folded over lines when long); on a narrow
    terminal the digests are cut in the middle instead, and a line says how to get them whole."""
    from rich.table import Table  # imported here: only terminals get a table

    from forensic_kit.cli.progress_view import middle_cut

    rows: list[tuple[str, str, list[str], str]] = []
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
        rows.append((console_safe(str(rec.get("path", ""))), "" if size is None else f"{size:,}",
                     [str(hashes.get(a, "")) for a in algos], console_safe(note)))
    con = console.stderr_console()
    full = 40 + sum(HEX_LENGTHS[a] + 3 for a in algos)
    if not console.stderr_is_tty():
        con.width = max(con.width, full)
    widths = table_widths(con.width, [len(r[0]) for r in rows], max((len(r[1]) for r in rows), default=4),
                          [HEX_LENGTHS[a] for a in algos], max((len(r[3]) for r in rows), default=0))
    path_w, hash_ws, note_w = widths
    table = Table(show_lines=False, header_style="bold")
    table.add_column("path", overflow="fold", min_width=path_w)
    table.add_column("size", justify="right", no_wrap=True)
    for a, w in zip(algos, hash_ws):
        table.add_column(a, no_wrap=True, min_width=w, max_width=w)
    if note_w:
        table.add_column("note", overflow="fold")
    cut = False
    for path, size, digests, note in rows:
        shown = [middle_cut(d, w) for d, w in zip(digests, hash_ws)]
        cut = cut or shown != digests
        table.add_row(path, size, *shown, *([note] if note_w else []))
    con.print(table)
    if cut:
        console.say(f"(digests shortened to fit {con.width} columns; whole values: --format jsonl, sha256sum or b3sum)")


console_safe = safe_text
"""A name as shown on a terminal (:func:`forensic_kit.display.safe_text`): control characters and
bidi overrides escaped; records keep the exact value."""


def table_widths(width: int, path_lens: list[int], size_w: int, hash_lens: list[int], note_len: int
                 ) -> tuple[int, list[int], int]:
    """Column widths for the hash table at ``width`` columns: (path, each digest, note).

    The path gets what it needs as long as each digest keeps 11 characters (never less than 16
    characters: a longer name folds over lines, whole); the digests share the rest, cut in the
    middle when narrower than their length; a note column exists only when some row has a note.
    """
    ncols = 2 + len(hash_lens) + (1 if note_len else 0)
    room = width - (3 * ncols + 1) - max(size_w, 4)
    note_w = min(note_len, 24) if note_len else 0
    room -= note_w
    longest = max(path_lens, default=4)
    need = sum(hash_lens)
    if longest + need <= room:
        return max(longest, 4), list(hash_lens), note_w
    path_w = max(16, min(longest, room - 11 * len(hash_lens)))
    per = max(11, (room - path_w) // max(1, len(hash_lens)))
    hash_ws = [min(h, per) for h in hash_lens]
    path_w = max(path_w, room - sum(hash_ws))
    return path_w, hash_ws, note_w
