"""WhatsApp for Android ``msgstore.db`` (legacy schema before 2022: ``messages`` table)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record


class WhatsAppMessagesLegacy(SqliteParser):
    """``messages`` → ``phone.message`` (``app: whatsapp``); ``remote_resource`` is a group sender."""

    NAME = "android_whatsapp_messages_legacy"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ('com.whatsapp', 'com.whatsapp.w4b')
    FILENAMES = ("msgstore.db",)
    LABELS = "android"
    TABLE = "messages"
    REQUIRED = {"messages": ("_id", "key_remote_jid", "key_from_me", "timestamp", "data")}
    OPTIONAL = {"messages": ("key_id", "remote_resource", "status", "media_wa_type", "media_mime_type",
                             "media_name", "received_timestamp", "latitude", "longitude")}
    QUERY = ("SELECT messages._id AS rowid, messages.key_remote_jid AS key_remote_jid, "
             "messages.key_from_me AS key_from_me, messages.timestamp AS timestamp, messages.data AS data{opt} "
             "FROM messages WHERE messages.key_remote_jid <> '-1' ORDER BY messages._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        lat, lon = row["latitude"], row["longitude"]
        return self.record(
            ctx, locator, app="whatsapp", chat=jid_fields(row["key_remote_jid"], ctx),
            sender=jid_fields(row["remote_resource"], ctx), from_me=row["key_from_me"],
            type_label=self.label("whatsapp_key_from_me", row["key_from_me"]), time=java_ms(row["timestamp"]),
            received_time=java_ms(row["received_timestamp"]), body=row["data"], key_id=row["key_id"],
            status=row["status"], media_wa_type=row["media_wa_type"], media_mime_type=row["media_mime_type"],
            media_name=row["media_name"],
            location={"lat": lat, "lon": lon} if (lat or lon) else None)
