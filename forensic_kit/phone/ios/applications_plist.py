"""iOS installed-application lists: ``applications.plist`` and ``com.apple.mobile.installation.plist``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.base import Context, FileParser
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.records import Record


class ApplicationsPlist(FileParser):
    """``User``/``System`` (installation plist) or top-level bundle dictionaries → ``phone.app``."""

    NAME = "ios_applications_plist"
    VERSION = "1"
    KIND = "phone.app"
    PLATFORM = "ios"
    FILENAMES = ("applications.plist", "com.apple.mobile.installation.plist")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict):
            return
        groups: list[tuple[str, dict[str, Any]]] = []
        for group in ("User", "System"):
            if isinstance(d.get(group), dict):
                groups.append((group, d[group]))
        if not groups:
            groups.append(("", d))
        for group, apps in groups:
            for bundle, info in sorted(apps.items()):
                if not isinstance(info, dict):
                    continue
                key = f"{group}/{bundle}" if group else bundle
                yield self.record(
                    ctx, {"path": logical, "key_path": key}, bundle_id=info.get("CFBundleIdentifier") or bundle,
                    name=info.get("CFBundleDisplayName") or info.get("CFBundleName"),
                    version=info.get("CFBundleShortVersionString") or info.get("CFBundleVersion"),
                    app_type=info.get("ApplicationType") or (group or None),
                    container=info.get("Container"), bundle_path=info.get("Path"))
