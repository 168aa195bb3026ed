"""Shared helpers for the phone tests: run the triage in-process, generate realistic databases."""

from __future__ import annotations

import plistlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from forensic_kit.phone.triage import Triage


def triage(source: Path, region: str | None = "US", exhibit: str = "EX-01", **kw: Any) -> list[dict[str, Any]]:
    """Every record of a run over ``source``."""
    return list(Triage(source, exhibit=exhibit, region=region, **kw).records())


def of(records: list[dict[str, Any]], kind: str, parser: str | None = None) -> list[dict[str, Any]]:
    """Records of one kind (and parser)."""
    return [r for r in records if r["kind"] == kind and (parser is None or r["producer"]["parser"] == parser)]


def make_db(path: Path, script: str, rows: dict[str, list[tuple[Any, ...]]] | None = None) -> Path:
    """Create an SQLite database from a schema script and rows (table → tuples)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(script)
    for table, values in (rows or {}).items():
        if values:
            marks = ",".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    conn.commit()
    conn.close()
    return path


def write_plist(path: Path, data: Any, binary: bool = True) -> Path:
    """Write a plist (binary by default, as iOS does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        plistlib.dump(data, f, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
    return path


# Schemas as the apps create them (column names and order from AOSP / app databases).
CONTACTS2 = """
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL);
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER, sourceid TEXT,
  version INTEGER NOT NULL DEFAULT 1, dirty INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
  contact_id INTEGER, aggregation_mode INTEGER NOT NULL DEFAULT 0, custom_ringtone TEXT,
  send_to_voicemail INTEGER NOT NULL DEFAULT 0, times_contacted INTEGER NOT NULL DEFAULT 0,
  last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0,
  display_name TEXT, display_name_alt TEXT, display_name_source INTEGER NOT NULL DEFAULT 0);
CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, package_id INTEGER, mimetype_id INTEGER NOT NULL,
  raw_contact_id INTEGER NOT NULL, is_read_only INTEGER NOT NULL DEFAULT 0, is_primary INTEGER NOT NULL DEFAULT 0,
  is_super_primary INTEGER NOT NULL DEFAULT 0, data_version INTEGER NOT NULL DEFAULT 0,
  data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT);
CREATE INDEX data_raw_contact_id ON data (raw_contact_id);
CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, date INTEGER, duration INTEGER,
  type INTEGER, new INTEGER, name TEXT, numbertype INTEGER, numberlabel TEXT, countryiso TEXT);
INSERT INTO mimetypes (_id, mimetype) VALUES (1, 'vnd.android.cursor.item/email_v2'),
  (5, 'vnd.android.cursor.item/phone_v2'), (7, 'vnd.android.cursor.item/name');
"""

MMSSMS = """
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER, date INTEGER,
  date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1, type INTEGER,
  reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT, locked INTEGER DEFAULT 0,
  error_code INTEGER DEFAULT 0, seen INTEGER DEFAULT 0);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER, date_sent INTEGER DEFAULT 0,
  msg_box INTEGER, read INTEGER DEFAULT 0, m_id TEXT, sub TEXT, sub_cs INTEGER, ct_t TEXT, ct_l TEXT, exp INTEGER,
  m_cls TEXT, m_type INTEGER, v INTEGER, m_size INTEGER);
CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, contact_id INTEGER, address TEXT, type INTEGER, charset INTEGER);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, seq INTEGER DEFAULT 0, ct TEXT, name TEXT,
  chset INTEGER, cd TEXT, fn TEXT, cid TEXT, cl TEXT, ctt_s INTEGER, ctt_t TEXT, _data TEXT, text TEXT);
"""


def extraction_folder(tmp_path: Path, *files: Path) -> Path:
    """A folder ``extraction`` holding copies of ``files`` (a minimal logical extraction)."""
    src = tmp_path / "extraction"
    src.mkdir(exist_ok=True)
    for f in files:
        shutil.copy(f, src / f.name)
    return src
