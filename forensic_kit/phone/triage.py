"""Run the registered parsers over a phone source and stream records, with a summary.

For each file of the source, the parsers whose ``FILENAMES`` match run in registration order.
An SQLite database is copied (with sidecars) and hashed once, then each matching parser checks
its required tables/columns on the copy: a parser whose structure is absent is skipped (another
variant may match); when none matches, one warning says what was missing. Problems become
warning or error records and the run goes on.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit import names
from forensic_kit.errors import InputError
from forensic_kit.fileopen import open_readonly
from forensic_kit.phone import registry
from forensic_kit.phone.base import KIND_WARNING, Context, FileParser, SqliteParser, warning
from forensic_kit.phone.source import Limits, Source, open_source
from forensic_kit.phone.sqlite_copy import Budget, DbCopy, copy_and_open, missing_structure, table_columns
from forensic_kit.phone.values import jsonable
from forensic_kit.phone.watchlist import Watchlist
from forensic_kit.phone.xmlutil import UnsupportedFormat
from forensic_kit.records import Record, error_record, new_record

ENGINE = "phone_triage"
ENGINE_VERSION = "1"
MEDIA_EXTENSIONS = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".png", ".gif", ".webp", ".dng", ".mov",
                              ".mp4", ".m4v", ".3gp", ".avi", ".mkv"})
TIME_KINDS = ("phone.call", "phone.message")


DEVICE_KEYS = ("manufacturer", "model", "device_name", "device_class", "product_type", "os_version", "serial",
               "udid", "timezone", "iccid")
IDENTITY_KEYS = ("serial", "imei", "udid", "device_class", "product_type", "model")
"""Two device records with different values for one of these are two devices, never merged."""


def _device_fields(rec: Record) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in DEVICE_KEYS:
        if rec.get(key) and isinstance(rec[key], (str, int)):
            fields[key] = rec[key]
    imei = rec.get("imei")
    if isinstance(imei, dict) and imei.get("imei"):
        fields["imei"] = imei["imei"]
    num = rec.get("phone_number")
    if isinstance(num, dict) and (num.get("e164") or num.get("raw")):
        fields["phone_number"] = num.get("e164") or num.get("raw")
    return fields


@dataclass
class Summary:
    """What a run found: platform, devices, counts per kind, date range, problems, what was not read."""

    source: str = ""
    source_kind: str = ""
    platform: str | None = None
    devices: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unparsed: Counter[str] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None
    files_seen: int = 0
    databases: int = 0
    installed_apps: set[str] = field(default_factory=set)

    @property
    def device(self) -> dict[str, Any]:
        """The first device found (see :attr:`devices` for all of them)."""
        return self.devices[0] if self.devices else {}

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
            if isinstance(utc, str) and utc:
                self.first = utc if self.first is None or utc < self.first else self.first
                self.last = utc if self.last is None or utc > self.last else self.last
        elif kind == "phone.device":
            self._device(_device_fields(rec))
        elif kind == "phone.app":
            app = rec.get("package") or rec.get("bundle_id")
            if isinstance(app, str):
                self.installed_apps.add(app)
        elif kind == "phone.unparsed":
            self.unparsed[str(rec.get("what"))] += 1

    def _device(self, fields: dict[str, Any]) -> None:
        """Merge into the device it does not contradict (same serial/IMEI/class), else a new device."""
        if not fields:
            return
        for dev in self.devices:
            if all(dev.get(k) in (None, fields[k]) for k in IDENTITY_KEYS if k in fields):
                for k, v in fields.items():
                    dev.setdefault(k, v)
                return
        self.devices.append(dict(fields))


@dataclass
class _AppFolder:
    app_id: str
    path: str
    files: int = 0
    size: int = 0
    read: bool = False


_ANDROID_APP = re.compile(r"(?:^|/)(?:data/(?:data|user/\d+|user_de/\d+)|apps)/([A-Za-z][\w-]*(?:\.[\w-]+)+)/")
_IOS_DOMAIN = re.compile(r"(?:^|/)AppDomain(?:Group|Plugin)?-([^/]+)/")
_IOS_CONTAINER = re.compile(r"(?:^|/)Containers/(?:Data|Shared)/(?:Application|AppGroup|PluginKitPlugin)/"
                            r"([0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27})/")
IOS_CONTAINER_METADATA = ".com.apple.mobile_container_manager.metadata.plist"
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")


def app_folder(logical: str) -> tuple[str, str] | None:
    """``(app id, folder)`` for a path inside an app's data folder (Android package, iOS domain or
    container), else ``None``. An iOS container's id is its UUID until its metadata names the app."""
    for rx in (_ANDROID_APP, _IOS_DOMAIN, _IOS_CONTAINER):
        m = rx.search(logical)
        if m:
            return m.group(1), logical[: m.end() - 1]
    return None


def sniff(path: Path) -> str | None:
    """``sqlite`` or ``plist`` by the file's first bytes (never by its name), else ``None``."""
    try:
        with os.fdopen(open_readonly(str(path)), "rb") as f:  # O_NOATIME: the evidence's atime stays
            head = f.read(512)
    except OSError:
        return None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(b"bplist0") or (head.lstrip().startswith(b"<?xml") and b"<plist" in head) \
            or b"<!DOCTYPE plist" in head:
        return "plist"
    return None


def _requirement(parser: SqliteParser) -> frozenset[tuple[str, str]]:
    spec = parser.SIGNATURE or parser.REQUIRED
    return frozenset((t.lower(), c.lower()) for t, cols in spec.items() for c in (*cols, ""))


def by_schema(tables: dict[str, set[str]], parsers: list[SqliteParser]) -> list[SqliteParser]:
    """The parsers whose tables/columns (``SIGNATURE`` or ``REQUIRED``) the database has, the most
    specific one kept where several of one kind read the same table (Viber's ``calls`` is a
    superset of Android's)."""
    fit = [p for p in parsers if p.SCHEMA_DETECT and p.REQUIRED
           and not missing_structure(tables, p.SIGNATURE or p.REQUIRED)]
    keep: list[SqliteParser] = []
    for p in fit:
        rp = _requirement(p)
        beaten = any(q is not p and q.KIND == p.KIND and q.TABLE.lower() == p.TABLE.lower()
                     and (rp < _requirement(q) or (rp == _requirement(q) and fit.index(q) < fit.index(p)))
                     for q in fit)
        if not beaten:
            keep.append(p)
    return keep


class Triage:
    """One run over one source. Iterate :meth:`records`; read :attr:`summary` afterwards."""

    def __init__(self, source: Path, *, exhibit: str | None = None, region: str | None = None,
                 watchlist: Watchlist | None = None, scratch_parent: Path | None = None,
                 extract_to: Path | None = None, limits: Limits | None = None,
                 backup_password: str | None = None, hash_media: tuple[str, ...] = ()) -> None:
        self.source_path = source
        self.hash_media = hash_media  # algorithms to hash media files with (for known-file sets)
        self.exhibit = exhibit
        self.region = region
        self.watchlist = watchlist
        self.scratch_parent = scratch_parent
        self.extract_to = extract_to
        self.limits = limits or Limits()
        self.backup_password = backup_password
        self.summary = Summary(source=str(source))
        self._read = False
        self._apps: dict[str, _AppFolder] = {}

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
        src = open_source(self.source_path, extract_parent, self.limits, password=self.backup_password)
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
        sql_all = [p for p in parsers if isinstance(p, SqliteParser)]
        apps: dict[str, _AppFolder] = {}
        self._apps = apps
        for logical, real in src:
            self.summary.files_seen += 1
            self._read = False
            try:
                yield from self._one(src, logical, real, ctx, parsers, sql_all)
            except Exception as exc:  # noqa: BLE001 - one artefact never ends the run
                yield error_record(ENGINE, "parse", f"{type(exc).__name__}: {exc}", exhibit=ctx.exhibit,
                                   locator={"path": logical})
            where = app_folder(logical)
            if where is not None:
                folder = apps.setdefault(where[1], _AppFolder(where[0], where[1]))
                folder.files += 1
                folder.read = folder.read or self._read
                try:
                    folder.size += real.stat().st_size
                except OSError:
                    pass
                if logical.endswith("/" + IOS_CONTAINER_METADATA):
                    bundle = _container_bundle(real)
                    if bundle:
                        folder.app_id = bundle
        yield from self._unread_apps(apps)

    def _unread_apps(self, apps: dict[str, _AppFolder]) -> Iterator[Record]:
        covered = {a.lower() for cls in registry.PARSERS for a in cls.APP_IDS}
        for folder in sorted(apps.values(), key=lambda f: f.path):
            if folder.read:
                covered.add(folder.app_id.lower())
                continue
            yield self._unparsed("app_folder", folder.path, folder.size, app_id=folder.app_id, files=folder.files)
            covered.add(folder.app_id.lower())
        for app in sorted(self.summary.installed_apps):
            if app.lower() not in covered:
                yield new_record("phone.unparsed", ENGINE, ENGINE_VERSION, exhibit=self.exhibit, what="installed_app",
                                 app_id=app, reason="installed; fkit has no parser for this app",
                                 locator={"source": str(self.source_path)})

    def _unparsed(self, what: str, logical: str, size: int | None, **extra: Any) -> Record:
        if "app_id" not in extra:
            where = app_folder(logical)
            known = self._apps.get(where[1]) if where else None
            extra["app_id"] = known.app_id if known else (where[0] if where else None)
        return new_record("phone.unparsed", ENGINE, ENGINE_VERSION, exhibit=self.exhibit, what=what, path=logical,
                          size=size, **extra, locator={"source": str(self.source_path), "path": logical})

    def _one(self, src: Source, logical: str, real: Path, ctx: Context, parsers: list[Any],
             sql_all: list[SqliteParser]) -> Iterator[Record]:
        matching = [p for p in parsers if p.matches(logical)]
        sql = [p for p in matching if isinstance(p, SqliteParser)]
        files = [p for p in matching if isinstance(p, FileParser)]
        self._read = bool(matching)
        if sql:
            yield from self._sqlite(sql, logical, real, ctx, sql_all)
        for fp in files:
            yield from self._file(fp, logical, real, ctx)
        if matching or logical.endswith(SIDECAR_SUFFIXES) or logical.endswith(IOS_CONTAINER_METADATA):
            return  # (the container metadata plist is read for the app's bundle id)
        found = sniff(real)
        if found == "sqlite":
            yield from self._sqlite([], logical, real, ctx, sql_all)
        elif found == "plist" or logical.lower().endswith(".plist"):
            yield self._unparsed("plist", logical, _size(real))
        elif real.suffix.lower() in MEDIA_EXTENSIONS:
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
        if self.hash_media:
            try:
                fields["hashes"] = _hashes(real, self.hash_media)
            except OSError as exc:
                fields["hash_error"] = exc.strerror or str(exc)
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
        except Exception as exc:  # noqa: BLE001 - any failure of one file is that file's error record
            yield error_record(parser.NAME, "parse", f"{type(exc).__name__}: {exc}", exhibit=ctx.exhibit,
                               locator={"path": logical, "sha256": digest})

    def _sqlite(self, named: list[SqliteParser], logical: str, real: Path, ctx: Context,
                sql_all: list[SqliteParser]) -> Iterator[Record]:
        try:
            db = copy_and_open(real, ctx.scratch)
        except InputError as exc:
            yield error_record(named[0].NAME if named else ENGINE, "open", exc.message, exhibit=ctx.exhibit,
                               locator={"path": logical}, parsers=[p.NAME for p in named])
            return
        self.summary.databases += 1
        try:
            yield from self._run_db(db, named, logical, ctx, sql_all)
        finally:
            db.close()
            shutil.rmtree(db.copy.parent, ignore_errors=True)

    def _run_db(self, db: DbCopy, named: list[SqliteParser], logical: str, ctx: Context,
                sql_all: list[SqliteParser]) -> Iterator[Record]:
        prov = db.provenance()
        if not db.unchanged:
            yield error_record(ENGINE, "copy", "the database changed while it was copied (hashes differ); "
                               "records come from the copy", exhibit=ctx.exhibit, locator={"path": logical, "db": prov})
        if db.wal_ignored:
            yield warning(ENGINE, ENGINE_VERSION, "wal", db.wal_ignored, ctx, {"path": logical, "db": prov})
        assert db.conn is not None
        budget = Budget(self.limits.query_seconds, self.limits.query_rows)
        db.conn.set_progress_handler(budget.handler, 10_000)
        try:
            budget.start()
            tables = table_columns(db.conn)
        except sqlite3.Error as exc:
            yield error_record(named[0].NAME if named else ENGINE, "open", f"schema unreadable: {exc}",
                               exhibit=ctx.exhibit, locator={"path": logical, "db": prov})
            return
        run = [p for p in named if not p.missing(tables)]
        yield from self._views_instead(db, named, tables, logical, prov, ctx)
        detected = False
        if not run:
            run = by_schema(tables, [p for p in sql_all if p not in named])
            detected = bool(run)
        if named and not detected and not run:
            detail = "; ".join(f"{p.NAME}: {', '.join(p.missing(tables))}" for p in named)
            yield warning(ENGINE, ENGINE_VERSION, "schema", f"unknown schema, required tables/columns missing ({detail})",
                          ctx, {"path": logical, "db": prov})
        if not run:
            yield self._unparsed("database", logical, _size(db.original), tables=sorted(tables)[:200])
            return
        self._read = True
        for parser in run:
            base: dict[str, Any] = {"path": logical, "table": parser.TABLE}
            if detected:
                base["detected_by"] = "schema"
            yield from self._query(parser, db, tables, base, prov, budget, ctx)
            for table, reason in parser.unread_tables(tables):
                yield self._unparsed("table", logical, _size(db.original), table=table, reason=reason,
                                     known_to=parser.NAME)

    def _views_instead(self, db: DbCopy, named: list[SqliteParser], tables: dict[str, set[str]], logical: str,
                       prov: dict[str, Any], ctx: Context) -> Iterator[Record]:
        """A warning for each view standing where a parser expects a table (views are never read)."""
        if not named:
            return
        assert db.conn is not None
        try:
            views = {str(n).lower() for (n,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        except sqlite3.Error:
            return
        hit = sorted({t for p in named for t in p.REQUIRED if t.lower() in views and t.lower() not in tables})
        if hit:
            yield warning(ENGINE, ENGINE_VERSION, "view", f"{', '.join(hit)}: a view where a table is expected; views "
                          "are never read (a view can hide rows, loop or stream without end)", ctx,
                          {"path": logical, "db": prov})

    def _query(self, parser: SqliteParser, db: DbCopy, tables: dict[str, set[str]], base: dict[str, Any],
               prov: dict[str, Any], budget: Budget, ctx: Context) -> Iterator[Record]:
        assert db.conn is not None
        n = 0
        budget.start()
        try:
            for row in parser.rows(db.conn, tables):
                n += 1
                if n > budget.rows:
                    yield warning(parser.NAME, parser.VERSION, "budget",
                                  f"row budget reached: {budget.rows} rows read, the rest of the table was not read "
                                  "(raise it with FKIT_PHONE_QUERY_ROWS)", ctx, dict(base, db=prov))
                    return
                loc = dict(base, rowid=_rowid(row), db=prov)
                try:
                    rec = parser.row(row, ctx, loc)
                except Exception as exc:  # noqa: BLE001 - a bad row is a warning, the run goes on
                    yield warning(parser.NAME, parser.VERSION, "row", f"{type(exc).__name__}: {exc}", ctx, loc)
                    continue
                if rec is not None:
                    yield rec
        except sqlite3.Error as exc:
            if budget.interrupted:
                yield warning(parser.NAME, parser.VERSION, "budget",
                              f"query stopped after its time budget of {budget.seconds:g} s ({n} rows read; "
                              "raise it with FKIT_PHONE_QUERY_SECONDS)", ctx, dict(base, db=prov))
            else:
                yield error_record(parser.NAME, "read", f"{exc} (after {n} rows: database corrupt, truncated, "
                                   "or a view where a table was expected)", exhibit=ctx.exhibit,
                                   locator=jsonable(dict(base, db=prov)))
        except Exception as exc:  # noqa: BLE001 - a parser failing outside a row: this table only
            yield error_record(parser.NAME, "read", f"{type(exc).__name__}: {exc} (after {n} rows)",
                               exhibit=ctx.exhibit, locator=jsonable(dict(base, db=prov)))


def _rowid(row: sqlite3.Row) -> Any:
    try:
        value = row["rowid"]
        return value if type(value) is int else jsonable(value)
    except (IndexError, KeyError):
        return None


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _container_bundle(path: Path) -> str | None:
    """``MCMMetadataIdentifier`` of an iOS container's metadata plist (the app's bundle id)."""
    from forensic_kit.phone.ios.plistutil import load

    try:
        data = load(path)
    except ValueError:
        return None
    ident = data.get("MCMMetadataIdentifier") if isinstance(data, dict) else None
    return ident if isinstance(ident, str) else None


def _hashes(path: Path, algos: tuple[str, ...]) -> dict[str, str]:
    """The digests of a media file in the extraction (read-only, without changing its access time)."""
    import os

    from forensic_kit.filehash import read_and_hash
    from forensic_kit.fileopen import open_readonly

    fd = open_readonly(str(path))
    try:
        return read_and_hash(fd, os.fstat(fd).st_size, algos)[0]
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with os.fdopen(open_readonly(str(path)), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_problem(rec: Record) -> bool:
    """True for warning and error records."""
    return rec.get("kind") in (KIND_WARNING, "error")
