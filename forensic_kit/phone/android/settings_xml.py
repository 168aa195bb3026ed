"""Android ``settings_*.xml`` (Settings provider, Android 6+): device name, Android ID, time zone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, read_evidence
from forensic_kit.phone.xmlutil import parse_xml
from forensic_kit.records import Record

WANTED = {"device_name": "device_name", "bluetooth_name": "bluetooth_name", "android_id": "android_id",
          "time_zone": "timezone", "auto_time_zone": "auto_time_zone", "bluetooth_address": "bluetooth_address"}


class SettingsXml(FileParser):
    """``settings_global.xml``, ``settings_secure.xml``, ``settings_system.xml`` → ``phone.device``."""

    NAME = "android_settings_xml"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "android"
    FILENAMES = ("settings_global.xml", "settings_secure.xml", "settings_system.xml")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        data = read_evidence(path)
        root = parse_xml(data, "settings file")
        fields: dict[str, str] = {}
        for el in root.iter("setting"):
            name = el.get("name")
            if name in WANTED and el.get("value") is not None:
                fields[WANTED[name]] = el.get("value") or ""
        if fields:
            yield self.record(ctx, {"path": logical, "element": "settings/setting"}, os="android", **fields)
