"""Synthetic photos (JPEG + EXIF with GPS and time zones) along the route, and a short QuickTime file.

Photos: Pillow draws a small picture (deterministic: no randomness outside the seeded RNG, no
encoder timestamps) and writes EXIF with Make/Model, DateTimeOriginal, OffsetTimeOriginal and the
GPS IFD (latitude, longitude, altitude, GPSDateStamp/GPSTimeStamp in UTC).

The video is a minimal QuickTime/MP4 written by hand: ``ftyp``, ``moov`` with ``mvhd`` (creation
time, duration) and ``udta/©xyz`` (ISO 6709 location), and an ``mdat``. It carries the metadata a
video from a phone carries, but no decodable frames (writing an encoder in pure Python is out of scope).
"""

from __future__ import annotations

import io
import os
import random
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from forensic_kit.training.people import ROUTE, Place

_MAC_EPOCH = datetime(1904, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Photo:
    """One generated photo: where and when it was taken, and what its EXIF says."""

    name: str
    place: str
    utc: datetime
    offset_recorded: str | None  # OffsetTimeOriginal written, or None (not recorded)
    local_written: str  # DateTimeOriginal as written
    lat: float
    lon: float
    camera: tuple[str, str]
    clock_wrong_h: int  # how far the camera clock was off local time (wrong-timezone flaw), hours


def _rational(num: int, den: int) -> object:
    from PIL.TiffImagePlugin import IFDRational

    return IFDRational(num, den)


def _dms(value: float) -> tuple[object, object, object]:
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = (v - d - m / 60) * 3600
    return (_rational(d, 1), _rational(m, 1), _rational(int(round(s * 100)), 100))


def _offset_text(hours: int) -> str:
    return f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"


def _picture(rng: random.Random, label: str) -> "object":
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (160, 120), (rng.randrange(120, 220), rng.randrange(100, 180), rng.randrange(60, 140)))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 80, 160, 120), fill=(rng.randrange(180, 240), rng.randrange(150, 200), rng.randrange(90, 130)))
    for _ in range(6):
        x, y = rng.randrange(0, 150), rng.randrange(40, 100)
        draw.rectangle((x, y, x + rng.randrange(5, 25), y + rng.randrange(5, 20)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw.text((4, 4), label, fill=(0, 0, 0))
    return img


def write_photo(path: Path, rng: random.Random, photo: Photo) -> None:
    """Write one JPEG with its EXIF and GPS."""
    from PIL import Image

    img = _picture(rng, photo.place)
    exif = Image.Exif()
    exif[0x010F] = photo.camera[0]  # Make
    exif[0x0110] = photo.camera[1]  # Model
    exif[0x0131] = "fkit training generator"  # Software
    exif[0x0132] = photo.local_written  # DateTime
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = photo.local_written  # DateTimeOriginal
    sub[0x9004] = photo.local_written  # DateTimeDigitized
    if photo.offset_recorded:
        sub[0x9011] = photo.offset_recorded  # OffsetTimeOriginal
        sub[0x9010] = photo.offset_recorded  # OffsetTime
    gps = exif.get_ifd(0x8825)
    gps[0x0000] = b"\x02\x03\x00\x00"
    gps[0x0001] = "N" if photo.lat >= 0 else "S"
    gps[0x0002] = _dms(photo.lat)
    gps[0x0003] = "E" if photo.lon >= 0 else "W"
    gps[0x0004] = _dms(photo.lon)
    gps[0x0005] = 0
    gps[0x0006] = _rational(rng.randrange(20, 7000), 10)
    u = photo.utc
    gps[0x0007] = (_rational(u.hour, 1), _rational(u.minute, 1), _rational(u.second, 1))
    gps[0x001D] = f"{u:%Y:%m:%d}"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif.tobytes(), optimize=False)  # type: ignore[attr-defined]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    ts = int(u.timestamp())
    os.utime(path, (ts, ts))


def plan_photos(rng: random.Random, start: datetime, wrong_timezone: bool) -> list[Photo]:
    """Two or three photos per stop, a few hours apart, the route taking about five days.

    With ``wrong_timezone`` the Tripoli photos come from a second camera whose clock was left on
    Niger time (UTC+1) and which records no OffsetTimeOriginal: their DateTimeOriginal reads one hour
    earlier than local time, and only the GPS time (UTC) shows it.
    """
    out: list[Photo] = []
    t = start
    n = 0
    for stop in ROUTE:
        for _ in range(2 if stop.name != "Tripoli" else 3):
            n += 1
            t += timedelta(hours=rng.randrange(3, 9), minutes=rng.randrange(60), seconds=rng.randrange(60))
            lat = stop.lat + rng.uniform(-0.01, 0.01)
            lon = stop.lon + rng.uniform(-0.01, 0.01)
            camera = ("samsung", "SM-A546B")
            wrong = 0
            offset: str | None = _offset_text(stop.offset_h)
            local = t + timedelta(hours=stop.offset_h)
            if wrong_timezone and stop.name == "Tripoli":
                camera = ("Canon", "Canon PowerShot SX740 HS")
                wrong = 1 - stop.offset_h  # clock on UTC+1 in a UTC+2 place
                offset = None
                local = t + timedelta(hours=1)
            out.append(Photo(f"IMG_2025{t:%m%d}_{n:03d}.jpg", stop.name, t, offset, f"{local:%Y:%m:%d %H:%M:%S}",
                             round(lat, 5), round(lon, 5), camera, wrong))
        t += timedelta(hours=rng.randrange(18, 30))
    return out


def _atom(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def iso6709(place: Place) -> str:
    """``+32.9312+012.0819/`` as QuickTime ``©xyz`` writes it."""
    return f"{place.lat:+08.4f}{place.lon:+09.4f}/"


def write_video(path: Path, created_utc: datetime, place: Place, seconds: int = 12) -> None:
    """A minimal QuickTime file: ftyp, moov/mvhd (creation time, duration), udta/©xyz, mdat."""
    mac = int((created_utc - _MAC_EPOCH).total_seconds())
    scale = 600
    mvhd = struct.pack(">B3xIIII", 0, mac, mac, scale, seconds * scale)
    mvhd += struct.pack(">IH10x", 0x00010000, 0x0100)  # rate 1.0, volume 1.0, reserved
    mvhd += struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)  # unity matrix
    mvhd += b"\x00" * 24 + struct.pack(">I", 2)  # pre_defined, next_track_ID
    xyz = iso6709(place).encode("ascii")
    udta = _atom(b"udta", _atom(b"\xa9xyz", struct.pack(">HH", len(xyz), 0x15C7) + xyz))
    moov = _atom(b"moov", _atom(b"mvhd", mvhd) + udta)
    ftyp = _atom(b"ftyp", b"qt  " + struct.pack(">I", 0) + b"qt  ")
    mdat = _atom(b"mdat", b"\x00" * 256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ftyp + moov + mdat)
    ts = int(created_utc.timestamp())
    os.utime(path, (ts, ts))


def route_place(name: str) -> Place:
    """The route stop called ``name``."""
    return next(p for p in ROUTE if p.name == name)
