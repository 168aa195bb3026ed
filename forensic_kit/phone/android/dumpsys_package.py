"""``dumpsys package`` (bug reports, androidqf ``dumpsys.txt``, ``dumpsys_packages.txt``): installed
packages with versions, install times, installer and flags.

The times (``firstInstallTime=2020-06-12 00:41:34``) are the device's **local** time with no zone
in the text: they are kept as written (``local``), never labelled UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.android.dumpsys import is_bugreport_text, section
from forensic_kit.phone.base import Context, FileParser
from forensic_kit.records import Record

_PACKAGE = re.compile(r"^  Package \[([^\]]+)\]")
_KV = re.compile(r"([A-Za-z]+)=(\S+)")


def _local(value: str | None) -> dict[str, Any] | None:
    return {"local": value, "timezone": "device local time (zone not recorded)"} if value else None


class DumpsysPackage(FileParser):
    """Each ``Package [name]`` block of the ``Packages:`` list → ``phone.app``."""

    NAME = "android_dumpsys_package"
    VERSION = "1"
    KIND = "phone.app"
    PLATFORM = "android"

    def matches(self, logical: str) -> bool:
        return is_bugreport_text(logical) or logical.lower().endswith("dumpsys_packages.txt")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        in_packages = False
        cur: dict[str, Any] | None = None
        for n, line in section(path, "package", whole=logical.lower().endswith("dumpsys_packages.txt")):
            if line.startswith("Packages:"):
                in_packages = True
                continue
            if not in_packages:
                continue
            if line and not line.startswith(" "):
                break  # the next top-level block (Shared users, ...)
            m = _PACKAGE.match(line)
            if m:
                if cur is not None:
                    yield self._emit(cur, ctx, logical)
                cur = {"package": m.group(1), "line": n, "flags": None, "declared": 0, "requested": 0}
                continue
            if cur is None:
                continue
            text = line.strip()
            if text.startswith("flags=[") or text.startswith("pkgFlags=["):
                cur["flags"] = text.split("[", 1)[1].rstrip("]").split()
            elif text.startswith("versionCode="):
                for k, v in _KV.findall(text):
                    cur[k] = v
            elif "=" in text and not text.startswith("User "):
                k, v = text.split("=", 1)
                cur.setdefault(k, v)
        if cur is not None:
            yield self._emit(cur, ctx, logical)

    def _emit(self, cur: dict[str, Any], ctx: Context, logical: str) -> Record:
        flags = cur.get("flags") or []
        installer = cur.get("installerPackageName")
        return self.record(
            ctx, {"path": logical, "line": cur["line"]}, package=cur["package"], user_id=cur.get("userId"),
            version_name=cur.get("versionName"), version_code=cur.get("versionCode"),
            min_sdk=cur.get("minSdk"), target_sdk=cur.get("targetSdk"), code_path=cur.get("codePath"),
            installer=None if installer in (None, "null") else installer, system="SYSTEM" in flags, flags=flags,
            first_install=_local(cur.get("firstInstallTime")), last_update=_local(cur.get("lastUpdateTime")),
            file_time=_local(cur.get("timeStamp")))
