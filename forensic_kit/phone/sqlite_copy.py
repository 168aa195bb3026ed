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
    try:
        conn = sqlite3.connect(str(copy), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA query_only=1")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass
        raise InputError(f"not a readable SQLite database ({exc}): encrypted, truncated or corrupt") from exc
    db.conn = conn
    return db


def table_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table of the database with its column names (lower-case)."""
    tables: dict[str, set[str]] = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')").fetchall():
        try:
            cols = {str(r[1]).lower() for r in conn.execute(f'PRAGMA table_info("{name}")').fetchall()}
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
