"""Explicit time conversions. Every decoder names its epoch and unit; nothing is guessed.

All times leave fkit as ISO 8601 text in UTC (``...Z``), or with an explicit offset where the
source recorded one. A missing value is ``None``, never 1970 or 0000.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from functools import lru_cache

NS_PER_S = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Offsets between the Unix epoch and other epochs, in seconds.
COCOA_EPOCH_OFFSET_S = 978_307_200  # 2001-01-01T00:00:00Z
WEBKIT_EPOCH_OFFSET_S = 11_644_473_600  # 1601-01-01T00:00:00Z (also FILETIME)


def ns_to_iso(ns: int | None) -> str | None:
    """Format nanoseconds since the Unix epoch as ``YYYY-MM-DDTHH:MM:SS.fffffffffZ`` (UTC).

    ``None`` stays ``None``. Negative values (before 1970) are formatted correctly.
    """
    if ns is None:
        return None
    seconds, frac = divmod(ns, NS_PER_S)
    return f"{_whole_seconds(seconds)}.{frac:09d}Z"


@lru_cache(maxsize=8192)
def _whole_seconds(seconds: int) -> str:
    # Files in one folder share few distinct seconds: caching makes stat times nearly free.
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return f"{_EPOCH + timedelta(seconds=seconds):%Y-%m-%dT%H:%M:%S}"


def seconds_to_iso(seconds: int | None) -> str | None:
    """Format whole seconds since the Unix epoch as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if seconds is None:
        return None
    dt = _EPOCH + timedelta(seconds=seconds)
    return f"{dt:%Y-%m-%dT%H:%M:%S}Z"


def datetime_to_iso(dt: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601 keeping its offset (``+01:00``; UTC as ``Z``)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise ValueError("naive datetime: the zone must be explicit")
    text = dt.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def unix_seconds(value: float | int | None) -> datetime | None:
    """Unix time in seconds → aware UTC datetime."""
    if value is None:
        return None
    return _EPOCH + timedelta(seconds=value)


def java_millis(value: int | None) -> datetime | None:
    """Java/Android time in milliseconds since 1970 → aware UTC datetime."""
    if value is None:
        return None
    return _EPOCH + timedelta(milliseconds=value)


def cocoa_seconds(value: float | int | None) -> datetime | None:
    """Apple Cocoa/Core Data time (seconds since 2001-01-01 UTC) → aware UTC datetime."""
    if value is None:
        return None
    return _EPOCH + timedelta(seconds=value + COCOA_EPOCH_OFFSET_S)


def cocoa_nanoseconds(value: int | None) -> datetime | None:
    """Apple time in nanoseconds since 2001-01-01 UTC (iOS 11+ ``sms.db``) → UTC datetime."""
    if value is None:
        return None
    return _EPOCH + timedelta(microseconds=value // 1000 + COCOA_EPOCH_OFFSET_S * 1_000_000)


def webkit_micros(value: int | None) -> datetime | None:
    """WebKit/Chrome time (microseconds since 1601-01-01 UTC) → aware UTC datetime."""
    if value is None:
        return None
    return _EPOCH + timedelta(microseconds=value - WEBKIT_EPOCH_OFFSET_S * 1_000_000)


def filetime(value: int | None) -> datetime | None:
    """Windows FILETIME (100 ns ticks since 1601-01-01 UTC) → aware UTC datetime."""
    if value is None:
        return None
    return _EPOCH + timedelta(microseconds=value // 10 - WEBKIT_EPOCH_OFFSET_S * 1_000_000)


def parse_iso(text: object) -> datetime | None:
    """An ISO 8601 time as fkit writes it (``...Z`` or ``+HH:MM``) → datetime; None when not one."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def source_date_epoch_ns() -> int | None:
    """``SOURCE_DATE_EPOCH`` in nanoseconds, or None when it is unset or not a whole number."""
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde is not None and sde.strip().isdigit():
        return int(sde.strip()) * NS_PER_S
    return None


def clamp_times(times: dict[str, str | None], limit_ns: int) -> dict[str, str | None]:
    """``times`` (as :func:`ns_to_iso` writes them) with every value later than ``limit_ns`` set to it.

    Clamping as reproducible builds do (``tar --clamp-mtime``); when a value changed, the result says so
    in ``clamped_to``, so no record passes a clamped time off as observed.
    """
    limit = ns_to_iso(limit_ns)
    assert limit is not None
    out = {k: (limit if isinstance(v, str) and v > limit else v) for k, v in times.items()}
    if out != times:
        out["clamped_to"] = limit
    return out


def now_utc() -> datetime:
    """The current time, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde is not None and sde.strip().isdigit():
        return _EPOCH + timedelta(seconds=int(sde.strip()))
    return datetime.now(timezone.utc).replace(microsecond=0)


def local_offset(dt: datetime | None = None) -> str:
    """The machine's UTC offset at ``dt`` (default now) as ``+HH:MM``."""
    ts = (dt or datetime.now(timezone.utc)).timestamp()
    off = datetime.fromtimestamp(ts).astimezone().utcoffset() or timedelta(0)
    total = int(off.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


def monotonic() -> float:
    """Monotonic clock in seconds (durations only)."""
    return time.monotonic()
