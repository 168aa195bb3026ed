"""WhatsApp for Android group membership (``msgstore.db``: ``group_participants`` or ``group_participant_user``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.phone.whatsapp import jid_fields
from forensic_kit.records import Record


class WhatsAppGroupParticipants(SqliteParser):
    """Legacy ``group_participants`` (gjid, jid, admin) → ``phone.contact`` (``contact_type: group_member``)."""

    NAME = "android_whatsapp_group_participants"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ('com.whatsapp', 'com.whatsapp.w4b')
    FILENAMES = ("msgstore.db",)
    TABLE = "group_participants"
    REQUIRED = {"group_participants": ("_id", "gjid", "jid")}
    OPTIONAL = {"group_participants": ("admin",)}
    QUERY = ("SELECT group_participants._id AS rowid, group_participants.gjid AS gjid, "
             "group_participants.jid AS jid{opt} FROM group_participants ORDER BY group_participants._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        jid = jid_fields(row["jid"] or None, ctx)
        return self.record(ctx, locator, app="whatsapp", contact_type="group_member",
                           group=jid_fields(row["gjid"], ctx), jid=jid,
                           numbers=[jid["number"]] if jid and jid.get("number") else [], admin=row["admin"])


class WhatsAppGroupParticipantUser(SqliteParser):
    """Current ``group_participant_user`` (row ids into ``jid``) → ``phone.contact`` (group_member)."""

    NAME = "android_whatsapp_group_participant_user"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "android"
    APP_IDS = ('com.whatsapp', 'com.whatsapp.w4b')
    FILENAMES = ("msgstore.db",)
    TABLE = "group_participant_user"
    REQUIRED = {"group_participant_user": ("_id", "group_jid_row_id", "user_jid_row_id"), "jid": ("_id", "raw_string")}
    OPTIONAL = {"group_participant_user": ("rank",)}
    QUERY = ("SELECT group_participant_user._id AS rowid, g.raw_string AS gjid, u.raw_string AS jid{opt} "
             "FROM group_participant_user LEFT JOIN jid AS g ON g._id = group_participant_user.group_jid_row_id "
             "LEFT JOIN jid AS u ON u._id = group_participant_user.user_jid_row_id ORDER BY group_participant_user._id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        jid = jid_fields(row["jid"], ctx)
        return self.record(ctx, locator, app="whatsapp", contact_type="group_member",
                           group=jid_fields(row["gjid"], ctx), jid=jid,
                           numbers=[jid["number"]] if jid and jid.get("number") else [], rank=row["rank"])
