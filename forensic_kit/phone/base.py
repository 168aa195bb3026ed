"""The parser shape (after plaso's SQLite plugins): small declarative classes, one per artefact.

A parser names itself (``NAME``, ``VERSION``), says which files it reads (``FILENAMES``, matched
on the file name, lower-case) and, for SQLite, the tables and columns it needs (``REQUIRED``),
the ``QUERY`` and a ``row`` method that turns one row into one record. Schema variants are
handled by checking columns (``OPTIONAL`` columns are selected only when present), never by
version strings. A row that cannot be read becomes a warning record with its provenance.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Callable, ClassVar

from forensic_kit import timeutil
from forensic_kit.phone import labels, numbers
from forensic_kit.jsonl import OrjsonSafe, float_same_text
from forensic_kit.phone.values import jsonable
from forensic_kit.records import SCHEMA_ID, Record, new_record
from forensic_kit.records import producer as records_producer

KIND_WARNING = "warning"
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


@dataclass
class Context:
    """What every parser gets besides its input: exhibit, region, scratch area."""

    exhibit: str | None = None
    region: str | None = None
    platform: str | None = None
    scratch: Path = Path(".")
    extra_locator: dict[str, Any] = field(default_factory=dict)

    def number(self, raw: Any) -> dict[str, Any] | None:
        """A phone number as ``{"raw", "e164", ...}`` with this context's default region."""
        return numbers.normalise(raw, self.region)


def when(decoder: Callable[[Any], datetime | None], value: Any, fmt: str) -> dict[str, Any] | None:
    """A decoded time with its raw value and the format that was applied (explicit, never guessed).

    Zero and ``None`` mean "not recorded" in these databases and give ``None``.
    """
    if value is None or value == 0 or value == "":
        return None
    split = _INT_SPLIT.get(fmt) if type(value) is int else None
    if split is not None:  # whole numbers: the same text without building a datetime
        try:
            return {"utc": _utc_text(*split(value)), "raw": value, "format": fmt}
        except (OverflowError, ValueError):
            return {"utc": None, "raw": value, "format": fmt, "invalid": True}
    try:
        dt = decoder(value)
    except (OverflowError, ValueError, TypeError, ArithmeticError):
        return {"utc": None, "raw": jsonable(value), "format": fmt, "invalid": True}
    if dt is None:
        return {"utc": None, "raw": jsonable(value), "format": fmt, "invalid": True}
    return {"utc": timeutil.datetime_to_iso(dt), "raw": value, "format": fmt}


_INT_SPLIT: dict[str, Callable[[int], tuple[int, int]]] = {
    "java_millis": lambda v: (v // 1000, v % 1000 * 1000),
    "unix_seconds": lambda v: (v, 0),
    "cocoa_seconds": lambda v: (v + timeutil.COCOA_EPOCH_OFFSET_S, 0),
}
"""Integer time formats as (Unix seconds, microseconds): the fast path of :func:`when`."""
_DAYS: dict[int, str] = {}
_EPOCH_DAY = date(1970, 1, 1)


def _utc_text(seconds: int, micro: int) -> str:
    """``datetime_to_iso`` of Unix ``seconds`` + ``micro`` µs (UTC), the date and the time of day
    cached; raises ``OverflowError`` outside the years 1–9999 as :mod:`datetime` does."""
    day, rem = divmod(seconds, 86400)
    text = _DAYS.get(day)
    if text is None:
        text = (_EPOCH_DAY + timedelta(days=day)).isoformat() + "T"
        if len(_DAYS) > 100_000:
            _DAYS.clear()
        _DAYS[day] = text
    hms = _HMS.get(rem)
    if hms is None:
        h, r = divmod(rem, 3600)
        hms = _HMS[rem] = f"{h:02d}:{r // 60:02d}:{r % 60:02d}"
    if micro:
        return f"{text}{hms}.{micro:06d}Z"
    return text + hms + "Z"


_HMS: dict[int, str] = {}
"""``HH:MM:SS`` per second of the day (at most 86,400 entries)."""


def java_ms(value: Any) -> dict[str, Any] | None:
    """Android Java milliseconds since 1970."""
    if type(value) is int and value:
        try:
            return {"utc": _utc_text(value // 1000, value % 1000 * 1000), "raw": value, "format": "java_millis"}
        except (OverflowError, ValueError):
            return {"utc": None, "raw": value, "format": "java_millis", "invalid": True}
    return when(timeutil.java_millis, value, "java_millis")


def unix_s(value: Any) -> dict[str, Any] | None:
    """Unix seconds since 1970."""
    return when(timeutil.unix_seconds, value, "unix_seconds")


def cocoa_s(value: Any) -> dict[str, Any] | None:
    """Apple Cocoa seconds since 2001."""
    return when(timeutil.cocoa_seconds, value, "cocoa_seconds")


def cocoa_ns(value: Any) -> dict[str, Any] | None:
    """Apple Cocoa nanoseconds since 2001."""
    return when(timeutil.cocoa_nanoseconds, value, "cocoa_nanoseconds")


def plist_date(value: Any) -> dict[str, Any] | None:
    """A plist ``<date>`` (stored as UTC by the format)."""
    if not isinstance(value, datetime):
        return None
    from datetime import timezone

    dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return {"utc": timeutil.datetime_to_iso(dt), "raw": dt.isoformat(), "format": "plist_date"}


_CHECKED: list[Any] = [None]
"""The last locator value found orjson-safe (held, so its identity cannot be reused)."""


def _orjson_safe(value: Any, depth: int = 0) -> bool:
    """True when ``value`` (already made JSON-safe) holds only plain values and floats that json
    and orjson write alike."""
    t = type(value)
    if t in _PLAIN_TYPES:
        return True
    if t is float:
        return float_same_text(value)
    if depth > 64:
        return False
    if t is dict:
        return all(type(k) is str and _orjson_safe(v, depth + 1) for k, v in value.items())
    if t is list:
        return all(_orjson_safe(v, depth + 1) for v in value)
    return False


def warning(parser: str, version: str, stage: str, reason: str, ctx: Context, locator: dict[str, Any]) -> Record:
    """A warning record: something in the evidence could not be read, with where it is."""
    return new_record(KIND_WARNING, parser, version, exhibit=ctx.exhibit,
                      warning={"stage": stage, "reason": reason}, locator=jsonable(locator))


class Parser:
    """Common part of every parser."""

    NAME: ClassVar[str] = ""
    VERSION: ClassVar[str] = "1"
    KIND: ClassVar[str] = ""
    PLATFORM: ClassVar[str] = ""
    FILENAMES: ClassVar[tuple[str, ...]] = ()
    PATH_CONTAINS: ClassVar[tuple[str, ...]] = ()
    LABELS: ClassVar[str | None] = None
    APP_IDS: ClassVar[tuple[str, ...]] = ()
    """Android packages / iOS bundle ids whose data this parser reads (installed apps not covered by
    any parser are listed as ``phone.unparsed``)."""

    def matches(self, logical: str) -> bool:
        """True when the file at ``logical`` (an extraction-relative path) is this parser's input."""
        low = logical.lower()
        name = low.rsplit("/", 1)[-1]
        if name not in self.FILENAMES:
            return False
        return all(part in low for part in self.PATH_CONTAINS)

    def record(self, ctx: Context, locator: dict[str, Any], **fields: Any) -> Record:
        """A record of this parser's kind, with exhibit, platform and locator (the same record as
        ``new_record(KIND, NAME, VERSION, exhibit=..., platform=..., **fields, locator=...)``)."""
        # The locator is built by fkit (paths, table, rowid made JSON-safe by the caller, hashes).
        loc = dict(locator, **ctx.extra_locator) if ctx.extra_locator else locator
        safe = True  # every value plain or a float json and orjson write alike (jsonl.OrjsonSafe)
        for k, v in fields.items():
            tv = type(v)
            if tv in _PLAIN_TYPES or (tv is list and not v):
                continue
            if tv is dict:
                for x in v.values():
                    tx = type(x)
                    if tx not in _PLAIN_TYPES:
                        if tx is float and float_same_text(x):
                            continue
                        if tx is dict:
                            for y in x.values():
                                if type(y) not in _PLAIN_TYPES:
                                    break
                            else:
                                continue
                        v = fields[k] = jsonable(v)
                        safe = safe and _orjson_safe(v)
                        break
                continue
            v = fields[k] = jsonable(v)
            safe = safe and _orjson_safe(v)
        if safe:
            for v in loc.values():
                if type(v) not in _PLAIN_TYPES and v is not _CHECKED[0]:
                    if not _orjson_safe(v):
                        safe = False
                        break
                    _CHECKED[0] = v  # the database's hash block: the same object for all its rows
        rec: Record = OrjsonSafe() if safe else {}
        rec["schema"] = SCHEMA_ID
        rec["kind"] = self.KIND
        rec["exhibit"] = ctx.exhibit
        rec["platform"] = self.PLATFORM
        rec.update(fields)
        rec["locator"] = loc
        producer = self._producer
        if producer is None:
            producer = self._producer = records_producer(self.NAME, self.VERSION)
        rec["producer"] = dict(producer)
        return rec

    _producer: dict[str, Any] | None = None

    def label(self, table: str, code: Any) -> str | None:
        """The label for a raw type code, from the data file ``labels/<LABELS>.toml``."""
        if self.LABELS is None or code is None:
            return None
        return labels.label(self.LABELS, table, code)


class SqliteParser(Parser):
    """A parser of one SQLite database table (or join)."""

    TABLE: ClassVar[str] = ""
    REQUIRED: ClassVar[dict[str, tuple[str, ...]]] = {}
    OPTIONAL: ClassVar[dict[str, tuple[str, ...]]] = {}
    QUERY: ClassVar[str] = ""
    SCHEMA_DETECT: ClassVar[bool] = True
    """False for parsers whose tables are too generic to identify a database by schema alone (they
    run only on their own file names)."""
    SIGNATURE: ClassVar[dict[str, tuple[str, ...]]] = {}
    """Tables/columns that identify this app's database when it is found by its schema under another
    name (defaults to ``REQUIRED``); set it where ``REQUIRED`` alone is shared with another app."""

    LINKED: ClassVar[dict[str, tuple[dict[str, tuple[str, ...]], str]]] = {}
    """Values from other tables, each ``alias: (required tables/columns, SQL expression)``: the
    expression is selected only when its tables exist (else ``NULL``), at ``{linked}`` in ``QUERY``."""

    def query(self, tables: dict[str, set[str]]) -> str:
        """The SQL to run; ``{opt}`` in ``QUERY`` becomes the optional columns that exist and
        ``{linked}`` the :attr:`LINKED` expressions whose tables exist."""
        from forensic_kit.phone.sqlite_copy import missing_structure

        linked = ", ".join(f"NULL AS \"{alias}\"" if missing_structure(tables, need) else f"({expr}) AS \"{alias}\""
                           for alias, (need, expr) in self.LINKED.items())
        opt: list[str] = []
        for table, cols in self.OPTIONAL.items():
            have = tables.get(table.lower(), set())
            for col in cols:
                if col.lower() in have:
                    opt.append(f'{table}."{col}" AS "{col}"')
                else:
                    opt.append(f'NULL AS "{col}"')
        return self.QUERY.replace("{opt}", (", " + ", ".join(opt)) if opt else "").replace(
            "{linked}", (", " + linked) if linked else "")

    def missing(self, tables: dict[str, set[str]]) -> list[str]:
        """What of the required structure the database lacks (empty: this parser can read it)."""
        from forensic_kit.phone.sqlite_copy import missing_structure

        return missing_structure(tables, self.REQUIRED)

    def unread_tables(self, tables: dict[str, set[str]]) -> list[tuple[str, str]]:
        """``(table, reason)`` for tables of this parser's database that it knows and does not read
        (each becomes a ``phone.unparsed`` record: nothing is skipped silently)."""
        return []

    def rows(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> Iterator[sqlite3.Row]:
        """Run the query on the opened copy."""
        conn.row_factory = sqlite3.Row
        yield from conn.execute(self.query(tables))

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        """One row → one record (``None`` to skip)."""
        raise NotImplementedError


def open_evidence(path: Path, text: bool = False) -> IO[Any]:
    """Open an evidence file for reading without changing it (read-only, ``O_NOATIME``): binary, or
    text decoded as UTF-8 with replacement."""
    import os

    from forensic_kit.fileopen import open_readonly

    fd = open_readonly(str(path))
    if text:
        return os.fdopen(fd, "r", encoding="utf-8", errors="replace")
    return os.fdopen(fd, "rb")


def read_evidence(path: Path) -> bytes:
    """An evidence file's bytes, read without changing its access time."""
    with open_evidence(path) as f:
        data: bytes = f.read()
    return data


class FileParser(Parser):
    """A parser of one non-SQLite file (plist, XML, properties)."""

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        """Every record found in the file; raise ``ValueError`` for an unreadable file."""
        raise NotImplementedError
