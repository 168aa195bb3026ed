"""Android ``build.prop``: manufacturer, model, Android version, build, serial, time zone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.phone.xmlutil import UnsupportedFormat
from forensic_kit.records import Record

KEYS = {
    "ro.product.manufacturer": "manufacturer", "ro.product.vendor.manufacturer": "manufacturer",
    "ro.product.system.manufacturer": "manufacturer", "ro.product.brand": "brand",
    "ro.product.model": "model", "ro.product.vendor.model": "model", "ro.product.system.model": "model",
    "ro.product.device": "device", "ro.product.name": "product",
    "ro.build.version.release": "os_version", "ro.system.build.version.release": "os_version",
    "ro.build.version.sdk": "sdk", "ro.build.display.id": "build", "ro.build.id": "build_id",
    "ro.build.fingerprint": "fingerprint", "ro.build.version.security_patch": "security_patch",
    "ro.serialno": "serial", "ro.boot.serialno": "serial",
    "persist.sys.timezone": "timezone", "persist.sys.locale": "locale", "ro.product.locale": "locale",
}


class BuildProp(FileParser):
    """``/system/build.prop`` (and vendor/product variants) → one ``phone.device`` record."""

    NAME = "android_build_prop"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "android"
    FILENAMES = ("build.prop", "default.prop", "vendor_build.prop")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        props: dict[str, str] = {}
        fields: dict[str, str] = {}
        binary = False
        with open_evidence(path) as f:
            for raw in f:
                if b"\x00" in raw:
                    binary = True
                line = raw.decode("utf-8", "replace").strip()
                if not line or line.startswith("#") or "=" not in line:
                    continue
                key, value = line.split("=", 1)
                key = key.strip()
                value = value.strip()
                if key in KEYS:
                    props[key] = value
                    fields.setdefault(KEYS[key], value)
        if not props:
            what = "binary data (NUL bytes), not a text properties file" if binary else "no known property"
            raise UnsupportedFormat(f"{logical}: {what}: no device identity read from it")
        yield self.record(ctx, {"path": logical, "keys": sorted(props)}, os="android", **fields,
                          properties=dict(sorted(props.items())))
