"""``fkit phone``: triage a phone extraction; ``fkit phone links CASE``: identifiers shared by exhibits."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.cli.options import (CLUSTER_OPTION, KNOWN_BAD_OPTION, KNOWN_OPTION, TLS_CA_OPTION, TLS_CERT_OPTION,
                                      TLS_KEY_OPTION, open_known, say_known)
from forensic_kit.errors import UsageError
from forensic_kit.exitcodes import ExitCode

if TYPE_CHECKING:
    from forensic_kit.derived import DerivedRun
    from forensic_kit.knownfiles import Marker


def phone_command(
    source: str = typer.Argument(..., metavar="SOURCE|links", help="Extraction folder, .tar/.zip, iOS backup folder or disk image (.E01, .dd, .img); or the word 'links'."),
    case_arg: Optional[Path] = typer.Argument(None, metavar="[CASE]", help="With 'links': the case folder."),
    exhibit: Optional[str] = typer.Option(None, "--exhibit", "-e", help="Exhibit id written into every record (needed with --into)."),
    into: Optional[Path] = typer.Option(None, "--into", metavar="CASE", help="Also keep the records in the case's fkit/records.jsonl (a rerun for the same exhibit and source replaces its earlier records)."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="Profile whose phone_region is the default for numbers without a country code."),
    region: Optional[str] = typer.Option(None, "--region", metavar="CC", help="Default region for phone numbers (ISO 3166 alpha-2, e.g. MA, TN, DZ); overrides the profile."),
    csv_dir: Optional[Path] = typer.Option(None, "--csv", metavar="DIR", help="Also write one CSV per record kind into DIR (links: phone_links.csv)."),
    watchlist: Optional[Path] = typer.Option(None, "--watchlist", metavar="FILE", help="Flag phone numbers, IMEIs, account ids and document numbers on this list (offline)."),
    graphml: Optional[Path] = typer.Option(None, "--graphml", metavar="FILE", help="links: also write the exhibit-identifier graph as GraphML (Gephi, yEd)."),
    extract_to: Optional[Path] = typer.Option(None, "--extract-to", metavar="DIR", help="Unpack an archive source into DIR and keep it (so photos can go to fkit meta)."),
    backup_password: Optional[str] = typer.Option(None, "--backup-password", envvar="FKIT_BACKUP_PASSWORD", metavar="PASSWORD|-", help="Password of an encrypted iTunes/Finder backup or Android .ab backup ('-': ask for it; or set FKIT_BACKUP_PASSWORD)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
    new_revision: bool = typer.Option(False, "--new-revision", help="With --into a sealed case: add the records anyway, as the next revision."),
    known: Optional[List[Path]] = KNOWN_OPTION,
    known_bad: Optional[List[Path]] = KNOWN_BAD_OPTION,
    cluster: Optional[str] = CLUSTER_OPTION,
    tls_ca: Optional[Path] = TLS_CA_OPTION,
    tls_cert: Optional[Path] = TLS_CERT_OPTION,
    tls_key: Optional[Path] = TLS_KEY_OPTION,
) -> None:
    """Triage a phone extraction (Android or iOS): device, contacts, calls, messages, WhatsApp, apps, Wi-Fi.

    JSON Lines on stdout; a summary on stderr. Databases are copied and hashed, never opened in
    place. Unreadable parts become warning/error records (exit 3) and the run goes on.
    With --known/--known-bad, media files are hashed and marked known: ignorable|bad, and so are
    app records whose APK digests (androidqf packages.json) are in a set.

    \b
    fkit phone ./extraction --exhibit EX-01 --profile ma
    fkit phone links CASE [--csv DIR] [--graphml FILE]
    """
    if source == "links":
        if known or known_bad:
            raise UsageError("--known/--known-bad are for triage, not 'fkit phone links'")
        if case_arg is None:
            raise UsageError("fkit phone links needs a CASE folder")
        _links(case_arg, csv_dir, graphml, quiet)
        return
    if case_arg is not None:
        raise UsageError(f"unexpected argument {case_arg} (only 'fkit phone links CASE' takes a second argument)")
    if graphml is not None:
        raise UsageError("--graphml is for 'fkit phone links CASE'")
    keep = None
    if into is not None:  # a sealed case changes only by a new revision; a rerun replaces its records
        from forensic_kit.derived import DerivedRun

        keep = DerivedRun.start(into, "phone", exhibit, [Path(source)], new_revision)
    if backup_password == "-":
        backup_password = typer.prompt("Backup password", hide_input=True, err=True)
    marker = open_known(known, known_bad)
    from forensic_kit.cli.cluster_opts import client_for

    client = client_for(cluster, tls_ca, tls_cert, tls_key)
    try:
        _triage(Path(source), exhibit, keep, profile, region, csv_dir, watchlist, extract_to, quiet, backup_password,
                marker, client)
    finally:
        if client is not None:
            client.close()


def _region(profile: Optional[str], region: Optional[str], case_profile: Optional[str]) -> Optional[str]:
    if region:
        import phonenumbers

        code = region.strip().upper()
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise UsageError(f"--region {region}: not a region phonenumbers knows (ISO 3166 alpha-2, e.g. MA)")
        return code
    name = profile or case_profile
    if name:
        from forensic_kit.profiles import load_profile

        return load_profile(name).phone_region
    return None


def _triage(source: Path, exhibit: Optional[str], keep: "Optional[DerivedRun]", profile: Optional[str],
            region: Optional[str], csv_dir: Optional[Path], watchlist_path: Optional[Path],
            extract_to: Optional[Path], quiet: bool, backup_password: Optional[str] = None,
            marker: "Marker | None" = None, client: Any = None) -> None:
    from forensic_kit import jsonl
    from forensic_kit.phone.csvout import CsvWriter
    from forensic_kit.phone.triage import Triage
    from forensic_kit.phone.watchlist import Watchlist

    case = keep.case if keep is not None else None
    if extract_to is not None and extract_to.exists() and any(extract_to.iterdir()):
        raise UsageError(f"--extract-to {extract_to}: folder exists and is not empty")
    reg = _region(profile, region, str(case.info.get("profile")) if case and case.info.get("profile") else None)
    wl = Watchlist.load(watchlist_path, reg) if watchlist_path else None
    hash_media = tuple(marker.algos) if marker else ()
    csv_writer = CsvWriter(csv_dir) if csv_dir else None
    out = console.stdout_bytes()
    remote_summary = None
    if client is None:
        run = Triage(source, exhibit=exhibit, region=reg, watchlist=wl, extract_to=extract_to,
                     backup_password=backup_password, hash_media=hash_media)
        pairs: Iterator[tuple[bytes | None, Any]] = ((None, rec) for rec in run.records())
    else:  # one task: the source is read by a worker, the lines of the local run come back
        from forensic_kit.phone.remote import triage_on

        lines, remote_summary = triage_on(client, source, exhibit, reg, wl, extract_to, backup_password, hash_media)
        decode = marker is not None or keep is not None or csv_writer is not None
        pairs = ((None, jsonl.loads(line)) if decode else (line, None) for line in lines)
    try:
        with console.item_progress("phone") as tick:
            done = 0
            for line, rec in pairs:
                if rec is not None:
                    if marker is not None:
                        if rec.get("kind") == "file":
                            marker.mark(rec)
                        elif isinstance(rec.get("files"), list):
                            marker.mark_files(rec)
                    line = jsonl.fast_dump_bytes(keep.stamp(rec) if keep is not None else rec)
                assert line is not None
                out.write(line)
                if keep is not None:
                    keep.add(line)
                if csv_writer is not None:
                    csv_writer.add(rec)
                done += 1
                if done == 256:
                    tick(done)
                    done = 0
            tick(done)
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    if csv_writer is not None:
        csv_writer.close()
    stored = keep.finish() if keep is not None else None
    summary = run.summary if remote_summary is None else remote_summary  # complete once the records are out
    if not quiet:
        _summary(summary, reg)
        if marker is not None:
            say_known("phone", marker)
    if stored is not None and keep is not None and not quiet:
        console.say(stored.line(keep.run, keep.case.records_path))
    raise typer.Exit(int(ExitCode.PARTIAL if summary.problems else ExitCode.OK))


def _summary(s: "object", region: Optional[str]) -> None:
    from forensic_kit.phone.triage import Summary

    assert isinstance(s, Summary)
    kinds = {k: v for k, v in sorted(s.counts.items()) if k.startswith("phone.") and k != "phone.source"}
    devices = [", ".join(f"{k}={v}" for k, v in d.items()) for d in s.devices]
    device = "; ".join(f"[{n}] {d}" for n, d in enumerate(devices, 1)) if len(devices) > 1 else \
        (devices[0] if devices else "no identity found")
    unparsed = ", ".join(f"{v} {k.replace('_', ' ')}s" for k, v in sorted(s.unparsed.items()))
    span = f"{s.first} .. {s.last}" if s.first else "no dated calls/messages"
    hits = s.counts.get("phone.watchlist_hit", 0)
    if console.stderr_is_tty():
        from rich.table import Table

        table = Table(title=f"fkit phone: {s.source} ({s.source_kind}, {s.platform or 'platform unknown'})",
                      show_header=True, header_style="bold")
        table.add_column("what")
        table.add_column("value", overflow="fold")
        for n, d in enumerate(devices or ["no identity found"], 1):
            table.add_row("device" if len(devices) < 2 else f"device {n}", d)
        for k, v in kinds.items():
            table.add_row(k, f"{v:,}", style="bold red" if k == "phone.watchlist_hit" else None)
        table.add_row("date range", span)
        table.add_row("files / databases", f"{s.files_seen} / {s.databases}")
        table.add_row("not parsed", unparsed or "nothing")
        table.add_row("warnings / errors", f"{s.counts.get('warning', 0)} / {s.counts.get('error', 0)}")
        table.add_row("default region", region or "none (numbers without +country stay raw)")
        console.stderr_console().print(table)
        return
    counts = ", ".join(f"{v} {k[6:]}" for k, v in kinds.items()
                       if k not in ("phone.watchlist_hit", "phone.unparsed")) or "no records"
    one = len(devices) < 2
    console.say(f"fkit phone: {s.platform or 'platform unknown'} {s.source_kind}; "
                + (f"device: {device}; " if one else f"{len(devices)} devices (below); ")
                + f"{counts}; dates {span}; {hits} watchlist hits; not parsed: {unparsed or 'nothing'}; "
                f"{s.counts.get('warning', 0)} warnings, {s.counts.get('error', 0)} errors")
    if not one:
        for n, d in enumerate(devices, 1):
            console.say(f"  device {n}: {d}")


def _links(case_root: Path, csv_dir: Optional[Path], graphml: Optional[Path], quiet: bool) -> None:
    from forensic_kit import jsonl
    from forensic_kit.package import Case
    from forensic_kit.phone import links

    case = Case.open(case_root)
    found: list[dict[str, object]] = []

    def records() -> Iterator[dict[str, Any]]:
        if case.records_path.is_file():
            with open(case.records_path, "rb") as f:
                yield from jsonl.read_records(f, str(case.records_path))

    out = console.stdout_bytes()
    try:
        for rec in links.links(records()):
            found.append(rec)
            out.write(jsonl.dump_bytes(rec))
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        (csv_dir / "phone_links.csv").write_text(links.to_csv(found), "utf-8")
    if graphml is not None:
        graphml.write_text(links.to_graphml(found), "utf-8")
    if not quiet:
        exhibits = sorted({e for r in found for e in r["exhibits"]})  # type: ignore[attr-defined]
        console.say(f"fkit phone links: {len(found)} identifiers shared by {len(exhibits)} exhibits"
                    + (f" ({', '.join(exhibits)})" if exhibits else ""))
    raise typer.Exit(int(ExitCode.OK))


def register(app: typer.Typer) -> None:
    """Add ``fkit phone`` to the application."""
    app.command("phone")(phone_command)
