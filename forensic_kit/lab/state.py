"""The state file of ``fkit lab verify``: each package's last result, so that a nightly run says
what changed since the night before."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from forensic_kit.errors import InputError

SCHEMA = "fkit.lab-state/1"


def load(path: Path) -> dict[str, dict[str, Any]]:
    """Package path → its last result (empty when the file does not exist yet)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the lab state file {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("packages"), dict):
        raise InputError(f"{path} is not an fkit lab state file ({SCHEMA})")
    return {str(k): v for k, v in data["packages"].items() if isinstance(v, dict)}


def written(path: Path) -> str | None:
    """When the state file was last written (None: no state file yet, or no date in it)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    when = data.get("written") if isinstance(data, dict) else None
    return when if isinstance(when, str) else None


def save(path: Path, packages: dict[str, dict[str, Any]], when: str) -> None:
    """Write the state atomically (a crash leaves the previous state)."""
    tmp = path.with_name(path.name + ".tmp")
    body = {"schema": SCHEMA, "written": when, "packages": dict(sorted(packages.items()))}
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp, path)


def changes(before: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """What is different from the last run: packages new, gone, or whose verdict or sealed
    manifest changed."""
    out: list[dict[str, Any]] = []
    for path in sorted(set(before) | set(now)):
        old, new = before.get(path), now.get(path)
        if old is None:
            out.append({"package": path, "change": "new", "now": new and new.get("verdict")})
        elif new is None:
            out.append({"package": path, "change": "gone", "before": old.get("verdict")})
        elif (old.get("verdict"), old.get("manifest_sha256")) != (new.get("verdict"), new.get("manifest_sha256")):
            out.append({"package": path, "change": "changed", "before": old.get("verdict"), "now": new.get("verdict"),
                        "manifest_before": old.get("manifest_sha256"), "manifest_now": new.get("manifest_sha256")})
    return out
