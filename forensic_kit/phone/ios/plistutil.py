"""Reading plists safely (binary or XML) for the iOS parsers."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any


MAX_PLIST_BYTES = 256 << 20
"""Plists larger than this are not loaded (a warning says so)."""


def load(path: Path) -> Any:
    """The plist's top object; ``ValueError`` for anything that is not a readable plist.

    The file is read into memory first (size-capped): a binary plist that declares a 2^62-byte
    object then fails on the short buffer instead of asking the OS for that much memory. A plist
    cut in half (XML ``ExpatError``), a bad offset table (``struct.error``), nesting too deep
    (``RecursionError``) all become ``ValueError`` naming the cause.
    """
    import os

    from forensic_kit.fileopen import open_readonly

    with os.fdopen(open_readonly(str(path)), "rb") as f:  # O_NOATIME: the evidence's atime stays
        data = f.read(MAX_PLIST_BYTES + 1)
    if len(data) > MAX_PLIST_BYTES:
        raise ValueError(f"plist larger than {MAX_PLIST_BYTES} bytes: not loaded")
    try:
        return plistlib.loads(data)
    except Exception as exc:  # noqa: BLE001 - every decoder failure is "not a readable plist"
        raise ValueError(f"not a readable plist: {type(exc).__name__}: {exc}") from exc


def clean(value: Any) -> Any:
    """Plist values made JSON-able: bytes → hex, dates → ISO, containers recursively."""
    from datetime import datetime, timezone

    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return dt.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, plistlib.UID):
        return {"uid": value.data}
    return value
