"""IMO messages on iOS (``IMODb2.sqlite`` ``ZIMOCHATMSG``), as plaso's ``ios_imohdchat`` plugin reads it.

``ZTS`` is Unix nanoseconds (plaso's ``recorded_time``); ``ZISSENT`` 1 = sent by the phone's
owner; ``ZBUID`` is the chat partner's IMO id, ``ZALIAS`` the name shown.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.android.imo_messages import unix_ns
from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class ImoMessages(SqliteParser):
    """``ZIMOCHATMSG`` → ``phone.message`` (``app: imo``)."""

    NAME = "ios_imo_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ("com.imo.imoim",)
    FILENAMES = ("imodb2.sqlite",)
    LABELS = "ios"
    TABLE = "ZIMOCHATMSG"
    REQUIRED = {"ZIMOCHATMSG": ("Z_PK", "ZTS", "ZTEXT", "ZBUID", "ZISSENT")}
    OPTIONAL = {"ZIMOCHATMSG": ("ZALIAS", "ZSTATE", "ZTYPE", "ZSENDERTS", "ZA_UID")}
    QUERY = ("SELECT ZIMOCHATMSG.Z_PK AS rowid, ZIMOCHATMSG.ZTS AS ts, ZIMOCHATMSG.ZTEXT AS text, "
             "ZIMOCHATMSG.ZBUID AS buid, ZIMOCHATMSG.ZISSENT AS sent{opt} FROM ZIMOCHATMSG ORDER BY ZIMOCHATMSG.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(ctx, locator, app="imo", chat={"raw": row["buid"], "type": "imo_id"},
                           chat_name=row["ZALIAS"], from_me=row["sent"],
                           type_label=self.label("is_from_me", row["sent"]), time=unix_ns(row["ts"]),
                           sent_time=unix_ns(row["ZSENDERTS"]), body=row["text"], status=row["ZSTATE"],
                           message_type=row["ZTYPE"], sender_id=row["ZA_UID"])
