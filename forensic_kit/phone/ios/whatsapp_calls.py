"""WhatsApp for iOS call history (``CallHistory.sqlite`` in the WhatsApp app group)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from forensic_kit import timeutil
from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record

SEP = "\x1f"


class WhatsAppCalls(SqliteParser):
    """``ZWACDCALLEVENT`` (+ aggregate: direction, video; + participants) → ``phone.call`` (``app: whatsapp``)."""

    NAME = "ios_whatsapp_calls"
    VERSION = "1"
    KIND = "phone.call"
    PLATFORM = "ios"
    APP_IDS = ('net.whatsapp.WhatsApp', 'net.whatsapp.WhatsAppSMB')
    FILENAMES = ("callhistory.sqlite",)
    LABELS = "ios"
    TABLE = "ZWACDCALLEVENT"
    REQUIRED = {"ZWACDCALLEVENT": ("Z_PK", "ZDATE", "ZDURATION", "Z1CALLEVENTS"),
                "ZWAAGGREGATECALLEVENT": ("Z_PK", "ZINCOMING"),
                "ZWACDCALLEVENTPARTICIPANT": ("Z1PARTICIPANTS", "ZJIDSTRING")}
    OPTIONAL = {"ZWACDCALLEVENT": ("ZOUTCOME", "ZGROUPJIDSTRING", "ZBYTESSENT", "ZBYTESRECEIVED"),
                "ZWAAGGREGATECALLEVENT": ("ZMISSED", "ZVIDEO")}
    QUERY = ("SELECT ZWACDCALLEVENT.Z_PK AS rowid, ZWACDCALLEVENT.ZDATE AS date, ZWACDCALLEVENT.ZDURATION AS duration, "
             "ZWAAGGREGATECALLEVENT.ZINCOMING AS incoming{opt}, "
             "(SELECT group_concat(ZJIDSTRING, char(31)) FROM ZWACDCALLEVENTPARTICIPANT p "
             " WHERE p.Z1PARTICIPANTS = ZWACDCALLEVENT.Z_PK) AS participants "
             "FROM ZWACDCALLEVENT LEFT JOIN ZWAAGGREGATECALLEVENT "
             "ON ZWAAGGREGATECALLEVENT.Z_PK = ZWACDCALLEVENT.Z1CALLEVENTS ORDER BY ZWACDCALLEVENT.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        parts = [jid_fields(j, ctx) for j in str(row["participants"] or "").split(SEP) if j]
        end = None
        if isinstance(row["date"], (int, float)) and isinstance(row["duration"], (int, float)):
            start = timeutil.cocoa_seconds(row["date"])
            assert start is not None
            end = timeutil.datetime_to_iso(start + timedelta(seconds=row["duration"]))
        incoming = row["incoming"]
        return self.record(
            ctx, locator, app="whatsapp", participants=parts,
            number=(parts[0] or {}).get("number") if len(parts) == 1 else None,
            incoming=incoming, type_label=None if incoming is None else ("incoming" if incoming else "outgoing"),
            time=cocoa_s(row["date"]), end_utc=end, duration_s=row["duration"], outcome=row["ZOUTCOME"],
            missed=row["ZMISSED"], video=row["ZVIDEO"], group=jid_fields(row["ZGROUPJIDSTRING"], ctx),
            bytes_sent=row["ZBYTESSENT"], bytes_received=row["ZBYTESRECEIVED"])
