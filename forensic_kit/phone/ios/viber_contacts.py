"""Viber contacts on iOS (``Contacts.data``: ``ZABCONTACT`` + ``ZABCONTACTNUMBER``), as iLEAPP reads them."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record

SEP = "\x1f"


class ViberContacts(SqliteParser):
    """``ZABCONTACT`` → ``phone.contact`` (``app: viber``) with its numbers (raw and canonised)."""

    NAME = "ios_viber_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "ios"
    APP_IDS = ("com.viber",)
    FILENAMES = ("contacts.data",)
    TABLE = "ZABCONTACT"
    REQUIRED = {"ZABCONTACT": ("Z_PK", "ZMAINNAME"), "ZABCONTACTNUMBER": ("ZCONTACT", "ZPHONE")}
    OPTIONAL = {"ZABCONTACT": ("ZPREFIXNAME", "ZSUFFIXNAME", "ZCONTACTID")}
    QUERY = ("SELECT ZABCONTACT.Z_PK AS rowid, ZABCONTACT.ZMAINNAME AS name, "
             "(SELECT group_concat(n.ZPHONE, char(31)) FROM ZABCONTACTNUMBER AS n WHERE n.ZCONTACT = ZABCONTACT.Z_PK) "
             "AS phones{opt} FROM ZABCONTACT ORDER BY ZABCONTACT.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        nums = [ctx.number(p) for p in str(row["phones"] or "").split(SEP) if p]
        return self.record(ctx, locator, app="viber", name=row["name"], prefix=row["ZPREFIXNAME"],
                           suffix=row["ZSUFFIXNAME"], contact_id=row["ZCONTACTID"], numbers=nums)
