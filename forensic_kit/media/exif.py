"""Image metadata (EXIF, GPS, XP tags, thumbnail) from bytes already read, with provenance.

exifread is the first parser. Where it raises, or finds nothing in a format it does not read
well (HEIC variants such as ``heix``/``msf1``, some WebP), Pillow (with pillow-heif for HEIF) is
tried; the result says which parser produced the fields and what the first one said.
Both parsers work on an in-memory copy of at most a bounded number of bytes of the file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import warnings as pywarnings
from importlib import metadata as importlib_metadata
from typing import Any

from forensic_kit.media import gps as gpsmod
from forensic_kit.media.times import capture_time, parse_offset

_log = logging.getLogger("exifread")
_log.disabled = True  # exifread logs warnings for every odd file; we record reasons ourselves

XP_TAGS = ("XPTitle", "XPComment", "XPAuthor", "XPKeywords", "XPSubject")
_STRINGS = {
    "make": "Make", "model": "Model", "software": "Software", "lens_make": "LensMake",
    "lens_model": "LensModel", "image_unique_id": "ImageUniqueID", "artist": "Artist",
}
_SERIALS = {"body": "BodySerialNumber", "lens": "LensSerialNumber"}
# (time block name, date-time tag, sub-second tag, offset tag, ExifTool-style source name)
_TIMES = (
    ("original", "DateTimeOriginal", "SubSecTimeOriginal", "OffsetTimeOriginal", "EXIF:DateTimeOriginal"),
    ("digitized", "DateTimeDigitized", "SubSecTimeDigitized", "OffsetTimeDigitized", "EXIF:CreateDate"),
    ("modified", "DateTime", "SubSecTime", "OffsetTime", "EXIF:ModifyDate"),
)


def _version(dist: str) -> str:
    try:
        return importlib_metadata.version(dist)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


class ParserNames(dict[str, str]):
    """``{short name: "name version"}``, each version looked up once, when first needed
    (``importlib.metadata`` costs milliseconds: not paid at import time)."""

    def __init__(self, dists: dict[str, str]) -> None:
        super().__init__()
        self._dists = dists

    def __missing__(self, key: str) -> str:
        dist = self._dists.get(key)
        value = f"{key} {_version(dist)}" if dist else key
        self[key] = value
        return value


PARSER_NAMES = ParserNames({"exifread": "ExifRead", "pillow": "pillow", "pillow-heif": "pillow-heif"})


def _clean_str(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, int) for v in value):
            value = bytes(v & 0xFF for v in value)
        elif len(value) == 1:
            value = value[0]
        else:
            return None
    if isinstance(value, bytes):
        value = value.split(b"\0", 1)[0].decode("utf-8", "replace")
    if not isinstance(value, str):
        return str(value) if isinstance(value, int) else None
    value = value.split("\0", 1)[0].rstrip()  # trailing padding is not part of the value
    return value or None


def decode_xp(value: Any) -> str | None:
    """A Windows XP* tag (UTF-16LE bytes, NUL-terminated) → text; None when empty."""
    if isinstance(value, str):
        raw = value.encode("latin-1", "replace")
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
        raw = bytes(v & 0xFF for v in value)
    else:
        return None
    if len(raw) % 2:
        raw = raw[:-1]
    text = raw.decode("utf-16-le", "replace")
    text = text.split("\0", 1)[0]
    return text or None


def _first(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _exifread_tags(data: bytes) -> tuple[dict[str, Any], bytes | None]:
    """Run exifread; returns a flat {tag name: raw values} and the JPEG/TIFF thumbnail bytes."""
    import exifread  # imported here: workers pay for it once, the CLI start-up never

    tags = exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=True)
    flat: dict[str, Any] = {}
    thumb: bytes | None = None
    for key, tag in tags.items():
        if key in ("JPEGThumbnail", "TIFFThumbnail"):
            if isinstance(tag, (bytes, bytearray)) and tag:
                thumb = bytes(tag)
            continue
        ifd, _, name = key.partition(" ")
        if ifd in ("Image", "EXIF", "GPS", "Interoperability") and name:
            flat.setdefault(name, getattr(tag, "values", tag))
    return flat, thumb


def _pillow_tags(data: bytes, heif: bool) -> tuple[dict[str, Any], bytes | None]:
    """Pillow's EXIF reader (pillow-heif registered for HEIF/AVIF); same flat form."""
    from PIL import ExifTags, Image

    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        flat, thumb = _pillow_read(data, heif, Image, ExifTags)
    notes = sorted({str(w.message).strip() for w in caught})
    if notes:
        flat["__warnings__"] = notes
    return flat, thumb


def _pillow_read(data: bytes, heif: bool, Image: Any, ExifTags: Any) -> tuple[dict[str, Any], bytes | None]:
    if heif:
        import pillow_heif

        pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        flat: dict[str, Any] = {}
        for tag_id, value in exif.items():
            flat[ExifTags.TAGS.get(tag_id, f"Tag 0x{tag_id:04X}")] = value
        for tag_id, value in exif.get_ifd(0x8769).items():
            flat.setdefault(ExifTags.TAGS.get(tag_id, f"Tag 0x{tag_id:04X}"), value)
        for tag_id, value in exif.get_ifd(0x8825).items():
            flat.setdefault(ExifTags.GPSTAGS.get(tag_id, f"Tag 0x{tag_id:04X}"), value)
        thumb = None
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1) if hasattr(ExifTags, "IFD") else {}
        off, length = ifd1.get(0x0201), ifd1.get(0x0202)
        raw = exif.tobytes() if off and length else b""
        if raw and isinstance(off, int) and isinstance(length, int):
            start = 6 + off  # tobytes() starts with b"Exif\0\0"
            if 0 < length <= len(raw) - start:
                thumb = raw[start:start + length]
    return flat, thumb


def fields_from_tags(flat: dict[str, Any], thumb: bytes | None) -> dict[str, Any]:
    """The ``media`` fields from a flat tag dict (both parsers give the same shape)."""
    out: dict[str, Any] = {}
    for field, tag in _STRINGS.items():
        val = _clean_str(flat.get(tag))
        if val is not None:
            out[field] = val
    serials = {k: v for k, tag in _SERIALS.items() if (v := _clean_str(flat.get(tag))) is not None}
    if serials:
        out["serial"] = serials
    orient = _first(flat.get("Orientation"))
    if isinstance(orient, int):
        out["orientation"] = orient
    times: dict[str, Any] = {}
    for name, tag, sub, off, source in _TIMES:
        block = capture_time(_clean_str(flat.get(tag)), _clean_str(flat.get(sub)),
                             parse_offset(_clean_str(flat.get(off))), source)
        if block is not None:
            times[name] = block
    if times:
        out["times"] = times
        out["capture_time"] = times.get("original") or times.get("digitized") or times["modified"]
    gps = _gps(flat)
    if gps:
        out["gps"] = gps
        hint = offset_from_gps(out.get("capture_time"), gps.get("datetime_utc"))
        if hint:
            out["capture_time"] = dict(out["capture_time"], offset_from_gps=hint)
    xp = {tag[2:].lower(): text for tag in XP_TAGS if (text := decode_xp(flat.get(tag))) is not None}
    if xp:
        out["xp"] = xp
    out["thumbnail"] = (
        {"present": True, "size": len(thumb), "sha256": hashlib.sha256(thumb).hexdigest()}
        if thumb else {"present": False}
    )
    return out


def offset_from_gps(cap: dict[str, Any] | None, gps_utc: str | None) -> str | None:
    """When the capture time has no zone but the GPS gives UTC, the offset they imply.

    A hint only (``zone_assumed`` stays true): the camera clock and the GPS fix may be minutes
    apart, so the difference must be within 2 minutes of a quarter-hour and within ±14 h.
    """
    from datetime import datetime

    if not cap or not cap.get("zone_assumed") or not gps_utc:
        return None
    try:
        local = datetime.fromisoformat(str(cap["value"])[:19])
        utc = datetime.fromisoformat(gps_utc[:19])
    except ValueError:
        return None
    diff = (local - utc).total_seconds()
    quarters = round(diff / 900)
    if abs(diff - quarters * 900) > 120 or abs(quarters) > 56:
        return None
    minutes = abs(quarters) * 15
    return f"{'-' if quarters < 0 else '+'}{minutes // 60:02d}:{minutes % 60:02d}"


def _gps(flat: dict[str, Any]) -> dict[str, Any] | None:
    lat_v, lon_v = flat.get("GPSLatitude"), flat.get("GPSLongitude")
    out: dict[str, Any] = {}
    if isinstance(lat_v, (list, tuple)) and isinstance(lon_v, (list, tuple)):
        lat = gpsmod.dms_to_decimal(lat_v, _clean_str(flat.get("GPSLatitudeRef")))
        lon = gpsmod.dms_to_decimal(lon_v, _clean_str(flat.get("GPSLongitudeRef")))
        if gpsmod.valid_position(lat, lon):
            out["latitude"], out["longitude"] = lat, lon
        elif lat is not None or lon is not None:
            out["invalid_position"] = [lat, lon]
    if "GPSAltitude" in flat:
        alt = gpsmod.altitude(_first(flat.get("GPSAltitude")), _first(flat.get("GPSAltitudeRef")))
        if alt is not None:
            out["altitude"] = alt
            ref = _first(flat.get("GPSAltitudeRef"))
            out["altitude_ref"] = ref if isinstance(ref, int) else None
    ts = flat.get("GPSTimeStamp")
    dt = gpsmod.gps_datetime_utc(_clean_str(flat.get("GPSDate") or flat.get("GPSDateStamp")),
                                 ts if isinstance(ts, (list, tuple)) else None)
    if dt:
        out["datetime_utc"] = dt
    datum = _clean_str(flat.get("GPSMapDatum"))
    if datum and out:
        out["map_datum"] = datum
    if out:
        out["source"] = "EXIF:GPS"
    return out or None


XMP_SCAN_BYTES = 4 * 1024 * 1024  # outside JPEG, the XMP packet is looked for in the first 4 MiB
_XMP_DATE = re.compile(
    rb"(exif|xmp|xap|photoshop):(DateTimeOriginal|CreateDate|DateCreated)(?:=[\"']([^\"'<>]{4,40})[\"']|>([^<>]{4,40})</)")
# XMP name → (times key, ExifTool-style source), in the order they stand in for a capture time
_XMP_TIMES = {
    (b"exif", b"DateTimeOriginal"): ("xmp_original", "XMP:DateTimeOriginal"),
    (b"xmp", b"CreateDate"): ("xmp_create", "XMP:CreateDate"),
    (b"xap", b"CreateDate"): ("xmp_create", "XMP:CreateDate"),  # the pre-2004 XMP prefix
    (b"photoshop", b"DateCreated"): ("xmp_date_created", "XMP:DateCreated"),
}


def xmp_times(data: bytes) -> dict[str, Any]:
    """Dates from an XMP packet in ``data`` (exif:DateTimeOriginal, xmp:CreateDate,
    photoshop:DateCreated), each a time block; XMP dates carry their own offset when they have one."""
    if b"<x:xmpmeta" not in data and b"http://ns.adobe.com/xap/1.0/" not in data:
        return {}
    out: dict[str, Any] = {}
    for m in _XMP_DATE.finditer(data):
        spec = _XMP_TIMES.get((m.group(1), m.group(2)))
        if spec is None or spec[0] in out:
            continue
        raw = (m.group(3) or m.group(4) or b"").decode("utf-8", "replace").strip()
        block = capture_time(raw, None, None, spec[1])
        if block is not None:
            out[spec[0]] = block
    return out


def jpeg_meta_end(data: bytes) -> int | None:
    """Where the JPEG's metadata segments end (the SOS marker, or where the marker stream
    breaks); None when they run past the end of ``data``. Walks segment lengths only."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return pos  # not a marker: broken stream, nothing more to find by reading further
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xDA, 0xD9):
            return pos
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return None


def jpeg_headers_within(data: bytes) -> bool:
    """True when every JPEG segment before the image data (SOS) lies inside ``data``: the EXIF,
    if any, has been seen."""
    return jpeg_meta_end(data) is not None


def image_metadata(data: bytes, container: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """EXIF fields of an image held in ``data``; ``container`` is ``jpeg``, ``heif``, ``webp``,
    ``png``, ``tiff`` or ``other``. Returns (fields with ``parser``, warnings)."""
    warnings: list[dict[str, str]] = []
    flat: dict[str, Any] = {}
    thumb: bytes | None = None
    parser = "exifread"
    try:
        flat, thumb = _exifread_tags(data)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser failure on hostile input is data, not a crash
        warnings.append({"parser": PARSER_NAMES["exifread"], "stage": "parse", "reason": f"{type(exc).__name__}: {exc}"[:300]})
        flat = {}
    # Pillow is tried when exifread found nothing; for a JPEG only when an Exif block is there at all
    if not flat and container in ("heif", "webp", "png", "tiff", "jpeg") and (container != "jpeg" or b"Exif\0" in data):
        fallback = "pillow-heif" if container == "heif" else "pillow"
        try:
            pflat, pthumb = _pillow_tags(data, container == "heif")
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001
            if warnings or container in ("heif", "webp"):
                warnings.append({"parser": PARSER_NAMES[fallback], "stage": "parse", "reason": f"{type(exc).__name__}: {exc}"[:300]})
        else:
            for note in pflat.pop("__warnings__", []):
                warnings.append({"parser": PARSER_NAMES[fallback], "stage": "parse", "reason": note[:300]})
            if pflat:
                flat, thumb, parser = pflat, pthumb or thumb, fallback
    fields: dict[str, Any] = fields_from_tags(flat, thumb) if flat else {"thumbnail": {"present": bool(thumb)}}
    fields["exif_present"] = bool(flat)
    xmp_end = (jpeg_meta_end(data) or len(data)) if container == "jpeg" else min(len(data), XMP_SCAN_BYTES)
    xmp = xmp_times(data[:xmp_end])
    if xmp:
        fields["times"] = dict(fields.get("times") or {}, **xmp)
        fields.setdefault("parsers", {})["xmp"] = "fkit-xmp-dates 1"
        times = fields["times"]
        # EXIF capture times first; an XMP date stands in before a mere EXIF modification time
        fields["capture_time"] = (times.get("original") or times.get("digitized") or times.get("xmp_original")
                                  or times.get("xmp_create") or times.get("xmp_date_created") or times.get("modified"))
    if flat:
        fields["parsers"] = {"exif": PARSER_NAMES[parser]}
    return fields, warnings
