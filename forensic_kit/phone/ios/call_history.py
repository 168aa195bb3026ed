"""iOS ``CallHistory.storedata`` (iOS 8+, Core Data): ``ZCALLRECORD``."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.records import Record


def _text(value: Any) -> Any:
    """``ZADDRESS`` is TEXT or a BLOB of UTF-8 depending on the iOS version."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
    return value


class CallHistory(SqliteParser):
    """``ZCALLRECORD`` → ``phone.call``; ``ZORIGINATED`` 1 = outgoing, ``ZCALLTYPE`` raw."""

    NAME = "ios_call_history"
    VERSION = "1"
    KIND = "phone.call"
    PLATFORM = "ios"
    APP_IDS = ('com.apple.mobilephone',)
    FILENAMES = ("callhistory.storedata",)
    LABELS = "ios"
    TABLE = "ZCALLRECORD"
    REQUIRED = {"ZCALLRECORD": ("Z_PK", "ZADDRESS", "ZDATE", "ZDURATION", "ZORIGINATED")}
    OPTIONAL = {"ZCALLRECORD": ("ZANSWERED", "ZCALLTYPE", "ZNAME", "ZSERVICE_PROVIDER", "ZISO_COUNTRY_CODE",
                                "ZLOCATION", "ZREAD", "ZUNIQUE_ID")}
    QUERY = ("SELECT ZCALLRECORD.Z_PK AS rowid, ZCALLRECORD.ZADDRESS AS address, ZCALLRECORD.ZDATE AS date, "
             "ZCALLRECORD.ZDURATION AS duration, ZCALLRECORD.ZORIGINATED AS originated{opt} "
             "FROM ZCALLRECORD ORDER BY ZCALLRECORD.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app=row["ZSERVICE_PROVIDER"] or "phone", number=ctx.number(_text(row["address"])),
            name=row["ZNAME"], originated=row["originated"],
            type_label=self.label("call_originated", row["originated"]), answered=row["ZANSWERED"],
            call_type=row["ZCALLTYPE"], call_type_label=self.label("call_type", row["ZCALLTYPE"]),
            time=cocoa_s(row["date"]), duration_s=row["duration"], country_iso=row["ZISO_COUNTRY_CODE"],
            location=row["ZLOCATION"], unique_id=row["ZUNIQUE_ID"])
