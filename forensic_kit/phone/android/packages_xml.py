"""Android ``packages.xml`` (``/data/system``): installed apps, versions, install times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.base import Context, FileParser, java_ms, read_evidence
from forensic_kit.phone.xmlutil import parse_xml
from forensic_kit.records import Record


def _hex_ms(value: str | None) -> dict[str, Any] | None:
    """``ft``/``it``/``ut`` attributes: Java milliseconds written in hexadecimal."""
    if not value:
        return None
    try:
        return java_ms(int(value, 16))
    except ValueError:
        return {"utc": None, "raw": value, "format": "java_millis_hex", "invalid": True}


class PackagesXml(FileParser):
    """``<package>`` elements → ``phone.app``. Android 12+ writes ABX (binary): a warning, not a guess."""

    NAME = "android_packages_xml"
    VERSION = "1"
    KIND = "phone.app"
    PLATFORM = "android"
    FILENAMES = ("packages.xml",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        data = read_evidence(path)
        root = parse_xml(data, "packages.xml")
        for n, el in enumerate(root.iter("package")):
            name = el.get("name")
            if not name:
                continue
            ts = el.get("ft") or el.get("timeStamp")
            yield self.record(
                ctx, {"path": logical, "element": f"packages/package[{n + 1}]"}, package=name,
                code_path=el.get("codePath"), version_code=el.get("version"), user_id=el.get("userId"),
                installer=el.get("installer") or el.get("installInitiator"),
                first_install=_hex_ms(el.get("it")), last_update=_hex_ms(el.get("ut")), file_time=_hex_ms(ts),
                flags=el.get("flags"))
