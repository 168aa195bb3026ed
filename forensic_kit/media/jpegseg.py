"""The metadata segments of a JPEG, in file order: one walk for the readers of APP segments."""

from __future__ import annotations

from collections.abc import Iterator


def jpeg_segments(data: bytes, end: int) -> Iterator[tuple[int, int, int]]:
    """``(marker, pos, length)`` of each segment before ``end`` (the SOS): ``data[pos]`` is the
    0xFF of the marker and the segment's bytes are ``data[pos + 4:pos + 2 + length]``. The walk
    stops at the scan data, the end of the image, or where the marker stream breaks."""
    pos = 2
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xDA, 0xD9):
            return
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        yield marker, pos, length
        pos += 2 + length
