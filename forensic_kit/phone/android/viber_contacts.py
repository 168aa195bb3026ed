"""Viber contacts (Android ``viber_data``: ``phonebookcontact`` + ``phonebookdata``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record

SEP = "\x1f"


class ViberContacts(SqliteParser):
    """``phonebookcontact`` → ``phone.contact`` (``app: viber``) with its numbers from ``phonebookdata``."""

    NAME = "android_viber_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ("com.viber.voip",)
    FILENAMES = ("viber_data",)
    TABLE = "phonebookcontact"
    REQUIRED = {"phonebookcontact": ("_id", "display_name"), "phonebookdata": ("contact_id", "data1", "data2")}
    OPTIONAL = {"phonebookcontact": ("starred", "viber")}
    QUERY = ("SELECT phonebookcontact._id AS rowid, phonebookcontact.display_name AS name, "
             "(SELECT group_concat(coalesce(d.data2, d.data1), char(31)) FROM phonebookdata AS d "
             " WHERE d.contact_id = phonebookcontact._id) AS numbers{opt} "
             "FROM phonebookcontact ORDER BY phonebookcontact._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        nums = [ctx.number(n) for n in str(row["numbers"] or "").split(SEP) if n]
        return self.record(ctx, locator, app="viber", name=row["name"], numbers=nums, starred=row["starred"],
                           viber_user=row["viber"])
