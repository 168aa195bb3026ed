"""WhatsApp for Android ``msgstore.db`` (current schema: ``message`` + ``chat`` + ``jid``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record


class WhatsAppMessages(SqliteParser):
    """``message`` → ``phone.message`` (``app: whatsapp``): chat JID, sender JID, direction, text."""

    NAME = "android_whatsapp_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ('com.whatsapp', 'com.whatsapp.w4b')
    FILENAMES = ("msgstore.db",)
    LABELS = "android"
    TABLE = "message"
    REQUIRED = {"message": ("_id", "chat_row_id", "from_me", "timestamp", "text_data"),
                "chat": ("_id", "jid_row_id"), "jid": ("_id", "raw_string")}
    OPTIONAL = {"message": ("key_id", "sender_jid_row_id", "status", "message_type", "received_timestamp", "starred"),
                "chat": ("subject",)}
    QUERY = ("SELECT message._id AS rowid, message.from_me AS from_me, message.timestamp AS timestamp, "
             "message.text_data AS text_data, cj.raw_string AS chat_jid, "
             "(SELECT raw_string FROM jid WHERE jid._id = message.sender_jid_row_id) AS sender_jid{opt} "
             "FROM message LEFT JOIN chat ON chat._id = message.chat_row_id "
             "LEFT JOIN jid AS cj ON cj._id = chat.jid_row_id WHERE message._id > 0 ORDER BY message._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app="whatsapp", chat=jid_fields(row["chat_jid"], ctx), group_subject=row["subject"],
            sender=jid_fields(row["sender_jid"], ctx), from_me=row["from_me"],
            type_label=self.label("whatsapp_key_from_me", row["from_me"]), time=java_ms(row["timestamp"]),
            received_time=java_ms(row["received_timestamp"]), body=row["text_data"], key_id=row["key_id"],
            status=row["status"], message_type=row["message_type"], starred=row["starred"])
