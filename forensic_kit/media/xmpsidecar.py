"""What a metadata description file says about the image it goes with: an XMP sidecar
(``.xmp``: ``tiff:Make``, ``tiff:Model``, ``tiff:ImageWidth``/``ImageLength``) or ExifTool's own
RDF/XML dump (``exiftool -X``: ``IFD0:Make``, ``ExifIFD:DateTimeOriginal``...).

Such a file is not a photo: its values describe another file (``rdf:about`` names it when the
writer did). The record says so in ``media.describes`` and every value's source names the file
kind, so nobody reads a sidecar's camera as the sidecar's own. Only XML files are taken as
descriptions; XMP inside an image is read by the image's own path.
"""

from __future__ import annotations

import re
from typing import Any

from forensic_kit.media.times import capture_time, parse_offset

PARSER_NAME = "fkit-xmp-description 1"
SCAN_BYTES = 256 * 1024
_EXIFTOOL_NS = b"http://ns.exiftool.org/"
_XMP_TIFF_NS = b"http://ns.adobe.com/tiff/1.0/"
# prefix:Name="value" (attribute form) or <prefix:Name ...>value</prefix:Name> (element form)
_TAG = re.compile(rb"(?<![\w:])(tiff|IFD0|ExifIFD|EXIF):(Make|Model|ImageWidth|ImageLength|DateTimeOriginal|CreateDate"
                  rb"|ModifyDate|SubSecTimeOriginal|SubSecTimeDigitized|SubSecTime|OffsetTimeOriginal"
                  rb"|OffsetTimeDigitized|OffsetTime)(?:\s*=\s*[\"']([^\"'<>]{1,200})[\"']|(?:\s[^<>]{0,200})?>([^<>]{1,200})</)")
_ABOUT = re.compile(rb"rdf:about\s*=\s*[\"']([^\"'<>]{1,500})[\"']")
# (times key, date tag, sub-second tag, offset tag, source)
_DUMP_TIMES = (
    ("original", b"DateTimeOriginal", b"SubSecTimeOriginal", b"OffsetTimeOriginal", "DateTimeOriginal"),
    ("digitized", b"CreateDate", b"SubSecTimeDigitized", b"OffsetTimeDigitized", "CreateDate"),
    ("modified", b"ModifyDate", b"SubSecTime", b"OffsetTime", "ModifyDate"),
)


def is_description(head: bytes) -> bool:
    """True for an XML file that is an XMP packet or an RDF document (a sidecar, an ``-X`` dump)."""
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith((b"<?xpacket", b"<x:xmpmeta", b"<?xml", b"<rdf:RDF", b"<x:xapmeta")):
        return False
    return head.find(b"<rdf:RDF", 0, SCAN_BYTES) >= 0 or head.find(b"<x:xmpmeta", 0, SCAN_BYTES) >= 0


def description_fields(head: bytes) -> dict[str, Any]:
    """``make``, ``model``, ``image`` size and (ExifTool dumps) ``times``/``capture_time`` of the
    described image, with ``describes``: ``{"format", "about", "note"}``. Empty when none is there."""
    data = head[:SCAN_BYTES]
    dump = data.find(_EXIFTOOL_NS) >= 0
    found: dict[tuple[bytes, bytes], str] = {}
    for m in _TAG.finditer(data):
        value = (m.group(3) or m.group(4) or b"").decode("utf-8", "replace").strip()
        key = (m.group(1), m.group(2))
        if value and key not in found:
            found[key] = value
    groups: tuple[bytes, ...] = (b"IFD0", b"ExifIFD", b"EXIF") if dump else (b"tiff",)
    if not dump and data.find(_XMP_TIFF_NS) < 0:
        groups = ()

    def get(name: bytes) -> str | None:
        return next((found[(g, name)] for g in groups if (g, name) in found), None)

    kind = "ExifTool RDF/XML dump" if dump else "XMP sidecar"
    out: dict[str, Any] = {}
    for field, name in (("make", b"Make"), ("model", b"Model")):
        val = get(name)
        if val:
            out[field] = val
    width, height = get(b"ImageWidth"), get(b"ImageLength")
    if not dump and width and height and width.isdigit() and height.isdigit() and int(width) and int(height):
        out["image"] = {"width": int(width), "height": int(height), "source": f"{kind}: tiff:ImageWidth/ImageLength",
                        "display_width": int(width), "display_height": int(height)}
    if dump:
        times: dict[str, Any] = {}
        for slot, tag, sub, off, source in _DUMP_TIMES:
            block = capture_time(get(tag), get(sub), parse_offset(get(off)), f"{kind}: {source}")
            if block is not None:
                times[slot] = block
        if times:
            out["times"] = times
            out["capture_time"] = times.get("original") or times.get("digitized") or times["modified"]
    if not out:
        return {}
    about = _ABOUT.search(data)
    out["describes"] = {
        "format": kind,
        "about": about.group(1).decode("utf-8", "replace") if about and about.group(1).strip() else None,
        "note": "these values describe the image this file goes with, not this file",
    }
    return out
