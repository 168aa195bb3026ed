"""``fkit timeline CASE|RECORDS...|-``: every timed fact of a case, merged and sorted."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from collections.abc import Iterable
from typing import IO, List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.errors import UsageError
from forensic_kit.exitcodes import ExitCode


class TimelineFormat(str, Enum):
    """Output formats of ``fkit timeline``."""

    jsonl = "jsonl"
    csv = "csv"
    body = "body"


def timeline_command(
    inputs: List[str] = typer.Argument(..., metavar="CASE|RECORDS...|-", help="Case folders, fkit JSON Lines files (records, custody ledgers, timelines), or - for stdin."),
    fmt: TimelineFormat = typer.Option(TimelineFormat.jsonl, "--format", "-f", help="jsonl (sorted events), csv, or body (mactime body file: mactime -b FILE -z UTC)."),
    start: Optional[str] = typer.Option(None, "--from", metavar="WHEN", help="Only events at or after WHEN (2025-03-02 or 2025-03-02T15:00:00Z)."),
    end: Optional[str] = typer.Option(None, "--to", metavar="WHEN", help="Only events at or before WHEN (a bare date: to its end)."),
    exhibit: Optional[List[str]] = typer.Option(None, "--exhibit", "-e", help="Only this exhibit (repeatable)."),
    kind: Optional[List[str]] = typer.Option(None, "--kind", "-k", help="Only events named so or below (phone.message, fs, custody...; repeatable)."),
    assume_zone: Optional[str] = typer.Option(None, "--assume-zone", metavar="ZONE", help="Place times recorded without zone in ZONE (+01:00, Africa/Tripoli); marked origin=assumed_zone."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    chart: Optional[Path] = typer.Option(None, "--chart", metavar="FILE", help="Also draw events per day per exhibit: FILE.pdf or FILE.png (jsonl/csv formats)."),
    memory_mb: int = typer.Option(192, "--memory", min=16, metavar="MB", help="Lines held in memory before spilling sorted runs to disk."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Merge and sort every timed fact: file-system MACB times (fs ls, hash, acquire), media
    capture and GPS times (meta), phone messages, calls, installs, Wi-Fi and visits, custody events.

    Every event keeps its source locator and the origin of its time: utc, recorded_offset,
    assumed_zone (with the zone) or unknown_zone. Zone-unknown times are never placed silently:
    their time is null and they sort last unless --assume-zone is given. Sorting is external
    (bounded memory). Exit 3 when some input lines were not records (each named on stderr).

    \b
    fkit timeline case > timeline.jsonl
    fkit timeline case -f csv --exhibit EX-01 --kind phone.message --from 2025-03-01
    fkit timeline case -f body | mactime -b - -z UTC -d
    """
    from forensic_kit.timeline import build, sources

    filters = build.make_filters(start, end, exhibit, kind)
    run = build.Timeline(sources.expand(inputs), console.stdin_bytes(), filters, assume_zone,
                         budget=memory_mb * 1024 * 1024)
    from forensic_kit.timeline.chart import DayCounts, write as write_chart

    if chart is not None and fmt is TimelineFormat.body:
        raise UsageError("--chart goes with --format jsonl or csv")
    counts = DayCounts() if chart is not None else None
    chunks = run.body() if fmt is TimelineFormat.body else (run.csv(counts) if fmt is TimelineFormat.csv else run.jsonl(counts))
    out: IO[bytes]
    try:
        if output is not None:
            try:
                target = open(output, "wb")
            except OSError as exc:
                raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
            with target as out:
                _write(out, chunks)
        else:
            out = console.stdout_bytes()
            _write(out, chunks)
            out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    if chart is not None and counts is not None:
        write_chart(counts, chart)
    s = run.summary
    for bad in s.bad[:20]:
        console.warn(f"{bad.where}:{bad.lineno}: {bad.reason}")
    if not quiet:
        st = s.stats
        parts = [f"{s.kept} events from {st.records} records"]
        if s.passed_through:
            parts.append(f"{s.passed_through} event lines merged")
        if s.filtered_out:
            parts.append(f"{s.filtered_out} filtered out")
        if s.sort.duplicates:
            parts.append(f"{s.sort.duplicates} duplicate lines dropped")
        if st.unknown_zone:
            parts.append(f"{st.unknown_zone} recorded without zone (time null, sorted last; --assume-zone places them)")
        if s.body_unplaced:
            parts.append(f"{s.body_unplaced} without zone left out of the body file")
        if st.undecoded:
            parts.append("undecoded time texts: " + ", ".join(f"{k} {v}" for k, v in sorted(st.undecoded.items())))
        if s.bad:
            parts.append(f"{len(s.bad)} lines not records")
        console.say("fkit timeline: " + "; ".join(parts))
    raise typer.Exit(int(ExitCode.PARTIAL if s.bad else ExitCode.OK))


def _write(out: IO[bytes], chunks: Iterable[bytes]) -> None:
    buf: list[bytes] = []
    size = 0
    for chunk in chunks:
        buf.append(chunk)
        size += len(chunk)
        if size >= 1 << 20:
            out.write(b"".join(buf))
            buf.clear()
            size = 0
    out.write(b"".join(buf))


def register(app: typer.Typer) -> None:
    """Add ``fkit timeline`` to the application."""
    app.command("timeline")(timeline_command)
