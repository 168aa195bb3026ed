"""WhatsApp for Android ``msgstore.db`` (current schema: ``message`` + ``chat`` + ``jid``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.phone.whatsapp import jid_fields, location, media_list
from forensic_kit.records import Record


_MEDIA: dict[str, tuple[str, ...]] = {"message_media": ("message_row_id", "file_path", "mime_type", "file_size", "media_caption")}
_LOCATION: dict[str, tuple[str, ...]] = {"message_location": ("message_row_id", "latitude", "longitude", "place_name", "place_address")}


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
    # scalar subqueries, one value each (json_array would round REAL coordinates to 15 digits)
    LINKED = {
        "media_path": (_MEDIA, "SELECT mm.file_path FROM message_media AS mm WHERE mm.message_row_id = message._id"),
        "media_mime": (_MEDIA, "SELECT mm.mime_type FROM message_media AS mm WHERE mm.message_row_id = message._id"),
        "media_size": (_MEDIA, "SELECT mm.file_size FROM message_media AS mm WHERE mm.message_row_id = message._id"),
        "media_caption": (_MEDIA, "SELECT mm.media_caption FROM message_media AS mm WHERE mm.message_row_id = message._id"),
        "loc_lat": (_LOCATION, "SELECT ml.latitude FROM message_location AS ml WHERE ml.message_row_id = message._id"),
        "loc_lon": (_LOCATION, "SELECT ml.longitude FROM message_location AS ml WHERE ml.message_row_id = message._id"),
        "loc_name": (_LOCATION, "SELECT ml.place_name FROM message_location AS ml WHERE ml.message_row_id = message._id"),
        "loc_address": (_LOCATION, "SELECT ml.place_address FROM message_location AS ml WHERE ml.message_row_id = message._id"),
    }
    QUERY = ("SELECT message._id AS rowid, message.from_me AS from_me, message.timestamp AS timestamp, "
             "message.text_data AS text_data, cj.raw_string AS chat_jid, "
             "(SELECT raw_string FROM jid WHERE jid._id = message.sender_jid_row_id) AS sender_jid{opt}{linked} "
             "FROM message LEFT JOIN chat ON chat._id = message.chat_row_id "
             "LEFT JOIN jid AS cj ON cj._id = chat.jid_row_id WHERE message._id > 0 ORDER BY message._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app="whatsapp", chat=jid_fields(row["chat_jid"], ctx), group_subject=row["subject"],
            sender=jid_fields(row["sender_jid"], ctx), from_me=row["from_me"],
            type_label=self.label("whatsapp_key_from_me", row["from_me"]), time=java_ms(row["timestamp"]),
            received_time=java_ms(row["received_timestamp"]), body=row["text_data"], key_id=row["key_id"],
            status=row["status"], message_type=row["message_type"], starred=row["starred"],
            attachments=media_list(row["media_path"], row["media_mime"], row["media_size"], row["media_caption"]),
            location=location(row["loc_lat"], row["loc_lon"], row["loc_name"], row["loc_address"]))
