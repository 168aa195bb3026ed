"""Lossless names (DESIGN.md section 2.8).

A path is stored as UTF-8 text in NFC, plus ``path_hex`` (the raw bytes in hex) whenever the text
alone would not give back the exact bytes: a name that is not valid UTF-8, or one whose UTF-8 is
not in NFC (for example a macOS NFD name).
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any


def to_text(raw: bytes) -> tuple[str, str | None]:
    """Raw name bytes → (display text in NFC, hex of the raw bytes or ``None`` if not needed)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), raw.hex()
    nfc = unicodedata.normalize("NFC", text)
    return nfc, (None if nfc == text else raw.hex())


def path_fields(raw: bytes, key: str = "path") -> dict[str, str]:
    """Record fields for a raw path: ``{key: text}`` and ``{key}_hex`` when needed."""
    text, hexed = to_text(raw)
    fields = {key: text}
    if hexed is not None:
        fields[f"{key}_hex"] = hexed
    return fields


def raw_path(record: dict[str, Any], key: str = "path") -> bytes:
    """The exact bytes of a record's path: from ``{key}_hex`` when present, else UTF-8 text."""
    hexed = record.get(f"{key}_hex")
    if isinstance(hexed, str) and hexed:
        return bytes.fromhex(hexed)
    value = record.get(key)
    if not isinstance(value, str):
        raise ValueError(f"record has no {key!r}")
    return value.encode("utf-8", errors="surrogateescape")


def display(raw: bytes) -> str:
    """Text for a person: invalid bytes shown as U+FFFD."""
    return to_text(raw)[0]


_RESERVED = ("", ".", "..")


def _escape(raw: bytes) -> str:
    text = raw.decode("utf-8", "surrogateescape")
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"%{code - 0xDC00:02X}")
        elif ch in "/\x00":
            out.append(f"%{code:02X}")
        else:
            out.append(ch)
    escaped = "".join(out)
    if escaped in (".", ".."):
        escaped = escaped.replace(".", "%2E")
    return escaped or "(empty)"


def safe_component(raw: bytes) -> str:
    """The name a copy gets for one source name component: lossless *and* injective.

    A name that is valid UTF-8 and usable as a file name (not empty, ``.`` or ``..``, no ``/`` or
    NUL) is kept exactly. Any other is escaped (each byte that is not UTF-8, ``/`` and NUL as
    ``%XX``; ``.``/``..`` as ``%2E``; empty as ``(empty)``) and marked with ``~fkit-`` and 16 hex
    digits of the SHA-256 of the original bytes before its extension, so an escaped name never
    coincides with a real one (``\\xff.txt`` becomes ``%FF~fkit-….txt``, not the ``%FF.txt`` that
    may sit beside it). The record keeps the original bytes (``path_hex``).
    """
    try:
        text = raw.decode("utf-8")
        if text not in _RESERVED and "/" not in text and "\x00" not in text:
            return text
    except UnicodeDecodeError:
        pass
    escaped = _escape(raw)
    mark = "~fkit-" + hashlib.sha256(raw).hexdigest()[:16]
    stem, dot, ext = escaped.rpartition(".")
    if dot and stem and 0 < len(ext) <= 16 and "%" not in ext:
        return f"{stem}{mark}.{ext}"
    return escaped + mark


def safe_relpath(rel: bytes) -> str:
    """:func:`safe_component` for every ``/``-separated component of a relative path."""
    return "/".join(safe_component(part) for part in rel.split(b"/"))


def duplicate_name(name: str, key: str) -> str:
    """A second item under a name already taken in its folder (a file system that holds two
    entries with the same name): ``name`` marked with ``~fkit-dup-KEY`` before its extension."""
    mark = f"~fkit-dup-{key}"
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 16:
        return f"{stem}{mark}.{ext}"
    return name + mark
