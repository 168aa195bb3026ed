"""Telegram messages (Android ``cache4.db`` ``messages_v2``, older ``messages``), as Telegram's
``MessagesStorage`` creates them.

``uid`` is the dialog (a user id; negative for groups and channels), ``date`` Unix seconds,
``out`` 1 = sent by the owner. The text and media live inside ``data``, a TL-serialised
``Message`` object that fkit does not decode: the record carries its size and says so (the
number of messages, who, when and direction are right; the body is not guessed).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.records import Record

BODY_NOTE = "text is inside Telegram's TL-serialised 'data' blob, not decoded by fkit"


def _dialog(uid: Any) -> dict[str, Any]:
    kind = "user" if isinstance(uid, int) and uid > 0 else "group_or_channel"
    return {"raw": uid, "type": kind}


class TelegramMessages(SqliteParser):
    """``messages_v2`` → ``phone.message`` (``app: telegram``): dialog, direction, time, read state."""

    NAME = "android_telegram_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("org.telegram.messenger", "org.telegram.messenger.web", "org.thunderdog.challegram")
    FILENAMES = ("cache4.db",)
    LABELS = "android"
    TABLE = "messages_v2"
    REQUIRED = {"messages_v2": ("mid", "uid", "date", "out", "data")}
    OPTIONAL = {"messages_v2": ("read_state", "send_state", "ttl", "media", "reply_to_message_id", "group_id")}
    QUERY = ("SELECT messages_v2.rowid AS rowid, messages_v2.mid AS mid, messages_v2.uid AS uid, "
             "messages_v2.date AS date, messages_v2.out AS out, length(messages_v2.data) AS data_size{opt} "
             "FROM messages_v2 ORDER BY messages_v2.uid, messages_v2.mid")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(ctx, locator, app="telegram", chat=_dialog(row["uid"]), message_id=row["mid"],
                           from_me=row["out"], type_label=self.label("telegram_out", row["out"]),
                           time=unix_s(row["date"]), body=None, body_note=BODY_NOTE, data_bytes=row["data_size"],
                           read_state=row["read_state"], send_state=row["send_state"], ttl=row["ttl"],
                           media=row["media"], reply_to=row["reply_to_message_id"], group_id=row["group_id"])
