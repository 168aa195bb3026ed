"""FLIR thermal cameras' JPEG record (APP1 ``FLIR\\0`` chunks that together hold an FFF file): the
CameraInfo record's date-time original, a UTC instant with milliseconds and the camera's zone.

The FFF header gives the record directory (32-byte entries: type, subtype, version, index,
offset, length...); CameraInfo is record type 0x20, its byte order told by its first int16u (2),
its time at 0x384: int32u Unix seconds, int32u milliseconds (low 16 bits), int16s minutes west.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from forensic_kit.media.jpegseg import jpeg_segments
from forensic_kit.media.times import capture_time

PARSER_NAME = "fkit-flir 1"
SOURCE = "FLIR:DateTimeOriginal"
MAX_RECORDS = 1024
_CAMERA_INFO = 0x20


def _u(data: bytes, at: int, n: int, order: str) -> int:
    return int.from_bytes(data[at:at + n], "big" if order == ">" else "little")


def fff_from_jpeg(data: bytes, end: int) -> bytes | None:
    """The FFF data of a JPEG's FLIR APP1 chunks, in chunk order; None when absent or incomplete."""
    chunks: dict[int, bytes] = {}
    total = None
    for marker, pos, length in jpeg_segments(data, end):
        seg = data[pos + 4:pos + 2 + length]
        if marker == 0xE1 and seg.startswith(b"FLIR\0") and len(seg) >= 8:
            total = seg[7] + 1 if total is None else total
            chunks.setdefault(seg[6], seg[8:])
    if total is None or any(i not in chunks for i in range(total)):
        return None
    return b"".join(chunks[i] for i in range(total))


def _camera_info(fff: bytes) -> bytes | None:
    if len(fff) < 0x40 or not fff.startswith(b"FFF\0"):
        return None
    order = next((o for o in (">", "<") if 100 <= _u(fff, 0x14, 4, o) < 200), None)
    if order is None:
        return None
    start, count = _u(fff, 0x18, 4, order), _u(fff, 0x1C, 4, order)
    for i in range(min(count, MAX_RECORDS)):
        entry = start + 0x20 * i
        if entry + 0x20 > len(fff):
            return None
        if _u(fff, entry, 2, order) == _CAMERA_INFO:
            off, length = _u(fff, entry + 0x0C, 4, order), _u(fff, entry + 0x10, 4, order)
            return fff[off:off + length] if off + length <= len(fff) else None
    return None


def flir_time(fff: bytes) -> dict[str, Any] | None:
    """The CameraInfo date-time original as a time block (local time with its offset)."""
    info = _camera_info(fff)
    if info is None or len(info) < 0x38E:
        return None
    order = "<" if _u(info, 0, 2, "<") < 0x100 else ">"
    seconds, millis = _u(info, 0x384, 4, order), _u(info, 0x388, 4, order) & 0xFFFF
    west = int.from_bytes(info[0x38C:0x38E], "big" if order == ">" else "little", signed=True)
    if not seconds or millis > 999 or abs(west) > 14 * 60:
        return None
    local = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds - west * 60)
    sign = "-" if west > 0 else "+"
    offset = f"{sign}{abs(west) // 60:02d}:{abs(west) % 60:02d}"
    return capture_time(f"{local:%Y:%m:%d %H:%M:%S}.{millis:03d}", None, offset, SOURCE)
