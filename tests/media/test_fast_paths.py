"""The fast paths of the EXIF reader give exactly what the slow ones gave.

``exif._exifread_process`` re-states ``exifread.process_file(details=False)`` with integers read
straight from the bytes in memory; ``exif.xmp_times`` finds XMP dates from the names' positions
instead of a regular-expression scan of every byte. Both are checked against the plain library /
regular-expression results on the real photos and on random and mutated bytes.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import exifread
from hypothesis import HealthCheck, given, settings, strategies as st

from forensic_kit.media import exif
from tests.conftest import testdata

_IMAGE_EXTS = {".jpg", ".jpeg", ".heic", ".heif", ".tif", ".tiff", ".png", ".webp", ".dng"}


def _tags(read: Any, data: bytes) -> tuple[Any, ...]:
    """(``ok``, tags in comparable form) or (``error``, type, message): what a caller sees."""
    try:
        tags = read(data)
    except Exception as exc:  # noqa: BLE001 - the failure itself is compared
        return ("error", type(exc).__name__, str(exc))
    out = {}
    for key, tag in tags.items():
        out[key] = ((tag.printable, tag.tag, tag.field_type, repr(tag.values), tag.field_offset, tag.field_length)
                    if hasattr(tag, "values") else tag)
    return ("ok", out)


def _library(data: bytes) -> Any:
    return exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=True)


def _photos() -> list[Path]:
    root = testdata("photos")
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in _IMAGE_EXTS)


def test_in_memory_exifread_equals_the_library_on_real_photos() -> None:
    photos = _photos()
    assert len(photos) > 30
    for path in photos:
        data = path.read_bytes()
        assert _tags(exif._exifread_process, data) == _tags(_library, data), path


def test_in_memory_exifread_equals_the_library_on_mutated_photos() -> None:
    seeds = [p.read_bytes() for p in _photos() if p.stat().st_size < 300_000][:40]
    rng = random.Random(6)
    failures = 0
    for _ in range(600):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 12)):  # mostly in the headers, where the IFDs are
            data[rng.randrange(min(len(data), 4096))] = rng.randrange(256)
        if rng.random() < 0.2:
            del data[rng.randrange(len(data)):]
        expected = _tags(_library, bytes(data))
        failures += expected[0] == "error"
        assert _tags(exif._exifread_process, bytes(data)) == expected
    assert failures > 0  # the mutations did reach exifread's error paths


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([b"II*\0", b"MM\0*", b"\xff\xd8\xff\xe1\x01\x00Exif\0\0II*\0"]))
def test_in_memory_exifread_equals_the_library_on_random_bytes(body: bytes, magic: bytes) -> None:
    data = magic + body
    assert _tags(exif._exifread_process, data) == _tags(_library, data)


def _xmp_regex_scan(data: bytes) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in exif._XMP_DATE.finditer(data)]


_XMP_PIECES = [b"exif", b"xmp", b"xap", b"photoshop", b"myxmp", b":DateTimeOriginal", b":CreateDate", b":DateCreated",
               b'="', b"='", b"'", b'"', b">", b"</", b"<", b"2021-04-11T15:47:53", b"2019:12:31 23:59:59+05:30",
               b"xmp:CreateDate", b"x", b" ", b"<x:xmpmeta"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_XMP_PIECES), max_size=30), st.integers(min_value=0, max_value=400))
def test_xmp_date_matches_are_those_of_a_regex_scan(pieces: list[bytes], cut: int) -> None:
    data = b"".join(pieces)
    end = min(cut, len(data))
    assert [(m.start(), m.end()) for m in exif._xmp_date_matches(data, end)] == _xmp_regex_scan(data[:end])


def test_xmp_times_with_an_end_equals_a_slice() -> None:
    packet = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description xmp:CreateDate="2020-01-02T03:04:05+01:00" '
              b"exif:DateTimeOriginal='2020-01-02T03:04:05'/><photoshop:DateCreated>2020-01-02T10:00:00</photoshop:DateCreated>")
    data = b"\0" * 100 + packet + b"\xff" * 100
    for end in (0, 50, 150, 200, 260, len(data) - 100, len(data)):
        assert exif.xmp_times(data, end) == exif.xmp_times(data[:end])
    full = exif.xmp_times(data)
    assert full["xmp_create"]["offset"] == "+01:00"
    assert set(full) == {"xmp_create", "xmp_original", "xmp_date_created"}
