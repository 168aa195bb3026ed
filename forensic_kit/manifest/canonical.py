"""RFC 8785 (JCS) canonical JSON with fkit's extra rules: strings in NFC, no floats.

``rfc8785`` does the canonicalisation; this module first walks the value, normalising every
string (keys included) to NFC and refusing floats, so what is signed never depends on a float's
textual form or on how a name's accents were composed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import rfc8785

from forensic_kit.errors import FormatError


def normalize(value: Any, where: str = "$") -> Any:
    """A copy of ``value`` with NFC strings; FormatError for floats or non-JSON types."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise FormatError(f"canonical JSON: float at {where} is not allowed (use an integer or a string)")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise FormatError(f"canonical JSON: non-string key at {where}")
            nk = unicodedata.normalize("NFC", k)
            if nk in out:
                raise FormatError(f"canonical JSON: duplicate key {nk!r} after NFC at {where}")
            out[nk] = normalize(v, f"{where}.{nk}")
        return out
    if isinstance(value, (list, tuple)):
        return [normalize(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise FormatError(f"canonical JSON: unsupported type {type(value).__name__} at {where}")


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 bytes of ``value`` after NFC normalisation (FormatError for floats)."""
    try:
        return rfc8785.dumps(normalize(value))
    except rfc8785.CanonicalizationError as exc:  # e.g. integers beyond 2**53
        raise FormatError(f"canonical JSON: {exc}") from None


def is_canonical(data: bytes) -> bool:
    """True when ``data`` is exactly the canonical form of the JSON it holds."""
    import json

    try:
        return canonical_bytes(json.loads(data)) == data
    except (ValueError, FormatError):
        return False
