"""Android ``WifiConfigStore.xml`` (Android 8+): saved Wi-Fi networks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from forensic_kit.phone.base import Context, FileParser, read_evidence
from forensic_kit.phone.xmlutil import parse_xml
from forensic_kit.records import Record


def _value(el: ElementTree.Element) -> Any:
    if el.tag == "null":
        return None
    if el.tag in ("int", "long", "boolean"):
        return el.get("value")
    return el.text


def _unquote(text: Any) -> Any:
    if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


class WifiConfigStore(FileParser):
    """``<Network>`` → ``phone.wifi``: SSID, BSSID, key management, creator and timestamps as written."""

    NAME = "android_wifi_config_store"
    VERSION = "1"
    KIND = "phone.wifi"
    PLATFORM = "android"
    FILENAMES = ("wificonfigstore.xml",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        data = read_evidence(path)
        root = parse_xml(data, "WifiConfigStore.xml")
        for n, net in enumerate(root.iter("Network")):
            conf = net.find("WifiConfiguration")
            if conf is None:
                continue
            vals: dict[str, Any] = {}
            for el in conf:
                name = el.get("name")
                if name:
                    vals[name] = _value(el)
            status = net.find("NetworkStatus")
            sel = None
            if status is not None:
                for el in status:
                    if el.get("name") == "SelectionStatus":
                        sel = _value(el)
            yield self.record(
                ctx, {"path": logical, "element": f"WifiConfigStoreData/NetworkList/Network[{n + 1}]"},
                ssid=_unquote(vals.get("SSID")), ssid_raw=vals.get("SSID"), bssid=vals.get("BSSID"),
                config_key=vals.get("ConfigKey"), key_mgmt=vals.get("AllowedKeyMgmt"),
                pre_shared_key=vals.get("PreSharedKey"), hidden=vals.get("HiddenSSID"),
                creator=vals.get("CreatorName"), last_updater=vals.get("LastUpdateName"),
                creation_time=vals.get("CreationTime"), selection_status=sel)
