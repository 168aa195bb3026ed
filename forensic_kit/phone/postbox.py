"""Telegram iOS Postbox values (``postbox/db/db_sqlite``), read with bounds on every length.

Postbox keeps every table as ``tN(key, value)``. Message keys are 20 bytes, big-endian
``peer id (i64) | namespace (i32) | timestamp (i32) | message id (i32)``; message values are
Postbox's own little-endian record (Telegram-iOS ``MessageHistoryTable``). Peers (``PeerTable``)
are objects written by ``PostboxEncoder.encodeRootObject``: a run of fields
``[u8 key length][key][u8 value type][value]`` under the root key ``_`` (types 0 int32, 1 int64,
2 bool, 3 double, 4 string, 5 object, 6 int32 array, 7 int64 array, 8 object array, 9 object
dictionary, 10 bytes, 11 nil, 12 string array, 13 bytes array). Anything else raises
:class:`PostboxError`; nothing is guessed.
"""

from __future__ import annotations

import struct
from typing import Any

PEER_KINDS = {0: "user", 1: "group", 2: "channel", 3: "secret_chat"}
INCOMING = 4


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




def _value(r: _Reader, kind: int, depth: int) -> Any:
    if kind == 0:
        return r.fmt("i")
    if kind == 1:
        return r.fmt("q")
    if kind == 2:
        return r.u8() != 0
    if kind == 3:
        return r.fmt("d")
    if kind == 4:
        return r.take(r.count()).decode("utf-8", "replace")
    if kind == 5:
        return _object(r, depth)
    if kind in (6, 7):
        n = r.count()
        return [r.fmt("i" if kind == 6 else "q") for _ in range(n)]
    if kind == 8:
        return [_object(r, depth) for _ in range(r.count())]
    if kind == 9:
        return [(_object(r, depth), _object(r, depth)) for _ in range(r.count())]
    if kind == 10:
        return bytes(r.take(r.count()))
    if kind == 11:
        return None
    if kind == 12:
        return [r.take(r.count()).decode("utf-8", "replace") for _ in range(r.count())]
    if kind == 13:
        return [bytes(r.take(r.count())) for _ in range(r.count())]
    raise PostboxError(f"unknown value type {kind} at byte {r.pos - 1}")


def _object(r: _Reader, depth: int) -> dict[str, Any]:
    if depth > 32:
        raise PostboxError("objects nested more than 32 deep")
    r.take(4)  # type hash
    n = r.count()
    return _fields(_Reader(r.take(n)), depth + 1)


def _fields(r: _Reader, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    while r.pos < len(r.data):
        key = r.take(r.u8()).decode("utf-8", "replace")
        out[key] = _value(r, r.u8(), depth)
    return out


def decode_root(value: Any) -> dict[str, Any]:
    """The root object of a ``PostboxEncoder`` value (its fields by key)."""
    if not isinstance(value, bytes):
        raise PostboxError(f"value is {type(value).__name__}, not bytes")
    root = _fields(_Reader(value), 0).get("_")
    if not isinstance(root, dict):
        raise PostboxError("no root object under key '_'")
    return root
