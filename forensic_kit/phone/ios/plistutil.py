"""Reading plists safely (binary or XML) for the iOS parsers."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any


def load(path: Path) -> Any:
    """The plist's top object; ``ValueError`` for anything that is not a readable plist."""
    try:
        with open(path, "rb") as f:
            return plistlib.load(f)
    except (plistlib.InvalidFileException, ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise ValueError(f"not a readable plist: {exc}") from exc


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
