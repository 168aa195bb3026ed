"""Generate the built-in sample evidence for ``make demo`` (deterministic, no downloads).

A seized-phone-like folder: two photos with EXIF (camera, capture time with offset, GPS along a
route), an Arabic note, a French statement, an English call list.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROUTE = [  # (place, lat, lon, local time, offset)
    ("Agadez", 16.9742, 7.9865, "2025:03:02 06:12:40", "+01:00"),
    ("Sabha", 27.0377, 14.4283, "2025:03:09 18:47:05", "+02:00"),
]


def _deg(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 4)
    return (float(d), float(m), s)


def photo(path: Path, seed: int, place: str, lat: float, lon: float, when: str, offset: str) -> None:
    img = Image.new("RGB", (320, 240), (40 + seed * 60, 90, 140))
    exif = Image.Exif()
    exif[0x010F] = "SampleCam"          # Make
    exif[0x0110] = "SC-1"               # Model
    exif[0x0131] = "fkit demo generator"  # Software
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = when                  # DateTimeOriginal
    ifd[0x9011] = offset                # OffsetTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1] = "N" if lat >= 0 else "S"
    gps[2] = _deg(lat)
    gps[3] = "E" if lon >= 0 else "W"
    gps[4] = _deg(lon)
    img.save(path, "JPEG", exif=exif, quality=80)


def main(out: Path) -> None:
    (out / "DCIM").mkdir(parents=True, exist_ok=True)
    for i, (place, lat, lon, when, off) in enumerate(ROUTE):
        photo(out / "DCIM" / f"IMG_{i + 1:04d}.jpg", i, place, lat, lon, when, off)
    (out / "ملاحظات").mkdir(exist_ok=True)
    (out / "ملاحظات" / "رسالة.txt").write_text("الموعد في الشاطئ يوم الجمعة، الساعة 03:00\n", encoding="utf-8")
    (out / "procès-verbal.txt").write_text("Procès-verbal de saisie : téléphone, carte SD, clé USB.\n", encoding="utf-8")
    (out / "calls.csv").write_text("time,number,direction\n2025-03-09T18:50:00+02:00,+218912345678,out\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
