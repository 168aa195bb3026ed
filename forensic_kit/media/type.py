"""Type by content (python-magic / libmagic): MIME type, description, and a flag when the file
name's extension disagrees with the content (a ``.jpg`` that is a ZIP, a ``.txt`` that is a
SQLite database)."""

from __future__ import annotations

import os
from typing import Any

from forensic_kit.media import signatures

# Extension → MIME types libmagic may report for a genuine file of that kind. Only extensions
# listed here can be flagged; an unknown extension is never called a mismatch.
EXPECTED: dict[str, frozenset[str]] = {
    ext: frozenset(mimes) for exts, mimes in (
        (("jpg", "jpeg", "jpe", "jfif"), ("image/jpeg",)),
        (("png",), ("image/png",)),
        (("gif",), ("image/gif",)),
        (("bmp",), ("image/bmp", "image/x-ms-bmp")),
        (("tif", "tiff"), ("image/tiff", "image/x-tiff-big", "image/x-adobe-dng")),
        (("webp",), ("image/webp",)),
        (("heic", "heif", "hif"), ("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif")),
        (("avif",), ("image/avif",)),
        (("dng", "nef", "cr2", "arw", "orf", "rw2", "pef"), ("image/tiff", "image/x-canon-cr2", "image/x-nikon-nef",
                                                            "image/x-sony-arw", "image/x-olympus-orf", "image/x-panasonic-rw2",
                                                            "image/x-pentax-pef", "image/x-adobe-dng", "image/x-nikon-nrw", "application/octet-stream")),
        (("mp4", "m4v"), ("video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp")),
        (("mov", "qt"), ("video/quicktime", "video/mp4")),
        (("3gp",), ("video/3gpp", "video/mp4", "audio/3gpp")),
        (("3g2",), ("video/3gpp2", "video/mp4", "audio/3gpp2")),
        (("m4a",), ("audio/x-m4a", "audio/mp4", "video/mp4")),
        (("mp3",), ("audio/mpeg",)),
        (("wav",), ("audio/x-wav", "audio/wav")),
        (("ogg", "opus"), ("audio/ogg", "video/ogg", "application/ogg")),
        (("pdf",), ("application/pdf",)),
        (("zip",), ("application/zip",)),
        (("txt", "csv", "log"), ("text/plain", "text/csv", "application/csv", "text/x-Algol68", "application/json", "text/html", "text/xml")),
        (("sqlite", "db", "sqlite3"), ("application/x-sqlite3", "application/vnd.sqlite3")),
        (("docx",), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip")),
        (("xlsx",), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip")),
        (("pptx",), ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip")),
        (("html", "htm"), ("text/html", "text/xml")),
        (("xml",), ("text/xml", "application/xml")),
        (("json",), ("application/json", "text/plain")),
        (("gz",), ("application/gzip", "application/x-gzip")),
        (("exe", "dll"), ("application/x-dosexec", "application/vnd.microsoft.portable-executable")),
    )
    for ext in exts
}

# libmagic's "I don't know" answers: nothing to compare an extension with
_UNDECIDED = frozenset({"application/octet-stream", "application/x-empty"})

_magic: dict[bool, Any] = {}
_flags: dict[bool, tuple[int, int]] = {}  # (all tests, fast) libmagic flags per cookie
_fast_now: dict[bool, bool] = {}

# Files that start with one of these signatures are binary images or media: libmagic's text,
# encoding, CDF, tar, ELF, compression and token tests cannot match them, so they are switched
# off for them (a quarter of libmagic's time on a camera JPEG; the answers are the same on the
# whole corpus, see tests/media/test_type_oracle.py).
_BINARY_MEDIA = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\0", b"MM\0*", b"IIU\0", b"IIRO", b"GIF87a", b"GIF89a")
_FAST_FLAGS = ("MAGIC_NO_CHECK_ENCODING", "MAGIC_NO_CHECK_TEXT", "MAGIC_NO_CHECK_CDF", "MAGIC_NO_CHECK_TAR",
               "MAGIC_NO_CHECK_ELF", "MAGIC_NO_CHECK_COMPRESS", "MAGIC_NO_CHECK_TOKENS", "MAGIC_NO_CHECK_APPTYPE")


def _binary_media(head: bytes) -> bool:
    return head.startswith(_BINARY_MEDIA) or head[4:8] == b"ftyp" or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")

def _parser_name() -> str:
    from importlib import metadata

    try:
        pm = metadata.version("python-magic")
    except metadata.PackageNotFoundError:
        pm = "unknown"
    try:
        import magic

        lib = str(magic.version())  # type: ignore[no-untyped-call]
        lib = f"{lib[:-2]}.{lib[-2:]}" if lib.isdigit() and len(lib) >= 3 else lib
    except Exception:  # noqa: BLE001 - an old libmagic without magic_version()
        lib = "unknown"
    return f"python-magic {pm} (libmagic {lib})"


PARSER_NAME = _parser_name()


def _detector(mime: bool, fast: bool = False) -> Any:
    """libmagic for MIME types or descriptions; one cookie each, its flags switched per call
    (``fast``: the tests that cannot match binary media off). One database in memory per cookie."""
    import magic

    m = _magic.get(mime)
    if m is None:
        m = _magic[mime] = magic.Magic(mime=mime)
        _flags[mime] = (int(m.flags), int(m.flags) | _fast_bits(magic))
        _fast_now[mime] = False
    if _fast_now[mime] != fast:
        magic.magic_setflags(m.cookie, _flags[mime][1 if fast else 0])
        _fast_now[mime] = fast
    return m


def _fast_bits(magic: Any) -> int:
    bits = 0
    for name in _FAST_FLAGS:
        bits |= int(getattr(magic, name, 0))
    return bits


def extension(name: bytes | str) -> str | None:
    """The lower-case extension of a file name, without the dot; None when there is none."""
    base = os.path.basename(os.fsdecode(name) if isinstance(name, bytes) else name)
    if "." not in base.strip("."):
        return None
    return base.rsplit(".", 1)[1].lower() or None


def detect(head: bytes, name: bytes | str) -> dict[str, Any]:
    """``{"mime", "description", "extension", "extension_mismatch"}`` for the first bytes of a
    file. ``extension_mismatch`` is null when the extension is unknown (nothing to compare)."""
    fast = _binary_media(head)
    mime = str(_detector(True, fast).from_buffer(head)) if head else "application/x-empty"
    desc = str(_detector(False, fast).from_buffer(head)) if head else "empty"
    ext = extension(name)
    mime, desc = signatures.refine(mime, desc, head, ext)
    expected = EXPECTED.get(ext) if ext else None
    mismatch: bool | None = None
    if expected is not None and head and mime not in _UNDECIDED:
        mismatch = mime not in expected
    block: dict[str, Any] = {"mime": mime, "description": desc, "extension": ext, "extension_mismatch": mismatch}
    if mismatch:
        block["expected_mime"] = sorted(expected or ())
    return block


def container(mime: str, head: bytes) -> str:
    """Which metadata path a file takes: ``jpeg``, ``heif``, ``webp``, ``png``, ``jxl``, ``tiff``,
    ``gif``, ``bmp`` (size only), ``avi``, ``isobmff`` (MP4/MOV/3GP/M4A), ``other``."""
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis", b"mif2"):
            return "heif"
        return "isobmff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:12] == b"\0\0\0\x0cJXL \r\n\x87\n":
        return "jxl"
    if head[:4] in (b"II*\0", b"MM\0*", b"IIRO", b"IIU\0", b"II+\0", b"MM\0+") or mime == "image/tiff":
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM" and mime in ("image/bmp", "image/x-ms-bmp"):
        return "bmp"
    if mime in ("video/quicktime", "video/mp4", "video/3gpp", "video/3gpp2", "audio/x-m4a", "audio/mp4") or head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "isobmff"
    return "other"
