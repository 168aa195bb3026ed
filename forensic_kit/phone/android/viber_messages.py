"""Viber messages (Android ``viber_messages``: ``messages`` + ``participants`` + ``participants_info``).

Table and column names as ALEAPP's Viber artefact reads them. ``send_type`` 1 = outgoing, other
values incoming (ALEAPP); ``msg_date`` is Java milliseconds; ``extra_uri`` is the attachment.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record

SEP = "\x1f"


class ViberMessages(SqliteParser):
    """``messages`` → ``phone.message`` (``app: viber``): sender, the conversation's other participants."""

    NAME = "android_viber_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("com.viber.voip",)
    FILENAMES = ("viber_messages",)
    LABELS = "android"
    TABLE = "messages"
    REQUIRED = {"messages": ("_id", "conversation_id", "participant_id", "msg_date", "body", "send_type"),
                "participants": ("_id", "conversation_id", "participant_info_id"),
                "participants_info": ("_id", "number")}
    OPTIONAL = {"messages": ("unread", "extra_uri", "extra_mime", "location_lat", "location_lng", "deleted")}
    QUERY = ("SELECT messages._id AS rowid, messages.conversation_id AS conversation_id, messages.msg_date AS msg_date, "
             "messages.body AS body, messages.send_type AS send_type, pi.number AS sender_number, "
                          "(SELECT group_concat(pi2.number, char(31)) FROM participants AS p2 JOIN participants_info AS pi2 "
             " ON pi2._id = p2.participant_info_id WHERE p2.conversation_id = messages.conversation_id "
             " AND p2._id <> messages.participant_id) AS others{opt} "
             "FROM messages LEFT JOIN participants AS p ON p._id = messages.participant_id "
             "LEFT JOIN participants_info AS pi ON pi._id = p.participant_info_id ORDER BY messages._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        others = [ctx.number(n) for n in str(row["others"] or "").split(SEP) if n]
        attachment = {"uri": row["extra_uri"], "mime": row["extra_mime"]} if row["extra_uri"] else None
        lat, lng = row["location_lat"], row["location_lng"]
        location = None
        if isinstance(lat, (int, float)) and isinstance(lng, (int, float)) and (lat or lng):
            # Viber stores coordinates as integers in micro-degrees (1e-6)
            location = {"lat": lat / 1e6, "lon": lng / 1e6, "raw": [lat, lng], "unit": "microdegrees"}
        return self.record(
            ctx, locator, app="viber", thread_id=row["conversation_id"], send_type=row["send_type"],
            type_label=self.label("viber_send_type", row["send_type"]),
            sender=ctx.number(row["sender_number"]), recipients=others,
            time=java_ms(row["msg_date"]), body=row["body"], unread=row["unread"],
            attachments=[attachment] if attachment else [], location=location, deleted=row["deleted"])
