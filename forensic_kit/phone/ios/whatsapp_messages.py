"""WhatsApp for iOS ``ChatStorage.sqlite``: ``ZWAMESSAGE`` + ``ZWACHATSESSION``."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record


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
    QUERY = ("SELECT ZWAMESSAGE.Z_PK AS rowid, ZWAMESSAGE.ZISFROMME AS from_me, ZWAMESSAGE.ZMESSAGEDATE AS date, "
             "ZWAMESSAGE.ZTEXT AS text, ZWACHATSESSION.ZCONTACTJID AS chat_jid{opt} FROM ZWAMESSAGE "
             "LEFT JOIN ZWACHATSESSION ON ZWACHATSESSION.Z_PK = ZWAMESSAGE.ZCHATSESSION ORDER BY ZWAMESSAGE.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app="whatsapp", chat=jid_fields(row["chat_jid"], ctx), chat_name=row["ZPARTNERNAME"],
            sender=jid_fields(row["ZFROMJID"], ctx), recipient=jid_fields(row["ZTOJID"], ctx),
            from_me=row["from_me"], type_label=self.label("is_from_me", row["from_me"]), time=cocoa_s(row["date"]),
            sent_time=cocoa_s(row["ZSENTDATE"]), body=row["text"], key_id=row["ZSTANZAID"],
            message_type=row["ZMESSAGETYPE"], status=row["ZMESSAGESTATUS"], starred=row["ZSTARRED"])
