"""Open evidence SQLite databases safely: never in place, always a hashed copy with its sidecars.

The database and its ``-wal``/``-journal`` files are copied to a scratch folder while hashing
(the "before" hash), the original is hashed again after the copy (the "after" hash) and the copy
is hashed too; all three must agree. The copy is opened, so rows that live only in the WAL are
read, and the evidence file is never touched by SQLite (no checkpoint, no ``-shm`` beside it).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit.errors import InputError

SIDECARS = ("-wal", "-journal")
_CHUNK = 1 << 20


def _sha256_copy(src: Path, dst: Path | None) -> str:
    """SHA-256 of ``src``; when ``dst`` is given, copy the bytes there in the same read."""
    h = hashlib.sha256()
    fd = os.open(src, os.O_RDONLY | getattr(os, "O_NOATIME", 0) if _can_noatime(src) else os.O_RDONLY)
    try:
        with open(fd, "rb", closefd=False) as f:
            out = open(dst, "xb") if dst is not None else None
            try:
                while True:
                    chunk = f.read(_CHUNK)
                    if not chunk:
                        break
                    h.update(chunk)
                    if out is not None:
                        out.write(chunk)
            finally:
                if out is not None:
                    out.close()
    finally:
        os.close(fd)
    return h.hexdigest()


def _can_noatime(path: Path) -> bool:
    """O_NOATIME is allowed only for the file's owner (or root)."""
    try:
        return hasattr(os, "O_NOATIME") and (os.geteuid() == 0 or path.stat().st_uid == os.geteuid())
    except OSError:
        return False


@dataclass
class DbCopy:
    """A database copied to scratch: where it came from, the hashes, and the open connection."""

    original: Path
    copy: Path
    sha256_before: str
    sha256_after: str
    sha256_copy: str
    sidecars: dict[str, dict[str, str]] = field(default_factory=dict)
    conn: sqlite3.Connection | None = None
    wal_ignored: str | None = None
    """Why the ``-wal`` file was left out (it does not belong to this database), or ``None``."""

    @property
    def unchanged(self) -> bool:
        """True when the original did not change while copied and the copy is identical."""
        return self.sha256_before == self.sha256_after == self.sha256_copy and all(
            s["sha256_before"] == s["sha256_after"] == s["sha256_copy"] for s in self.sidecars.values()
        )

    def provenance(self) -> dict[str, Any]:
        """The hash block that goes into every record read from this database."""
        block: dict[str, Any] = {"sha256_before": self.sha256_before, "sha256_after": self.sha256_after,
                                 "sha256_copy": self.sha256_copy}
        if self.sidecars:
            block["sidecars"] = {k: v["sha256_before"] for k, v in sorted(self.sidecars.items())}
        if self.wal_ignored:
            block["wal_ignored"] = True
        return block

    def close(self) -> None:
        """Close the connection (the scratch folder is removed by its owner)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def copy_and_open(original: Path, scratch: Path) -> DbCopy:
    """Copy ``original`` (+ sidecars) into a new folder under ``scratch`` and open the copy.

    Raises :class:`InputError` when the file cannot be read or is not an SQLite database
    (encrypted, truncated, corrupt); the message is the reason in words.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    n = 0
    while True:
        target_dir = scratch / f"db{n:05d}"
        try:
            target_dir.mkdir()
            break
        except FileExistsError:
            n += 1
    copy = target_dir / original.name
    try:
        before = _sha256_copy(original, copy)
        sidecars: dict[str, dict[str, str]] = {}
        for suffix in SIDECARS:
            side = original.with_name(original.name + suffix)
            if side.is_file():
                side_copy = copy.with_name(copy.name + suffix)
                sb = _sha256_copy(side, side_copy)
                sidecars[suffix] = {"sha256_before": sb, "sha256_after": _sha256_copy(side, None),
                                    "sha256_copy": _sha256_copy(side_copy, None)}
        after = _sha256_copy(original, None)
        copied = _sha256_copy(copy, None)
    except OSError as exc:
        raise InputError(f"cannot copy {original}: {exc.strerror or exc}") from exc
    db = DbCopy(original, copy, before, after, copied, sidecars)
    if "-wal" in sidecars:  # before SQLite touches the copy (closing it checkpoints the WAL into it)
        (target_dir / "without-wal").mkdir()
        _sha256_copy(copy, target_dir / "without-wal" / copy.name)
    try:
        conn = sqlite3.connect(str(copy), isolation_level=None, check_same_thread=False)
        guard(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass
        alone = _without_wal(db, target_dir) if "-wal" in sidecars else None
        if alone is None:
            raise InputError(f"not a readable SQLite database ({exc}): encrypted, truncated or corrupt") from exc
        db.conn = alone
        db.wal_ignored = (f"the database is unreadable with its -wal file ({exc}) and readable without it: the "
                          "-wal belongs to another database or is damaged, and was left out")
        return db
    db.conn = conn
    if "-wal" in sidecars:
        _check_wal(db, target_dir)
    return db


def _without_wal(db: DbCopy, target_dir: Path) -> sqlite3.Connection | None:
    """The copied database opened without its ``-wal`` (a second copy of the main file only)."""
    alone = target_dir / "without-wal" / db.copy.name
    try:
        conn = sqlite3.connect(str(alone), isolation_level=None, check_same_thread=False)
        guard(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error:
        return None


def _schema(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return {(str(t), str(n)) for t, n in conn.execute("SELECT type, name FROM sqlite_master").fetchall()}


def _check_wal(db: DbCopy, target_dir: Path) -> None:
    """Leave out a ``-wal`` that does not belong to the database.

    A WAL holds no identifier of its database: a WAL copied from another database is applied by
    SQLite as if it were this one's, and the tables the parsers need vanish. The database is also
    opened without its WAL; when the WAL makes tables disappear or the database unreadable, the
    WAL is left out (the records say so) instead of reading another database's pages.
    """
    assert db.conn is not None
    conn2 = _without_wal(db, target_dir)
    if conn2 is None:
        return  # the main file alone is unreadable: the WAL is needed, keep it
    base = _schema(conn2)
    reason = None
    try:
        with_wal = _schema(db.conn)
        lost = sorted(n for t, n in base - with_wal if t == "table")
        if lost:
            reason = (f"the -wal file removes tables {', '.join(lost[:8])} of the database: it belongs to "
                      "another database and was left out")
    except sqlite3.Error as exc:
        reason = f"the database is unreadable with its -wal file ({exc}): the -wal was left out"
    if reason is None:
        conn2.close()
        return
    db.conn.close()
    db.conn = conn2
    db.wal_ignored = reason


class Budget:
    """Time and row budget of one query, enforced by SQLite's progress handler.

    :meth:`start` arms the deadline; the handler interrupts the statement once it is past, so no
    query on hostile data (a recursive construct, a cartesian join) can hang the run.
    """

    def __init__(self, seconds: float, rows: int) -> None:
        self.seconds = seconds
        self.rows = rows
        self.deadline = 0.0
        self.interrupted = False

    def start(self) -> None:
        """Arm the time budget for the next query."""
        self.deadline = time.monotonic() + self.seconds
        self.interrupted = False

    def handler(self) -> int:
        """Progress handler: non-zero interrupts the running statement."""
        if time.monotonic() > self.deadline:
            self.interrupted = True
            return 1
        return 0


def _authorize(action: int, arg1: str | None, arg2: str | None, dbname: str | None, source: str | None) -> int:
    """Deny every read made on behalf of a view or trigger: only real tables are ever read."""
    if source is not None and action == sqlite3.SQLITE_READ:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def guard(conn: sqlite3.Connection, budget: Budget | None = None) -> None:
    """Make ``conn`` safe for evidence: read-only, views and triggers never run, schema not trusted,
    and (with ``budget``) every statement interrupted past the time budget."""
    conn.execute("PRAGMA query_only=1")
    try:
        conn.execute("PRAGMA trusted_schema=OFF")
    except sqlite3.Error:
        pass
    conn.set_authorizer(_authorize)
    if budget is not None:
        conn.set_progress_handler(budget.handler, 10_000)


def real_tables(conn: sqlite3.Connection) -> list[str]:
    """Names of the real tables (``sqlite_master.type = 'table'``): never views."""
    return [str(n) for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]


def table_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Every real table of the database with its column names (lower-case); views are left out."""
    tables: dict[str, set[str]] = {}
    for name in real_tables(conn):
        try:
            quoted = name.replace('"', '""')
            cols = {str(r[1]).lower() for r in conn.execute(f'PRAGMA table_info("{quoted}")').fetchall()}
        except sqlite3.Error:
            continue  # e.g. a full-text table with an app-specific tokenizer: not needed by any parser
        tables[str(name).lower()] = cols
    return tables


def missing_structure(tables: dict[str, set[str]], required: dict[str, tuple[str, ...]]) -> list[str]:
    """What of ``required`` (table → columns) the database lacks, as ``table`` or ``table.column``."""
    missing: list[str] = []
    for table, cols in required.items():
        have = tables.get(table.lower())
        if have is None:
            missing.append(table)
            continue
        missing.extend(f"{table}.{c}" for c in cols if c.lower() not in have and c.lower() != "rowid")
    return missing
