"""IMO messages (Android ``imofriends.db`` ``messages``), tables and columns as ALEAPP reads them.

``timestamp`` is Unix nanoseconds. ``message_type`` stays a raw code: ALEAPP maps 1/2 to
incoming/outgoing but notes the mapping is not sourced from the app, so fkit does not label it.
``imdata`` (JSON) names the attachment (``original_path`` or ``local_path``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from datetime import datetime, timedelta, timezone

from forensic_kit.phone.base import Context, SqliteParser, when
from forensic_kit.records import Record

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _from_ns(value: Any) -> datetime:
    if not isinstance(value, int):
        raise TypeError("not an integer")
    return _EPOCH + timedelta(microseconds=value // 1000)


def unix_ns(value: Any) -> dict[str, Any] | None:
    """Unix nanoseconds since 1970 (integer arithmetic: no float rounding)."""
    return when(_from_ns, value, "unix_nanoseconds")


def attachment(imdata: Any) -> dict[str, Any] | None:
    """The attachment named in an IMO ``imdata`` JSON object, else ``None``."""
    if not isinstance(imdata, str) or not imdata.startswith("{"):
        return None
    try:
        d = json.loads(imdata)
    except ValueError:
        return None
    if not isinstance(d, dict):
        return None
    path = d.get("original_path") or d.get("local_path")
    return {"path": path, "type": d.get("type")} if path else None


class ImoMessages(SqliteParser):
    """``messages`` → ``phone.message`` (``app: imo``): the chat partner's IMO id (``buid``), text, time."""

    NAME = "android_imo_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("com.imo.android.imous", "com.imo.android.imoim")
    FILENAMES = ("imofriends.db",)
    TABLE = "messages"
    REQUIRED = {"messages": ("buid", "last_message", "timestamp", "message_type")}
    OPTIONAL = {"messages": ("message_read", "imdata", "author")}
    QUERY = ("SELECT messages.rowid AS rowid, messages.buid AS buid, messages.last_message AS text, "
             "messages.timestamp AS ts, messages.message_type AS message_type{opt} FROM messages ORDER BY messages.rowid")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        att = attachment(row["imdata"])
        return self.record(ctx, locator, app="imo", chat={"raw": row["buid"], "type": "imo_id"},
                           message_type=row["message_type"], time=unix_ns(row["ts"]), body=row["text"],
                           read=row["message_read"], author=row["author"], attachments=[att] if att else [])
