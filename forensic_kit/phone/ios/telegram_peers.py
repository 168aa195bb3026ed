"""Telegram peers on iOS (``postbox/db/db_sqlite``, Postbox ``PeerTable`` = ``t2``) where the store is
plain SQLite: users (first/last name, username, phone), groups and channels (title).

The key is the peer id (namespace in bits 32–34: 0 user, 1 group, 2 channel, 3 secret chat); the
value is a ``PostboxEncoder`` root object whose ``i`` must equal the key (else the row is not a peer
and becomes a warning). User fields as Telegram-iOS ``TelegramUser`` encodes them: ``fn``, ``ln``,
``un``, ``p`` (the phone number, digits without ``+``: normalised to E.164 with a ``+``); groups and
channels: ``t`` (title), ``un``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.phone.postbox import PostboxError, decode_root, peer
from forensic_kit.records import Record

_SAMPLE = 32


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class TelegramPeers(SqliteParser):
    """Postbox ``t2`` → ``phone.contact`` (``app: telegram``): Telegram id, kind, name, username, phone."""

    NAME = "ios_telegram_peers"
    VERSION = "1"
    KIND = "phone.contact"
    PLATFORM = "ios"
    APP_IDS = ("ph.telegra.Telegraph", "org.telegram.Telegram-iOS")
    FILENAMES = ("db_sqlite",)
    PATH_CONTAINS = ("postbox",)
    SCHEMA_DETECT = False  # tN(key, value) is Postbox's generic shape
    TABLE = "t2"
    REQUIRED = {"t2": ("key", "value")}
    QUERY = "SELECT t2.key AS rowid, t2.key AS key, t2.value AS value FROM t2 ORDER BY t2.key"

    def rows(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> Iterator[sqlite3.Row]:
        """The rows of ``t2`` once a sample shows integer keys (peer ids), else one error."""
        conn.row_factory = sqlite3.Row
        sample = conn.execute(f"SELECT key FROM t2 LIMIT {_SAMPLE}").fetchall()
        if sample and not any(type(k) is int for (k,) in sample):
            raise ValueError("t2 has no integer keys: not Postbox's peer table in this version")
        yield from conn.execute(self.QUERY)

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        key = row["key"]
        if type(key) is not int:
            raise PostboxError(f"peer key is {type(key).__name__}, not an integer")
        obj = decode_root(row["value"])
        if obj.get("i") != key:
            raise PostboxError(f"object id {obj.get('i')!r} is not the key {key}")
        ident = peer(key)
        phone = obj.get("p")
        digits = phone.lstrip("+") if isinstance(phone, str) else None
        first, last = _text(obj.get("fn")), _text(obj.get("ln"))
        name = _text(obj.get("t")) or (" ".join(x for x in (first, last) if x) or None)
        return self.record(ctx, locator, app="telegram", telegram_id=ident["telegram_id"],
                           peer_type=ident["peer_type"], name=name, first_name=first, last_name=last,
                           username=_text(obj.get("un")),
                           numbers=[ctx.number("+" + digits)] if digits and digits.isdigit() else [],
                           phone_raw=phone if isinstance(phone, str) and phone and not phone.lstrip("+").isdigit()
                           else None)
