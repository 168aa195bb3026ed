"""Android SMS (``mmssms.db`` ``sms`` table)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record


class Sms(SqliteParser):
    """``sms`` → ``phone.message`` (``app: sms``); ``type`` stays the raw code."""

    NAME = "android_sms"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ('com.android.providers.telephony',)
    FILENAMES = ("mmssms.db",)
    LABELS = "android"
    TABLE = "sms"
    REQUIRED = {"sms": ("_id", "address", "date", "type", "body")}
    OPTIONAL = {"sms": ("thread_id", "date_sent", "read", "seen", "status", "service_center", "subject",
                        "person", "locked", "sub_id")}
    QUERY = ("SELECT sms._id AS rowid, sms.address AS address, sms.date AS date, sms.type AS type, "
             "sms.body AS body{opt} FROM sms ORDER BY sms._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app="sms", address=ctx.number(row["address"]), type=row["type"],
            type_label=self.label("sms_type", row["type"]), time=java_ms(row["date"]),
            sent_time=java_ms(row["date_sent"]), body=row["body"], read=row["read"], seen=row["seen"],
            thread_id=row["thread_id"], status=row["status"], subject=row["subject"],
            service_center=row["service_center"], locked=row["locked"])
