"""``getprop`` output (androidqf ``getprop.txt``, bug reports' SYSTEM PROPERTIES section).

Lines ``[name]: [value]``; values may span lines (a ``]`` closes them). One ``phone.device``
record carries every property (``properties``) and the identity fields known from ``build.prop``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.android.build_prop import KEYS
from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.phone.xmlutil import UnsupportedFormat
from forensic_kit.records import Record

_PROP = re.compile(r"^\[([^\]]+)\]: \[(.*)$")
MAX_PROPS = 100_000


def parse_getprop(lines: Iterator[str]) -> dict[str, str]:
    """``[name]: [value]`` lines → dict, in file order; multi-line values joined with ``\\n``."""
    props: dict[str, str] = {}
    name: str | None = None
    value: list[str] = []
    for line in lines:
        line = line.rstrip("\r\n")
        if name is None:
            m = _PROP.match(line)
            if not m:
                continue
            name, rest = m.group(1), m.group(2)
            value = [rest]
        else:
            value.append(line)
        if value[-1].endswith("]"):
            value[-1] = value[-1][:-1]
            props[name] = "\n".join(value)
            name = None
            if len(props) >= MAX_PROPS:
                break
    return props


class GetProp(FileParser):
    """``getprop.txt`` → one ``phone.device`` (all properties kept in order)."""

    NAME = "android_getprop"
    VERSION = "1"
    KIND = "phone.device"
    PLATFORM = "android"
    FILENAMES = ("getprop.txt",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        with open_evidence(path, text=True) as f:
            props = parse_getprop(iter(f))
        if not props:
            raise UnsupportedFormat(f"{logical}: no '[name]: [value]' line: not getprop output")
        yield device_record(self, props, ctx, {"path": logical})


def device_record(parser: FileParser, props: dict[str, str], ctx: Context, locator: dict[str, object]) -> Record:
    """A ``phone.device`` record from getprop properties (identity fields from :data:`KEYS`)."""
    fields: dict[str, str] = {}
    for key, value in props.items():
        if key in KEYS and value:
            fields.setdefault(KEYS[key], value)
    return parser.record(ctx, dict(locator, properties=len(props)), os="android", **fields, properties=props)
