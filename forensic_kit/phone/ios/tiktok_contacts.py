"""TikTok contacts on iOS (``AwemeIM.db``: ``AwemeContactsV<n>``), the tables and columns iLEAPP's
TikTok artefact reads.

The table's version number changes with the app (``AwemeContactsV2`` … ``V5``): every
``AwemeContacts*`` table with ``uid``/``nickname`` is read, the table named in each record's
locator. ``latestchattimestamp`` is Unix seconds (the last chat with the contact).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.records import Record

_COLS = ("customid", "url1", "latestchattimestamp")


class TikTokContacts(SqliteParser):
    """``AwemeContactsV*`` → ``phone.contact`` (``app: tiktok``): uid, unique id, nickname, avatar, last chat."""

    NAME = "ios_tiktok_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "ios"
    APP_IDS = ("com.zhiliaoapp.musically",)
    FILENAMES = ("awemeim.db",)
    TABLE = "AwemeContactsV5"
    REQUIRED = {"AwemeContactsV5": ("uid", "nickname")}
    """The current version's table; :meth:`rows` reads every ``AwemeContacts*`` version present."""
    QUERY = "SELECT rowid, uid, nickname FROM AwemeContactsV5"

    def rows(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> Iterator[sqlite3.Row]:
        """Every ``AwemeContacts*`` table with ``uid`` and ``nickname`` (others are a schema this parser
        does not know: raised, so the run records it)."""
        conn.row_factory = sqlite3.Row
        real = {str(n).lower(): str(n) for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        names = sorted(real.get(t, t) for t in tables if t.startswith("awemecontacts"))
        usable = [t for t in names if {"uid", "nickname"} <= tables[t.lower()]]
        if not usable:
            raise ValueError(f"no AwemeContacts table with uid and nickname (found: {', '.join(names) or 'none'})")
        for t in usable:
            opt = ", ".join(f'"{c}" AS "{c}"' if c in tables[t.lower()] else f'NULL AS "{c}"' for c in _COLS)
            quoted = t.replace('"', '""')
            yield from conn.execute(f"SELECT rowid AS rowid, uid AS uid, nickname AS nickname, {opt}, "
                                    f"'{quoted}' AS source_table FROM \"{quoted}\" ORDER BY rowid")

    def missing(self, tables: dict[str, set[str]]) -> list[str]:
        """Missing only when no ``AwemeContacts*`` table has ``uid`` and ``nickname``."""
        if any(t.startswith("awemecontacts") and {"uid", "nickname"} <= cols for t, cols in tables.items()):
            return []
        return ["AwemeContacts*.uid/nickname"]

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        locator["table"] = row["source_table"]
        return self.record(ctx, locator, app="tiktok", tiktok_uid=row["uid"], unique_id=row["customid"],
                           name=row["nickname"], avatar_url=row["url1"],
                           last_chat=unix_s(row["latestchattimestamp"]), numbers=[])
