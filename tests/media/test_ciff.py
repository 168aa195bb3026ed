"""Canon CIFF (``media/ciff.py``): CRW raw files and the APP0 ``HEAPJPGM`` block of Canon JPEGs,
against ExifTool's reading of the real samples, and on heaps this test builds (both byte orders,
values in the entry, sub-heaps, and heaps that point outside themselves or into themselves)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from typing import Any

from forensic_kit.media import ciff
from tests.conftest import testdata

_CD = ("corpus", "photos", "exiftool")


def _meta(path: Any) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-m", "forensic_kit", "meta", str(path)], capture_output=True, check=True)
    media: dict[str, Any] = json.loads(r.stdout)["media"]
    return media


def test_crw_agrees_with_exiftool() -> None:
    crw = testdata(*_CD, "CanonRaw.crw")
    oracle = json.loads(testdata(*_CD, "CanonRaw.crw.exiftool.json").read_text())[0]
    m = _meta(crw)
    assert (m["mime"], m["make"], m["model"]) == (oracle["MIMEType"], oracle["Make"], oracle["Model"]) == (
        "image/x-canon-crw", "Canon", "Canon EOS DIGITAL REBEL")
    assert m["capture_time"]["value"].replace("-", ":").replace("T", " ") == oracle["DateTimeOriginal"]
    assert m["capture_time"]["source"] == "CIFF:DateTimeOriginal" and m["capture_time"]["offset"] is None
    assert (m["image"]["width"], m["image"]["height"]) == (oracle["ImageWidth"], oracle["ImageHeight"]) == (3072, 2048)
    assert m["parsers"]["ciff"] == ciff.PARSER_NAME and not m.get("warnings")


def test_a_jpeg_naming_two_cameras_keeps_both() -> None:
    """ExifTool's own test file: EXIF says FUJIFILM (2001), a CIFF block says Canon (1998). fkit
    keeps the EXIF camera as the file's and names the other one, with its time, and says so in the hint."""
    jpg = testdata(*_CD, "ExifTool.jpg")
    oracle = json.loads(testdata(*_CD, "ExifTool.jpg.exiftool.json").read_text())[0]
    m = _meta(jpg)
    assert (m["make"], m["model"], m["capture_time"]["value"]) == ("FUJIFILM", "FinePix2400Zoom", "2001-05-19T18:36:41")
    assert m["other_cameras"] == [{"make": oracle["Make"], "model": oracle["Model"], "source": "CIFF (APP0 HEAPJPGM)",
                                   "capture_time": oracle["DateTimeOriginal"].replace(":", "-", 2).replace(" ", "T")}]
    assert m["times"]["ciff_original"]["value"] == "1998-05-01T21:33:18"
    assert ("the EXIF names the camera FUJIFILM FinePix2400Zoom but a CIFF (APP0 HEAPJPGM) block names Canon "
            "PowerShot A5: metadata from two cameras in one file") in m["recompressed_hint"]["reasons"]


def _heap(order: str, entries: list[tuple[int, bytes]], sub: bytes | None = None) -> bytes:
    """A heap: values, then the directory, then the u32 offset of the directory."""
    values, table = b"", []
    for tag, value in entries:
        if tag & 0xC000 == 0x4000:
            table.append(struct.pack(order + "H", tag) + value.ljust(8, b"\0"))
            continue
        table.append(struct.pack(order + "HII", tag, len(value), len(values)))
        values += value
    if sub is not None:
        table.append(struct.pack(order + "HII", 0x300A, len(sub), len(values)))
        values += sub
    return values + struct.pack(order + "H", len(table)) + b"".join(table) + struct.pack(order + "I", len(values))


def _file(order: str, heap: bytes) -> bytes:
    mark = b"II" if order == "<" else b"MM"
    return mark + struct.pack(order + "I", 26) + b"HEAPCCDR" + struct.pack(order + "I", 0x10002) + b"\0" * 8 + heap


def _read(data: bytes) -> dict[str, Any]:
    return ciff.ciff_fields(lambda off, n: data[off:off + n], len(data))


def test_both_byte_orders_sub_heaps_and_values_in_the_entry() -> None:
    for order in ("<", ">"):
        info = struct.pack(order + "IIfi", 640, 480, 1.0, 90)
        sub = _heap(order, [(0x180E, struct.pack(order + "Iii", 1_000_000_000, 0, 0)), (0x1810, info)])
        data = _file(order, _heap(order, [(0x080A, b"Canon\0Canon PowerShot G1\0")], sub))
        found = _read(data)
        assert found["make"] == "Canon" and found["model"] == "Canon PowerShot G1"
        assert found["time"]["value"] == "2001-09-09T01:46:40"  # 1e9 s after 1970, read as the wall clock
        assert found["size"] == (640, 480, 90)
    # a value held in the entry itself (tag bits 0x4000): make and model are never short enough, so
    # the test reads it back through the generic walk
    heap = _heap("<", [(0x4000 | 0x0805, b"abcdefgh")])
    assert list(ciff._entries(lambda o, n: heap[o:o + n], "<", 0, len(heap), 0, [10])) == [(0x0805, b"abcdefgh")]


def test_hostile_heaps_end_the_walk_not_the_run() -> None:
    good = _heap("<", [(0x080A, b"Canon\0X\0")])
    assert _read(_file("<", good))["make"] == "Canon"
    # directory offset past the heap, a count larger than the heap, an entry pointing outside
    assert _read(_file("<", good[:-4] + struct.pack("<I", 10_000))) == {}
    assert _read(_file("<", good[:-6 - 10] + struct.pack("<H", 60000) + good[-14:])) == {}
    outside = struct.pack("<H", 1) + struct.pack("<HII", 0x080A, 8, 1_000_000) + struct.pack("<I", 0)
    assert _read(_file("<", outside)) == {}
    # a sub-heap that is the heap itself, again and again: bounded depth, then nothing more
    loop = struct.pack("<H", 1) + struct.pack("<HII", 0x300A, 16, 0) + struct.pack("<I", 0)
    assert _read(_file("<", loop)) == {}
    # header length past the end, not a CIFF at all, truncated
    assert _read(b"II" + struct.pack("<I", 1 << 30) + b"HEAPCCDR" + b"\0" * 20) == {}
    assert _read(b"\xff\xd8\xff" + b"\0" * 40) == {} and _read(b"II\x1a\0") == {}
