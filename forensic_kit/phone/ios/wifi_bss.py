"""iOS known Wi-Fi networks, one record per access point (BSS) seen for each network.

``com.apple.wifi.known-networks.plist`` (iOS 14+) keeps, under each network's ``BSSList``, every
BSS the phone associated with: BSSID, channel and channel flags, last association time and,
when location services were on, where the phone was (latitude, longitude, accuracy, when).
plaso and iLEAPP ("WiFi BSS List") give one row per BSS; so does this parser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.base import Context, FileParser, plist_date
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.phone.ios.wifi import _ssid
from forensic_kit.records import Record


def _location(bss: dict[str, Any]) -> dict[str, Any] | None:
    lat, lon = bss.get("LocationLatitude"), bss.get("LocationLongitude")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return None
    return {"lat": lat, "lon": lon, "accuracy_m": bss.get("LocationAccuracy"),
            "time": plist_date(bss.get("LocationTimestamp"))}


class KnownNetworkBss(FileParser):
    """``<network>/BSSList/<n>`` → ``phone.wifi`` (``entry: bss``): SSID, BSSID, channel, last associated."""

    NAME = "ios_wifi_known_network_bss"
    VERSION = "1"
    KIND = "phone.wifi"
    PLATFORM = "ios"
    FILENAMES = ("com.apple.wifi.known-networks.plist",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict):
            return
        for key, net in d.items():
            if not isinstance(net, dict) or not isinstance(net.get("BSSList"), list):
                continue
            for n, bss in enumerate(net["BSSList"]):
                if not isinstance(bss, dict):
                    continue
                yield self.record(
                    ctx, {"path": logical, "key_path": f"{key}/BSSList/{n}"}, entry="bss",
                    ssid=_ssid(net.get("SSID")), bssid=bss.get("BSSID"), channel=bss.get("Channel"),
                    channel_flags=bss.get("ChannelFlags"), last_associated=plist_date(bss.get("LastAssociatedAt")),
                    added=plist_date(net.get("AddedAt")),
                    location=_location(bss))
