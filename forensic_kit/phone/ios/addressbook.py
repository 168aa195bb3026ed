"""iOS ``AddressBook.sqlitedb``: ``ABPerson`` with phone numbers and e-mails from ``ABMultiValue``."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.records import Record

SEP = "\x1f"


class AddressBook(SqliteParser):
    """``ABPerson`` → ``phone.contact`` (property 3 = phone, 4 = e-mail in ``ABMultiValue``)."""

    NAME = "ios_addressbook"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "ios"
    APP_IDS = ('com.apple.MobileAddressBook',)
    FILENAMES = ("addressbook.sqlitedb",)
    TABLE = "ABPerson"
    REQUIRED = {"ABPerson": ("rowid", "first", "last"), "ABMultiValue": ("record_id", "property", "value")}
    OPTIONAL = {"ABPerson": ("middle", "organization", "note", "creationdate", "modificationdate", "nickname")}
    QUERY = (
        "SELECT ABPerson.ROWID AS rowid, ABPerson.first AS first, ABPerson.last AS last{opt}, "
        "(SELECT group_concat(value, char(31)) FROM ABMultiValue WHERE record_id = ABPerson.ROWID AND property = 3) AS phones, "
        "(SELECT group_concat(value, char(31)) FROM ABMultiValue WHERE record_id = ABPerson.ROWID AND property = 4) AS emails "
        "FROM ABPerson ORDER BY ABPerson.ROWID"
    )

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        name = " ".join(p for p in (row["first"], row["middle"], row["last"]) if p) or None
        return self.record(
            ctx, locator, app="contacts", name=name, first=row["first"], last=row["last"],
            organization=row["organization"], nickname=row["nickname"], note=row["note"],
            numbers=[ctx.number(v) for v in str(row["phones"] or "").split(SEP) if v],
            emails=[v for v in str(row["emails"] or "").split(SEP) if v],
            created=cocoa_s(row["creationdate"]), modified=cocoa_s(row["modificationdate"]))
