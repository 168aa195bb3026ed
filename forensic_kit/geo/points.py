"""Located items from fkit records: media GPS (``fkit meta``), phone locations (shared places in
messages, Wi-Fi fixes) and timeline events that carry a position.

Every point keeps its exhibit, its UTC time when one is known (a GPS time first: it is UTC by
definition; else the capture time, but only when it is placed in UTC), and a label naming its
source. Points without a UTC time are still drawn, but never joined into a route: their place in
the time order is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from forensic_kit.media.exports import ExportCollector


@dataclass(frozen=True)
class Point:
    """One located item."""

    exhibit: str
    lat: float
    lon: float
    time_utc: str | None
    label: str
    kind: str  # media | phone | timeline


@dataclass
class Collected:
    """Points gathered from a record stream, and what was set aside (counted)."""

    points: list[Point] = field(default_factory=list)
    out_of_range: int = 0
    seen: set[tuple[str, float, float, str | None, str]] = field(default_factory=set)

    def add(self, p: Point) -> None:
        """Keep ``p`` unless it is a duplicate (a media record and its timeline event) or impossible."""
        if not (-90 <= p.lat <= 90 and -180 <= p.lon <= 180) or not (math.isfinite(p.lat) and math.isfinite(p.lon)):
            self.out_of_range += 1
            return
        key = (p.exhibit, round(p.lat, 7), round(p.lon, 7), _sort_key(p.time_utc) if p.time_utc else None, p.label)
        if key not in self.seen:
            self.seen.add(key)
            self.points.append(p)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _utc(v: Any) -> str | None:
    if isinstance(v, dict):
        v = v.get("utc")
    return v if isinstance(v, str) and v.endswith("Z") else None


def _short(path: Any) -> str:
    text = str(path or "")
    return text.rsplit("/", 1)[-1] or text


def from_record(rec: dict[str, Any]) -> list[Point]:
    """The located points one record gives (none for most records)."""
    exhibit = str(rec.get("exhibit") or "?")
    kind = rec.get("kind")
    if kind == "timeline.event":
        lat, lon = _num(rec.get("latitude")), _num(rec.get("longitude"))
        t = rec.get("time")
        if lat is None or lon is None:
            return []
        return [Point(exhibit, lat, lon, _utc(t) if isinstance(t, str) else None, _short(rec.get("what")), "timeline")]
    if isinstance(rec.get("media"), dict):
        col = ExportCollector()
        col.add(rec)
        out = []
        for p in col.points:
            lat, lon = _num(p.get("latitude")), _num(p.get("longitude"))
            if lat is None or lon is None:
                continue
            t = _utc(p.get("gps_datetime_utc")) or (None if p.get("zone_assumed") else _utc(p.get("time_utc")))
            out.append(Point(exhibit, lat, lon, t, _short(p.get("path")), "media"))
        return out
    loc = rec.get("location")
    if isinstance(loc, dict) and str(kind or "").startswith("phone."):
        lat, lon = _num(loc.get("lat")), _num(loc.get("lon"))
        if lat is None or lon is None:
            return []
        t = _utc(loc.get("time")) or _utc(rec.get("time"))
        label = str(loc.get("place_name") or (rec.get("locator") or {}).get("path") or kind)
        return [Point(exhibit, lat, lon, t, _short(label), "phone")]
    return []


def collect(records: Iterable[dict[str, Any]], exhibits: Iterable[str] | None = None) -> Collected:
    """Every located point of ``records`` (only of ``exhibits`` when given), in input order."""
    wanted = set(exhibits) if exhibits else None
    out = Collected()
    for rec in records:
        for p in from_record(rec):
            if wanted is None or p.exhibit in wanted:
                out.add(p)
    return out


def routes(points: Iterable[Point]) -> dict[str, list[Point]]:
    """Per exhibit (sorted by id), its timed points in time order (UTC texts of one shape sort as times)."""
    by: dict[str, list[Point]] = {}
    for p in points:
        if p.time_utc is not None:
            by.setdefault(p.exhibit, []).append(p)
    return {ex: sorted(pts, key=lambda p: _sort_key(p.time_utc)) for ex, pts in sorted(by.items())}


def _sort_key(t: str | None) -> str:
    """``2025-03-02T15:25:39Z`` and ``2025-03-02T15:25:39.000000000Z`` order alike."""
    text = (t or "").rstrip("Z")
    head, _, frac = text.partition(".")
    return f"{head}.{frac.ljust(9, '0')}"
