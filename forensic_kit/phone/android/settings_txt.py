"""androidqf ``settings_<namespace>.txt`` (``settings list <namespace>`` output): ``name=value`` lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.records import Record

MAX_LINES = 1_000_000


class SettingsTxt(FileParser):
    """Each ``name=value`` line → ``phone.setting`` (namespace from the file name: system, secure, global...)."""

    NAME = "android_settings_txt"
    VERSION = "1"
    KIND = "phone.setting"
    PLATFORM = "android"

    def matches(self, logical: str) -> bool:
        name = logical.lower().rsplit("/", 1)[-1]
        return name.startswith("settings_") and name.endswith(".txt")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        namespace = logical.rsplit("/", 1)[-1][len("settings_"):-len(".txt")]
        with open_evidence(path, text=True) as f:
            for n, line in enumerate(f, 1):
                if n > MAX_LINES:
                    break
                line = line.rstrip("\r\n")
                if "=" not in line:
                    continue
                name, value = line.split("=", 1)
                yield self.record(ctx, {"path": logical, "line": n}, namespace=namespace, name=name, value=value)
