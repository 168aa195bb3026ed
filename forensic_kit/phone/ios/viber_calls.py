"""Viber calls on iOS (``com.viber/database/Contacts.data``: ``ZRECENT`` + ``ZRECENTSLINE``), the tables
and columns iLEAPP's Viber artefacts read.

``ZRECENT`` is one call: ``ZDATE`` Core Data (Cocoa) seconds, ``ZDURATION`` seconds, ``ZCALLTYPE`` a
word (``incoming``, ``outgoing_viber``, ``missed``, each with ``_with_video`` for video calls: labels
in ``labels/ios.toml``, unknown words stay raw). The other party's number is ``ZRECENTSLINE.ZPHONENUMBER``
(a text number, or a key into ``ZPHONENUMBER`` in some versions: both are read). ``ZCALLLOGMESSAGE``
links the call to its chat message; a call without one is a remnant of a deleted chat (iLEAPP's
"call remnants").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from forensic_kit import timeutil
from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.records import Record

_LINE: dict[str, tuple[str, ...]] = {"ZRECENTSLINE": ("Z_PK", "ZPHONENUMBER"), "ZRECENT": ("ZRECENTSLINE",)}


class ViberCalls(SqliteParser):
    """``ZRECENT`` → ``phone.call`` (``app: viber``): number, direction/missed, audio/video, time, duration."""

    NAME = "ios_viber_calls"
    VERSION = "1"
    KIND = "phone.call"
    PLATFORM = "ios"
    LABELS = "ios"
    APP_IDS = ("com.viber",)
    FILENAMES = ("contacts.data",)
    TABLE = "ZRECENT"
    REQUIRED = {"ZRECENT": ("Z_PK", "ZDATE", "ZCALLTYPE", "ZDURATION")}
    OPTIONAL = {"ZRECENT": ("ZCALLLOGMESSAGE", "ZRECENTSLINE")}
    LINKED = {
        "line_phone": (_LINE, "SELECT l.ZPHONENUMBER FROM ZRECENTSLINE AS l WHERE l.Z_PK = ZRECENT.ZRECENTSLINE"),
        "keyed_phone": ({**_LINE, "ZPHONENUMBER": ("Z_PK", "ZPHONE")},
                        "SELECT p.ZPHONE FROM ZRECENTSLINE AS l JOIN ZPHONENUMBER AS p ON p.Z_PK = l.ZPHONENUMBER "
                        "WHERE l.Z_PK = ZRECENT.ZRECENTSLINE AND typeof(l.ZPHONENUMBER) = 'integer'"),
        "chat_name": ({"ZVIBERMESSAGE": ("Z_PK", "ZCONVERSATION"), "ZCONVERSATION": ("Z_PK", "ZNAME"),
                       "ZRECENT": ("ZCALLLOGMESSAGE",)},
                      "SELECT c.ZNAME FROM ZVIBERMESSAGE AS m JOIN ZCONVERSATION AS c ON c.Z_PK = m.ZCONVERSATION "
                      "WHERE m.Z_PK = ZRECENT.ZCALLLOGMESSAGE"),
    }
    QUERY = ("SELECT ZRECENT.Z_PK AS rowid, ZRECENT.ZDATE AS zdate, ZRECENT.ZCALLTYPE AS call_type, "
             "ZRECENT.ZDURATION AS duration{opt}{linked} FROM ZRECENT ORDER BY ZRECENT.Z_PK")

    _links_known = True

    def rows(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> Iterator[sqlite3.Row]:
        """The query's rows; whether this version links calls to chats at all is noted first."""
        self._links_known = {"zcalllogmessage", "zrecentsline"} <= tables.get("zrecent", set())
        yield from super().rows(conn, tables)

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        line = row["line_phone"]
        number = ctx.number(row["keyed_phone"]) if row["keyed_phone"] is not None else \
            (ctx.number(line) if not isinstance(line, int) else None)
        start = cocoa_s(row["zdate"])
        duration = row["duration"]
        end = None
        if start and start.get("utc") and isinstance(duration, (int, float)) and not isinstance(duration, bool):
            dt = timeutil.cocoa_seconds(row["zdate"])
            if dt is not None:
                end = timeutil.datetime_to_iso(dt + timedelta(seconds=duration))
        call_type = row["call_type"]
        return self.record(
            ctx, locator, app="viber", number=number, line_number_key=line if isinstance(line, int) else None,
            chat_name=row["chat_name"], type=call_type, type_label=self.label("viber_call_direction", call_type),
            media_label=self.label("viber_call_media", call_type), time=start, end_utc=end, duration_s=duration,
            message_ref=row["ZCALLLOGMESSAGE"],
            chat_message_missing=(1 if row["ZCALLLOGMESSAGE"] is None and row["ZRECENTSLINE"] is None else 0)
            if self._links_known else None)
