"""IPTC IIM (the Photoshop resource 0x0404 in JPEG APP13 and Photoshop PDFs): the creation date
and time of the content (2:55 DateCreated ``CCYYMMDD`` + 2:60 TimeCreated ``HHMMSS±HHMM``), as one
capture time. A date without its time is not a capture time (ExifTool builds none either)."""

from __future__ import annotations

import re
from typing import Any

from forensic_kit.media import irb
from forensic_kit.media.jpegseg import jpeg_segments
from forensic_kit.media.times import capture_time, parse_offset

PARSER_NAME = "fkit-iptc-dates 1"
SOURCE = "IPTC:DateCreated+TimeCreated"
_DATE = re.compile(rb"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(rb"^(\d{2})(\d{2})(\d{2})([+-]\d{4})?$")
MAX_DATASETS = 4096


def datasets(iim: bytes) -> dict[tuple[int, int], bytes]:
    """The first value of each (record, dataset) in standard (not extended-length) form."""
    out: dict[tuple[int, int], bytes] = {}
    pos = 0
    for _ in range(MAX_DATASETS):
        if pos + 5 > len(iim) or iim[pos] != 0x1C:
            break
        record, number = iim[pos + 1], iim[pos + 2]
        length = int.from_bytes(iim[pos + 3:pos + 5], "big")
        if length & 0x8000:  # extended length: not used by the datasets read here; stop rather than guess
            break
        value = iim[pos + 5:pos + 5 + length]
        if len(value) < length:
            break
        out.setdefault((record, number), value)
        pos += 5 + length
    return out


def iptc_time(iim: bytes) -> dict[str, Any] | None:
    """The capture time block of IIM data; None without both a valid date and time."""
    sets = datasets(iim)
    date = _DATE.match(sets.get((2, 55), b"").strip(b"\0 "))
    time = _TIME.match(sets.get((2, 60), b"").strip(b"\0 "))
    if not date or not time:
        return None
    text = f"{date[1].decode()}:{date[2].decode()}:{date[3].decode()} {time[1].decode()}:{time[2].decode()}:{time[3].decode()}"
    offset = None
    if time[4]:
        zone = time[4].decode()
        offset = f"{zone[:3]}:{zone[3:]}"
    return capture_time(text, None, parse_offset(offset), SOURCE)


def jpeg_iptc_time(data: bytes, end: int) -> dict[str, Any] | None:
    """The IPTC capture time of a JPEG: APP13 ``Photoshop 3.0`` segments before ``end`` (the SOS)."""
    for marker, pos, length in jpeg_segments(data, end):
        if marker == 0xED and data.startswith(b"Photoshop 3.0\0", pos + 4):
            iim = irb.resource(data[pos + 18:pos + 2 + length], irb.IPTC)
            if iim is not None:
                return iptc_time(iim)
    return None
