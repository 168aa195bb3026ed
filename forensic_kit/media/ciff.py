"""Canon's CIFF (Camera Image File Format, 1997): the metadata heap of CRW raw files and of the
APP0 ``HEAPJPGM`` segment some Canon JPEGs of that time carry beside (or instead of) EXIF.

Layout (Canon's CIFF 1.0 specification): a header (byte order ``II``/``MM``, u32 header length,
``HEAP`` + a four-letter type, u32 version), then the root heap up to the end of the file or
segment. A heap ends with a u32: where its directory starts, from the heap's start. A directory is
a u16 count and 10-byte entries: u16 tag, u32 size, u32 offset within the heap. Tag bits
0xC000 = 0x4000: the value is in the entry's own 8 bytes; 0x3800: the type (0x2800 and 0x3000:
a sub-heap). Read here: 0x080a make and model (two NUL-terminated strings), 0x180e the time stamp
(u32 seconds from 1970 read as the camera's local wall clock, as ExifTool does, no zone) and
0x1810 the image info (u32 width, u32 height, float aspect, i32 rotation).

Every offset is checked against its heap, sub-heaps nest at most 8 deep and at most 4,096 entries
are read: a hostile heap ends the walk, never the run.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from forensic_kit.media.times import capture_time

PARSER_NAME = "fkit-ciff 1"
SOURCE = "CIFF:DateTimeOriginal"
_MAX_DEPTH = 8
_MAX_ENTRIES = 4096
_MAX_VALUE = 4096  # bytes of one value read (the three read here are under 100)
_EPOCH = datetime(1970, 1, 1)

Reader = Callable[[int, int], bytes]


def is_ciff(head: bytes) -> bool:
    """True when ``head`` starts a CIFF header (``II``/``MM``, a header length, ``HEAP``)."""
    return len(head) >= 14 and head[:2] in (b"II", b"MM") and head[6:10] == b"HEAP"


def ciff_fields(read: Reader, size: int) -> dict[str, Any]:
    """``make``, ``model``, ``time`` (a capture-time block) and ``size`` (width, height, rotation)
    found in the CIFF data of ``size`` bytes that ``read(offset, length)`` gives; empty when none."""
    head = read(0, 14)
    if not is_ciff(head) or size < 14:
        return {}
    order = "<" if head[:2] == b"II" else ">"
    header_len = struct.unpack(order + "I", head[2:6])[0]
    if not 14 <= header_len < size:
        return {}
    found: dict[str, Any] = {}
    budget = [_MAX_ENTRIES]
    for tag, value in _entries(read, order, header_len, size, 0, budget):
        if tag == 0x080A and "make" not in found:
            parts = value.split(b"\0")
            make = parts[0].decode("latin-1").strip()
            model = parts[1].decode("latin-1").strip() if len(parts) > 1 else ""
            if make:
                found["make"] = make
            if model:
                found["model"] = model
        elif tag == 0x180E and len(value) >= 4 and "time" not in found:
            seconds = struct.unpack(order + "I", value[:4])[0]
            if seconds:
                wall = _EPOCH + timedelta(seconds=seconds)
                found["time"] = capture_time(wall.strftime("%Y:%m:%d %H:%M:%S"), None, None, SOURCE)
        elif tag == 0x1810 and len(value) >= 16 and "size" not in found:
            width, height = struct.unpack(order + "II", value[:8])
            rotation = struct.unpack(order + "i", value[12:16])[0]
            if 0 < width <= 1_000_000 and 0 < height <= 1_000_000:
                found["size"] = (width, height, rotation if rotation in (0, 90, 180, 270) else 0)
    return {k: v for k, v in found.items() if v is not None}


def _entries(read: Reader, order: str, start: int, end: int, depth: int,
             budget: list[int]) -> Iterator[tuple[int, bytes]]:
    """(tag id, value) of every entry of the heap ``start``..``end`` and of its sub-heaps."""
    if depth > _MAX_DEPTH or end - start < 6:
        return
    table = struct.unpack(order + "I", read(end - 4, 4).rjust(4, b"\0"))[0]
    at = start + table
    if not start <= at <= end - 6:
        return
    count = struct.unpack(order + "H", read(at, 2).rjust(2, b"\0"))[0]
    if at + 2 + count * 10 > end:
        return
    raw = read(at + 2, count * 10)
    for i in range(count):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        tag, length, offset = struct.unpack_from(order + "HII", raw, i * 10)
        kind = tag & 0x3800
        if tag & 0xC000 == 0x4000:  # the value is the entry's own 8 bytes
            yield tag & 0x3FFF, raw[i * 10 + 2:i * 10 + 10]
            continue
        if tag & 0xC000 or length == 0 or start + offset + length > end:
            continue
        if kind in (0x2800, 0x3000):
            yield from _entries(read, order, start + offset, start + offset + length, depth + 1, budget)
        elif length <= _MAX_VALUE:
            yield tag & 0x3FFF, read(start + offset, length)


def jpeg_ciff(data: bytes, end: int) -> dict[str, Any]:
    """The CIFF fields of a JPEG's APP0 ``HEAPJPGM`` segment (segments before ``end``)."""
    from forensic_kit.media.jpegseg import jpeg_segments

    for marker, pos, length in jpeg_segments(data, end):
        if marker == 0xE0 and data[pos + 10:pos + 14] == b"HEAP":
            segment = data[pos + 4:pos + 2 + length]
            return ciff_fields(lambda off, n: segment[off:off + n], len(segment))
    return {}


def crw_metadata(read: Reader, size: int) -> dict[str, Any]:
    """The ``media`` fields of a CRW raw file: make, model, capture time and image size."""
    found = ciff_fields(read, size)
    media: dict[str, Any] = {"parsers": {"ciff": PARSER_NAME}}
    for key in ("make", "model"):
        if key in found:
            media[key] = found[key]
    if "time" in found:
        media["times"] = {"ciff_original": found["time"]}
        media["capture_time"] = found["time"]
    if "size" in found:
        from forensic_kit.media.dimensions import size_block

        width, height, rotation = found["size"]
        media["image"] = size_block(width, height, "CIFF ImageInfo", rotation=rotation)
    return media


def other_camera(fields: dict[str, Any], found: dict[str, Any]) -> dict[str, Any] | None:
    """The camera a JPEG's CIFF block names when the EXIF names another one (a file assembled from
    two cameras' metadata); None when they agree or either is silent."""
    if not found.get("make") or not fields.get("make"):
        return None
    if (found.get("make"), found.get("model")) == (fields.get("make"), fields.get("model")):
        return None
    other = {"make": found["make"], "model": found.get("model"), "source": "CIFF (APP0 HEAPJPGM)"}
    if "time" in found:
        other["capture_time"] = found["time"]["value"]
    return other
