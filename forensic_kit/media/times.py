"""EXIF and QuickTime date-times → ISO 8601, with the offset when the file gives one.

An EXIF ``DateTimeOriginal`` is local time of the camera with no zone; EXIF 2.31 added
``OffsetTimeOriginal``. With an offset the value is ``2021-04-11T15:47:53.054-05:00`` and a
``utc`` twin is given; without one the value is the bare local time, ``offset`` is null and
``zone_assumed`` is true (DESIGN.md 2.7: never silently pretend a zone is known).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

# seconds may be absent (XMP allows "2011-06-14T15:47+02:00"): they are then 00
_EXIF_DT = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{1,2}:\d{2}|[+-]\d{4})?\s*\x00*$")
_OFFSET = re.compile(r"^\s*([+-])(\d{1,2}):(\d{2})\s*\x00*$|^\s*([+-])(\d{2})(\d{2})\s*\x00*$")


def parse_offset(text: str | None) -> str | None:
    """An EXIF OffsetTime* value (``+02:00``) normalised to ``±HH:MM``; None when invalid."""
    if not text:
        return None
    m = _OFFSET.match(text)
    if not m:
        return None
    sign, hh_s, mm_s = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    hh, mm = int(hh_s), int(mm_s)
    if hh > 14 or mm > 59:
        return None
    return f"{sign}{hh:02d}:{mm:02d}"


def _tz(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))


def capture_time(value: str | None, subsec: str | None, offset: str | None, source: str) -> dict[str, Any] | None:
    """One EXIF-style date-time → ``{"value", "utc", "offset", "zone_assumed", "source"}``.

    Returns None for a missing, blank (``0000:00:00 00:00:00``, spaces) or impossible value.
    """
    if not value:
        return None
    m = _EXIF_DT.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g or 0) for g in m.groups()[:6])
    frac = m.group(7) or ""
    if subsec and not frac:
        digits = re.sub(r"\D", "", subsec)
        frac = digits[:6]
    inline = m.group(8)
    try:
        naive = datetime(y, mo, d, h, mi, s, int((frac + "000000")[:6]) if frac else 0)
    except ValueError:
        return None
    if inline and not offset:
        offset = "+00:00" if inline == "Z" else parse_offset(inline)
    frac_txt = ("." + frac[:6]) if frac else ""
    local = f"{naive:%Y-%m-%dT%H:%M:%S}{frac_txt}"
    if offset:
        utc = naive.replace(tzinfo=_tz(offset)).astimezone(timezone.utc)
        return {"value": local + offset, "utc": f"{utc:%Y-%m-%dT%H:%M:%S}{frac_txt}Z",
                "offset": offset, "zone_assumed": False, "source": source}
    return {"value": local, "utc": None, "offset": None, "zone_assumed": True, "source": source}


def utc_time(dt: datetime | None, source: str) -> dict[str, Any] | None:
    """An aware UTC datetime (QuickTime ``mvhd``: UTC by specification) → a time block."""
    if dt is None:
        return None
    text = f"{dt:%Y-%m-%dT%H:%M:%S}"
    return {"value": text + "+00:00", "utc": text + "Z", "offset": "+00:00", "zone_assumed": False, "source": source}
