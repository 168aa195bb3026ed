"""androidqf ``packages.json``: installed packages with their APK hashes, installer and flags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.records import Record

MAX_JSON_BYTES = 256 << 20


class AndroidqfPackages(FileParser):
    """Each package object → ``phone.app`` (package, uid, installer, system/third-party, APK files)."""

    NAME = "android_androidqf_packages"
    VERSION = "1"
    KIND = "phone.app"
    PLATFORM = "android"
    FILENAMES = ("packages.json",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        with open_evidence(path) as f:
            data = f.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise ValueError(f"larger than {MAX_JSON_BYTES} bytes: not loaded")
        items = json.loads(data)
        if not isinstance(items, list):
            raise ValueError("not a JSON array of packages")
        for n, p in enumerate(items):
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                continue
            files = [{"path": f.get("path"), "sha256": f.get("sha256") or None, "md5": f.get("md5") or None,
                      "certificate": (f.get("certificate") or {}).get("Subject") if isinstance(f.get("certificate"), dict)
                      else None} for f in p.get("files") or [] if isinstance(f, dict)]
            installer = p.get("installer")
            yield self.record(ctx, {"path": logical, "index": n}, package=p["name"], user_id=p.get("uid"),
                              installer=None if installer in (None, "", "null") else installer,
                              disabled=p.get("disabled"), system=p.get("system"), third_party=p.get("third_party"),
                              files=files)
