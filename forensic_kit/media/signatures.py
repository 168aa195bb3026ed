"""Formats libmagic 5.44 leaves undecided or names only by their container, told apart by their
own signatures (the magic numbers of each format's specification, as ExifTool checks them too).

:func:`refine` is applied after libmagic: it never overrides a specific answer, only
``application/octet-stream``, a text answer for a format that starts with a text header, and the
TIFF container of a TIFF-based raw dialect (where the extension names the dialect, as ExifTool
names it, and the content must be TIFF).
"""

from __future__ import annotations

import re
from typing import Literal

# (pattern at the start of the file, MIME type as ExifTool gives it, description); for an undecided answer
_BINARY: tuple[tuple[re.Pattern[bytes], str, str], ...] = tuple(
    (re.compile(pat, re.DOTALL), mime, desc) for pat, mime, desc in (
        (rb"IIU\0", "image/x-panasonic-rw2", "Panasonic RW2 raw image (TIFF-like, IIU)"),
        (rb"\0\0\0\x18ftypcrx ", "image/x-canon-cr3", "Canon CR3 raw image (ISO base media, brand crx)"),
        (rb"\0MRM", "image/x-minolta-mrw", "Minolta MRW raw image"),
        (rb".{4}\x57\x90\x75\x36", "audio/audible", "Audible audiobook (.aa)"),
        (rb"ZISRAWFILE\0{6}", "image/x-zeiss-czi", "Zeiss CZI (ZISRAW) microscopy image"),
        (rb"[\x02]dss|\x03ds2", "audio/x-dss", "Olympus Digital Speech Standard audio"),
        (rb"FLIF[0-\x6f][0-2]", "image/flif", "Free Lossless Image Format"),
        (rb"FPF Public Image Format\0", "image/x-flir-fpf", "FLIR Public Image Format"),
        (rb"\x89LFP\r\n\x1a\n", "image/x-lytro-lfp", "Lytro light field picture"),
        (rb".{64}[\x01\x02\x03]\0\0\0[\x01\x02\x03]\0\0\0[\x01\x02\x03]\0\0\0.{132}MAP[\0 ](?:DD|DA|\x11\x11)\0\0",
         "image/x-mrc", "MRC (Medical Research Council) image"),
        (rb".{2048}PCD_IPI", "image/x-photo-cd", "Kodak Photo CD image pac"),
        (rb"Paint Shop Pro Image File\n\x1a\0{5}", "image/x-paintshoppro", "Paint Shop Pro image"),
        (rb"\0\0..RED[12]", "video/x-red-r3d", "Redcode RAW video (R3D)"),
        (rb"\xb7\xd8\x00\x20\x37\x49\xda\x11\xa6\x4e\x00\x07\xe9\x5e\xad\x8d", "video/x-ms-wtv", "Windows recorded TV show (WTV)"),
        (rb".{25}ARECOYK", "image/x-raw", "Kyocera Contax N Digital raw image"),
    ))
# Signatures too weak alone (a few common bytes): taken only with the format's own extension
_BINARY_BY_EXTENSION: dict[str, tuple[re.Pattern[bytes], str, str]] = {
    ext: (re.compile(pat, re.DOTALL), mime, desc) for exts, pat, mime, desc in (
        (("pict", "pct"), rb"(?:.{10}|.{522})(?:\x11\x01|\x00\x11)", "image/pict", "Apple PICT image"),
        (("pmp",), rb".{8}\0{3}\x7c.{112}\xff\xd8\xff\xdb", "image/x-sony-pmp", "Sony DSC-F1 PMP image"),
    ) for ext in exts
}
# MIE: "~" + format/size bytes + "0MIE", then a "0Type" element names the contained format
_MIE = re.compile(rb"~[\x10\x18]\x04.0MIE", re.DOTALL)
_MIE_TYPE = re.compile(rb"~.\x05.0Type([A-Z0-9]{2,8})", re.DOTALL)
# Formats with a text header that libmagic calls text/plain
_TEXT: tuple[tuple[re.Pattern[bytes], str, str], ...] = (
    (re.compile(rb"P[Ff]\n\d+ \d+\n[-+0-9.]+\n"), "image/x-pfm", "Portable FloatMap image (PFM)"),
    (re.compile(rb"#\?(?:RADIANCE|RGBE)\n"), "image/vnd.radiance", "Radiance RGBE high dynamic range image"),
)
# A RealAudio metafile is one URL in a text file: only with its own extension
_RAM_EXTENSIONS = ("ram", "rpm")
_RAM = re.compile(rb"(?:pnm|rtsp|http)://")
# TIFF-based raw formats named by the extension (ExifTool's MIME names); the content must be TIFF
RAW_TIFF_DIALECTS: dict[str, str] = {
    "nef": "image/x-nikon-nef", "nrw": "image/x-nikon-nrw", "cr2": "image/x-canon-cr2", "arw": "image/x-sony-arw",
    "sr2": "image/x-sony-sr2", "srf": "image/x-sony-srf", "pef": "image/x-pentax-pef", "srw": "image/x-samsung-srw",
    "dcr": "image/x-kodak-dcr", "kdc": "image/x-kodak-kdc", "erf": "image/x-epson-erf", "mef": "image/x-mamiya-mef",
    "iiq": "image/x-raw", "mos": "image/x-raw", "rwl": "image/x-leica-rwl", "fff": "image/x-hasselblad-fff",
    "3fr": "image/x-hasselblad-3fr", "dng": "image/x-adobe-dng",
}
_DNG_VERSION = 0xC612


def _tiff_has_dng_version(head: bytes) -> bool:
    """True when IFD0 of a classic TIFF carries the DNGVersion tag (what makes a DNG a DNG)."""
    order: Literal["little", "big"] = "little" if head[:2] == b"II" else "big"
    off = int.from_bytes(head[4:8], order)
    if off < 8 or off + 2 > len(head):
        return False
    count = int.from_bytes(head[off:off + 2], order)
    for i in range(min(count, 1000)):
        entry = off + 2 + 12 * i
        if entry + 2 > len(head):
            return False
        if int.from_bytes(head[entry:entry + 2], order) == _DNG_VERSION:
            return True
    return False


def refine(mime: str, desc: str, head: bytes, ext: str | None) -> tuple[str, str]:
    """libmagic's (MIME type, description), made specific where a signature says more."""
    if mime == "application/octet-stream":
        for pattern, sig_mime, sig_desc in _BINARY:
            if pattern.match(head):
                return sig_mime, sig_desc
        if ext in _BINARY_BY_EXTENSION:
            pattern, sig_mime, sig_desc = _BINARY_BY_EXTENSION[ext]
            if pattern.match(head):
                return sig_mime, sig_desc
        if _MIE.match(head):
            m = _MIE_TYPE.search(head, 0, 64)
            return ("image/x-mie-" + m.group(1).decode().lower() if m else "application/x-mie"), "MIE (Meta Information Encapsulation)"
        return mime, desc
    if mime.startswith("text/"):
        for pattern, sig_mime, sig_desc in _TEXT:
            if pattern.match(head):
                return sig_mime, sig_desc
        if ext in _RAM_EXTENSIONS and _RAM.match(head):
            return "audio/x-pn-realaudio", "RealAudio metafile (a URL)"
        return mime, desc
    if mime == "image/tiff":
        if head[:4] in (b"II+\0", b"MM\0+"):
            return "image/x-tiff-big", desc
        if head[:4] in (b"II*\0", b"MM\0*"):
            if _tiff_has_dng_version(head):
                return "image/x-adobe-dng", desc
            if ext in RAW_TIFF_DIALECTS and ext != "dng":
                return RAW_TIFF_DIALECTS[ext], desc
    if mime == "image/jpeg" and ext == "jps":
        return "image/x-jps", "JPEG stereo pair (JPS)"
    return mime, desc
