"""Exports of ``media`` records: GeoJSON and KML (a point per located item, with path, hash and
time) and a timeline CSV (every time, sorted, with its source and whether its zone was assumed)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from forensic_kit.records import Record

TIMELINE_COLUMNS = ("time_utc", "time", "offset", "zone_assumed", "offset_from_gps", "source", "path", "sha256",
                    "kind", "mime", "latitude", "longitude")


@dataclass
class ExportCollector:
    """Collects what the exports need while records stream past (small tuples, not records)."""

    points: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rec: Record) -> None:
        """Take the located point and the times of one record (records without media are ignored)."""
        media = rec.get("media")
        if not isinstance(media, dict):
            return
        path = rec.get("path") or rec.get("bag_path")
        sha = (rec.get("hashes") or {}).get("sha256")
        gps_v = media.get("gps")
        gps: dict[str, Any] = gps_v if isinstance(gps_v, dict) else {}
        lat, lon = gps.get("latitude"), gps.get("longitude")
        cap_v = media.get("capture_time")
        cap: dict[str, Any] | None = cap_v if isinstance(cap_v, dict) else None
        if lat is not None and lon is not None:
            self.points.append({"path": path, "sha256": sha, "latitude": lat, "longitude": lon,
                                "altitude": gps.get("altitude"), "time": cap.get("value") if cap else None,
                                "time_utc": cap.get("utc") if cap else None,
                                "zone_assumed": cap.get("zone_assumed") if cap else None,
                                "gps_datetime_utc": gps.get("datetime_utc"), "mime": media.get("mime"),
                                "exhibit": rec.get("exhibit")})
        common = {"path": path, "sha256": sha, "kind": media.get("kind"), "mime": media.get("mime"),
                  "latitude": lat, "longitude": lon}
        for block in (media.get("times") or {}).values():
            if isinstance(block, dict) and block.get("value"):
                self.events.append(dict(common, time=block["value"], time_utc=block.get("utc"),
                                        offset=block.get("offset"), zone_assumed=block.get("zone_assumed"),
                                        offset_from_gps=(cap or {}).get("offset_from_gps") if block.get("zone_assumed") else None,
                                        source=block.get("source")))
        if gps.get("datetime_utc"):
            utc = gps["datetime_utc"]
            self.events.append(dict(common, time=utc, time_utc=utc, offset="+00:00", zone_assumed=False,
                                    source="EXIF:GPSDateStamp+GPSTimeStamp"))


def geojson(points: list[dict[str, Any]]) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: longitude first)."""
    feats = []
    for p in points:
        coords = [p["longitude"], p["latitude"]] + ([p["altitude"]] if p.get("altitude") is not None else [])
        props = {k: v for k, v in p.items() if k not in ("latitude", "longitude", "altitude")}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": props})
    doc = {"type": "FeatureCollection", "features": feats}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def kml(points: list[dict[str, Any]]) -> bytes:
    """A KML 2.2 document with one Placemark per point (time as TimeStamp when the UTC is known)."""
    from xml.sax.saxutils import escape  # imported here: it pulls in urllib.request, http, ssl

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<kml xmlns="http://www.opengis.net/kml/2.2">',
           "<Document>", "<name>fkit meta</name>"]
    for p in points:
        path = str(p.get("path") or "")
        name = path.rsplit("/", 1)[-1]
        desc = "\n".join(f"{k}: {p[k]}" for k in ("path", "sha256", "time", "zone_assumed", "gps_datetime_utc", "exhibit")
                         if p.get(k) is not None)
        out.append("<Placemark>")
        out.append(f"<name>{escape(name)}</name>")
        out.append(f"<description>{escape(desc)}</description>")
        when = p.get("time_utc") or p.get("gps_datetime_utc")
        if when:
            out.append(f"<TimeStamp><when>{escape(str(when))}</when></TimeStamp>")
        alt = p.get("altitude")
        coord = f"{p['longitude']!r},{p['latitude']!r}" + (f",{alt!r}" if alt is not None else "")
        out.append(f"<Point><coordinates>{coord}</coordinates></Point>")
        out.append("</Placemark>")
    out += ["</Document>", "</kml>", ""]
    return "\n".join(out).encode("utf-8")


def _sort_key(ev: dict[str, Any]) -> tuple[str, str, str]:
    # UTC when known; a zone-assumed local time sorts as if it were UTC (the flag says so)
    return (ev.get("time_utc") or (str(ev.get("time")) + "Z"), str(ev.get("path") or ""), str(ev.get("source") or ""))


def timeline_csv(events: list[dict[str, Any]]) -> bytes:
    """Timeline CSV sorted by time; ``zone_assumed`` rows have no UTC and sort by local time."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(TIMELINE_COLUMNS)
    for ev in sorted(events, key=_sort_key):
        row = []
        for col in TIMELINE_COLUMNS:
            val = ev.get(col)
            row.append("" if val is None else ("true" if val is True else "false" if val is False else val))
        w.writerow(row)
    return buf.getvalue().encode("utf-8")
