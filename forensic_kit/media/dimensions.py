"""Image width and height from the headers a file already carries, without decoding pixels.

JPEG ``SOFn``, PNG ``IHDR``, GIF logical screen, BMP info header, WebP ``VP8``/``VP8L``/``VP8X``,
HEIF ``ispe`` of the primary item (with its ``irot``), TIFF and TIFF-based RAW (the full-resolution
IFD, as ExifTool chooses it; Panasonic RW2 sensor borders). Every reader works on bytes already in
memory, is bounded by their length, and returns None rather than raising on a damaged header.
"""

from __future__ import annotations

import re
import struct
from typing import Any

# SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not SOFs
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
MAX_BOXES = 4096


def size_block(width: int, height: int, source: str, orientation: Any = None, rotation: int = 0) -> dict[str, Any]:
    """``{"width", "height", "source", "display_width", "display_height"}``: the stored size and
    the size as shown once the EXIF orientation (5-8 turn the image a quarter) or a container
    rotation (90/270) is applied."""
    turned = (isinstance(orientation, int) and 5 <= orientation <= 8) or rotation % 180 == 90
    return {"width": width, "height": height, "source": source,
            "display_width": height if turned else width, "display_height": width if turned else height}


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of the first SOF segment before the scan data."""
    pos = 2
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xDA, 0xD9):
            return None
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker in _SOF:
            if pos + 9 > n or length < 7:
                return None
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return (width, height) if width and height else None
        if length < 2:
            return None
        pos += 2 + length
    return None


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from ``IHDR``, which must be the first chunk."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return (width, height) if width and height else None


def gif_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of the logical screen."""
    if len(data) < 10 or data[:3] != b"GIF":
        return None
    width, height = struct.unpack_from("<HH", data, 6)
    return (width, height) if width and height else None


def bmp_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the BMP info header (a negative height means top-down rows)."""
    if len(data) < 26 or data[:2] != b"BM":
        return None
    header = struct.unpack_from("<I", data, 14)[0]
    if header == 12:
        width, height = struct.unpack_from("<HH", data, 18)
    elif header >= 40:
        width, height = struct.unpack_from("<ii", data, 18)
    else:
        return None
    width, height = abs(width), abs(height)
    return (width, height) if width and height else None


def webp_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first ``VP8X`` (canvas), ``VP8`` (key frame) or ``VP8L`` chunk."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk, at = data[12:16], 20
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[at + 4:at + 7], "little")
        height = 1 + int.from_bytes(data[at + 7:at + 10], "little")
        return width, height
    if chunk == b"VP8 ":
        if data[at + 3:at + 6] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack_from("<HH", data, at + 6)
        return (width & 0x3FFF, height & 0x3FFF) if width & 0x3FFF and height & 0x3FFF else None
    if chunk == b"VP8L":
        if data[at] != 0x2F:
            return None
        bits = int.from_bytes(data[at + 1:at + 5], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def _boxes(data: bytes, start: int, end: int, budget: list[int]) -> list[tuple[bytes, int, int]]:
    out = []
    pos = start
    end = min(end, len(data))
    while pos + 8 <= end:
        budget[0] += 1
        if budget[0] > MAX_BOXES:
            break
        size, typ = struct.unpack_from(">I4s", data, pos)
        hdr = 8
        if size == 1 and pos + 16 <= end:
            size, hdr = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < hdr or pos + size > end:
            break
        out.append((typ, pos + hdr, pos + size))
        pos += size
    return out


def heif_size(data: bytes) -> tuple[int, int, int] | None:
    """(width, height, rotation in degrees anticlockwise) of the primary item: its ``ispe`` and
    ``irot`` properties, found through ``pitm`` and ``ipma``."""
    budget = [0]
    meta = next(((s, e) for t, s, e in _boxes(data, 0, len(data), budget) if t == b"meta"), None)
    if meta is None:
        return None
    primary: int | None = None
    props: list[tuple[bytes, int, int]] = []
    ipma: tuple[int, int] | None = None
    for typ, s, e in _boxes(data, meta[0] + 4, meta[1], budget):
        if typ == b"pitm" and e - s >= 6:
            primary = struct.unpack_from(">H", data, s + 4)[0] if data[s] == 0 else (
                struct.unpack_from(">I", data, s + 4)[0] if e - s >= 8 else None)
        elif typ == b"iprp":
            for ptyp, ps, pe in _boxes(data, s, e, budget):
                if ptyp == b"ipco":
                    props = _boxes(data, ps, pe, budget)
                elif ptyp == b"ipma" and pe - ps >= 8 and ipma is None:
                    ipma = (ps, pe)
    if primary is None or ipma is None:
        return None
    assoc = _ipma(data, ipma[0], ipma[1], primary)
    width = height = None
    rotation = 0
    for index in assoc.get(primary, []):
        if not 0 < index <= len(props):
            continue
        ptyp, ps, pe = props[index - 1]
        if ptyp == b"ispe" and pe - ps >= 12 and width is None:
            width, height = struct.unpack_from(">II", data, ps + 4)
        elif ptyp == b"irot" and pe - ps >= 1:
            rotation = (data[ps] & 0x3) * 90
    if not width or not height:
        return None
    return width, height, rotation


def _ipma(data: bytes, s: int, e: int, wanted: int) -> dict[int, list[int]]:
    """Property indices of item ``wanted`` (the walk stops once it is found; a grid image lists
    every tile before or after it)."""
    version, flags = data[s], int.from_bytes(data[s + 1:s + 4], "big")
    count = struct.unpack_from(">I", data, s + 4)[0]
    pos = s + 8
    out: dict[int, list[int]] = {}
    for _ in range(min(count, MAX_BOXES)):
        id_len = 2 if version < 1 else 4
        if pos + id_len + 1 > e:
            break
        item = int.from_bytes(data[pos:pos + id_len], "big")
        pos += id_len
        n = data[pos]
        pos += 1
        wide = bool(flags & 1)
        indices = []
        for _ in range(n):
            if pos + (2 if wide else 1) > e:
                break
            if wide:
                indices.append(struct.unpack_from(">H", data, pos)[0] & 0x7FFF)
                pos += 2
            else:
                indices.append(data[pos] & 0x7F)
                pos += 1
        if item == wanted:
            out[item] = indices
            break
    return out


# TIFF field types → (struct code, size)
_TIFF_TYPES = {3: ("H", 2), 4: ("I", 4), 16: ("Q", 8)}
MAX_IFDS = 32


def tiff_size(data: bytes) -> tuple[int, int, str] | None:
    """(width, height, which IFD) of a TIFF or TIFF-based RAW.

    As ExifTool: the IFD marked full-resolution (``NewSubfileType`` 0) among IFD0 and its
    ``SubIFDs`` when IFD0 itself is a reduced image; otherwise IFD0. Panasonic RW2 (``IIU``) has
    no ImageWidth: its sensor borders give the size.
    """
    if len(data) < 8:
        return None
    order = "<" if data[:2] == b"II" else (">" if data[:2] == b"MM" else None)
    if order is None:
        return None
    magic = struct.unpack_from(order + "H", data, 2)[0]
    if magic not in (42, 0x55, 0x4F52, 43):
        return None
    big = magic == 43  # BigTIFF: 8-byte offsets, 20-byte entries, 8-byte entry counts
    if big and (len(data) < 16 or struct.unpack_from(order + "HH", data, 4) != (8, 0)):
        return None
    first = struct.unpack_from(order + ("Q" if big else "I"), data, 8 if big else 4)[0]
    ifd0 = _ifd(data, first, order, big)
    if ifd0 is None:
        return None
    if magic == 0x55 and all(t in ifd0 for t in (4, 5, 6, 7)):
        top, left, bottom, right = (ifd0[t][0] for t in (4, 5, 6, 7))
        if right > left and bottom > top:
            return right - left, bottom - top, "RW2 sensor borders"
    candidates = [("IFD0", ifd0)]
    for n, off in enumerate(ifd0.get(0x14A, [])[:MAX_IFDS]):
        sub = _ifd(data, off, order, big)
        if sub is not None:
            candidates.append((f"SubIFD{n}", sub))
    chosen = candidates[0]
    if ifd0.get(0xFE, [0])[0] & 1:  # IFD0 is a reduced-resolution image: look for the full one
        chosen = next((c for c in candidates[1:] if c[1].get(0xFE, [0])[0] == 0 and 0x100 in c[1]), chosen)
    tags = chosen[1]
    if 0x100 in tags and 0x101 in tags and tags[0x100][0] and tags[0x101][0]:
        return tags[0x100][0], tags[0x101][0], chosen[0]
    return None


def iiq_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PhaseOne IIQ raw from its own directory (tags 0x10C/0x10D).

    An IIQ is a TIFF whose IFD0 may be a 1x1 placeholder; at byte 8 it has ``IIII``, and at 16
    the offset (from byte 8) of its directory: a 4-byte entry count, 4 reserved bytes, then
    16-byte entries (tag, format, size, value) in little-endian order.
    """
    if data[8:12] != b"IIII" or len(data) < 20:
        return None
    base = 8
    start = base + int.from_bytes(data[16:20], "little")
    if start + 8 > len(data):
        return None
    count = int.from_bytes(data[start:start + 4], "little")
    found: dict[int, int] = {}
    for i in range(min(count, 1024)):
        at = start + 8 + 16 * i
        if at + 16 > len(data):
            break
        tag, _fmt, size, value = struct.unpack_from("<IIII", data, at)
        if tag in (0x10C, 0x10D) and size == 4:
            found.setdefault(tag, value)
    width, height = found.get(0x10C), found.get(0x10D)
    if width and height and width < 1 << 20 and height < 1 << 20:
        return width, height
    return None


def _ifd(data: bytes, off: int, order: str, big: bool = False) -> dict[int, list[int]] | None:
    """The integer tags of the IFD at ``off`` that sizes need (256, 257, 254, 330, RW2 0x4-0x7);
    ``big``: a BigTIFF IFD (8-byte count, 20-byte entries, 8-byte value/offset field)."""
    head, entry, field, offcode = (8, 20, 8, "Q") if big else (2, 12, 4, "I")
    if off < 8 or off + head > len(data):
        return None
    count = struct.unpack_from(order + ("Q" if big else "H"), data, off)[0]
    out: dict[int, list[int]] = {}
    for i in range(min(count, 1024)):
        at = off + head + entry * i
        if at + entry > len(data):
            break
        tag, typ = struct.unpack_from(order + "HH", data, at)
        n = struct.unpack_from(order + ("Q" if big else "I"), data, at + 4)[0]
        if tag not in (0x100, 0x101, 0xFE, 0x14A, 4, 5, 6, 7) or typ not in _TIFF_TYPES or not n:
            continue
        code, size = _TIFF_TYPES[typ]
        n = min(n, MAX_IFDS)
        if n * size <= field:
            where = at + entry - field
        else:
            where = struct.unpack_from(order + offcode, data, at + entry - field)[0]
        if where + n * size > len(data):
            continue
        out[tag] = list(struct.unpack_from(order + code * n, data, where))
    return out


def _jxl_codestream(data: bytes) -> bytes | None:
    if data[:2] == b"\xff\x0a":
        return data
    if data[:12] != b"\0\0\0\x0cJXL \r\n\x87\n":
        return None
    budget = [0]
    for typ, s, e in _boxes(data, 0, len(data), budget):
        if typ == b"jxlc" and data[s:s + 2] == b"\xff\x0a":
            return data[s:e]
        if typ == b"jxlp" and data[s + 4:s + 6] == b"\xff\x0a":
            return data[s + 4:e]
    return None


def jxl_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG XL ``SizeHeader`` (bare codestream or ``jxlc``/``jxlp`` box)."""
    code = _jxl_codestream(data)
    if code is None or len(code) < 12:
        return None
    bits = int.from_bytes(code[2:12], "little")
    pos = 0

    def take(n: int) -> int:
        nonlocal pos
        value = (bits >> pos) & ((1 << n) - 1)
        pos += n
        return value

    def u32() -> int:
        return take((9, 13, 18, 30)[take(2)]) + 1

    small = take(1)
    height = (take(5) + 1) * 8 if small else u32()
    ratio = take(3)
    if ratio:
        num, den = ((1, 1), (12, 10), (4, 3), (3, 2), (16, 9), (5, 4), (2, 1))[ratio - 1]
        width = height * num // den
    else:
        width = (take(5) + 1) * 8 if small else u32()
    return width, height


def other_size(data: bytes) -> tuple[int, int, str] | None:
    """(width, height, source) for image formats with a fixed header and no metadata reader:
    Minolta MRW, PSD, GIMP XCF, JPEG 2000 (``ihdr`` box or ``SIZ`` marker), JPEG XL, ICO, PCX, PNM/PFM, DjVu."""
    n = len(data)
    if data[:4] == b"\0MRM" and data[8:12] == b"\0PRD" and n >= 32:  # Minolta MRW: PRD block image size
        height, width = struct.unpack_from(">HH", data, 28)
        return (width, height, "MRW PRD") if width and height else None
    if data[:4] == b"8BPS" and n >= 22:
        height, width = struct.unpack_from(">II", data, 14)
        return (width, height, "PSD header") if width and height else None
    if data[:9] == b"gimp xcf " and n >= 22:
        at = data.find(b"\0", 9, 14) + 1
        if at > 0 and at + 8 <= n:
            width, height = struct.unpack_from(">II", data, at)
            return (width, height, "XCF header") if width and height else None
    if data[:12] == b"\0\0\0\x0cjP  \r\n\x87\n":
        at = data.find(b"ihdr", 0, 4096)
        if at >= 0 and at + 12 <= n:
            height, width = struct.unpack_from(">II", data, at + 4)
            return (width, height, "JPEG 2000 ihdr") if width and height else None
    if data[:4] == b"\xff\x4f\xff\x51" and n >= 24:  # J2K codestream: SOC, SIZ
        xsiz, ysiz, xo, yo = struct.unpack_from(">IIII", data, 8)
        return (xsiz - xo, ysiz - yo, "JPEG 2000 SIZ") if xsiz > xo and ysiz > yo else None
    if data[:2] == b"\xff\x0a" or data[:12] == b"\0\0\0\x0cJXL \r\n\x87\n":
        wh = jxl_size(data)
        return (wh[0], wh[1], "JPEG XL SizeHeader") if wh else None
    if data[:4] == b"\0\0\1\0" and n >= 8:  # ICO: the first image's entry (0 means 256)
        return data[6] or 256, data[7] or 256, "ICO directory"
    if data[:1] == b"\x0a" and n >= 12 and data[1] in (0, 2, 3, 4, 5) and data[2] == 1:  # PCX
        xmin, ymin, xmax, ymax = struct.unpack_from("<HHHH", data, 4)
        return (xmax - xmin + 1, ymax - ymin + 1, "PCX header") if xmax >= xmin and ymax >= ymin else None
    if data[:8] == b"AT&TFORM":  # DjVu: the INFO chunk of the first page (DJVU form)
        at = data.find(b"DJVUINFO", 12, 65536)
        if at >= 0 and at + 16 <= n:
            width, height = struct.unpack_from(">HH", data, at + 12)
            return (width, height, "DjVu INFO") if width and height else None
    m = re.match(rb"P([1-6Ff])\s+(?:#[^\n]*\n\s*)*(\d{1,6})\s+(?:#[^\n]*\n\s*)*(\d{1,6})\s", data[:512])
    if m:
        return int(m[2]), int(m[3]), "PNM header"
    return None


def image_size(data: bytes, container: str) -> tuple[int, int, str, int] | None:
    """(width, height, source, rotation) for an image held in ``data``; None when the header
    is not there or is damaged."""
    if container == "jpeg":
        wh = jpeg_size(data)
        return (wh[0], wh[1], "JPEG SOF", 0) if wh else None
    if container == "png":
        wh = png_size(data)
        return (wh[0], wh[1], "PNG IHDR", 0) if wh else None
    if container == "webp":
        wh = webp_size(data)
        return (wh[0], wh[1], "WebP " + data[12:16].decode("latin-1").strip(), 0) if wh else None
    if container == "heif":
        whr = heif_size(data)
        return (whr[0], whr[1], "HEIF ispe", whr[2]) if whr else None
    if container == "tiff":
        iiq = iiq_size(data)
        if iiq is not None:
            return iiq[0], iiq[1], "PhaseOne IIQ directory", 0
        wht = tiff_size(data)
        return (wht[0], wht[1], f"TIFF {wht[2]}", 0) if wht else None
    if container == "jxl":
        wh = jxl_size(data)
        return (wh[0], wh[1], "JPEG XL SizeHeader", 0) if wh else None
    if container == "gif":
        wh = gif_size(data)
        return (wh[0], wh[1], "GIF screen", 0) if wh else None
    if container == "bmp":
        wh = bmp_size(data)
        return (wh[0], wh[1], "BMP header", 0) if wh else None
    return None
