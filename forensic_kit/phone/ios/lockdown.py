"""iOS lockdown ``data_ark.plist`` (full file system extractions): device name, time zone, activation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.base import Context, FileParser
from forensic_kit.phone.ios.plistutil import clean, load
from forensic_kit.records import Record

KEYS = {"-DeviceName": "device_name", "-TimeZone": "timezone", "-ActivationState": "activation_state",
        "com.apple.international-Locale": "locale", "com.apple.international-Language": "language",
        "-ProductType": "product_type", "-ProductVersion": "os_version", "-SerialNumber": "serial"}


class DataArk(FileParser):
    """``data_ark.plist`` → ``phone.device``."""

    NAME = "ios_lockdown_data_ark"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "ios"
    FILENAMES = ("data_ark.plist",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict):
            return
        fields: dict[str, Any] = {name: clean(d[key]) for key, name in KEYS.items() if key in d}
        if fields:
            yield self.record(ctx, {"path": logical, "keys": sorted(k for k in KEYS if k in d)}, os="ios", **fields)
