"""A Photoshop PDF's own image resources: Photoshop saves the image's EXIF (resource 0x0422) and
IPTC (0x0404) in the page's ``/PieceInfo /AdobePhotoshop /Private /ImageResources`` stream.

Those describe the image the PDF *is* (Photoshop wrote it from that photo), unlike a photo placed
in a document, whose EXIF fkit never reports as the document's. Nothing else of a PDF is read:
no other object, no image XObject. The object is found by its number; an uncompressed or
``/FlateDecode`` stream is read, at most ``MAX_STREAM`` bytes.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from forensic_kit.media import irb

PARSER_NAME = "fkit-pdf-photoshop 1"
MAX_STREAM = 4 * 1024 * 1024
_REF = re.compile(rb"/AdobePhotoshop\s*<<.{0,4000}?/ImageResources\s+(\d{1,9})\s+(\d{1,5})\s+R", re.DOTALL)
_LENGTH = re.compile(rb"/Length\s+(\d{1,12})(?:\s+(\d{1,5})\s+R)?")
_FILTER = re.compile(rb"/Filter\s*\[?\s*/(\w+)\s*\]?")


def _object(data: bytes, num: int, gen: int) -> int | None:
    """Offset just after ``num gen obj`` (the last definition wins, as incremental updates do)."""
    found = None
    for m in re.finditer(rb"(?<![0-9])%d\s+%d\s+obj\b" % (num, gen), data):
        found = m.end()
    return found


def _stream(data: bytes, num: int, gen: int) -> bytes | None:
    start = _object(data, num, gen)
    if start is None:
        return None
    kw = data.find(b"stream", start, start + 4000)
    if kw < 0:
        return None
    head = data[start:kw]
    body = kw + 6
    body += 2 if data.startswith(b"\r\n", body) else (1 if data[body:body + 1] in (b"\n", b"\r") else 0)
    length: int | None = None
    m = _LENGTH.search(head)
    if m and m.group(2) is None:
        length = int(m.group(1))
    elif m:
        at = _object(data, int(m.group(1)), int(m.group(2)))
        value = re.match(rb"\s*(\d{1,12})\s", data[at:at + 40]) if at is not None else None
        length = int(value.group(1)) if value else None
    if length is None:
        end = data.find(b"endstream", body)
        length = (end - body) if end >= 0 else None
    if length is None or length > MAX_STREAM or body + length > len(data):
        return None
    raw = data[body:body + length]
    filt = _FILTER.search(head)
    if filt is None:
        return raw
    if filt.group(1) != b"FlateDecode":
        return None
    try:
        return zlib.decompressobj().decompress(raw, MAX_STREAM)
    except zlib.error:
        return None


def photoshop_resources(data: bytes) -> tuple[bytes, str] | None:
    """(the image resources, where they are) of a Photoshop PDF; None for any other PDF."""
    m = _REF.search(data)
    if m is None:
        return None
    num, gen = int(m.group(1)), int(m.group(2))
    stream = _stream(data, num, gen)
    if not stream:
        return None
    return stream, f"PDF object {num} {gen} (/PieceInfo /AdobePhotoshop /ImageResources)"


def photoshop_metadata(data: bytes) -> dict[str, Any]:
    """``media`` fields from a Photoshop PDF's image resources: EXIF fields and the IPTC capture
    time, with ``exif_in`` naming the object and resource. Empty for any other PDF."""
    from forensic_kit.media import exif, iptc

    found = photoshop_resources(data)
    if found is None:
        return {}
    resources, where = found
    out: dict[str, Any] = {}
    tiff = irb.resource(resources, irb.EXIF)
    fields = exif.tiff_block_fields(tiff) if tiff and tiff[:4] in (b"II*\0", b"MM\0*") else None
    if fields:
        out = fields
        out.pop("thumbnail", None)
        out["exif_present"] = True
        out["exif_in"] = f"{where}, resource 0x0422"
    iim = irb.resource(resources, irb.IPTC)
    created = iptc.iptc_time(iim) if iim else None
    if created is not None:
        out["times"] = dict(out.get("times") or {}, iptc_created=created)
    if out.get("times"):
        out["capture_time"] = exif.best_capture(out["times"])
    if out:
        out["parsers"] = {"pdf": PARSER_NAME, **({"exif": exif.PARSER_NAMES["exifread"]} if out.get("exif_present") else {})}
    return out
