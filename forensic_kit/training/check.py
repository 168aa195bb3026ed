"""The cross-check a trainer (or a careful defence lawyer) makes that no signature or ledger can show.

``fkit verify`` / ``fkit custody verify`` answer "did anything change, who signed, and is the custody
chain sound?" (including the seal checks ``seal.mismatch`` and ``seal.late``). What neither can see
is a camera whose clock was on the wrong time:

- ``time.camera_offset``: does a photo whose EXIF carries no time zone (the zone is *assumed*) have a
  clock offset, measured against its own GPS time (UTC), that differs from the legal offset at the
  place its GPS position shows? (A camera clock left on another country's time.)

The check needs ``fkit meta`` results; :func:`check_case` runs the media parser on the exhibits'
image files itself (read-only, as ``fkit meta`` does). ``fkit meta`` shows the same facts per photo
(``capture_time.zone_assumed`` and ``capture_time.offset_from_gps``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

from forensic_kit.package import Case
from forensic_kit.timeutil import parse_iso

# Legal UTC offsets (no daylight saving) by coarse bounding box: enough for the training region.
# (name, south, north, west, east, offset)
_ZONES: tuple[tuple[str, float, float, float, float, str], ...] = (
    ("Libya", 19.5, 33.5, 9.3, 25.2, "+02:00"),
    ("Egypt", 22.0, 31.7, 25.0, 35.0, "+02:00"),
    ("Tunisia", 30.2, 37.6, 7.5, 11.6, "+01:00"),
    ("Algeria", 19.0, 37.1, -8.7, 9.0, "+01:00"),
    ("Niger", 11.7, 23.5, 0.1, 16.0, "+01:00"),
)


@dataclass(frozen=True)
class CheckFinding:
    """One cross-check finding."""

    code: str
    exhibit: str | None
    subject: str | None  # the event seq or file path concerned
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"code": self.code, "exhibit": self.exhibit, "subject": self.subject, "message": self.message}


def legal_offset(lat: float, lon: float) -> tuple[str, str] | None:
    """(country, offset) at a position, or None outside the known boxes."""
    for name, s, n, w, e, off in _ZONES:
        if s <= lat <= n and w <= lon <= e:
            return name, off
    return None


def _offset_text(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def photo_findings(records: list[dict[str, Any]]) -> Iterator[CheckFinding]:
    """``time.camera_offset`` from ``fkit meta`` records (``media`` blocks)."""
    for rec in records:
        media = rec.get("media") or {}
        cap = media.get("capture_time") or {}
        gps = media.get("gps") or {}
        if not cap.get("zone_assumed") or not gps.get("datetime_utc"):
            continue
        lat, lon = gps.get("latitude"), gps.get("longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            continue
        place = legal_offset(float(lat), float(lon))
        local = parse_iso(cap.get("value"))
        utc = parse_iso(gps.get("datetime_utc"))
        if place is None or local is None or utc is None:
            continue
        clock = _offset_text(local.replace(tzinfo=None) - utc.replace(tzinfo=None))
        if clock != place[1]:
            path = str(rec.get("bag_path") or rec.get("path"))
            yield CheckFinding("time.camera_offset", rec.get("exhibit") or _exhibit_of(path), path,
                               f"{path}: the camera clock ran at UTC{clock} (local time against GPS time) "
                               f"while {place[0]}, where the GPS puts the photo, is at UTC{place[1]}; "
                               f"the photo records no time zone, so its local time is off.")


def _exhibit_of(path: str) -> str | None:
    parts = Path(path).parts
    if "data" in parts:
        i = parts.index("data")
        if i + 1 < len(parts):
            return parts[i + 1]
    return None


def check_case(case: Case, media: list[dict[str, Any]] | None = None) -> list[CheckFinding]:
    """Every cross-check finding for ``case``; ``media`` = ``fkit meta`` records (else read here)."""
    if media is None:
        media = _meta_of_case(case)
    return list(photo_findings(media))


def _meta_of_case(case: Case) -> list[dict[str, Any]]:
    from forensic_kit.media.exif import image_metadata

    out = []
    for path in sorted(case.data_dir.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".jpg", ".jpeg"):
            continue
        meta, _issues = image_metadata(path.read_bytes(), "jpeg")
        rel = path.relative_to(case.root).as_posix()
        out.append({"bag_path": rel, "exhibit": _exhibit_of(rel), "media": meta})
    return out
