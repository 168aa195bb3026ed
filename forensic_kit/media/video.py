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
from forensic_kit.media.gps import parse_iso6709
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
    found: dict[str, Any] = {"handlers": []}
    budget = _Budget()

    def visit(s: int, e: int, depth: int, path: tuple[bytes, ...]) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"atoms nested more than {MAX_DEPTH} deep")
        for typ, ps, pe in _atoms(moov, s, e, budget):
            if typ == b"mvhd" and path == ():
                found["mvhd"] = _mvhd(moov, ps, pe)
            elif typ == b"hdlr" and path and path[-1] == b"mdia" and pe - ps >= 12:
                found["handlers"].append(moov[ps + 8:ps + 12].decode("latin-1"))
            elif typ == b"meta":
                # QuickTime meta has no version/flags; ISO (udta/meta) has 4 bytes of them
                inner = ps if moov[ps + 4:ps + 8] in (b"hdlr", b"keys", b"ilst") else ps + 4
                keys = _apple_keys(moov, inner, pe, budget)
                if keys:
                    found.setdefault("keys", {}).update(keys)
            elif path and path[-1] == b"udta" and typ[:1] == b"\xa9":
                text = _text_item(moov, ps, pe)
                if text is not None:
                    found.setdefault("udta", {})[typ[1:].decode("latin-1")] = text
            elif typ in _CONTAINERS:
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
    if "duration" in mut:
        out["duration"], sources["duration"] = mut["duration"], PARSER_NAMES["mutagen"]
    elif "duration" in mvhd:
        out["duration"], sources["duration"] = mvhd["duration"], PARSER_NAMES["atoms"]
    for field, key, ud in (("make", "com.apple.quicktime.make", "mak"), ("model", "com.apple.quicktime.model", "mod"),
                           ("software", "com.apple.quicktime.software", "swr")):
        val = keys.get(key) or udta.get(ud) or mut.get(field)
        if val:
            out[field] = val
            sources[field] = PARSER_NAMES["mutagen"] if val == mut.get(field) and val not in (keys.get(key), udta.get(ud)) else PARSER_NAMES["atoms"]
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
    loc_text = keys.get("com.apple.quicktime.location.ISO6709") or udta.get("xyz")
    if loc_text:
        pos = parse_iso6709(loc_text)
        if pos:
            out["gps"] = {"latitude": pos[0], "longitude": pos[1], "iso6709": loc_text.strip("\0")}
            if pos[2] is not None:
                out["gps"]["altitude"] = pos[2]
            out["gps"]["source"] = "Keys:GPSCoordinates" if keys.get("com.apple.quicktime.location.ISO6709") else "UserData:GPSCoordinates"
            sources["gps"] = PARSER_NAMES["atoms"]
        else:
            warnings.append({"parser": PARSER_NAMES["atoms"], "stage": "parse", "reason": f"unreadable ISO 6709 location {loc_text[:60]!r}"})
    if keys:
        out["quicktime_keys"] = {k: v for k, v in sorted(keys.items())}
    out["parsers"] = sources
    return out, warnings
