"""Android ``accounts.db`` / ``accounts_ce.db``: accounts registered on the phone."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class AccountsDb(SqliteParser):
    """``accounts`` table → ``phone.account`` (name and type, e.g. ``com.google``, ``com.whatsapp``)."""

    NAME = "android_accounts_db"
    VERSION = "1"
    KIND = "phone.account"
    PLATFORM = "android"
    FILENAMES = ("accounts.db", "accounts_ce.db", "accounts_de.db")
    SCHEMA_DETECT = False
    TABLE = "accounts"
    REQUIRED = {"accounts": ("_id", "name", "type")}
    OPTIONAL = {"accounts": ("last_password_entry_time_millis_epoch",)}
    QUERY = "SELECT accounts._id AS rowid, accounts.name AS name, accounts.type AS type{opt} FROM accounts ORDER BY accounts._id"

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        from forensic_kit.phone.base import java_ms

        return self.record(ctx, locator, account_type=row["type"], account=row["name"],
                           last_password_entry=java_ms(row["last_password_entry_time_millis_epoch"]))
