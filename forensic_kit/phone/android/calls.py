"""Android call log: ``calls`` table of ``calllog.db`` (Android 7+) or ``contacts2.db``."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record


class Calls(SqliteParser):
    """``calls`` → ``phone.call`` (type code raw, label from ``labels/android.toml``)."""

    NAME = "android_calls"
    VERSION = "1"
    KIND = "phone.call"
    PLATFORM = "android"
    APP_IDS = ('com.android.providers.contacts',)
    FILENAMES = ("calllog.db", "contacts2.db")
    LABELS = "android"
    SCHEMA_DETECT = False  # calls(number, date, duration, type) is shared by other apps
    TABLE = "calls"
    REQUIRED = {"calls": ("_id", "number", "date", "duration", "type")}
    OPTIONAL = {"calls": ("name", "countryiso", "geocoded_location", "normalized_number", "new",
                          "is_read", "subscription_id", "phone_account_address", "via_number")}
    QUERY = ("SELECT calls._id AS rowid, calls.number AS number, calls.date AS date, calls.duration AS duration, "
             "calls.type AS type{opt} FROM calls ORDER BY calls._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        start = java_ms(row["date"])
        return self.record(
            ctx, locator, app="phone", number=ctx.number(row["number"]), name=row["name"],
            type=row["type"], type_label=self.label("call_type", row["type"]),
            time=start, duration_s=row["duration"], country_iso=row["countryiso"],
            geocoded_location=row["geocoded_location"], normalized_number=row["normalized_number"],
            new=row["new"], is_read=row["is_read"], subscription_id=row["subscription_id"])
