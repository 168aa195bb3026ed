"""Time texts as the fixed-width UTC form timeline events sort by, with their origin kept apart.

Every event's ``time`` is ``YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`` (UTC, nine fraction digits), so that
byte order of event lines is time order. A time recorded without zone is never given one silently:
its ``time`` stays null unless the user names a zone to assume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forensic_kit.errors import UsageError

UTC = "utc"
"""Origin: the source recorded an absolute instant (epoch counts, ``Z`` texts)."""
RECORDED_OFFSET = "recorded_offset"
"""Origin: a local time with the UTC offset the source recorded beside it."""
ASSUMED_ZONE = "assumed_zone"
"""Origin: a local time placed in UTC with a zone someone assumed (named in ``zone_assumed``)."""
UNKNOWN_ZONE = "unknown_zone"
"""Origin: a local time whose zone nobody knows; ``time`` is null, ``local`` holds the text."""

_ISO = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s*(Z|[+-]\d\d:?\d\d)?$")


@dataclass(frozen=True)
class Parsed:
    """A parsed time text: wall clock, nanoseconds, and the offset if the text carried one."""

    wall: datetime
    nanos: int
    offset: timedelta | None


def parse(text: str) -> Parsed | None:
    """Parse an ISO 8601 time text (up to nanoseconds, ``Z`` or ``±HH:MM``); None if not one."""
    m = _ISO.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        wall = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:
        return None
    nanos = int((frac or "0").ljust(9, "0"))
    offset: timedelta | None = None
    if off == "Z":
        offset = timedelta(0)
    elif off:
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return Parsed(wall, nanos, offset)


def canonical(wall_utc: datetime, nanos: int) -> str:
    """The fixed-width UTC text of an instant."""
    return wall_utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def to_utc(p: Parsed, zone: tzinfo | None = None) -> str | None:
    """The canonical UTC text of ``p`` with its own offset, else with ``zone``; None if neither."""
    if p.offset is not None:
        wall = p.wall - p.offset
    elif zone is not None:
        aware = p.wall.replace(tzinfo=zone)
        off = aware.utcoffset()
        if off is None:
            return None
        wall = p.wall - off
    else:
        return None
    if not 1 <= wall.year <= 9999:
        return None
    return canonical(wall, p.nanos)


def epoch_seconds(time_text: str) -> int:
    """Whole seconds since 1970 of a canonical UTC text (for mactime body files)."""
    wall = datetime.strptime(time_text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(wall.timestamp())


def zone(name: str) -> tzinfo:
    """A zone from ``±HH:MM``, ``UTC`` or an IANA name (``Africa/Tripoli``), or :class:`UsageError`."""
    if name.upper() in ("UTC", "Z"):
        return timezone.utc
    p = parse(f"2000-01-01T00:00:00{name}")
    if p is not None and p.offset is not None:
        return timezone(p.offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r} (use ±HH:MM, UTC or an IANA name such as Africa/Tripoli)") from None


def bound(text: str) -> str:
    """A ``--from``/``--to`` value (a date, or a time with zone) as canonical UTC text."""
    t = text.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", t):
        t += "T00:00:00Z"
    p = parse(t)
    if p is None or p.offset is None:
        raise UsageError(f"--from/--to {text!r}: give a date (2025-03-02) or a time with its zone (2025-03-02T15:00:00Z)")
    out = to_utc(p)
    if out is None:
        raise UsageError(f"--from/--to {text!r}: out of range")
    return out
