"""iOS ≤ 7 ``call_history.db``: ``call`` table (Unix seconds)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.records import Record


class CallHistoryDb(SqliteParser):
    """``call`` → ``phone.call``; ``flags`` raw (bit 0 = outgoing on these versions)."""

    NAME = "ios_call_history_db"
    VERSION = "1"
    KIND = "phone.call"
    PLATFORM = "ios"
    APP_IDS = ('com.apple.mobilephone',)
    FILENAMES = ("call_history.db",)
    SCHEMA_DETECT = False  # call(address, date, duration, flags) alone is too generic
    TABLE = "call"
    REQUIRED = {"call": ("rowid", "address", "date", "duration", "flags")}
    OPTIONAL = {"call": ("id", "name", "country_code")}
    QUERY = ("SELECT call.ROWID AS rowid, call.address AS address, call.date AS date, call.duration AS duration, "
             "call.flags AS flags{opt} FROM call ORDER BY call.ROWID")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        flags = row["flags"]
        return self.record(
            ctx, locator, app="phone", number=ctx.number(row["address"]), name=row["name"], flags=flags,
            type_label=("outgoing" if flags & 1 else "incoming") if isinstance(flags, int) else None,
            time=unix_s(row["date"]), duration_s=row["duration"], country_code=row["country_code"])
