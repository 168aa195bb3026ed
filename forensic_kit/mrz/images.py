"""Opening images (and PDF pages) for MRZ search, with bounded memory and time.

The file's bytes are read once (read-only, ``O_NOATIME``) and hashed; the image is decoded from
those bytes. Limits: ``MAX_BYTES`` per file, ``MAX_PIXELS`` per image (Pillow's decompression-bomb
guard raises above it), a JPEG is decoded at a reduced scale (``draft``) when larger than needed,
``MAX_FRAMES`` pages of a TIFF, ``MAX_PDF_PAGES`` pages of a PDF (rendered by poppler's
``pdftoppm`` in a subprocess with a time limit). Every failure is an :class:`ImageError` with a
one-line reason.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from forensic_kit.fileopen import open_readonly
from forensic_kit.hashing import hash_bytes

MAX_BYTES = 256 * 1024 * 1024
MAX_PIXELS = 80_000_000
MAX_FRAMES = 20
MAX_PDF_PAGES = 50
PDF_DPI = 200
PDF_TIMEOUT_S = 60.0
DECODE_SIDE = 2400
"""A JPEG larger than this (long side) is decoded at 1/2, 1/4 or 1/8 scale, down to this size."""

SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"%PDF-", "PDF"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"), (b"BM", "BMP"),
)
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class ImageError(Exception):
    """An image that cannot be read or decoded (one-line reason in ``str()``)."""


@dataclass(frozen=True)
class Page:
    """One decoded picture: a grayscale array, its page number (PDF/TIFF) and the decode scale."""

    gray: npt.NDArray[np.uint8]
    page: int | None
    scale: float
    """Original pixels per decoded pixel (``draft`` decoding of a large JPEG gives 2, 4 or 8)."""
    width: int
    height: int


def sniff(head: bytes) -> str | None:
    """The image format of a file from its first bytes (``None``: not an image fkit reads)."""
    for sig, name in SIGNATURES:
        if head.startswith(sig):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "HEIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def read_file(path: bytes) -> tuple[bytes, dict[str, str]]:
    """The bytes of ``path`` (read-only, not through a final symlink) and their hashes."""
    try:
        fd = open_readonly(path, nonblock=True)  # a FIFO in its place must not hang the run
    except OSError as exc:
        raise ImageError(f"cannot open: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        import stat as stat_mod

        if not stat_mod.S_ISREG(st.st_mode):
            raise ImageError("not a regular file")
        if st.st_size > MAX_BYTES:
            raise ImageError(f"file of {st.st_size:,} bytes is over the {MAX_BYTES:,}-byte limit for an image")
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_BYTES:
                raise ImageError(f"file grew over the {MAX_BYTES:,}-byte limit while read")
            chunks.append(chunk)
    except OSError as exc:
        raise ImageError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data, hash_bytes(data)


def pages(data: bytes, fmt: str) -> Iterator[Page]:
    """Decoded grayscale pages of an image or PDF (raises :class:`ImageError`)."""
    if fmt == "PDF":
        yield from _pdf_pages(data)
        return
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2  # Pillow raises DecompressionBombError at twice this
    if fmt == "HEIF":
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError as exc:  # pragma: no cover - pillow-heif is a dependency
            raise ImageError(f"HEIF support missing: {exc}") from None
    try:
        im = Image.open(io.BytesIO(data))
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise ImageError(f"image of {w} x {h} pixels is over the {MAX_PIXELS:,}-pixel limit")
        n = getattr(im, "n_frames", 1) if fmt == "TIFF" else 1
        for frame in range(min(n, MAX_FRAMES)):
            if frame:
                im.seek(frame)
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise ImageError(f"page {frame + 1} of {w} x {h} pixels is over the pixel limit")
            scale = 1.0
            if fmt == "JPEG" and max(w, h) > DECODE_SIDE:
                im.draft("L", (max(1, w * DECODE_SIDE // max(w, h)), max(1, h * DECODE_SIDE // max(w, h))))
                scale = w / im.size[0]
            gray = np.asarray(im.convert("L"))
            yield Page(gray, frame + 1 if n > 1 else None, scale, w, h)
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"decompression bomb refused: {exc}") from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError, IndexError, TypeError) as exc:
        raise ImageError(f"cannot decode {fmt}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _pdf_pages(data: bytes) -> Iterator[Page]:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2
    with tempfile.TemporaryDirectory(prefix="fkit-mrz-") as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as fh:
            fh.write(data)
        try:
            res = subprocess.run(["pdftoppm", "-r", str(PDF_DPI), "-gray", "-png", "-l", str(MAX_PDF_PAGES),
                                  src, os.path.join(tmp, "p")], capture_output=True, timeout=PDF_TIMEOUT_S)
        except FileNotFoundError:
            raise ImageError("pdftoppm not found (apt-get install poppler-utils)") from None
        except subprocess.TimeoutExpired:
            raise ImageError(f"PDF pages not rendered within {PDF_TIMEOUT_S:.0f} s") from None
        outs = sorted(f for f in os.listdir(tmp) if f.startswith("p") and f.endswith(".png"))
        if res.returncode != 0 and not outs:
            msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ImageError(f"cannot render PDF: {msg[0] if msg else 'pdftoppm failed'}")
        for name in outs:
            number = int(name[2:-4])
            with Image.open(os.path.join(tmp, name)) as im:
                gray = np.asarray(im.convert("L"))
            yield Page(gray, number, 1.0, gray.shape[1], gray.shape[0])
