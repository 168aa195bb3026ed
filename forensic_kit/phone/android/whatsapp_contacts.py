"""WhatsApp for Android ``wa.db`` ``wa_contacts``: contacts and groups (``@g.us``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record


class WhatsAppContacts(SqliteParser):
    """``wa_contacts`` → ``phone.contact`` (``app: whatsapp``; ``contact_type`` user or group)."""

    NAME = "android_whatsapp_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ('com.whatsapp', 'com.whatsapp.w4b')
    FILENAMES = ("wa.db",)
    TABLE = "wa_contacts"
    REQUIRED = {"wa_contacts": ("_id", "jid")}
    OPTIONAL = {"wa_contacts": ("is_whatsapp_user", "status", "number", "display_name", "given_name", "wa_name",
                                "status_timestamp")}
    QUERY = "SELECT wa_contacts._id AS rowid, wa_contacts.jid AS jid{opt} FROM wa_contacts ORDER BY wa_contacts._id"

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        jid = jid_fields(row["jid"], ctx)
        number = ctx.number(row["number"]) if row["number"] else None
        return self.record(
            ctx, locator, app="whatsapp", contact_type=(jid or {}).get("type"), jid=jid,
            name=row["display_name"] or row["wa_name"], given_name=row["given_name"], wa_name=row["wa_name"],
            numbers=[number] if number else [], status_text=row["status"],
            is_whatsapp_user=row["is_whatsapp_user"])
