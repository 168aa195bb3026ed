"""GPS values: degrees/minutes/seconds rationals → signed decimal, altitude with its reference,
GPS date + time stamp → UTC ISO 8601, and ISO 6709 strings (QuickTime location)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

Number = int | float | Fraction


def _num(value: Any) -> float | None:
    """A rational / int / float as float; None for 0/0, NaN or anything unreadable."""
    try:
        if isinstance(value, Fraction):
            return float(value)
        num = getattr(value, "num", None)
        den = getattr(value, "den", None)
        if num is not None and den is not None:
            return None if den == 0 else num / den
        f = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def dms_to_decimal(dms: Sequence[Any], ref: str | None) -> float | None:
    """Degrees, minutes, seconds (1 to 3 rationals) and a reference letter → signed degrees.

    ``S`` and ``W`` give negative values. Returns None when a part is unreadable (0/0).
    """
    parts = [_num(v) for v in list(dms)[:3]]
    if not parts or any(p is None for p in parts):
        return None
    total = 0.0
    for value, scale in zip(parts, (1.0, 60.0, 3600.0)):
        assert value is not None
        total += value / scale
    if (ref or "").strip().upper()[:1] in ("S", "W"):
        total = -total
    return total


def valid_position(lat: float | None, lon: float | None) -> bool:
    """True for a latitude in [-90, 90] and a longitude in [-180, 180]."""
    return lat is not None and lon is not None and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def altitude(value: Any, ref: Any) -> float | None:
    """GPSAltitude with GPSAltitudeRef (1 = below sea level) → signed metres."""
    alt = _num(value)
    if alt is None:
        return None
    try:
        below = int(ref) == 1
    except (TypeError, ValueError):
        below = False
    return -alt if below else alt


def gps_datetime_utc(date_stamp: str | None, time_stamp: Sequence[Any] | None) -> str | None:
    """GPSDateStamp (``YYYY:MM:DD``) + GPSTimeStamp (h, m, s rationals) → ``...Z`` (UTC).

    Fractions of a second are kept (up to milliseconds); None when either part is missing or
    out of range.
    """
    if not date_stamp or not time_stamp:
        return None
    m = re.fullmatch(r"\s*(\d{4})[:\-](\d{2})[:\-](\d{2})\s*\x00*", date_stamp)
    parts = [_num(v) for v in list(time_stamp)[:3]]
    if not m or len(parts) != 3 or any(p is None for p in parts):
        return None
    h, mi, s = (float(p) for p in parts if p is not None)
    if not (0 <= h < 24 and 0 <= mi < 60 and 0 <= s < 61):
        return None
    whole = int(s)
    frac = round(s - whole, 3)
    text = f"{m.group(1)}-{m.group(2)}-{m.group(3)}T{int(h):02d}:{int(mi):02d}:{whole:02d}"
    if frac > 0:
        text += f"{frac:.3f}"[1:].rstrip("0")
    return text + "Z"


_ISO6709 = re.compile(r"^\s*([+-]\d+(?:\.\d*)?)([+-]\d+(?:\.\d*)?)([+-]\d+(?:\.\d*)?)?(?:CRS[^/]*)?/?\s*\x00*$")


def parse_iso6709(text: str) -> tuple[float, float, float | None] | None:
    """Decimal-degree ISO 6709 (``+51.4169-000.0806+012.345/``) → (lat, lon, altitude).

    This is the form QuickTime ``©xyz`` and ``com.apple.quicktime.location.ISO6709`` use; the
    degrees-minutes forms are not decimal and are refused (None).
    """
    m = _ISO6709.match(text)
    if not m:
        return None
    lat_s, lon_s, alt_s = m.group(1), m.group(2), m.group(3)
    # ±DD.DDDD / ±DDD.DDDD only: more integer digits would be DDMM(SS) forms
    if len(lat_s.split(".")[0]) > 3 or len(lon_s.split(".")[0]) > 4:
        return None
    lat, lon = float(lat_s), float(lon_s)
    if not valid_position(lat, lon):
        return None
    return lat, lon, (float(alt_s) if alt_s else None)
