"""TikTok direct messages (Android ``<account uid>_im.db`` ``msg``), the table and columns ALEAPP reads.

``created_time`` is Java milliseconds; ``content`` is JSON whose ``text`` is the message. The
account's uid is in the file name: a message whose ``sender`` equals it is outgoing (ALEAPP's
rule). ``type`` and ``deleted`` stay raw (no verified meaning).
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record

_ACCOUNT_DB = re.compile(r"(\d+)_im\.db$")


def _content(text: Any) -> dict[str, Any]:
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        return {}
    try:
        d = json.loads(text)
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


class TikTokMessages(SqliteParser):
    """``msg`` → ``phone.message`` (``app: tiktok``): conversation, sender uid, text, direction."""

    NAME = "android_tiktok_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("com.zhiliaoapp.musically", "com.ss.android.ugc.trill", "com.ss.android.ugc.aweme")
    TABLE = "msg"
    REQUIRED = {"msg": ("created_time", "sender", "content", "conversation_id")}
    OPTIONAL = {"msg": ("type", "deleted", "read_status", "msg_uuid")}
    QUERY = ("SELECT msg.rowid AS rowid, msg.created_time AS created_time, msg.sender AS sender, "
             "msg.content AS content, msg.conversation_id AS conversation_id{opt} FROM msg ORDER BY msg.created_time")

    def matches(self, logical: str) -> bool:
        return _ACCOUNT_DB.search(logical.rsplit("/", 1)[-1]) is not None

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        m = _ACCOUNT_DB.search(str(locator.get("path", "")).rsplit("/", 1)[-1])
        account = m.group(1) if m else None
        sender = row["sender"]
        outgoing = None if account is None or sender is None else str(sender) == account
        content = _content(row["content"])
        text = content.get("text")
        return self.record(ctx, locator, app="tiktok", thread_id=row["conversation_id"],
                           sender={"raw": sender, "type": "tiktok_uid"}, account_uid=account,
                           from_me=None if outgoing is None else int(outgoing),
                           type_label=None if outgoing is None else ("sent" if outgoing else "received"),
                           time=java_ms(row["created_time"]), body=text if isinstance(text, str) else None,
                           content=row["content"] if not content else None, message_type=row["type"],
                           deleted=row["deleted"], read_status=row["read_status"], message_uuid=row["msg_uuid"])
