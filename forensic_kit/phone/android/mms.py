"""Android MMS (``mmssms.db`` ``pdu`` + ``addr`` + ``part``): metadata and text parts."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.records import Record

SEP = "\x1f"


class Mms(SqliteParser):
    """``pdu`` → ``phone.message`` (``app: mms``); ``date`` is Unix seconds in this table."""

    NAME = "android_mms"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ('com.android.providers.telephony',)
    FILENAMES = ("mmssms.db",)
    LABELS = "android"
    TABLE = "pdu"
    REQUIRED = {"pdu": ("_id", "date", "msg_box"), "addr": ("msg_id", "address", "type"),
                "part": ("mid", "ct", "text")}
    OPTIONAL = {"pdu": ("thread_id", "sub", "m_type", "read", "date_sent")}
    QUERY = (
        "SELECT pdu._id AS rowid, pdu.date AS date, pdu.msg_box AS msg_box{opt}, "
        "(SELECT group_concat(addr.address || '=' || addr.type, char(31)) FROM addr WHERE addr.msg_id = pdu._id) AS addrs, "
        "(SELECT group_concat(part.text, char(31)) FROM part WHERE part.mid = pdu._id AND part.ct = 'text/plain') AS body, "
        "(SELECT group_concat(part.ct, char(31)) FROM part WHERE part.mid = pdu._id AND part.ct <> 'text/plain' "
        " AND part.ct <> 'application/smil') AS media "
        "FROM pdu ORDER BY pdu._id"
    )

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        senders: list[Any] = []
        recipients: list[Any] = []
        for item in str(row["addrs"] or "").split(SEP):
            if "=" not in item:
                continue
            addr, _, typ = item.rpartition("=")
            # PduHeaders: 137 = FROM, 151 = TO, 130 = CC, 129 = BCC
            (senders if typ == "137" else recipients).append(ctx.number(addr))
        return self.record(
            ctx, locator, app="mms", msg_box=row["msg_box"], type_label=self.label("mms_msg_box", row["msg_box"]),
            time=unix_s(row["date"]), sent_time=unix_s(row["date_sent"]), senders=senders,
            recipients=recipients, subject=row["sub"], body=row["body"],
            media_types=[m for m in str(row["media"] or "").split(SEP) if m], read=row["read"],
            thread_id=row["thread_id"], m_type=row["m_type"])
