"""Telegram messages on iOS (``telegram-data/account-<id>/postbox/db/db_sqlite``), read from Postbox's
message history table (``t7``) where the store is plain SQLite.

Postbox keeps every table as ``tN(key, value)``. A message's 20-byte key is big-endian
``peer id (i64) | namespace (i32) | timestamp (i32, Unix seconds) | message id (i32)``: chat, time
and id come from it and are always reported. The value is Postbox's own little-endian record
(Telegram-iOS ``MessageHistoryTable``): entry type 0, stable id and version, optional fields
announced by a flag byte, message flags (``4`` = incoming), tags, forward info, author, then the
text (i32 length + UTF-8); attributes and media objects follow and are only counted. A value that
does not decode this way keeps ``body: null`` with the reason in ``body_note`` (never a guess).
Peer ids: namespace = bits 32–34 (0 user, 1 group, 2 channel, 3 secret chat). The other Postbox
tables but the peers (:mod:`.telegram_peers`) are listed as ``phone.unparsed``. The value layout
is read by :mod:`forensic_kit.phone.postbox`.

Most current iOS builds encrypt the store (SQLCipher, key in ``.tempkeyEncrypted``): that case is
reported by :mod:`.telegram_encrypted`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.phone.postbox import INCOMING, PostboxError, decode_key, decode_value, peer
from forensic_kit.records import Record

_SAMPLE = 32

class TelegramMessages(SqliteParser):
    """Postbox ``t7`` → ``phone.message`` (``app: telegram``): chat, author, direction, time, text."""

    NAME = "ios_telegram_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ("ph.telegra.Telegraph", "org.telegram.Telegram-iOS")
    FILENAMES = ("db_sqlite",)
    PATH_CONTAINS = ("postbox",)
    SCHEMA_DETECT = False  # tN(key, value) is Postbox's generic shape
    TABLE = "t7"
    REQUIRED = {"t7": ("key", "value")}
    QUERY = "SELECT t7.key AS rowid, t7.key AS key, t7.value AS value FROM t7 ORDER BY t7.key"

    def rows(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> Iterator[sqlite3.Row]:
        """The rows of ``t7`` once a sample shows it holds message keys (else one error, not a
        warning per row)."""
        conn.row_factory = sqlite3.Row
        sample = conn.execute(f"SELECT key FROM t7 LIMIT {_SAMPLE}").fetchall()
        if sample and not any(isinstance(k, bytes) and len(k) == 20 for (k,) in sample):
            raise ValueError("t7 holds no 20-byte message keys: not Postbox's message history table in this version")
        yield from conn.execute(self.QUERY)

    def unread_tables(self, tables: dict[str, set[str]]) -> list[tuple[str, str]]:
        """Every Postbox ``tN`` table but the messages (``t7``) and peers (``t2``, read by
        :mod:`.telegram_peers`)."""
        return [(t, "Telegram Postbox key/value table (chat list, media, settings …): binary Postbox "
                 "encoding that fkit does not decode") for t in sorted(tables) if t not in ("t7", "t2")
                and t[:1] == "t" and t[1:].isdigit()]

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        pid, namespace, ts, mid = decode_key(row["key"])
        note = None
        try:
            msg = decode_value(row["value"])
        except PostboxError as exc:
            msg, note = {}, f"message value not decoded: {exc}"
        flags = msg.get("flags")
        incoming = None if flags is None else bool(flags & INCOMING)
        author = msg.get("author")
        return self.record(
            ctx, locator, app="telegram", chat=peer(pid), message_id=mid, namespace=namespace,
            sender=peer(author) if isinstance(author, int) else None,
            from_me=None if incoming is None else int(not incoming),
            type_label=None if incoming is None else ("received" if incoming else "sent"),
            time=unix_s(ts), body=msg.get("text"), body_note=note, flags=flags,
            forwarded_from=peer(msg["forward_author"]) if "forward_author" in msg else None,
            attribute_objects=msg.get("attributes"), media_objects=msg.get("media"),
            media_note="media objects counted, not decoded" if msg.get("media") else None)
