"""Image metadata (EXIF, GPS, XP tags, thumbnail) from bytes already read, with provenance.

exifread is the first parser. Where it raises, or finds nothing in a format it does not read
well (HEIC variants such as ``heix``/``msf1``, some WebP), Pillow (with pillow-heif for HEIF) is
tried; the result says which parser produced the fields and what the first one said.
Both parsers work on an in-memory copy of at most a bounded number of bytes of the file.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import struct
import warnings as pywarnings
from collections.abc import Iterator
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


# exifread.process_file(details=False, extract_thumbnail=True) is re-stated by _exifread_process
# below for this version only; any other exifread version goes through process_file itself.
_EXIFREAD_RESTATED = "3.5.1"
_INT_FORMATS = {(1, False): "B", (1, True): "b", (2, False): "H", (2, True): "h", (4, False): "I", (4, True): "i"}
_INT_STRUCTS = {order: {key: struct.Struct(order + code) for key, code in _INT_FORMATS.items()} for order in "<>"}


@functools.cache
def exifread_header_class() -> Any:
    """exifread's ``ExifHeader`` whose ``s2n`` reads from ``self.data`` (see _exifread_process)."""
    from exifread.core.exif_header import ExifHeader

    class InMemoryHeader(ExifHeader):
        data: bytes = b""
        structs: dict[tuple[int, bool], struct.Struct] = {}

        def s2n(self, offset: int, length: int, signed: bool = False) -> int:
            pos = self.offset + offset
            fmt = self.structs.get((length, signed))
            if fmt is not None and type(pos) is int and 0 <= pos <= len(self.data) - length:
                return int(fmt.unpack_from(self.data, pos)[0])
            return int(super().s2n(offset, length, signed))

    return InMemoryHeader


def _exifread_process(data: bytes) -> dict[str, Any]:
    """``exifread.process_file(BytesIO(data), details=False, extract_thumbnail=True)``, with the
    integers of the IFDs read straight from ``data``.

    exifread reads every integer of every IFD entry through ``ExifHeader.s2n`` (a seek, a read and
    a ``struct.unpack`` with a freshly built format each time): about half of its time on a camera
    JPEG. A subclass reads them with ``struct.unpack_from`` on the bytes already in memory, and
    hands every case that is not a plain in-bounds 1/2/4-byte read (offsets past the end,
    negative or non-integer offsets, odd sizes) to exifread's own ``s2n``, so tags, values and
    failures are exactly exifread's.
    """
    import exifread
    from exifread.core.exceptions import ExifNotFound, InvalidExif
    from exifread.core.find_exif import determine_type, get_endian_str

    fh = io.BytesIO(data)
    if exifread.__version__ != _EXIFREAD_RESTATED:
        return dict(exifread.process_file(fh, details=False, extract_thumbnail=True))

    # exifread 3.5.1 process_file, with details=False, strict=False, debug=False
    try:
        offset, endian_bytes, fake_exif = determine_type(fh)
    except (ExifNotFound, InvalidExif):
        return {}
    endian_str, _ = get_endian_str(endian_bytes)
    hdr = exifread_header_class()(fh, endian_str, offset, fake_exif, False, False, False, True)
    hdr.data = data
    hdr.structs = _INT_STRUCTS["<" if hdr.endian == "I" else ">"]  # as exifread's s2n chooses
    thumb_ifd = 0
    for ctr, ifd in enumerate(hdr.list_ifd()):
        if ctr == 0:
            ifd_name = "Image"
        elif ctr == 1:
            ifd_name = "Thumbnail"
            thumb_ifd = ifd
        else:
            ifd_name = "IFD %d" % ctr
        hdr.dump_ifd(ifd=ifd, ifd_name=ifd_name)
    exif_off = hdr.tags.get("Image ExifOffset")
    if exif_off:
        hdr.dump_ifd(ifd=exif_off.values[0], ifd_name="EXIF")
    if thumb_ifd:
        hdr.extract_tiff_thumbnail(thumb_ifd)
        hdr.extract_jpeg_thumbnail()
    tags: dict[str, Any] = hdr.tags
    return tags


def _exifread_tags(data: bytes) -> tuple[dict[str, Any], bytes | None]:
    """Run exifread; returns a flat {tag name: raw values} and the JPEG/TIFF thumbnail bytes."""
    tags = _exifread_process(data)
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


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def parser_reason(problem: BaseException | str) -> str:
    """A parser's reason as a record carries it: ``Type: message``, at most 300 characters, without
    object addresses (``<_io.BytesIO object at 0x7f…>``), so the same file gives the same record."""
    text = problem if isinstance(problem, str) else f"{type(problem).__name__}: {problem}"
    return _ADDRESS.sub(">", text)[:300]


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


def _pillow_name(name: str) -> str:
    """Pillow spells the sub-second tags ``Subsec…``; exifread (and the fields) ``SubSec…``."""
    return "SubSec" + name[6:] if name.startswith("Subsec") else name


def _pillow_read(data: bytes, heif: bool, Image: Any, ExifTags: Any) -> tuple[dict[str, Any], bytes | None]:
    if heif:
        import pillow_heif

        pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        flat: dict[str, Any] = {}
        for tag_id, value in exif.items():
            flat[_pillow_name(ExifTags.TAGS.get(tag_id, f"Tag 0x{tag_id:04X}"))] = value
        for tag_id, value in exif.get_ifd(0x8769).items():
            flat.setdefault(_pillow_name(ExifTags.TAGS.get(tag_id, f"Tag 0x{tag_id:04X}")), value)
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


# What every _XMP_DATE match contains: one of these names, right after one of these prefixes
_XMP_NAMES = (b":DateTimeOriginal", b":CreateDate", b":DateCreated")
_XMP_PREFIXES = (b"exif", b"xmp", b"xap", b"photoshop")


def _xmp_date_matches(data: bytes, end: int) -> Iterator[re.Match[bytes]]:
    """The matches of ``_XMP_DATE`` in ``data[:end]``, exactly those ``finditer`` gives, in order.

    Each occurrence of a date name is found with ``bytes.find`` (memchr-fast) and the regular
    expression is tried only where a prefix ends right before it, instead of at every byte: on an
    image of many MiB this is the difference between microseconds and milliseconds. No copy of
    ``data`` is made.
    """
    starts: list[int] = []
    for name in _XMP_NAMES:
        at = data.find(name, 0, end)
        while at >= 0:
            for prefix in _XMP_PREFIXES:  # at most one of them ends at ``at``
                if at >= len(prefix) and data.startswith(prefix, at - len(prefix), at):
                    starts.append(at - len(prefix))
                    break
            at = data.find(name, at + 1, end)
    starts.sort()
    resume = 0
    for start in starts:
        if start < resume:
            continue  # inside the previous match (finditer's matches do not overlap)
        m = _XMP_DATE.match(data, start, end)
        if m is not None:
            resume = m.end()
            yield m


def xmp_times(data: bytes, end: int | None = None) -> dict[str, Any]:
    """Dates from an XMP packet in ``data[:end]`` (exif:DateTimeOriginal, xmp:CreateDate,
    photoshop:DateCreated), each a time block; XMP dates carry their own offset when they have one."""
    stop = len(data) if end is None else max(0, min(end, len(data)))
    if data.find(b"<x:xmpmeta", 0, stop) < 0 and data.find(b"http://ns.adobe.com/xap/1.0/", 0, stop) < 0:
        return {}
    out: dict[str, Any] = {}
    for m in _xmp_date_matches(data, stop):
        spec = _XMP_TIMES.get((m.group(1), m.group(2)))
        if spec is None or spec[0] in out:
            continue
        raw = (m.group(3) or m.group(4) or b"").decode("utf-8", "replace").strip()
        block = capture_time(raw, None, None, spec[1])
        if block is not None:
            out[spec[0]] = block
    return out


MAX_XMP_BYTES = 4 * 1024 * 1024


def png_modified(data: bytes) -> dict[str, Any] | None:
    """The PNG ``tIME`` chunk (last modification, UTC by the PNG specification) as a time block;
    None when absent or impossible (ExifTool prints an impossible one as it stands)."""
    from datetime import datetime, timezone

    from forensic_kit.media.times import utc_time

    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        ctype = data[pos + 4:pos + 8]
        if ctype == b"tIME" and length == 7 and pos + 15 <= len(data):
            y, mo, d, h, mi, s = struct.unpack_from(">HBBBBB", data, pos + 8)
            try:
                return utc_time(datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc), "PNG:ModifyDate")
            except ValueError:
                return None
        if ctype == b"IEND":
            return None
        pos += 12 + length
    return None


def png_xmp(data: bytes) -> bytes | None:
    """The XMP packet of a PNG: the ``iTXt`` chunk keyed ``XML:com.adobe.xmp``, inflated when
    compressed (at most ``MAX_XMP_BYTES``); None when there is none or it is damaged."""
    import zlib

    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"IEND" or len(body) < length:
            return None
        if ctype == b"iTXt" and body.startswith(b"XML:com.adobe.xmp\0") and len(body) > 19:
            compressed = body[18] == 1
            # after the keyword: compression flag, method, language tag\0, translated keyword\0
            rest = body[20:]
            for _ in range(2):
                nul = rest.find(b"\0")
                if nul < 0:
                    return None
                rest = rest[nul + 1:]
            if not compressed:
                return rest
            try:
                inflater = zlib.decompressobj()
                packet = inflater.decompress(rest, MAX_XMP_BYTES)
            except zlib.error:
                return None
            return packet
        pos += 12 + length
    return None


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


MAX_EMBEDDED_CANDIDATES = 8


def embedded_exif(data: bytes) -> tuple[dict[str, Any], int] | None:
    """EXIF carried inside a format fkit has no reader for (PSD image resources, an XCF parasite,
    MRW's TTW block, the JPEG preview of a RAF or X3F, BPG, MIFF, PDF): the first TIFF header
    (``II*\0`` / ``MM\0*``, preferring one right after ``Exif\0\0``) whose IFDs exifread reads
    with a make, a model or a date. Returns (fields, offset of the TIFF header) or None."""
    starts: list[int] = []
    at = data.find(b"Exif\0\0")
    while at >= 0 and len(starts) < MAX_EMBEDDED_CANDIDATES:
        if data[at + 6:at + 10] in (b"II*\0", b"MM\0*"):
            starts.append(at + 6)
        at = data.find(b"Exif\0\0", at + 1)
    for sig in (b"II*\0", b"MM\0*"):
        at = data.find(sig)
        while at >= 0 and len(starts) < 2 * MAX_EMBEDDED_CANDIDATES:
            if at not in starts:
                starts.append(at)
            at = data.find(sig, at + 1)
    for start in starts:
        try:
            flat, thumb = _exifread_tags(data[start:])
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - a false TIFF signature inside other data: try the next one
            continue
        if any(k in flat for k in ("Make", "Model", "DateTimeOriginal", "DateTimeDigitized", "DateTime", "GPSLatitude")):
            return fields_from_tags(flat, thumb), start
    return None


def tiff_block_fields(tiff: bytes) -> dict[str, Any] | None:
    """The ``media`` fields of a bare TIFF/EXIF block (``II*\0``/``MM\0*``) held by another
    format (a Photoshop resource 0x0422); None when exifread finds no tag or cannot read it."""
    try:
        flat, thumb = _exifread_tags(tiff)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - damaged EXIF inside another format: no fields, not a crash
        return None
    return fields_from_tags(flat, thumb) if flat else None


def best_capture(times: dict[str, Any]) -> dict[str, Any] | None:
    """The capture time among a file's time blocks: EXIF capture times first; an XMP date, then
    an IPTC one, a Casio QVCI one, a Canon CIFF one, stand in before a mere EXIF modification time (or a PNG ``tIME``). A FLIR
    record's time is taken when EXIF has none or says the same second (it adds the zone)."""
    original, flir_time = times.get("original"), times.get("flir_original")
    if flir_time and (not original or original["value"][:19] == flir_time["value"][:19]):
        # FLIR's record is the same instant as EXIF's to the second, with milliseconds and the zone
        return dict(flir_time)
    for key in ("original", "digitized", "xmp_original", "xmp_create", "xmp_date_created", "iptc_created",
                "qvci_original", "ciff_original", "modified", "png_modified"):
        if times.get(key):
            block: dict[str, Any] = times[key]
            return block
    return None


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
        warnings.append({"parser": PARSER_NAMES["exifread"], "stage": "parse", "reason": parser_reason(exc)})
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
                warnings.append({"parser": PARSER_NAMES[fallback], "stage": "parse", "reason": parser_reason(exc)})
        else:
            for note in pflat.pop("__warnings__", []):
                warnings.append({"parser": PARSER_NAMES[fallback], "stage": "parse", "reason": parser_reason(note)})
            if pflat:
                flat, thumb, parser = pflat, pthumb or thumb, fallback
    fields: dict[str, Any] = fields_from_tags(flat, thumb) if flat else {"thumbnail": {"present": bool(thumb)}}
    fields["exif_present"] = bool(flat)
    xmp_end = (jpeg_meta_end(data) or len(data)) if container == "jpeg" else min(len(data), XMP_SCAN_BYTES)
    xmp = xmp_times(data, xmp_end)
    if container == "png":
        packet = png_xmp(data) if not xmp else None
        if packet:
            xmp = xmp_times(packet)
        png_time = png_modified(data)
        if png_time:
            fields["times"] = dict(fields.get("times") or {}, png_modified=png_time)
            fields.setdefault("capture_time", png_time)
    if xmp:
        fields["times"] = dict(fields.get("times") or {}, **xmp)
        fields.setdefault("parsers", {})["xmp"] = "fkit-xmp-dates 1"
    if container == "jpeg":
        from forensic_kit.media import ciff, flir, iptc, qvci

        created = iptc.jpeg_iptc_time(data, xmp_end)
        if created is not None:
            fields["times"] = dict(fields.get("times") or {}, iptc_created=created)
            fields.setdefault("parsers", {})["iptc"] = iptc.PARSER_NAME
        fff = flir.fff_from_jpeg(data, xmp_end) if data.find(b"FLIR\0", 0, xmp_end) >= 0 else None
        flir_block = flir.flir_time(fff) if fff else None
        if flir_block is not None:
            fields["times"] = dict(fields.get("times") or {}, flir_original=flir_block)
            fields.setdefault("parsers", {})["flir"] = flir.PARSER_NAME
        casio = qvci.qvci_time(data, xmp_end) if data.find(b"QVCI\0", 0, xmp_end) >= 0 else None
        if casio is not None:
            fields["times"] = dict(fields.get("times") or {}, qvci_original=casio)
            fields.setdefault("parsers", {})["qvci"] = qvci.PARSER_NAME
        canon = ciff.jpeg_ciff(data, xmp_end) if data.find(b"HEAP", 0, xmp_end) >= 0 else {}
        if canon:
            fields.setdefault("parsers", {})["ciff"] = ciff.PARSER_NAME
            if "time" in canon:
                fields["times"] = dict(fields.get("times") or {}, ciff_original=canon["time"])
            other = ciff.other_camera(fields, canon)
            if other is not None:
                fields["other_cameras"] = [other]
            elif not fields.get("make"):
                fields.update({k: canon[k] for k in ("make", "model") if k in canon})
    if xmp or set(fields.get("times") or {}) & {"iptc_created", "flir_original", "qvci_original", "ciff_original"}:
        fields["capture_time"] = best_capture(fields["times"])
    if flat:
        fields["parsers"] = {"exif": PARSER_NAMES[parser], **(fields.get("parsers") or {})}
    return fields, warnings
