"""``fkit mrz``: read, check and match the machine-readable zones of travel documents in images."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.cli.options import CLUSTER_OPTION, SPOT_CHECK_OPTION, TLS_CA_OPTION, TLS_CERT_OPTION, TLS_KEY_OPTION
from forensic_kit.errors import InputError, UsageError
from forensic_kit.exitcodes import ExitCode, worst


def _case_items(case: Path) -> Iterator[object]:
    """Work items for a case's payload (``data/EX-../...``), each carrying its exhibit."""
    from forensic_kit.filehash import WorkItem, walk

    data = case / "data"
    for item in walk([os.fsencode(data)]):
        rel = os.path.relpath(item.path, os.fsencode(data))
        exhibit = os.fsdecode(rel.split(b"/", 1)[0]) if b"/" in rel else None
        loc = {"scheme": "case", "case": os.fsdecode(case), "path": "data/" + os.fsdecode(rel)}
        yield WorkItem(item.path, item.root, record={"exhibit": exhibit, "locator": loc, "kind": "file"},
                       walk_error=item.walk_error)


def _case_seizure_date(case: Path) -> Optional[dt.date]:
    try:
        info = json.loads((case / "fkit" / "case.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    for key in ("seizure_time", "seizure_date"):
        value = info.get(key) or (info.get("legal") or {}).get(key)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                pass
    return None


def mrz_command(
    paths: List[str] = typer.Argument(..., metavar="PATH...|CASE|-", help="Images, PDFs or folders (recursive); a case folder (its payload); - reads paths or fkit records on stdin."),
    watchlist: Optional[Path] = typer.Option(None, "--watchlist", metavar="FILE", help="Offline list of stolen/lost/revoked/invalid documents (CSV, JSON, or the fkit phone list format)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", metavar="FILE", help="Also write a CSV register of the documents found."),
    pdf_out: Optional[Path] = typer.Option(None, "--pdf", metavar="FILE", help="Also write the PDF/A list of the documents found: the zone's picture (cut from the image after its SHA-256 is checked), fields, check-digit verdicts, findings; the records attached."),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="LANGS", help="Languages of the --pdf list, first authoritative (default en,fr,ar)."),
    seizure_date: Optional[str] = typer.Option(None, "--seizure-date", metavar="YYYY-MM-DD", help="Date that 'expired' is judged against (default: the case's seizure date, else today UTC)."),
    engine: str = typer.Option("templates", "--engine", help="Character reader: templates (OCR-B glyphs, fast), tesseract, or both (Tesseract where the templates fail)."),
    nul: bool = typer.Option(False, "-0", "--null", help="Paths on stdin are NUL-separated (find -print0)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
    cluster: Optional[str] = CLUSTER_OPTION,
    spot_check: int = SPOT_CHECK_OPTION,
    tls_ca: Optional[Path] = TLS_CA_OPTION,
    tls_cert: Optional[Path] = TLS_CERT_OPTION,
    tls_key: Optional[Path] = TLS_KEY_OPTION,
) -> None:
    """Find and read the MRZ of passports, ID cards and visas in photos and scans; check it.

    One doc.mrz record per document (JSON Lines): every field, each check digit with its verdict, the raw OCR lines, the characters corrected, a confidence, the zone's corners, the image's hashes and locator, and findings in English, French and Arabic. Exit 1 when a check digit fails, a date or code is impossible, a number has two holders, or a watchlist entry matches; 3 when a file could not be read; else 0.

    \b
    fkit mrz ./gallery --watchlist sltd.csv --csv register.csv --pdf documents.pdf
    fkit phone ./extraction -e EX-01 | fkit mrz -
    fkit mrz CASE --seizure-date 2026-11-30
    """
    # one BLAS thread: the template products are small, and threads only fight on a shared machine
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from forensic_kit import jsonl
    from forensic_kit.cli.inputs import work_items
    from forensic_kit.mrz import scan
    from forensic_kit.mrz.watchlist import Watchlist

    if engine not in ("templates", "tesseract", "both"):
        raise UsageError(f"--engine {engine}: choose templates, tesseract or both")
    for target in (csv_out, pdf_out):
        if target is not None and not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise UsageError(f"cannot write {target}: folder {target.parent} does not exist")
    langs = [x.strip() for x in lang.split(",") if x.strip()] if lang else None
    if langs is not None:
        from forensic_kit.report.strings import load_strings

        for one in langs:
            load_strings(one)  # an unknown language is a usage error before any image is read
    reference, source = dt.datetime.now(dt.timezone.utc).date(), "today (UTC)"
    cases = [Path(p) for p in paths if p != "-" and (Path(p) / "fkit" / "case.json").is_file()]
    for case in cases:
        d = _case_seizure_date(case)
        if d is not None:
            reference, source = d, f"seizure date of case {case}"
    if seizure_date:
        try:
            reference, source = dt.date.fromisoformat(seizure_date), "--seizure-date"
        except ValueError:
            raise UsageError(f"--seizure-date {seizure_date}: not a date (YYYY-MM-DD)") from None
    wl = Watchlist.load(watchlist) if watchlist is not None else None
    opts = scan.Options(reference, source, wl, engine)
    stats = scan.Stats()

    def items() -> Iterator[object]:
        for p in paths:
            if p != "-" and Path(p) in cases:
                yield from _case_items(Path(p))
            else:
                yield from work_items([p], nul)

    from forensic_kit.cli.cluster_opts import client_for, say_spot_check

    client = client_for(cluster, tls_ca, tls_cert, tls_key)
    out = console.stdout_bytes()
    rows: list[list[str]] = []
    documents: list[dict[str, object]] = []  # for --pdf
    written = io.BytesIO()  # every record written, attached to the PDF
    spot = None
    if client is not None:
        from forensic_kit.lab.spot import SpotChecker

        spot = SpotChecker(spot_check)
    records = (scan.scan(items(), opts, stats) if client is None  # type: ignore[arg-type]
               else scan.scan_on(client, items(), opts, stats, spot))  # type: ignore[arg-type]
    try:
        with console.item_progress("reading MRZ") as tick:
            for rec in records:
                line = jsonl.dump_bytes(rec)
                out.write(line)
                if rec["kind"] == "doc.mrz":
                    rows.append(scan.csv_row(rec))
                    if pdf_out is not None:
                        documents.append(rec)
                if pdf_out is not None:
                    written.write(line)
                tick(1)
            conflicts = list(scan.conflicts(stats.seen))
            for rec in conflicts:
                line = jsonl.dump_bytes(rec)
                out.write(line)
                if pdf_out is not None:
                    written.write(line)
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    finally:
        if client is not None:
            client.close()
    if csv_out is not None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(scan.CSV_COLUMNS)
        w.writerows(rows)
        try:
            csv_out.write_text(buf.getvalue(), "utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {csv_out}: {exc.strerror or exc}") from None
    made = None
    changed = 0
    if pdf_out is not None:
        from forensic_kit.mrz.crop import zone_crop
        from forensic_kit.report.mrz_report import render

        crops = [zone_crop(rec) for rec in documents]
        for rec, crop in zip(documents, crops):
            if crop.problem == "changed":
                changed += 1
                console.warn(f"{rec.get('path')}: SHA-256 differs from the one read a moment ago: no picture in {pdf_out}")
        made = render(documents, written.getvalue(), pdf_out, f"{reference.isoformat()} ({source})", crops, langs)
    if not quiet:
        per = stats.seconds / stats.images if stats.images else 0.0
        console.say(
            f"fkit mrz: {stats.images} images read ({per:.2f} s each), {stats.documents} documents found, "
            f"{stats.flagged} with findings that fail a check, {len(conflicts)} numbers with different holders, "
            f"{stats.unreadable} unreadable, {stats.not_images} files not images; reference date "
            f"{reference.isoformat()} ({source})"
        )
    if made is not None and not quiet:
        console.say(f"  pdf: {pdf_out} ({made['pages']} pages, {', '.join(made['languages'])}; "
                    f"records SHA-256 {made['records_sha256']})")
    code = ExitCode.OK
    if changed:  # an image no longer the one read: an integrity check failed
        code = worst(code, ExitCode.CHECK_FAILED)
    if spot is not None:
        checked, bad = scan.check_again(spot, opts)
        if say_spot_check(bad, "spot check: worker {worker} answered {reason} for {path} than this machine reads",
                          f"  cluster: {checked} files read again here ({spot_check} per worker, "
                          f"{len(spot.by_worker)} workers): all agree", quiet):
            code = ExitCode.CHECK_FAILED
    if stats.flagged or conflicts:
        code = worst(code, ExitCode.CHECK_FAILED)
    if stats.unreadable:
        code = worst(code, ExitCode.PARTIAL)
    raise typer.Exit(int(code))


def register(app: typer.Typer) -> None:
    """Add ``fkit mrz`` to the application."""
    app.command("mrz")(mrz_command)
