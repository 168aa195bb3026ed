"""Telegram users (Android ``cache4.db`` ``users``: ``uid``, ``name``, ``status``).

``name`` is what Telegram indexes for search: the lower-cased display name, then ``;;;`` and the
username when there is one. Kept as written; the username is split out.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class TelegramUsers(SqliteParser):
    """``users`` → ``phone.contact`` (``app: telegram``)."""

    NAME = "android_telegram_users"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ("org.telegram.messenger", "org.telegram.messenger.web", "org.thunderdog.challegram")
    FILENAMES = ("cache4.db",)
    SCHEMA_DETECT = False  # users(uid, name) alone is too generic
    TABLE = "users"
    REQUIRED = {"users": ("uid", "name")}
    OPTIONAL = {"users": ("status",)}
    QUERY = "SELECT users.rowid AS rowid, users.uid AS uid, users.name AS name{opt} FROM users ORDER BY users.uid"

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        raw = row["name"]
        name, username = raw, None
        if isinstance(raw, str) and ";;;" in raw:
            name, _, username = raw.partition(";;;")
        return self.record(ctx, locator, app="telegram", name=name, username=username or None,
                           telegram_id=row["uid"], status=row["status"], numbers=[])
