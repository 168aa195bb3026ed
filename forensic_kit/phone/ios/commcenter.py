"""iOS CommCenter plists: phone number (MDN), ICCID, IMEI, IMSI of the SIMs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone import numbers
from forensic_kit.phone.base import Context, FileParser
from forensic_kit.phone.ios.plistutil import load
from forensic_kit.records import Record

DEVICE_KEYS = {"imei": "imei", "ReportedPhoneNumber": "phone_number", "PhoneNumber": "phone_number",
               "LastKnownICCID": "iccid", "ReportedSubscriberIdentity": "iccid", "meid": "meid",
               "ReportedIMSI": "imsi", "kLastKnownIMSI": "imsi", "ProductType": "product_type"}


class CommCenter(FileParser):
    """``com.apple.commcenter*.plist`` → ``phone.device`` (``component: sim``/``baseband``)."""

    NAME = "ios_commcenter"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "ios"
    FILENAMES = ("com.apple.commcenter.data.plist", "com.apple.commcenter.plist",
                 "com.apple.commcenter.device_specific_nobackup.plist")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        d = load(path)
        if not isinstance(d, dict):
            return
        wallet = d.get("PersonalWallet")
        if isinstance(wallet, dict):
            for iccid, entry in sorted(wallet.items()):
                info: dict[str, Any] = (entry or {}).get("info") or {} if isinstance(entry, dict) else {}
                yield self.record(ctx, {"path": logical, "key_path": f"PersonalWallet/{iccid}/info"}, os="ios",
                                  component="sim", iccid=iccid, phone_number=ctx.number(info.get("mdn")),
                                  sim_type=info.get("type"), label_id=info.get("label-id"))
        fields: dict[str, Any] = {}
        keys: list[str] = []
        for key, name in DEVICE_KEYS.items():
            val = d.get(key)
            if val in (None, ""):
                continue
            keys.append(key)
            if name == "imei":
                fields.setdefault(name, numbers.imei(val))
            elif name == "phone_number":
                fields.setdefault(name, ctx.number(val))
            else:
                fields.setdefault(name, val)
        if fields:
            yield self.record(ctx, {"path": logical, "keys": keys}, os="ios", component="baseband", **fields)
