"""Viber messages on iOS (``com.viber/database/Contacts.data``: ``ZVIBERMESSAGE`` + ``ZCONVERSATION`` +
``ZMEMBER``/``ZPHONENUMBER``), the tables and columns iLEAPP's Viber artefact reads.

Times are Core Data (Cocoa) seconds: ``ZSTATEDATE`` is what iLEAPP reports as the message's creation
date, ``ZDATE`` its last state change. ``ZSTATE`` ``send``/``delivered`` = sent by the owner,
``received`` = received (iLEAPP); other states stay raw.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.records import Record

_ATT: dict[str, tuple[str, ...]] = {"ZATTACHMENT": ("Z_PK", "ZNAME", "ZTYPE", "ZFILESIZE"),
                                    "ZVIBERMESSAGE": ("ZATTACHMENT",)}
_LOC: dict[str, tuple[str, ...]] = {"ZVIBERLOCATION": ("Z_PK", "ZLATITUDE", "ZLONGITUDE"),
                                    "ZVIBERMESSAGE": ("ZLOCATION",)}
_STATE = {"send": "sent", "delivered": "sent", "received": "received"}


class ViberMessages(SqliteParser):
    """``ZVIBERMESSAGE`` → ``phone.message`` (``app: viber``): chat, sender name and phone, text, attachment, location."""

    NAME = "ios_viber_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ("com.viber",)
    FILENAMES = ("contacts.data",)
    TABLE = "ZVIBERMESSAGE"
    REQUIRED = {"ZVIBERMESSAGE": ("Z_PK", "ZTEXT", "ZDATE", "ZSTATE", "ZCONVERSATION"),
                "ZCONVERSATION": ("Z_PK", "ZNAME")}
    OPTIONAL = {"ZVIBERMESSAGE": ("ZSTATEDATE", "ZPHONENUMINDEX", "ZBEINGDELETED", "ZSYSTEMTYPE")}
    LINKED = {
        "sender_name": ({"ZMEMBER": ("Z_PK", "ZDISPLAYFULLNAME"), "ZVIBERMESSAGE": ("ZPHONENUMINDEX",)},
                        "SELECT m.ZDISPLAYFULLNAME FROM ZMEMBER AS m WHERE m.Z_PK = ZVIBERMESSAGE.ZPHONENUMINDEX"),
        "sender_phone": ({"ZPHONENUMBER": ("ZMEMBER", "ZPHONE"), "ZVIBERMESSAGE": ("ZPHONENUMINDEX",)},
                         "SELECT p.ZPHONE FROM ZPHONENUMBER AS p WHERE p.ZMEMBER = ZVIBERMESSAGE.ZPHONENUMINDEX "
                         "LIMIT 1"),
        "att_name": (_ATT, "SELECT a.ZNAME FROM ZATTACHMENT AS a WHERE a.Z_PK = ZVIBERMESSAGE.ZATTACHMENT"),
        "att_type": (_ATT, "SELECT a.ZTYPE FROM ZATTACHMENT AS a WHERE a.Z_PK = ZVIBERMESSAGE.ZATTACHMENT"),
        "att_size": (_ATT, "SELECT a.ZFILESIZE FROM ZATTACHMENT AS a WHERE a.Z_PK = ZVIBERMESSAGE.ZATTACHMENT"),
        "lat": (_LOC, "SELECT l.ZLATITUDE FROM ZVIBERLOCATION AS l WHERE l.Z_PK = ZVIBERMESSAGE.ZLOCATION"),
        "lon": (_LOC, "SELECT l.ZLONGITUDE FROM ZVIBERLOCATION AS l WHERE l.Z_PK = ZVIBERMESSAGE.ZLOCATION"),
    }
    QUERY = ("SELECT ZVIBERMESSAGE.Z_PK AS rowid, ZVIBERMESSAGE.ZTEXT AS text, ZVIBERMESSAGE.ZDATE AS zdate, "
             "ZVIBERMESSAGE.ZSTATE AS state, ZVIBERMESSAGE.ZCONVERSATION AS conversation, "
             "ZCONVERSATION.ZNAME AS chat_name{opt}{linked} FROM ZVIBERMESSAGE "
             "LEFT JOIN ZCONVERSATION ON ZCONVERSATION.Z_PK = ZVIBERMESSAGE.ZCONVERSATION ORDER BY ZVIBERMESSAGE.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        lat, lon = row["lat"], row["lon"]
        location = {"lat": lat, "lon": lon} if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) \
            and (lat or lon) else None
        att = row["att_name"]
        sender = ctx.number(row["sender_phone"])
        return self.record(
            ctx, locator, app="viber", thread_id=row["conversation"], chat_name=row["chat_name"], state=row["state"],
            type_label=_STATE.get(str(row["state"])), sender=sender, sender_name=row["sender_name"],
            time=cocoa_s(row["ZSTATEDATE"]) or cocoa_s(row["zdate"]), state_time=cocoa_s(row["zdate"]),
            body=row["text"], attachments=[{"name": att, "type": row["att_type"], "size": row["att_size"]}] if att
            else [], location=location, deleted=row["ZBEINGDELETED"], system_type=row["ZSYSTEMTYPE"])
