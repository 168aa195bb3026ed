"""Viber call log (``viber_data`` ``calls`` table)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from forensic_kit import timeutil
from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record


class ViberCalls(SqliteParser):
    """``calls`` of ``viber_data`` → ``phone.call`` (``app: viber``); end = start + duration."""

    NAME = "android_viber_calls"
    VERSION = "1"
    KIND = "phone.call"
    PLATFORM = "android"
    FILENAMES = ("viber_data",)
    LABELS = "android"
    APP_IDS = ("com.viber.voip",)
    TABLE = "calls"
    REQUIRED = {"calls": ("_id", "number", "date", "duration", "type")}
    SIGNATURE = {"calls": ("_id", "number", "date", "duration", "type", "canonized_number", "viber_call_type")}
    OPTIONAL = {"calls": ("canonized_number", "viber_call", "viber_call_type", "end_reason", "start_reason")}
    QUERY = ("SELECT calls._id AS rowid, calls.number AS number, calls.date AS date, calls.duration AS duration, "
             "calls.type AS type{opt} FROM calls ORDER BY calls._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        start = java_ms(row["date"])
        end = None
        if start and start.get("utc") and isinstance(row["duration"], int):
            dt = timeutil.java_millis(row["date"])
            assert dt is not None
            end = timeutil.datetime_to_iso(dt + timedelta(seconds=row["duration"]))
        return self.record(
            ctx, locator, app="viber", number=ctx.number(row["number"]),
            canonized_number=row["canonized_number"], type=row["type"],
            type_label=self.label("viber_call_type", row["type"]), time=start, end_utc=end,
            duration_s=row["duration"], viber_call=row["viber_call"], viber_call_type=row["viber_call_type"],
            media_label=self.label("viber_media_type", row["viber_call_type"]),
            end_reason=row["end_reason"])
