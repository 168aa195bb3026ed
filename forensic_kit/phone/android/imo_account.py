"""IMO account (Android ``accountdb.db`` ``account``: ``uid``, ``name``), as ALEAPP reads it."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class ImoAccount(SqliteParser):
    """``account`` → ``phone.account`` (``app: imo``)."""

    NAME = "android_imo_account"
    VERSION = "1"
    KIND = "phone.account"
    PLATFORM = "android"
    APP_IDS = ("com.imo.android.imous", "com.imo.android.imoim")
    FILENAMES = ("accountdb.db",)
    PATH_CONTAINS = ("com.imo.android",)
    SCHEMA_DETECT = False
    TABLE = "account"
    REQUIRED = {"account": ("uid", "name")}
    QUERY = "SELECT account.rowid AS rowid, account.uid AS uid, account.name AS name FROM account ORDER BY account.rowid"

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(ctx, locator, app="imo", account_id=row["uid"], name=row["name"], type="imo")
