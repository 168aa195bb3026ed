"""IMO contacts on iOS (``IMODb2.sqlite`` ``ZIMOCONTACT``): IMO id, names, phone number."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class ImoContacts(SqliteParser):
    """``ZIMOCONTACT`` → ``phone.contact`` (``app: imo``)."""

    NAME = "ios_imo_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "ios"
    APP_IDS = ("com.imo.imoim",)
    FILENAMES = ("imodb2.sqlite",)
    TABLE = "ZIMOCONTACT"
    REQUIRED = {"ZIMOCONTACT": ("Z_PK", "ZBUID", "ZALIAS")}
    OPTIONAL = {"ZIMOCONTACT": ("ZDISPLAY", "ZPHONE", "ZPH_NAME", "ZIS_GROUP", "ZBLOCK_STATE")}
    QUERY = ("SELECT ZIMOCONTACT.Z_PK AS rowid, ZIMOCONTACT.ZBUID AS buid, ZIMOCONTACT.ZALIAS AS alias{opt} "
             "FROM ZIMOCONTACT ORDER BY ZIMOCONTACT.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        num = ctx.number(row["ZPHONE"])
        return self.record(ctx, locator, app="imo", name=row["alias"] or row["ZDISPLAY"], display=row["ZDISPLAY"],
                           address_book_name=row["ZPH_NAME"], imo_id=row["buid"], numbers=[num] if num else [],
                           group=row["ZIS_GROUP"], blocked=row["ZBLOCK_STATE"])
