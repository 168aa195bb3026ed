"""iOS ``Accounts3.sqlite``: accounts configured on the device (iCloud, mail, apps)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.records import Record


class Accounts3(SqliteParser):
    """``ZACCOUNT`` + ``ZACCOUNTTYPE`` → ``phone.account``."""

    NAME = "ios_accounts3"
    VERSION = "1"
    KIND = "phone.account"
    PLATFORM = "ios"
    FILENAMES = ("accounts3.sqlite",)
    TABLE = "ZACCOUNT"
    REQUIRED = {"ZACCOUNT": ("Z_PK", "ZUSERNAME", "ZACCOUNTTYPE"), "ZACCOUNTTYPE": ("Z_PK", "ZIDENTIFIER")}
    OPTIONAL = {"ZACCOUNT": ("ZDATE", "ZACCOUNTDESCRIPTION", "ZIDENTIFIER", "ZOWNINGBUNDLEID", "ZACTIVE"),
                "ZACCOUNTTYPE": ("ZACCOUNTTYPEDESCRIPTION",)}
    QUERY = ("SELECT ZACCOUNT.Z_PK AS rowid, ZACCOUNT.ZUSERNAME AS username, ZACCOUNTTYPE.ZIDENTIFIER AS account_type{opt} "
             "FROM ZACCOUNT LEFT JOIN ZACCOUNTTYPE ON ZACCOUNTTYPE.Z_PK = ZACCOUNT.ZACCOUNTTYPE ORDER BY ZACCOUNT.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(
            ctx, locator, account_type=row["account_type"], account=row["username"],
            description=row["ZACCOUNTDESCRIPTION"], type_description=row["ZACCOUNTTYPEDESCRIPTION"],
            identifier=row["ZIDENTIFIER"], owning_bundle_id=row["ZOWNINGBUNDLEID"], active=row["ZACTIVE"],
            created=cocoa_s(row["ZDATE"]))
