"""Unit tests: GPS arithmetic, ISO 6709, EXIF times with and without offsets, XP decoding, atoms."""

from __future__ import annotations

import io
import struct
from fractions import Fraction

import pytest

from forensic_kit.media import gps, times, video
from forensic_kit.media.exif import decode_xp


def test_dms_to_signed_decimal() -> None:
    assert gps.dms_to_decimal([Fraction(43), Fraction(28), Fraction(1407, 500)], "N") == pytest.approx(43.46744833333333, abs=1e-12)
    assert gps.dms_to_decimal([94, 17, Fraction(979, 50)], "W") == pytest.approx(-94.28877222222222, abs=1e-12)
    assert gps.dms_to_decimal([33, 0, 0], "S") == -33.0
    assert gps.dms_to_decimal([float("nan"), 0, 0], "N") is None
    assert gps.valid_position(0.0, 0.0) is True  # 0,0 is a place (Samsung test photo): kept
    assert gps.valid_position(4294967295.0, 1.0) is False


def test_altitude_reference() -> None:
    assert gps.altitude(Fraction(2451, 10), 0) == 245.1
    assert gps.altitude(Fraction(2451, 10), 1) == -245.1  # below sea level


def test_gps_datetime() -> None:
    assert gps.gps_datetime_utc("2008:10:23", [14, 27, Fraction(181, 25)]) == "2008-10-23T14:27:07.24Z"
    assert gps.gps_datetime_utc("2008:10:23", [25, 0, 0]) is None
    assert gps.gps_datetime_utc(None, [1, 2, 3]) is None


def test_iso6709() -> None:
    assert gps.parse_iso6709("+51.4169-000.0806/") == (51.4169, -0.0806, None)
    assert gps.parse_iso6709("+35.6895+139.6917+012.500/") == (35.6895, 139.6917, 12.5)
    assert gps.parse_iso6709("+4028-07402/") is None  # degrees-minutes form: not decimal
    assert gps.parse_iso6709("garbage") is None


def test_times_with_and_without_offset() -> None:
    assert times.capture_time("2021:04:11 15:47:53", "054", "-05:00", "EXIF:DateTimeOriginal") == {
        "value": "2021-04-11T15:47:53.054-05:00", "utc": "2021-04-11T20:47:53.054Z", "offset": "-05:00",
        "zone_assumed": False, "source": "EXIF:DateTimeOriginal"}
    assert times.capture_time("2008:10:22 16:28:39", None, None, "EXIF:DateTimeOriginal") == {
        "value": "2008-10-22T16:28:39", "utc": None, "offset": None, "zone_assumed": True,
        "source": "EXIF:DateTimeOriginal"}
    assert times.capture_time("2020:01:01 00:30:00", None, "+01:00", "x")["utc"] == "2019-12-31T23:30:00Z"
    assert times.capture_time("0000:00:00 00:00:00", None, None, "x") is None
    assert times.capture_time("    :  :     :  :  ", None, None, "x") is None
    assert times.parse_offset("+0530") == "+05:30"
    assert times.parse_offset("+25:00") is None
    assert times.parse_offset("+1:00") == "+01:00"  # XMP written by some tools (33-type_error.jpg)
    assert times.capture_time("2008-05-25T19:31:26.0+1:00", None, None, "XMP:DateTimeOriginal")["utc"] == "2008-05-25T18:31:26.0Z"


def test_xp_decoding() -> None:
    raw = list("مرحبا بالعالم".encode("utf-16-le") + b"\0\0")
    assert decode_xp(raw) == "مرحبا بالعالم"
    assert decode_xp(b"\0\0") is None
    assert decode_xp(b"A\0B") == "A"  # odd length: the dangling byte is dropped


def _atom(typ: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", len(payload) + 8, typ) + payload


def test_apple_keys_location_and_mvhd() -> None:
    mvhd = _atom(b"mvhd", b"\0\0\0\0" + struct.pack(">IIII", 3_600_000_000, 3_600_000_000, 600, 1200) + b"\0" * 80)
    keys = _atom(b"keys", b"\0\0\0\0" + struct.pack(">I", 2)
                 + _atom(b"mdta", b"com.apple.quicktime.location.ISO6709") + _atom(b"mdta", b"com.apple.quicktime.make"))
    ilst = _atom(b"ilst", _atom(struct.pack(">I", 1), _atom(b"data", struct.pack(">II", 1, 0) + b"+36.8065+010.1815+004.000/"))
                 + _atom(struct.pack(">I", 2), _atom(b"data", struct.pack(">II", 1, 0) + b"Apple")))
    meta = _atom(b"meta", _atom(b"hdlr", b"\0" * 24) + keys + ilst)
    data = _atom(b"ftyp", b"qt  \0\0\0\0qt  ") + _atom(b"moov", mvhd + meta)

    def read(off: int, n: int) -> bytes:
        return data[off:off + n]

    out, warnings = video.video_metadata(read, len(data), lambda: io.BytesIO(data))  # type: ignore[arg-type,return-value]
    assert out["gps"] == {"latitude": 36.8065, "longitude": 10.1815, "iso6709": "+36.8065+010.1815+004.000/",
                          "altitude": 4.0, "source": "Keys:GPSCoordinates",
                          "atom": "meta/keys com.apple.quicktime.location.ISO6709"}
    assert out["make"] == "Apple"
    # 3 600 000 000 s after 1904-01-01 UTC = Unix 1517155200 (date -u -d @1517155200)
    assert out["capture_time"]["utc"] == "2018-01-28T16:00:00Z"
    assert out["duration"] == 2.0


def test_offset_hint_from_gps() -> None:
    from forensic_kit.media.exif import offset_from_gps

    cap = times.capture_time("2011:05:06 09:59:48", None, None, "EXIF:DateTimeOriginal")
    assert offset_from_gps(cap, "2011-05-06T07:59:48Z") == "+02:00"
    assert offset_from_gps(cap, "2011-05-06T07:37:00Z") is None  # 7 min off a quarter-hour: no claim
    west = times.capture_time("2018:08:27 12:20:23.738", None, None, "x")
    assert offset_from_gps(west, "2018-08-27T19:20:20Z") == "-07:00"
    known = times.capture_time("2011:05:06 09:59:48", None, "+01:00", "x")
    assert offset_from_gps(known, "2011-05-06T07:59:48Z") is None  # the file says its zone
