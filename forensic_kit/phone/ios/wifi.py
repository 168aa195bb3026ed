"""iOS known Wi-Fi networks: ``com.apple.wifi.known-networks.plist`` (iOS 14+) and ``com.apple.wifi.plist``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.base import Context, FileParser, plist_date
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.records import Record


def _ssid(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"hex": value.hex()}
    return value


class KnownNetworks(FileParser):
    """``wifi.network.ssid.<name>`` → ``phone.wifi`` (SSID, BSSID, added, joined, last seen)."""

    NAME = "ios_wifi_known_networks"
    VERSION = "1"
    KIND = "phone.wifi"
    PLATFORM = "ios"
    FILENAMES = ("com.apple.wifi.known-networks.plist",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict):
            return
        for key, net in d.items():
            if not isinstance(net, dict):
                continue
            os_specific = net.get("__OSSpecific__") or {}
            bss = [b.get("BSSID") for b in os_specific.get("BEACON_PROBE_INFO_PER_BSSID_LIST") or []
                   if isinstance(b, dict) and b.get("BSSID")]
            yield self.record(
                ctx, {"path": logical, "key_path": key}, entry="network", ssid=_ssid(net.get("SSID")),
                bssid=os_specific.get("BSSID"), bssids_seen=bss, channel=os_specific.get("CHANNEL"), security=net.get("SupportedSecurityTypes"),
                hidden=net.get("Hidden"), added=plist_date(net.get("AddedAt")),
                joined_by_user=plist_date(net.get("JoinedByUserAt")),
                joined_by_system=plist_date(net.get("JoinedBySystemAt")),
                last_joined=plist_date(os_specific.get("prevJoined")), add_reason=net.get("AddReason"),
                network_usage=os_specific.get("networkUsage"))


class WifiPlist(FileParser):
    """``com.apple.wifi.plist`` ``List of known networks`` (iOS ≤ 13) → ``phone.wifi``."""

    NAME = "ios_wifi_plist"
    VERSION = "1"
    KIND = "phone.wifi"
    PLATFORM = "ios"
    FILENAMES = ("com.apple.wifi.plist",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        nets = d.get("List of known networks") if isinstance(d, dict) else None
        for n, net in enumerate(nets or []):
            if not isinstance(net, dict):
                continue
            yield self.record(
                ctx, {"path": logical, "key_path": f"List of known networks/{n}"}, entry="network",
                ssid=_ssid(net.get("SSID_STR") or net.get("SSID")), bssid=net.get("BSSID"),
                security=net.get("SecurityMode"), added=plist_date(net.get("addedAt")),
                last_joined=plist_date(net.get("lastJoined") or net.get("lastAutoJoined")))
