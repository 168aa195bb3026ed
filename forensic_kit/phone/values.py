"""Values read from evidence made JSON-safe without losing anything.

A column declared TEXT may hold a BLOB, an integer column may hold text, a plist may hold dates,
UIDs or raw data. No value ever ends a run: bytes are kept as base64 with an ``encoding`` field
(and the UTF-8 text beside them when the bytes are valid UTF-8), dates become ISO text, floats
that JSON cannot carry (NaN, infinities) become text, unknown objects their ``repr``.
"""

from __future__ import annotations

import base64
import math
from datetime import date, datetime, timezone
from typing import Any

_PLAIN = (str, int, bool, type(None))


def blob(value: bytes | bytearray | memoryview) -> dict[str, Any]:
    """Bytes as ``{"encoding": "base64", "value", "bytes"}`` (+ ``text`` when valid UTF-8)."""
    data = bytes(value)
    out: dict[str, Any] = {"encoding": "base64", "value": base64.b64encode(data).decode("ascii"), "bytes": len(data)}
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return out
    if all(c.isprintable() or c in "\t\n\r" for c in decoded):
        out["text"] = decoded
    return out


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` with every part JSON can carry kept and every other part converted (never raises).

    Fast path: a dict or list whose members are all plain (the common case: times, numbers,
    locators) is returned as it is, without copying.
    """
    t = type(value)
    if t in _PLAIN_TYPES:
        return value
    if t is dict:
        for v in value.values():
            tv = type(v)
            if tv not in _PLAIN_TYPES and not (tv is dict and _plain_dict(v)):
                break
        else:
            return value
    elif t is list and all(type(v) in _PLAIN_TYPES or (type(v) is dict and _plain_dict(v)) for v in value):
        return value
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return blob(value)
    if depth > 64:
        return {"encoding": "repr", "value": repr(value)[:200], "note": "nested too deep"}
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return dt.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    data = getattr(value, "data", None)
    if type(value).__name__ == "UID" and isinstance(data, int):
        return {"uid": data}
    return {"encoding": "repr", "type": type(value).__name__, "value": repr(value)[:1000]}


def _plain_dict(d: dict[Any, Any]) -> bool:
    return all(type(v) in _PLAIN_TYPES for v in d.values())
