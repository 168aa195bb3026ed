"""``com.apple.iPod.plist`` (on the computer that synced a device): the devices it saw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone import numbers
from forensic_kit.phone.base import Context, FileParser, plist_date
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.records import Record


class IPodPlist(FileParser):
    """``Devices/<id>`` → one ``phone.device`` each: class, iOS version, serial, IMEI, last connected."""

    NAME = "ios_ipod_plist"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "ios"
    FILENAMES = ("com.apple.ipod.plist",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        data = load(path)
        devices = data.get("Devices") if isinstance(data, dict) else None
        if not isinstance(devices, dict):
            return
        for dev_id, dev in devices.items():
            if not isinstance(dev, dict):
                continue
            yield self.record(
                ctx, {"path": logical, "key_path": f"Devices/{dev_id}"}, os="ios", device_id=dev_id,
                device_class=dev.get("Device Class"), os_version=dev.get("Firmware Version String"),
                serial=dev.get("Serial Number"), imei=numbers.imei(dev.get("IMEI")),
                region_info=dev.get("Region Info"), family_id=dev.get("Family ID"), use_count=dev.get("Use Count"),
                last_connected=plist_date(dev.get("Connected")))
