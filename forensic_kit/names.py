"""Lossless names (DESIGN.md section 2.8).

A path is stored as UTF-8 text in NFC, plus ``path_hex`` (the raw bytes in hex) whenever the text
alone would not give back the exact bytes: a name that is not valid UTF-8, or one whose UTF-8 is
not in NFC (for example a macOS NFD name).
"""

from __future__ import annotations

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
