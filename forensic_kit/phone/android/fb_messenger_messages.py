"""Facebook Messenger messages (Android ``msys_database_<uid>``: ``messages`` + ``contacts``), the tables
and columns ALEAPP's Messenger artefact reads.

``timestamp_ms`` is Java milliseconds. Direction is not stored: it is outgoing when ``sender_id`` is
the phone owner's Facebook id (``threads_db2-uid``); fkit keeps ``sender_id`` and the sender's name.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record


class FbMessengerMessages(SqliteParser):
    """``messages`` → ``phone.message`` (``app: messenger``): thread, sender id and name, text, time."""

    NAME = "android_fb_messenger_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("com.facebook.orca", "com.facebook.katana", "com.facebook.mlite")
    TABLE = "messages"
    REQUIRED = {"messages": ("message_id", "thread_key", "sender_id", "text", "timestamp_ms"),
                "contacts": ("id", "name")}
    OPTIONAL = {"messages": ("is_admin_message",)}
    LINKED = {
        "attachment_name": ({"attachments": ("message_id", "filename")},
                            "SELECT a.filename FROM attachments AS a WHERE a.message_id = messages.message_id"),
        "attachment_type": ({"attachments": ("message_id", "playable_url_mime_type")},
                            "SELECT a.playable_url_mime_type FROM attachments AS a "
                            "WHERE a.message_id = messages.message_id"),
    }
    QUERY = ("SELECT messages.rowid AS rowid, messages.message_id AS message_id, messages.thread_key AS thread_key, "
             "messages.sender_id AS sender_id, messages.text AS text, messages.timestamp_ms AS ts, "
             "(SELECT contacts.name FROM contacts WHERE contacts.id = messages.sender_id) AS sender_name{opt}{linked} "
             "FROM messages ORDER BY messages.timestamp_ms, messages.rowid")

    def matches(self, logical: str) -> bool:
        name = logical.lower().rsplit("/", 1)[-1]
        return name.startswith("msys_database_") and not name.endswith(("-wal", "-shm", "-journal"))

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        att = row["attachment_name"]
        return self.record(ctx, locator, app="messenger", thread_id=row["thread_key"], message_id=row["message_id"],
                           sender={"raw": row["sender_id"], "type": "facebook_id", "name": row["sender_name"]},
                           time=java_ms(row["ts"]), body=row["text"], admin_message=row["is_admin_message"],
                           attachments=[{"name": att, "mime": row["attachment_type"]}] if att else [])
