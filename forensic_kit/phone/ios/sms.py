"""iOS Messages ``sms.db`` (SMS, MMS and iMessage): ``message`` + ``handle``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_ns, cocoa_s
from forensic_kit.records import Record

MAGNITUDE_SPLIT = 100_000_000_000
NS_CLIENT_VERSION = 11000
"""``_SqliteDatabaseProperties._ClientVersion`` from which ``message.date`` is in nanoseconds (iOS 11)."""


class Sms(SqliteParser):
    """``message`` → ``phone.message`` (``app`` = the row's ``service``: SMS or iMessage).

    The time unit is chosen explicitly from the database's declared schema version (iOS ≤ 10:
    Cocoa seconds; iOS 11+: Cocoa nanoseconds) and written into each record's ``time.format``.
    """

    NAME = "ios_sms"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ('com.apple.MobileSMS',)
    FILENAMES = ("sms.db", "chat.db")
    LABELS = "ios"
    TABLE = "message"
    REQUIRED = {"message": ("rowid", "guid", "text", "handle_id", "date", "is_from_me"), "handle": ("rowid", "id")}
    OPTIONAL = {"message": ("service", "date_read", "date_delivered", "is_read", "is_delivered", "is_sent",
                            "account", "cache_roomnames", "subject", "error", "cache_has_attachments")}
    QUERY = ("SELECT message.ROWID AS rowid, message.guid AS guid, message.text AS text, message.date AS date, "
             "message.is_from_me AS is_from_me, handle.id AS handle{opt} "
             "FROM message LEFT JOIN handle ON handle.ROWID = message.handle_id ORDER BY message.ROWID")

    def rows(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> Iterator[sqlite3.Row]:
        self._ns: bool | None = None
        if "_sqlitedatabaseproperties" in tables:
            got = conn.execute("SELECT value FROM _SqliteDatabaseProperties WHERE key = '_ClientVersion'").fetchone()
            try:
                self._ns = None if got is None else int(got[0]) >= NS_CLIENT_VERSION
            except (TypeError, ValueError):
                self._ns = None
        yield from super().rows(conn, tables)

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        ns = getattr(self, "_ns", None)

        def dec(value: Any) -> dict[str, Any] | None:
            if ns is not None:
                return cocoa_ns(value) if ns else cocoa_s(value)
            # No declared schema version (a copy without _SqliteDatabaseProperties): the unit is
            # read from the value itself: Cocoa seconds for any date before 5138 are < 1e11,
            # nanoseconds after 2001-01-01T00:01:40 are > 1e11. The record says it was inferred.
            out = (cocoa_ns if isinstance(value, (int, float)) and abs(value) > MAGNITUDE_SPLIT else cocoa_s)(value)
            if out is not None:
                out["unit_from"] = "magnitude"
            return out

        return self.record(
            ctx, locator, app=(row["service"] or "messages").lower(), service=row["service"],
            address=ctx.number(row["handle"]), from_me=row["is_from_me"],
            type_label=self.label("is_from_me", row["is_from_me"]), time=dec(row["date"]),
            read_time=dec(row["date_read"]), delivered_time=dec(row["date_delivered"]), body=row["text"],
            read=row["is_read"], delivered=row["is_delivered"], sent=row["is_sent"], guid=row["guid"],
            account=row["account"], chat_room=row["cache_roomnames"], subject=row["subject"], error=row["error"],
            has_attachments=row["cache_has_attachments"])
