"""Photoshop image resource blocks (IRB: ``8BIM`` + id + Pascal name + size + data, each padded to
an even length), as JPEG APP13 ``Photoshop 3.0``, PSD and Photoshop PDFs carry them. Only walks the
blocks; what is inside (IPTC 0x0404, EXIF 0x0422, XMP 0x0424) is read by its own parser."""

from __future__ import annotations

from collections.abc import Iterator

IPTC = 0x0404
EXIF = 0x0422
XMP = 0x0424
MAX_BLOCKS = 4096
_SIGNATURES = (b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa")


def resources(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(resource id, data) of each block, in order; stops at the first damaged block."""
    pos = 0
    n = len(data)
    for _ in range(MAX_BLOCKS):
        if pos + 12 > n or data[pos:pos + 4] not in _SIGNATURES:
            return
        rid = int.from_bytes(data[pos + 4:pos + 6], "big")
        name_len = data[pos + 6]
        pos += 6 + 1 + name_len
        pos += pos % 2  # the Pascal name (with its length byte) is padded to an even length
        if pos + 4 > n:
            return
        size = int.from_bytes(data[pos:pos + 4], "big")
        pos += 4
        if pos + size > n:
            return
        yield rid, data[pos:pos + size]
        pos += size + (size % 2)


def resource(data: bytes, wanted: int) -> bytes | None:
    """The data of the first block with id ``wanted``; None when there is none."""
    return next((body for rid, body in resources(data) if rid == wanted), None)
