"""Android ``telephony.db`` ``siminfo``: ICCID, phone number, carrier of each SIM seen."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class SimInfo(SqliteParser):
    """One ``phone.device`` record (``component: sim``) per ``siminfo`` row."""

    NAME = "android_siminfo"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "android"
    APP_IDS = ('com.android.providers.telephony',)
    FILENAMES = ("telephony.db",)
    TABLE = "siminfo"
    REQUIRED = {"siminfo": ("_id", "icc_id")}
    OPTIONAL = {"siminfo": ("number", "display_name", "carrier_name", "mcc", "mnc", "card_id", "imsi")}
    QUERY = "SELECT siminfo._id AS rowid, siminfo.icc_id AS icc_id{opt} FROM siminfo ORDER BY siminfo._id"

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(ctx, locator, component="sim", os="android", iccid=row["icc_id"],
                           phone_number=ctx.number(row["number"]), display_name=row["display_name"],
                           carrier=row["carrier_name"], mcc=row["mcc"], mnc=row["mnc"], imsi=row["imsi"])
