"""Facebook Messenger contacts (Android ``msys_database_<uid>`` ``contacts``), as ALEAPP reads them."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class FbMessengerContacts(SqliteParser):
    """``contacts`` → ``phone.contact`` (``app: messenger``): Facebook id, name, username, e-mail, phone."""

    NAME = "android_fb_messenger_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ("com.facebook.orca", "com.facebook.katana", "com.facebook.mlite")
    SCHEMA_DETECT = False  # contacts(id, name) alone is too generic
    TABLE = "contacts"
    REQUIRED = {"contacts": ("id", "name")}
    OPTIONAL = {"contacts": ("username", "email_address", "phone_number", "is_messenger_user", "friendship_status")}
    QUERY = "SELECT contacts.rowid AS rowid, contacts.id AS id, contacts.name AS name{opt} FROM contacts ORDER BY contacts.rowid"

    def matches(self, logical: str) -> bool:
        name = logical.lower().rsplit("/", 1)[-1]
        return name.startswith("msys_database_") and not name.endswith(("-wal", "-shm", "-journal"))

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        num = ctx.number(row["phone_number"])
        email = row["email_address"]
        return self.record(ctx, locator, app="messenger", name=row["name"], facebook_id=row["id"],
                           username=row["username"], numbers=[num] if num else [],
                           emails=[email] if isinstance(email, str) and email else [],
                           messenger_user=row["is_messenger_user"], friendship_status=row["friendship_status"])
