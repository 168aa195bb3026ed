"""Run the registered parsers over a phone source and stream records, with a summary.

For each file of the source, the parsers whose ``FILENAMES`` match run in registration order.
An SQLite database is copied (with sidecars) and hashed once, then each matching parser checks
its required tables/columns on the copy: a parser whose structure is absent is skipped (another
variant may match); when none matches, one warning says what was missing. Problems become
warning or error records and the run goes on.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from forensic_kit import names
from forensic_kit.errors import InputError
from forensic_kit.phone import registry
from forensic_kit.phone.base import KIND_WARNING, Context, FileParser, SqliteParser, warning
from forensic_kit.phone.source import Limits, Source, open_source
from forensic_kit.phone.sqlite_copy import DbCopy, copy_and_open, missing_structure, table_columns
from forensic_kit.phone.watchlist import Watchlist
from forensic_kit.phone.xmlutil import UnsupportedFormat
from forensic_kit.records import Record, error_record, new_record

ENGINE = "phone_triage"
ENGINE_VERSION = "1"
MEDIA_EXTENSIONS = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".png", ".gif", ".webp", ".dng", ".mov",
                              ".mp4", ".m4v", ".3gp", ".avi", ".mkv"})
TIME_KINDS = ("phone.call", "phone.message")


@dataclass
class Summary:
    """What a run found: platform, device identity, counts per kind, date range, problems."""

    source: str = ""
    source_kind: str = ""
    platform: str | None = None
    device: dict[str, Any] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None
    files_seen: int = 0
    databases: int = 0

    @property
    def problems(self) -> int:
        """Warning and error records emitted."""
        return self.counts.get("warning", 0) + self.counts.get("error", 0)

    def add(self, rec: Record) -> None:
        """Account for one emitted record."""
        kind = str(rec.get("kind"))
        self.counts[kind] += 1
        if kind in TIME_KINDS:
            t = rec.get("time")
            utc = t.get("utc") if isinstance(t, dict) else None
            if utc:
                self.first = utc if self.first is None or utc < self.first else self.first
                self.last = utc if self.last is None or utc > self.last else self.last
        elif kind == "phone.device":
            for key in ("manufacturer", "model", "device_name", "product_type", "os_version", "serial",
                        "timezone", "iccid"):
                if rec.get(key) and key not in self.device:
                    self.device[key] = rec[key]
            imei = rec.get("imei")
            if isinstance(imei, dict) and imei.get("imei") and "imei" not in self.device:
                self.device["imei"] = imei["imei"]
            num = rec.get("phone_number")
            if isinstance(num, dict) and "phone_number" not in self.device:
                self.device["phone_number"] = num.get("e164") or num.get("raw")


class Triage:
    """One run over one source. Iterate :meth:`records`; read :attr:`summary` afterwards."""

    def __init__(self, source: Path, *, exhibit: str | None = None, region: str | None = None,
                 watchlist: Watchlist | None = None, scratch_parent: Path | None = None,
                 extract_to: Path | None = None, limits: Limits | None = None) -> None:
        self.source_path = source
        self.exhibit = exhibit
        self.region = region
        self.watchlist = watchlist
        self.scratch_parent = scratch_parent
        self.extract_to = extract_to
        self.limits = limits
        self.summary = Summary(source=str(source))

    def records(self) -> Iterator[Record]:
        """Every record, in source order (files sorted by logical path)."""
        scratch = Path(tempfile.mkdtemp(prefix="fkit-phone-", dir=self.scratch_parent))
        try:
            for rec in self._run(scratch):
                self.summary.add(rec)
                yield rec
                if self.watchlist is not None and rec.get("kind", "").startswith("phone."):
                    for hit in self.watchlist.match(rec):
                        self.summary.add(hit)
                        yield hit
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _run(self, scratch: Path) -> Iterator[Record]:
        extract_parent = self.extract_to if self.extract_to is not None else scratch / "src"
        src = open_source(self.source_path, extract_parent, self.limits)
        self.summary.source_kind = src.kind
        self.summary.platform = src.platform()
        ctx = Context(exhibit=self.exhibit, region=self.region, platform=self.summary.platform, scratch=scratch / "db")
        for issue in src.issues:
            yield warning(ENGINE, ENGINE_VERSION, issue.stage, issue.reason, ctx,
                          {"source": str(self.source_path), "member": issue.member})
        yield new_record("phone.source", ENGINE, ENGINE_VERSION, exhibit=self.exhibit, source=str(self.source_path),
                         source_kind=src.kind, platform=self.summary.platform, files=len(src.files),
                         encrypted_backup=src.encrypted_backup or None, region=self.region)
        parsers = registry.parsers()
        for logical, real in src:
            self.summary.files_seen += 1
            matching = [p for p in parsers if p.matches(logical)]
            sql = [p for p in matching if isinstance(p, SqliteParser)]
            files = [p for p in matching if isinstance(p, FileParser)]
            if sql:
                yield from self._sqlite(sql, logical, real, ctx)
            for fp in files:
                yield from self._file(fp, logical, real, ctx)
            if not matching and real.suffix.lower() in MEDIA_EXTENSIONS:
                yield self._media(src, logical, real)

    def _media(self, src: Source, logical: str, real: Path) -> Record:
        keep = src.kind in ("folder", "ios_backup") or self.extract_to is not None
        fields: dict[str, Any] = {}
        if keep:
            fields.update(names.path_fields(bytes(real)))
        fields["phone_path"] = logical
        try:
            fields["size"] = real.stat().st_size
        except OSError:
            pass
        rec = new_record("file", ENGINE, ENGINE_VERSION, exhibit=self.exhibit, **fields,
                         locator={"scheme": "phone", "source": str(self.source_path), "path": logical})
        if not keep:
            rec["note"] = "inside an archive: use --extract-to DIR to keep a copy that fkit meta can read"
        return rec

    def _file(self, parser: FileParser, logical: str, real: Path, ctx: Context) -> Iterator[Record]:
        try:
            digest = _sha256(real)
        except OSError as exc:
            yield error_record(parser.NAME, "open", exc.strerror or str(exc), exhibit=ctx.exhibit,
                               locator={"path": logical})
            return
        fctx = Context(ctx.exhibit, ctx.region, ctx.platform, ctx.scratch, {"sha256": digest})
        try:
            yield from parser.parse(real, logical, fctx)
        except UnsupportedFormat as exc:
            yield warning(parser.NAME, parser.VERSION, "parse", str(exc), ctx, {"path": logical, "sha256": digest})
        except (ValueError, ParseError, OSError, KeyError, TypeError, AttributeError) as exc:
            yield error_record(parser.NAME, "parse", f"{type(exc).__name__}: {exc}", exhibit=ctx.exhibit,
                               locator={"path": logical, "sha256": digest})

    def _sqlite(self, sql: list[SqliteParser], logical: str, real: Path, ctx: Context) -> Iterator[Record]:
        first = sql[0]
        try:
            db = copy_and_open(real, ctx.scratch)
        except InputError as exc:
            yield error_record(first.NAME, "open", exc.message, exhibit=ctx.exhibit, locator={"path": logical},
                               parsers=[p.NAME for p in sql])
            return
        self.summary.databases += 1
        try:
            yield from self._run_db(db, sql, logical, ctx)
        finally:
            db.close()
            shutil.rmtree(db.copy.parent, ignore_errors=True)

    def _run_db(self, db: DbCopy, sql: list[SqliteParser], logical: str, ctx: Context) -> Iterator[Record]:
        prov = db.provenance()
        if not db.unchanged:
            yield error_record(ENGINE, "copy", "the database changed while it was copied (hashes differ); "
                               "records come from the copy", exhibit=ctx.exhibit, locator={"path": logical, "db": prov})
        assert db.conn is not None
        try:
            tables = table_columns(db.conn)
        except sqlite3.Error as exc:
            yield error_record(sql[0].NAME, "open", f"schema unreadable: {exc}", exhibit=ctx.exhibit,
                               locator={"path": logical, "db": prov})
            return
        missing_all: dict[str, list[str]] = {}
        for parser in sql:
            missing = missing_structure(tables, parser.REQUIRED)
            if missing:
                missing_all[parser.NAME] = missing
                continue
            base = {"path": logical, "table": parser.TABLE}
            n = 0
            try:
                for row in parser.rows(db.conn, tables):
                    n += 1
                    loc = dict(base, rowid=row["rowid"], db=prov)
                    try:
                        rec = parser.row(row, ctx, loc)
                    except Exception as exc:  # noqa: BLE001 - a bad row is a warning, the run goes on
                        yield warning(parser.NAME, parser.VERSION, "row", f"{type(exc).__name__}: {exc}", ctx, loc)
                        continue
                    if rec is not None:
                        yield rec
            except sqlite3.Error as exc:
                yield error_record(parser.NAME, "read", f"{exc} (after {n} rows: database corrupt or truncated)",
                                   exhibit=ctx.exhibit, locator=dict(base, db=prov))
        if len(missing_all) == len(sql):
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in missing_all.items())
            yield warning(ENGINE, ENGINE_VERSION, "schema", f"unknown schema, required tables/columns missing ({detail})",
                          ctx, {"path": logical, "db": prov})


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_problem(rec: Record) -> bool:
    """True for warning and error records."""
    return rec.get("kind") in (KIND_WARNING, "error")
