"""``dumpsys appops``: which app used or was refused which permission-guarded operation, and when.

Under ``Uid <uid>:`` each ``Package <name>:`` lists ``OP (mode):`` lines followed by
``Access:``/``Reject:`` entries ``[uid state] <local time> (relative) [duration=...]``. Times are
the device's local time (no zone written) and are kept as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.android.dumpsys import is_bugreport_text, section
from forensic_kit.phone.base import Context, FileParser
from forensic_kit.records import Record

_UID = re.compile(r"^  Uid (\S+):$")
_PACKAGE = re.compile(r"^    Package (\S+):$")
_OP = re.compile(r"^      ([A-Z0-9_]+) \((\w+)\):")
_ENTRY = re.compile(r"^\s+(Access|Reject): \[([^\]]*)\]\s*(\S+ \S+)\s*(\([^)]*\))?(?:\s+duration=(\S+))?")


class DumpsysAppops(FileParser):
    """Each ``Package`` block → ``phone.app_ops`` (uid, operations with mode and access/reject entries)."""

    NAME = "android_dumpsys_appops"
    VERSION = "1"
    KIND = "phone.app_ops"
    PLATFORM = "android"

    def matches(self, logical: str) -> bool:
        return is_bugreport_text(logical) or logical.lower().endswith("dumpsys_appops.txt")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        uid: str | None = None
        cur: dict[str, Any] | None = None
        for n, line in section(path, "appops", whole=logical.lower().endswith("dumpsys_appops.txt")):
            m = _UID.match(line)
            if m:
                if cur is not None:
                    yield self._emit(cur, ctx, logical)
                    cur = None
                uid = m.group(1)
                continue
            m = _PACKAGE.match(line)
            if m:
                if cur is not None:
                    yield self._emit(cur, ctx, logical)
                cur = {"package": m.group(1), "uid": uid, "line": n, "ops": []}
                continue
            if cur is None:
                continue
            m = _OP.match(line)
            if m:
                cur["ops"].append({"op": m.group(1), "mode": m.group(2), "entries": []})
                continue
            m = _ENTRY.match(line)
            if m and cur["ops"]:
                cur["ops"][-1]["entries"].append({"event": m.group(1).lower(), "uid_state": m.group(2),
                                                  "local_time": m.group(3), "relative": m.group(4),
                                                  "duration": m.group(5)})
                continue
            if line.strip() and not line.startswith("      "):
                yield self._emit(cur, ctx, logical)
                cur = None
        if cur is not None:
            yield self._emit(cur, ctx, logical)

    def _emit(self, cur: dict[str, Any], ctx: Context, logical: str) -> Record:
        return self.record(ctx, {"path": logical, "line": cur["line"]}, package=cur["package"], uid=cur["uid"],
                           ops=cur["ops"], timezone="device local time (zone not recorded)")
