"""Android ``contacts2.db``: contacts with their phone numbers and e-mail addresses."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record

SEP = "\x1f"
_PHONE = "vnd.android.cursor.item/phone_v2"
_EMAIL = "vnd.android.cursor.item/email_v2"


def _values(text: Any) -> list[str]:
    return [v for v in str(text).split(SEP) if v] if text else []


class Contacts(SqliteParser):
    """``raw_contacts`` + ``data`` + ``mimetypes`` → one ``phone.contact`` per raw contact."""

    NAME = "android_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ('com.android.providers.contacts',)
    FILENAMES = ("contacts2.db",)
    TABLE = "raw_contacts"
    REQUIRED = {"raw_contacts": ("_id", "display_name"), "data": ("raw_contact_id", "mimetype_id", "data1"),
                "mimetypes": ("_id", "mimetype")}
    OPTIONAL = {"raw_contacts": ("deleted", "account_name", "account_type", "times_contacted",
                                 "last_time_contacted", "starred")}
    QUERY = (
        "SELECT raw_contacts._id AS rowid, raw_contacts.display_name AS display_name{opt}, "
        f"(SELECT group_concat(data.data1, char(31)) FROM data WHERE data.raw_contact_id = raw_contacts._id "
        f" AND data.mimetype_id = (SELECT _id FROM mimetypes WHERE mimetype = '{_PHONE}')) AS phones, "
        f"(SELECT group_concat(data.data1, char(31)) FROM data WHERE data.raw_contact_id = raw_contacts._id "
        f" AND data.mimetype_id = (SELECT _id FROM mimetypes WHERE mimetype = '{_EMAIL}')) AS emails "
        "FROM raw_contacts ORDER BY raw_contacts._id"
    )

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, app="contacts", name=row["display_name"],
            numbers=[ctx.number(v) for v in _values(row["phones"])], emails=_values(row["emails"]),
            deleted=row["deleted"], account_name=row["account_name"], account_type=row["account_type"],
            times_contacted=row["times_contacted"], last_contacted=java_ms(row["last_time_contacted"]),
            starred=row["starred"])
