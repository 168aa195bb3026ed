"""WhatsApp for iOS contacts (``ContactsV2.sqlite``: ``ZWAADDRESSBOOKCONTACT``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record


class WhatsAppContacts(SqliteParser):
    """``ZWAADDRESSBOOKCONTACT`` → ``phone.contact`` (``app: whatsapp``)."""

    NAME = "ios_whatsapp_contacts"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "ios"
    APP_IDS = ('net.whatsapp.WhatsApp', 'net.whatsapp.WhatsAppSMB')
    FILENAMES = ("contactsv2.sqlite",)
    TABLE = "ZWAADDRESSBOOKCONTACT"
    REQUIRED = {"ZWAADDRESSBOOKCONTACT": ("Z_PK", "ZFULLNAME", "ZPHONENUMBER", "ZWHATSAPPID")}
    OPTIONAL = {"ZWAADDRESSBOOKCONTACT": ("ZGIVENNAME", "ZPHONENUMBERLABEL", "ZABOUTTEXT", "ZABOUTTIMESTAMP",
                                          "ZIDENTIFIER")}
    QUERY = ("SELECT ZWAADDRESSBOOKCONTACT.Z_PK AS rowid, ZWAADDRESSBOOKCONTACT.ZFULLNAME AS name, "
             "ZWAADDRESSBOOKCONTACT.ZPHONENUMBER AS phone, ZWAADDRESSBOOKCONTACT.ZWHATSAPPID AS wa_id{opt} "
             "FROM ZWAADDRESSBOOKCONTACT ORDER BY ZWAADDRESSBOOKCONTACT.Z_PK")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        jid = jid_fields(row["wa_id"], ctx)
        num = ctx.number(row["phone"])
        return self.record(
            ctx, locator, app="whatsapp", contact_type=(jid or {}).get("type"), name=row["name"],
            given_name=row["ZGIVENNAME"], jid=jid, numbers=[num] if num else [],
            number_label=row["ZPHONENUMBERLABEL"], status_text=row["ZABOUTTEXT"],
            status_time=cocoa_s(row["ZABOUTTIMESTAMP"]), identifier=row["ZIDENTIFIER"])
