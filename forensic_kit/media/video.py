"""Video and audio (MP4, MOV, 3GP/3G2, M4A): creation time, duration, make/model, GPS.

Two readers, each recorded in the output:
- **mutagen** (well kept, pure Python, fast) for the stream info (duration) and the iTunes-style
  ``ilst`` tags it knows;
- a small bounded atom reader of our own for what mutagen does not expose: the ``mvhd`` creation
  time (seconds since 1904, UTC by specification), QuickTime ``udta/©xyz`` / ``©mak`` / ``©mod``
  and the Apple ``meta/keys`` + ``ilst`` pairs (``com.apple.quicktime.location.ISO6709``,
  ``com.apple.quicktime.make``, ``...model``, ``...creationdate``).
The atom reader never reads more than ``MAX_MOOV`` bytes, visits at most ``MAX_ATOMS`` atoms and
``MAX_DEPTH`` levels, and treats any size that runs past its parent as the end of that parent.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from forensic_kit.media.exif import ParserNames, parser_reason
from forensic_kit.media.gps import parse_iso6709, valid_position
from forensic_kit.media.times import capture_time, utc_time

MAX_MOOV = 64 * 1024 * 1024
MAX_ATOMS = 20000
MAX_DEPTH = 10
_MAC_EPOCH = datetime(1904, 1, 1, tzinfo=timezone.utc)
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"udta", b"edts", b"stbl"}
PARSER_NAMES = ParserNames({"mutagen": "mutagen"})
PARSER_NAMES["atoms"] = "fkit-atoms 1"

Reader = Callable[[int, int], bytes]


class _Budget:
    def __init__(self) -> None:
        self.atoms = 0


def _atoms(buf: bytes, start: int, end: int, budget: _Budget) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the atoms in buf[start:end]."""
    pos = start
    while pos + 8 <= end:
        budget.atoms += 1
        if budget.atoms > MAX_ATOMS:
            raise ValueError(f"more than {MAX_ATOMS} atoms: refusing to go on")
        size, typ = struct.unpack_from(">I4s", buf, pos)
        hdr = 8
        if size == 1:
            if pos + 16 > end:
                return
            size = struct.unpack_from(">Q", buf, pos + 8)[0]
            hdr = 16
        elif size == 0:
            size = end - pos
        if size < hdr or pos + size > end:
            return  # runs past its parent: stop here (recorded by the caller as truncated)
        yield typ, pos + hdr, pos + size
        pos += size


def _top_level(read: Reader, file_size: int) -> tuple[bytes | None, bytes | None, list[str]]:
    """(major brand, moov bytes, notes) walking top-level atoms by their headers only."""
    pos, brand, moov, notes, count = 0, None, None, [], 0
    while pos + 8 <= file_size and count < MAX_ATOMS:
        count += 1
        hdr = read(pos, 16)
        if len(hdr) < 8:
            break
        size, typ = struct.unpack_from(">I4s", hdr, 0)
        hlen = 8
        if size == 1 and len(hdr) >= 16:
            size, hlen = struct.unpack_from(">Q", hdr, 8)[0], 16
        elif size == 0:
            size = file_size - pos
        if size < hlen:
            notes.append(f"atom {typ!r} at {pos} has impossible size {size}")
            break
        if typ == b"ftyp":
            brand = read(pos + hlen, 4)
        elif typ == b"moov":
            if size > MAX_MOOV:
                notes.append(f"moov atom of {size} bytes is over the {MAX_MOOV}-byte limit: not read")
            else:
                moov = read(pos + hlen, size - hlen)
                if len(moov) < size - hlen:
                    notes.append("moov atom is truncated")
        pos += size
    return brand, moov, notes


def _mvhd(buf: bytes, s: int, e: int) -> dict[str, Any]:
    if e - s < 4:
        return {}
    version = buf[s]
    if version == 1 and e - s >= 32:
        created, modified, scale, duration = struct.unpack_from(">QQIQ", buf, s + 4)
    elif e - s >= 20:
        created, modified, scale, duration = struct.unpack_from(">IIII", buf, s + 4)
    else:
        return {}
    out: dict[str, Any] = {}
    for name, val in (("created", created), ("modified", modified)):
        if val:
            try:
                out[name] = _MAC_EPOCH + timedelta(seconds=val)
            except OverflowError:
                pass
    if scale:
        out["duration"] = round(duration / scale, 3)
    return out


def _tkhd(buf: bytes, s: int, e: int) -> dict[str, Any]:
    """Track header: display width/height (16.16 fixed point) and the rotation its matrix says."""
    version = buf[s] if e > s else 0
    at = s + (88 if version == 1 else 76)
    if at + 8 > e:
        return {}
    width, height = struct.unpack_from(">II", buf, at)
    out: dict[str, Any] = {"tkhd_width": width >> 16, "tkhd_height": height >> 16}
    a, b = struct.unpack_from(">ii", buf, at - 36)  # matrix a, b (16.16)
    rotation = {(1, 0): 0, (0, 1): 90, (-1, 0): 180, (0, -1): 270}.get(
        (a // 65536 if a % 65536 == 0 else 9, b // 65536 if b % 65536 == 0 else 9))
    if rotation is not None:
        out["rotation"] = rotation
    return out


def _stsd(buf: bytes, s: int, e: int) -> dict[str, Any]:
    """First sample entry: its format (the codec's four-character code) and, for a visual
    entry, the coded frame size."""
    if s + 16 > e:
        return {}
    entry = s + 8
    size, fmt = struct.unpack_from(">I4s", buf, entry)
    out: dict[str, Any] = {"codec": fmt.decode("latin-1").strip("\0 ") or None}
    if size >= 36 and entry + 36 <= e:
        out["coded_width"], out["coded_height"] = struct.unpack_from(">HH", buf, entry + 32)
    return out


# Canon CR3: moov/uuid with this UUID holds CMT1 (IFD0 as a TIFF) and CMT2 (the Exif IFD as a TIFF)
_CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_LOCI_ROLES = {0: "shooting", 1: "real", 2: "fictional"}  # 3GPP TS 26.244 role of the place


def _loci(buf: bytes, s: int, e: int) -> dict[str, Any] | None:
    """3GPP ``loci`` (TS 26.244): name, role, then longitude, latitude and altitude as signed
    16.16 fixed point, then body and notes."""
    pos = s + 6  # version/flags, packed language
    if pos > e:
        return None
    name, pos = _loci_string(buf, pos, e)
    if pos + 13 > e:
        return None
    role = buf[pos]
    lon, lat, alt = (v / 65536 for v in struct.unpack_from(">iii", buf, pos + 1))
    body, after = _loci_string(buf, pos + 13, e)
    notes, _ = _loci_string(buf, after, e)
    if not valid_position(lat, lon):
        return {"invalid_position": [lat, lon]}
    out: dict[str, Any] = {"latitude": round(lat, 6), "longitude": round(lon, 6), "altitude": round(alt, 3),
                           "role": _LOCI_ROLES.get(role, str(role))}
    for key, val in (("name", name), ("body", body), ("notes", notes)):
        if val:
            out[key] = val
    return out


def _loci_string(buf: bytes, pos: int, e: int) -> tuple[str, int]:
    """A NUL-terminated UTF-8 string, or UTF-16 with a byte-order mark ending in a 16-bit NUL."""
    if buf[pos:pos + 2] in (b"\xfe\xff", b"\xff\xfe"):
        enc = "utf-16-be" if buf[pos:pos + 2] == b"\xfe\xff" else "utf-16-le"
        end = pos + 2
        while end + 1 < e and buf[end:end + 2] != b"\0\0":
            end += 2
        return buf[pos + 2:end].decode(enc, "replace"), min(e, end + 2)
    end = buf.find(b"\0", pos, e)
    if end < 0:
        return buf[pos:e].decode("utf-8", "replace"), e
    return buf[pos:end].decode("utf-8", "replace"), end + 1


def _text_item(buf: bytes, s: int, e: int) -> str | None:
    """A QuickTime ``©xxx`` user-data text: 16-bit length, 16-bit language, text."""
    if e - s < 4:
        return None
    n = struct.unpack_from(">H", buf, s)[0]
    raw = buf[s + 4:min(e, s + 4 + n)]
    text = raw.decode("utf-8", "replace").strip("\0")
    return text or None


def _apple_keys(buf: bytes, s: int, e: int, budget: _Budget) -> dict[str, str]:
    """``meta`` with ``keys`` + ``ilst``: {key name: text value}."""
    names: list[str] = []
    values: dict[int, str] = {}
    for typ, ps, pe in _atoms(buf, s, e, budget):
        if typ == b"keys" and pe - ps >= 8:
            count = struct.unpack_from(">I", buf, ps + 4)[0]
            pos = ps + 8
            for _ in range(min(count, 4096)):
                if pos + 8 > pe:
                    break
                size = struct.unpack_from(">I", buf, pos)[0]
                if size < 8 or pos + size > pe:
                    break
                names.append(buf[pos + 8:pos + size].decode("utf-8", "replace"))
                pos += size
        elif typ == b"ilst":
            for idx_raw, is_, ie in _atoms(buf, ps, pe, budget):
                idx = struct.unpack(">I", idx_raw)[0]
                for dtyp, ds, de in _atoms(buf, is_, ie, budget):
                    if dtyp == b"data" and de - ds >= 8:
                        dtype = struct.unpack_from(">I", buf, ds)[0] & 0xFFFFFF
                        if dtype in (1, 2):  # UTF-8 / UTF-16 text
                            raw = buf[ds + 8:de]
                            values[idx] = raw.decode("utf-8" if dtype == 1 else "utf-16-be", "replace")
    return {names[i - 1]: v for i, v in values.items() if 0 < i <= len(names)}


def _walk_moov(moov: bytes) -> dict[str, Any]:
    found: dict[str, Any] = {"handlers": [], "tracks": []}
    budget = _Budget()

    def visit(s: int, e: int, depth: int, path: tuple[bytes, ...]) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"atoms nested more than {MAX_DEPTH} deep")
        for typ, ps, pe in _atoms(moov, s, e, budget):
            if typ == b"mvhd" and path == ():
                found["mvhd"] = _mvhd(moov, ps, pe)
            elif typ == b"hdlr" and path and path[-1] == b"mdia" and pe - ps >= 12:
                handler = moov[ps + 8:ps + 12].decode("latin-1")
                found["handlers"].append(handler)
                if found["tracks"]:
                    found["tracks"][-1]["handler"] = handler
            elif typ == b"tkhd" and path and path[-1] == b"trak":
                found["tracks"][-1].update(_tkhd(moov, ps, pe))
            elif typ == b"stsd" and path and path[-1] == b"stbl" and found["tracks"]:
                found["tracks"][-1].update(_stsd(moov, ps, pe))
            elif typ == b"loci" and path and path[-1] == b"udta":
                loci = _loci(moov, ps, pe)
                if loci is not None:
                    found.setdefault("loci", loci)
            elif typ == b"meta":
                # QuickTime meta has no version/flags; ISO (udta/meta) has 4 bytes of them
                inner = ps if moov[ps + 4:ps + 8] in (b"hdlr", b"keys", b"ilst") else ps + 4
                keys = _apple_keys(moov, inner, pe, budget)
                if keys:
                    found.setdefault("keys", {}).update(keys)
            elif path and path[-1] == b"udta" and typ == b"TAGS" and moov.startswith(b"PENTAX ", ps):
                # Pentax cameras' maker data: the make is its first 24 bytes (NUL-padded)
                make = moov[ps:min(pe, ps + 24)].split(b"\0", 1)[0].decode("latin-1").strip()
                if make:
                    found.setdefault("udta", {})["pentax_make"] = make
            elif path and path[-1] == b"udta" and typ[:1] == b"\xa9":
                text = _text_item(moov, ps, pe)
                if text is not None:
                    found.setdefault("udta", {})[typ[1:].decode("latin-1")] = text
            elif typ == b"uuid" and path == () and moov[ps:ps + 16] == _CANON_UUID:
                for ctyp, cs, ce in _atoms(moov, ps + 16, pe, budget):
                    if ctyp in (b"CMT1", b"CMT2"):
                        found.setdefault("canon", {})[ctyp.decode()] = moov[cs:ce]
            elif typ in _CONTAINERS:
                if typ == b"trak":
                    found["tracks"].append({})
                visit(ps, pe, depth + 1, path + (typ,))

    visit(0, len(moov), 0, ())
    return found


def _mutagen(read_all: Callable[[], io.BufferedIOBase]) -> tuple[dict[str, Any], str | None]:
    from mutagen.mp4 import MP4

    try:
        mp4 = MP4(read_all())  # type: ignore[no-untyped-call]
    except Exception as exc:  # noqa: BLE001 - mutagen's own reason is the record's reason
        return {}, parser_reason(exc)
    out: dict[str, Any] = {}
    length = getattr(mp4.info, "length", None)
    if length:
        out["duration"] = round(float(length), 3)
    tags: Any = mp4.tags or {}
    for key, name in (("\xa9day", "day"), ("\xa9too", "encoder"), ("\xa9mak", "make"), ("\xa9mod", "model")):
        val = tags.get(key)
        if val:
            out[name] = str(val[0])
    return out, None


def _canon_exif(cmt: dict[str, bytes], out: dict[str, Any], sources: dict[str, str],
                warnings: list[dict[str, str]]) -> None:
    """CR3: the EXIF of CMT1 (make, model, ModifyDate) and CMT2 (DateTimeOriginal, sub-seconds,
    offsets) read by exifread; the photo's times come before the QuickTime header's."""
    from forensic_kit.media import exif

    flat: dict[str, Any] = {}
    for name in ("CMT1", "CMT2"):
        if name not in cmt:
            continue
        try:
            tags, _ = exif._exifread_tags(cmt[name])
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged block is a reason, not a crash
            warnings.append({"parser": exif.PARSER_NAMES["exifread"], "stage": "parse", "reason": f"{name}: {parser_reason(exc)}"})
            continue
        for key, value in tags.items():
            flat.setdefault(key, value)
    if not flat:
        return
    fields = exif.fields_from_tags(flat, None)
    fields.pop("thumbnail", None)
    out["kind"] = "image"
    out["exif_present"] = True
    times = dict(out.get("times") or {}, **(fields.pop("times", None) or {}))
    if times:
        out["times"] = times
    if fields.get("capture_time"):
        sources["capture_time"] = f"{exif.PARSER_NAMES['exifread']} (CR3 CMT1/CMT2)"
    for key, value in fields.items():
        out[key] = value
        if key in ("make", "model", "software"):
            sources[key] = f"{exif.PARSER_NAMES['exifread']} (CR3 CMT1/CMT2)"


def _main_track(tracks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first video track with a frame size (as ExifTool reports ImageWidth), else the first
    video track."""
    video = [t for t in tracks if t.get("handler") == "vide"]
    return next((t for t in video if t.get("tkhd_width")), video[0] if video else None)


def video_metadata(read: Reader, file_size: int, open_file: Callable[[], io.BufferedIOBase]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Metadata of an ISO base media file (MP4/MOV/3GP/M4A). ``read(offset, n)`` reads bytes;
    ``open_file()`` gives a fresh binary file object for mutagen."""
    warnings: list[dict[str, str]] = []
    out: dict[str, Any] = {}
    sources: dict[str, str] = {}
    brand, moov, notes = _top_level(read, file_size)
    for note in notes:
        warnings.append({"parser": PARSER_NAMES["atoms"], "stage": "parse", "reason": note})
    if brand:
        out["brand"] = brand.decode("latin-1").strip()
    found: dict[str, Any] = {}
    if moov is not None:
        try:
            found = _walk_moov(moov)
        except (ValueError, struct.error) as exc:
            warnings.append({"parser": PARSER_NAMES["atoms"], "stage": "parse", "reason": str(exc)})
    elif not notes:
        warnings.append({"parser": PARSER_NAMES["atoms"], "stage": "parse", "reason": "no moov atom"})
    mvhd = found.get("mvhd") or {}
    keys: dict[str, str] = found.get("keys") or {}
    udta: dict[str, str] = found.get("udta") or {}
    handlers = found.get("handlers") or []
    out["kind"] = "video" if "vide" in handlers else ("audio" if "soun" in handlers else "video")
    mut, reason = _mutagen(open_file) if moov is not None else ({}, None)
    if reason:
        warnings.append({"parser": PARSER_NAMES["mutagen"], "stage": "parse", "reason": reason})
    # the movie header's duration (what ExifTool and players report); mutagen's is the audio track's
    if "duration" in mvhd:
        out["duration"], sources["duration"] = mvhd["duration"], PARSER_NAMES["atoms"]
    elif "duration" in mut:
        out["duration"], sources["duration"] = mut["duration"], PARSER_NAMES["mutagen"]
    for field, key, ud in (("make", "com.apple.quicktime.make", "mak"), ("model", "com.apple.quicktime.model", "mod"),
                           ("software", "com.apple.quicktime.software", "swr")):
        val = keys.get(key) or udta.get(ud) or mut.get(field)
        if val:
            out[field] = val
            sources[field] = PARSER_NAMES["mutagen"] if val == mut.get(field) and val not in (keys.get(key), udta.get(ud)) else PARSER_NAMES["atoms"]
        elif field == "make" and udta.get("pentax_make"):
            out[field], sources[field] = udta["pentax_make"], PARSER_NAMES["atoms"] + " (udta/TAGS, Pentax maker data)"
    times: dict[str, Any] = {}
    created = utc_time(mvhd.get("created"), "QuickTime:CreateDate")
    if created:
        times["created"] = created
    if mvhd.get("modified"):
        times["modified"] = utc_time(mvhd["modified"], "QuickTime:ModifyDate")
    apple_date = keys.get("com.apple.quicktime.creationdate")
    if apple_date:
        block = capture_time(apple_date, None, None, "Keys:CreationDate")
        if block:
            times["creationdate"] = block
    if times:
        out["times"] = times
        out["capture_time"] = times.get("creationdate") or times.get("created") or times.get("modified")
        sources["capture_time"] = PARSER_NAMES["atoms"]
    for loc_text, source, atom in (
            (keys.get("com.apple.quicktime.location.ISO6709"), "Keys:GPSCoordinates", "meta/keys com.apple.quicktime.location.ISO6709"),
            (udta.get("xyz"), "UserData:GPSCoordinates", "udta/\u00a9xyz")):
        if not loc_text or "gps" in out:
            continue
        pos = parse_iso6709(loc_text)
        if pos:
            out["gps"] = {"latitude": pos[0], "longitude": pos[1], "iso6709": loc_text.strip("\0")}
            if pos[2] is not None:
                out["gps"]["altitude"] = pos[2]
            out["gps"]["source"], out["gps"]["atom"] = source, atom
            sources["gps"] = PARSER_NAMES["atoms"]
        else:
            warnings.append({"parser": PARSER_NAMES["atoms"], "stage": "parse", "reason": f"unreadable ISO 6709 location {loc_text[:60]!r}"})
    loci = found.get("loci")
    if loci and "invalid_position" in loci:
        warnings.append({"parser": PARSER_NAMES["atoms"], "stage": "parse",
                         "reason": f"3GPP loci position out of range: {loci['invalid_position']}"})
    elif loci and "gps" not in out:
        out["gps"] = dict(loci, source="UserData:LocationInformation", atom="udta/loci (3GPP)")
        sources["gps"] = PARSER_NAMES["atoms"]
    track = _main_track(found.get("tracks") or [])
    if track is not None:
        vblock: dict[str, Any] = {}
        width, height = track.get("tkhd_width") or track.get("coded_width"), track.get("tkhd_height") or track.get("coded_height")
        if width and height:
            rotation = int(track.get("rotation") or 0)
            turned = rotation % 180 == 90
            vblock.update(width=width, height=height, display_width=height if turned else width,
                         display_height=width if turned else height, rotation=rotation,
                         source="tkhd" if track.get("tkhd_width") else "stsd")
        if track.get("codec"):
            vblock["codec"] = track["codec"]
        if track.get("coded_width"):
            vblock["coded_width"], vblock["coded_height"] = track["coded_width"], track.get("coded_height")
        if vblock:
            out["video"] = vblock
    if found.get("canon"):
        _canon_exif(found["canon"], out, sources, warnings)
    if keys:
        out["quicktime_keys"] = {k: v for k, v in sorted(keys.items())}
    out["parsers"] = sources
    return out, warnings
