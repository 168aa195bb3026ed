"""``fkit meta``: add a ``media`` block (type by content, EXIF/GPS, video/audio) to records."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.cli.inputs import work_items
from forensic_kit.cli.options import (CLUSTER_OPTION, KNOWN_BAD_OPTION, KNOWN_OPTION, SPOT_CHECK_OPTION, TLS_CA_OPTION,
                                      TLS_CERT_OPTION, TLS_KEY_OPTION, open_known, say_known)
from forensic_kit.errors import InputError, UsageError
from forensic_kit.exitcodes import ExitCode


def meta_command(
    paths: List[str] = typer.Argument(..., metavar="PATH...|-", help="Files or folders (recursive); - reads paths or fkit records (from hash, acquire, fs ls) on stdin."),
    geojson: Optional[Path] = typer.Option(None, "--geojson", metavar="FILE", help="Write a GeoJSON point per located item (path, hash, time)."),
    kml: Optional[Path] = typer.Option(None, "--kml", metavar="FILE", help="Write a KML placemark per located item."),
    timeline: Optional[Path] = typer.Option(None, "--timeline", metavar="FILE", help="Write a CSV of every time found, sorted, with its source and whether its zone was assumed."),
    nul: bool = typer.Option(False, "-0", "--null", help="Paths on stdin are NUL-separated (find -print0)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: one per core)."),
    timeout: float = typer.Option(15.0, "--timeout", min=0.1, help="Seconds allowed per file before its parsing is given up (an error in its media block)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line on stderr."),
    known: Optional[List[Path]] = KNOWN_OPTION,
    known_bad: Optional[List[Path]] = KNOWN_BAD_OPTION,
    into: Optional[Path] = typer.Option(None, "--into", metavar="CASE", help="Also keep the records in the case's fkit/records.jsonl (needs --exhibit; a rerun for the same exhibit and paths replaces its earlier records)."),
    exhibit: Optional[str] = typer.Option(None, "--exhibit", "-e", help="With --into: the exhibit the records belong to."),
    new_revision: bool = typer.Option(False, "--new-revision", help="With --into a sealed case: add the records anyway, as the next revision."),
    cluster: Optional[str] = CLUSTER_OPTION,
    spot_check: int = SPOT_CHECK_OPTION,
    tls_ca: Optional[Path] = TLS_CA_OPTION,
    tls_cert: Optional[Path] = TLS_CERT_OPTION,
    tls_key: Optional[Path] = TLS_KEY_OPTION,
) -> None:
    """Read media metadata: type by content, EXIF/GPS with time zones, HEIC, video and audio.

    Adds a "media" block to each record; other fields pass through untouched. A file that cannot be parsed gets the parser's reason in media.warnings / media.errors. Exit 3 only when a file could not be read at all.
    """  # noqa: E501 - one paragraph: the help renderer keeps line breaks
    from forensic_kit import jsonl
    from forensic_kit.media import exports
    from forensic_kit.media.runner import MetaOptions, MetaStats, media_records, tally

    for target in (geojson, kml, timeline):
        if target is not None and not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise UsageError(f"cannot write {target}: folder {target.parent} does not exist")
    keep = None
    if into is not None:  # a sealed case changes only by a new revision; a rerun replaces its records
        from forensic_kit.derived import DerivedRun

        if "-" in paths:
            raise UsageError("--into needs PATH arguments, not - (the paths name the source whose records a rerun "
                             "replaces)")
        keep = DerivedRun.start(into, "meta", exhibit, [Path(p) for p in paths], new_revision)
    elif exhibit is not None or new_revision:
        raise UsageError("--exhibit and --new-revision go with --into CASE")
    exporting = bool(geojson or kml or timeline)
    stats = MetaStats()
    collector = exports.ExportCollector()
    out = console.stdout_bytes()
    options = MetaOptions(timeout_s=timeout, hash_located=exporting)
    marker = open_known(known, known_bad)
    from forensic_kit.cli.cluster_opts import client_for, say_spot_check

    client = client_for(cluster, tls_ca, tls_cert, tls_key)
    if client is None:
        records = media_records(work_items(paths, nul), options, jobs)
    else:
        from forensic_kit.lab.spot import SpotChecker
        from forensic_kit.media.remote import media_records_on

        spot = SpotChecker(spot_check)
        records = media_records_on(client, work_items(paths, nul), options, spot)
    try:
        with console.item_progress("reading metadata") as tick:
            for rec in tally(records, stats):
                if exporting:
                    collector.add(rec)
                rec = marker.mark(rec) if marker else rec
                line = jsonl.dump_bytes(keep.stamp(rec) if keep is not None else rec)
                out.write(line)
                if keep is not None:
                    keep.add(line)
                tick(1)
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    finally:
        if client is not None:
            client.close()
    if geojson is not None:
        _write_export(geojson, exports.geojson(collector.points))
    if kml is not None:
        _write_export(kml, exports.kml(collector.points))
    if timeline is not None:
        _write_export(timeline, exports.timeline_csv(collector.events))
    if not quiet:
        console.say(
            f"fkit meta: {stats.files} files read, {stats.located} located, {stats.warnings} with parser "
            f"warnings, {stats.unreadable} unreadable, {stats.skipped} not regular files, {stats.passed} records passed through"
        )
    if marker is not None and not quiet:
        say_known("meta", marker)
    code = ExitCode.PARTIAL if stats.unreadable else ExitCode.OK
    if client is not None:
        checked, bad = spot.check_meta(options)
        if say_spot_check(bad, "spot check: worker {worker} answered for {path} {reason} than this machine reads",
                          f"  cluster: {checked} files parsed again here ({spot_check} per worker, "
                          f"{len(spot.by_worker)} workers): all agree", quiet):
            code = ExitCode.CHECK_FAILED
    if keep is not None:  # records a worker lied about are never kept in the case
        if code is ExitCode.CHECK_FAILED:
            console.error(f"nothing kept in {keep.case.records_path}: a worker's answers failed the spot check")
        else:
            stored = keep.finish()
            if not quiet:
                console.say(stored.line(keep.run, keep.case.records_path))
    raise typer.Exit(int(code))


def _write_export(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    """Add ``fkit meta`` to the application."""
    app.command("meta")(meta_command)
