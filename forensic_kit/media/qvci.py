"""Casio QV cameras' APP1 ``QVCI`` segment (cameras from before EXIF was common): the date-time
original, ``YYYY.MM.DD.HH.MM.SS`` at byte 0x4D of the segment, local time without zone."""

from __future__ import annotations

import re
from typing import Any

from forensic_kit.media.jpegseg import jpeg_segments
from forensic_kit.media.times import capture_time

PARSER_NAME = "fkit-casio-qvci 1"
SOURCE = "Casio QVCI:DateTimeOriginal"
_DATE = re.compile(rb"(\d{4})\.(\d\d)\.(\d\d)\.(\d\d)\.(\d\d)\.(\d\d)\0")


def qvci_time(data: bytes, end: int) -> dict[str, Any] | None:
    """The QVCI date-time original of a JPEG (segments before ``end``); None when absent or invalid."""
    for marker, pos, length in jpeg_segments(data, end):
        if marker == 0xE1 and data.startswith(b"QVCI\0", pos + 4) and length >= 2 + 0x4D + 20:
            m = _DATE.match(data, pos + 4 + 0x4D, pos + 4 + 0x4D + 20)
            if m is None:
                return None
            text = "{}:{}:{} {}:{}:{}".format(*(g.decode() for g in m.groups()))
            return capture_time(text, None, None, SOURCE)
    return None
