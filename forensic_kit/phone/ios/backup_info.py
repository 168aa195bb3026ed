"""iTunes/Finder backup ``Info.plist``: device identity and installed applications."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone import numbers
from forensic_kit.phone.base import Context, FileParser, plist_date
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.records import Record


class BackupInfo(FileParser):
    """``Info.plist`` at the backup root → ``phone.device`` (+ ``phone.app`` per installed app)."""

    NAME = "ios_backup_info"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "ios"
    FILENAMES = ("info.plist",)

    def matches(self, logical: str) -> bool:
        return logical == "Info.plist"  # only the backup's own, not every app bundle's

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict) or "Product Type" not in d and "Device Name" not in d:
            return
        yield self.record(
            ctx, {"path": logical, "key_path": "/"}, os="ios", device_name=d.get("Device Name"),
            display_name=d.get("Display Name"), product_type=d.get("Product Type"),
            product_name=d.get("Product Name"), os_version=d.get("Product Version"), build=d.get("Build Version"),
            serial=d.get("Serial Number"), udid=d.get("Unique Identifier") or d.get("Target Identifier"),
            imei=numbers.imei(d.get("IMEI")), imei2=numbers.imei(d.get("IMEI 2")), meid=d.get("MEID"),
            iccid=d.get("ICCID"), phone_number=ctx.number(d.get("Phone Number")),
            last_backup=plist_date(d.get("Last Backup Date")))
        for n, bundle in enumerate(d.get("Installed Applications") or []):
            rec = self.record(ctx, {"path": logical, "key_path": f"Installed Applications/{n}"}, bundle_id=bundle)
            rec["kind"] = "phone.app"
            yield rec
