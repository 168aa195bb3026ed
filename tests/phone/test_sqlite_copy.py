"""SQLite is never opened in place: copies with sidecars, three hashes, WAL-only rows read."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from forensic_kit.errors import InputError
from forensic_kit.phone.sqlite_copy import copy_and_open, missing_structure, table_columns
from tests.conftest import testdata
from tests.phone.helpers import MMSSMS, of, triage


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_wal_testdata_rows_only_in_wal_are_read(tmp_path: Path) -> None:
    src = testdata("phone", "wal", "wal_database.db")
    expected = dict(line.split("\t") for line in (src.parent / "wal_database.db.tables.txt").read_text().splitlines())
    before = {p.name: (_sha(p), p.stat().st_mtime_ns) for p in src.parent.iterdir()}
    # Without the WAL (immutable open of the main file only) the newest rows are missing.
    main_only = sqlite3.connect(f"file:{src}?immutable=1", uri=True)
    without_wal = main_only.execute("SELECT count(*) FROM MyTable").fetchone()[0]
    main_only.close()
    db = copy_and_open(src, tmp_path / "scratch")
    assert db.conn is not None
    assert db.conn.execute("SELECT count(*) FROM MyTable").fetchone()[0] == int(expected["MyTable"]) == 11
    assert without_wal < 11
    assert db.sha256_before == db.sha256_after == db.sha256_copy == _sha(src)
    assert db.sidecars["-wal"]["sha256_before"] == _sha(src.with_name("wal_database.db-wal"))
    assert db.unchanged and db.copy.parent.parent == tmp_path / "scratch"
    db.close()
    # the evidence folder is untouched: same files, same bytes, same mtimes, no -shm created
    assert {p.name: (_sha(p), p.stat().st_mtime_ns) for p in src.parent.iterdir()} == before


def test_wal_only_sms_rows_through_the_parser(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    conn = sqlite3.connect(live / "mmssms.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.executescript(MMSSMS)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("INSERT INTO sms (_id, address, date, type, body) VALUES (1, '+212600000001', 1700000000000, 1, 'in main file')")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("INSERT INTO sms (_id, address, date, type, body) VALUES (2, '+212600000002', 1700000001000, 2, 'only in WAL')")
    conn.commit()
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name in ("mmssms.db", "mmssms.db-wal"):
        shutil.copy(live / name, evidence / name)  # captured while the app still had it open
    conn.close()
    os.chmod(evidence, 0o555)
    try:
        recs = triage(evidence, region="MA")
    finally:
        os.chmod(evidence, 0o755)
    sms = of(recs, "phone.message", "android_sms")
    assert [m["body"] for m in sms] == ["in main file", "only in WAL"]
    assert sorted(p.name for p in evidence.iterdir()) == ["mmssms.db", "mmssms.db-wal"]
    assert sms[1]["locator"]["db"]["sidecars"]["-wal"] == _sha(evidence / "mmssms.db-wal")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "msgstore.db"
    bad.write_bytes(os.urandom(4096))  # what an encrypted crypt14 database looks like without its key
    with pytest.raises(InputError, match="not a readable SQLite database"):
        copy_and_open(bad, tmp_path / "s")


def test_required_structure_check(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER)")
    tables = table_columns(conn)
    assert missing_structure(tables, {"sms": ("_id", "address", "body"), "pdu": ("_id",)}) == ["sms.body", "pdu"]
    assert missing_structure(tables, {"SMS": ("ADDRESS", "rowid")}) == []
