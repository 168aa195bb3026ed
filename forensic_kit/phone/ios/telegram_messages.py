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
tables (peers, chat list, media, …) are listed as ``phone.unparsed``.

Most current iOS builds encrypt the store (SQLCipher, key in ``.tempkeyEncrypted``): that case is
reported by :mod:`.telegram_encrypted`.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.records import Record

PEER_KINDS = {0: "user", 1: "group", 2: "channel", 3: "secret_chat"}
INCOMING = 4
_SAMPLE = 32


class PostboxError(ValueError):
    """A Postbox value that does not have the layout this reader knows."""


class _Reader:
    """Bounded little-endian reader over one value (every overrun is a :class:`PostboxError`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise PostboxError(f"value ends at byte {len(self.data)}, {n} more bytes expected at {self.pos}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def fmt(self, f: str) -> Any:
        return struct.unpack("<" + f, self.take(struct.calcsize(f)))[0]

    def count(self) -> int:
        n: int = self.fmt("i")
        if n < 0 or n > len(self.data):
            raise PostboxError(f"implausible length {n} at byte {self.pos - 4}")
        return n


def decode_key(key: Any) -> tuple[int, int, int, int]:
    """``(peer id, namespace, timestamp, message id)`` of a message key."""
    if not isinstance(key, bytes) or len(key) != 20:
        raise PostboxError("not a 20-byte message key")
    return struct.unpack(">qiii", key)


def decode_value(value: Any) -> dict[str, Any]:
    """Flags, author, text and the number of attributes/media of a message value."""
    if not isinstance(value, bytes):
        raise PostboxError(f"value is {type(value).__name__}, not bytes")
    r = _Reader(value)
    if r.u8() != 0:
        raise PostboxError("entry type is not 0 (message)")
    r.take(8)  # stable id, stable version
    data_flags = r.u8()
    if data_flags & ~0x3F:
        raise PostboxError(f"unknown data flags {data_flags:#x}")
    for bit, size in ((0x01, 8), (0x02, 4), (0x04, 8), (0x08, 4), (0x10, 4), (0x20, 8)):
        if data_flags & bit:
            r.take(size)
    out: dict[str, Any] = {"flags": r.fmt("I")}
    r.take(4)  # tags
    fwd = r.u8()
    if fwd:
        out["forward_author"] = r.fmt("q")
        out["forward_date"] = r.fmt("i")
        if fwd & 0x02:
            r.take(8)
        if fwd & 0x04:
            r.take(16)
        for bit in (0x08, 0x10):
            if fwd & bit:
                r.take(r.count())
        if fwd & 0x20:
            r.take(4)
    has_author = r.u8()
    if has_author not in (0, 1):
        raise PostboxError(f"author marker {has_author} is neither 0 nor 1")
    out["author"] = r.fmt("q") if has_author else None
    out["text"] = r.take(r.count()).decode("utf-8", "replace")
    try:
        for key in ("attributes", "media"):
            n = r.count()
            for _ in range(min(n, 4096)):
                r.take(r.count())
            out[key] = n
    except PostboxError:
        out["attributes"] = out["media"] = None
    return out


def peer(pid: int) -> dict[str, Any]:
    """A Postbox peer id as ``{"raw", "type", "telegram_id"}``."""
    v = pid & 0xFFFFFFFFFFFFFFFF
    ns = (v >> 32) & 0x7
    return {"raw": pid, "type": "telegram_id", "peer_type": PEER_KINDS.get(ns, f"namespace_{ns}"),
            "telegram_id": ((v >> 35) << 32) | (v & 0xFFFFFFFF)}


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
        return [(t, "Telegram Postbox key/value table (peers, chat list, media, settings …): binary Postbox "
                 "encoding that fkit does not decode") for t in sorted(tables) if t != "t7" and t[:1] == "t"
                and t[1:].isdigit()]

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
