"""WhatsApp for iOS ``ChatStorage.sqlite``: ``ZWAMESSAGE`` + ``ZWACHATSESSION``."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.phone.whatsapp import jid_fields, location, media_list
from forensic_kit.records import Record


_MEDIA: dict[str, tuple[str, ...]] = {"ZWAMEDIAITEM": ("Z_PK", "ZMESSAGE", "ZMEDIALOCALPATH", "ZFILESIZE", "ZTITLE")}
_LOCATION: dict[str, tuple[str, ...]] = {"ZWAMEDIAITEM": ("Z_PK", "ZMESSAGE", "ZLATITUDE", "ZLONGITUDE"), "ZWAMESSAGE": ("ZMESSAGETYPE",)}


class WhatsAppMessages(SqliteParser):
    """``ZWAMESSAGE`` → ``phone.message`` (``app: whatsapp``), with the chat's JID and name."""

    NAME = "ios_whatsapp_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ('net.whatsapp.WhatsApp', 'net.whatsapp.WhatsAppSMB')
    FILENAMES = ("chatstorage.sqlite",)
    LABELS = "ios"
    TABLE = "ZWAMESSAGE"
    REQUIRED = {"ZWAMESSAGE": ("Z_PK", "ZISFROMME", "ZMESSAGEDATE", "ZTEXT", "ZCHATSESSION"),
                "ZWACHATSESSION": ("Z_PK", "ZCONTACTJID")}
    OPTIONAL = {"ZWAMESSAGE": ("ZFROMJID", "ZTOJID", "ZSTANZAID", "ZMESSAGETYPE", "ZMESSAGESTATUS", "ZSTARRED",
                               "ZSENTDATE"),
                "ZWACHATSESSION": ("ZPARTNERNAME",)}
    # scalar subqueries, one value each (json_array would round REAL coordinates to 15 digits)
    LINKED = {
        "media_path": (_MEDIA, "SELECT mi.ZMEDIALOCALPATH FROM ZWAMEDIAITEM AS mi WHERE mi.ZMESSAGE = ZWAMESSAGE.Z_PK"),
        "media_size": (_MEDIA, "SELECT mi.ZFILESIZE FROM ZWAMEDIAITEM AS mi WHERE mi.ZMESSAGE = ZWAMESSAGE.Z_PK"),
        "media_title": (_MEDIA, "SELECT mi.ZTITLE FROM ZWAMEDIAITEM AS mi WHERE mi.ZMESSAGE = ZWAMESSAGE.Z_PK"),
        # ZLATITUDE/ZLONGITUDE hold other numbers on media rows: a location only on ZMESSAGETYPE 5 (iLEAPP)
        "loc_lat": (_LOCATION, "SELECT mi.ZLATITUDE FROM ZWAMEDIAITEM AS mi WHERE mi.ZMESSAGE = ZWAMESSAGE.Z_PK "
                               "AND ZWAMESSAGE.ZMESSAGETYPE = 5"),
        "loc_lon": (_LOCATION, "SELECT mi.ZLONGITUDE FROM ZWAMEDIAITEM AS mi WHERE mi.ZMESSAGE = ZWAMESSAGE.Z_PK "
                               "AND ZWAMESSAGE.ZMESSAGETYPE = 5"),
    }
    QUERY = ("SELECT ZWAMESSAGE.Z_PK AS rowid, ZWAMESSAGE.ZISFROMME AS from_me, ZWAMESSAGE.ZMESSAGEDATE AS date, "
             "ZWAMESSAGE.ZTEXT AS text, ZWACHATSESSION.ZCONTACTJID AS chat_jid{opt}{linked} FROM ZWAMESSAGE "
             "LEFT JOIN ZWACHATSESSION ON ZWACHATSESSION.Z_PK = ZWAMESSAGE.ZCHATSESSION ORDER BY ZWAMESSAGE.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app="whatsapp", chat=jid_fields(row["chat_jid"], ctx), chat_name=row["ZPARTNERNAME"],
            sender=jid_fields(row["ZFROMJID"], ctx), recipient=jid_fields(row["ZTOJID"], ctx),
            from_me=row["from_me"], type_label=self.label("is_from_me", row["from_me"]), time=cocoa_s(row["date"]),
            sent_time=cocoa_s(row["ZSENTDATE"]), body=row["text"], key_id=row["ZSTANZAID"],
            message_type=row["ZMESSAGETYPE"], status=row["ZMESSAGESTATUS"], starred=row["ZSTARRED"],
            attachments=media_list(row["media_path"], None, row["media_size"], row["media_title"]),
            location=location(row["loc_lat"], row["loc_lon"], None, None))
