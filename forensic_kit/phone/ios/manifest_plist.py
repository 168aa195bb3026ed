"""iTunes/Finder backup ``Manifest.plist``: lockdown identity, encryption flag, applications."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, plist_date
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.records import Record


class ManifestPlist(FileParser):
    """``Lockdown`` → ``phone.device``; ``Applications/<bundle>`` → ``phone.app``."""

    NAME = "ios_manifest_plist"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "ios"
    FILENAMES = ("manifest.plist",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict):
            return
        lock = d.get("Lockdown") or {}
        yield self.record(
            ctx, {"path": logical, "key_path": "Lockdown"}, os="ios", device_name=lock.get("DeviceName"),
            product_type=lock.get("ProductType"), os_version=lock.get("ProductVersion"),
            build=lock.get("BuildVersion"), serial=lock.get("SerialNumber"), udid=lock.get("UniqueDeviceID"),
            backup_encrypted=d.get("IsEncrypted"), backup_date=plist_date(d.get("Date")),
            passcode_set=d.get("WasPasscodeSet"))
        for bundle, info in sorted((d.get("Applications") or {}).items()):
            rec = self.record(ctx, {"path": logical, "key_path": f"Applications/{bundle}"}, bundle_id=bundle,
                              version=(info or {}).get("CFBundleVersion") if isinstance(info, dict) else None,
                              container=(info or {}).get("Path") if isinstance(info, dict) else None)
            rec["kind"] = "phone.app"
            yield rec
