"""The picture of a zone already read: cut level out of its image along the record's corners.

For the PDF list of documents (``fkit mrz --pdf``): the image is read again, read-only, and its
SHA-256 must be the one in the ``doc.mrz`` record before anything is cut from it (a file changed
or replaced since the reading gives no picture, and says so). Nothing is ever written to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from forensic_kit import names
from forensic_kit.mrz import images

MAX_WIDTH = 1400
"""Width (px) of the level crop; enough for 44 characters at 30 px each."""


@dataclass(frozen=True)
class Crop:
    """A zone's picture (grayscale, level, first character top-left) or why there is none."""

    pixels: npt.NDArray[np.uint8] | None
    problem: str | None
    """``missing`` (no path, or unreadable), ``changed`` (SHA-256 differs from the record),
    ``page`` (the page is not in the file), ``corners`` (no usable corners); None when cut."""


def zone_crop(rec: dict[str, Any], pad: float = 0.25) -> Crop:
    """The zone of ``doc.mrz`` record ``rec`` cut from its image, ``pad`` of its height around it."""
    corners = rec.get("corners")
    want = ((rec.get("image") or {}).get("hashes") or {}).get("sha256")
    if "path" not in rec or not isinstance(want, str):
        return Crop(None, "missing")
    try:
        quad = np.array(corners, np.float32).reshape(4, 2)
    except (TypeError, ValueError):
        return Crop(None, "corners")
    try:
        data, hashes = images.read_file(names.raw_path(rec))
    except (images.ImageError, OSError):
        return Crop(None, "missing")
    if hashes.get("sha256") != want:
        return Crop(None, "changed")
    fmt = images.sniff(data[:16])
    if fmt is None:
        return Crop(None, "missing")
    try:
        for page in images.pages(data, fmt):
            if page.page == rec.get("page"):
                return _cut(page, quad, pad)
    except images.ImageError:
        return Crop(None, "missing")
    return Crop(None, "page")


def _cut(page: images.Page, quad: npt.NDArray[np.float32], pad: float) -> Crop:
    q = quad / np.float32(page.scale)  # record corners are in original pixels; the page may be reduced
    w = float(np.linalg.norm(q[1] - q[0]))
    h = float(np.linalg.norm(q[3] - q[0]))
    if w < 4 or h < 2 or not np.isfinite(q).all():
        return Crop(None, "corners")
    ux, uy = (q[1] - q[0]) / w, (q[3] - q[0]) / h
    m = h * pad
    grown = np.array([q[0] - ux * m - uy * m, q[1] + ux * m - uy * m, q[2] + ux * m + uy * m,
                      q[3] - ux * m + uy * m], np.float32)
    gw, gh = w + 2 * m, h + 2 * m
    out_w = int(min(MAX_WIDTH, max(64.0, gw)))
    out_h = max(8, int(round(out_w * gh / gw)))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(grown, dst)
    pixels = cv2.warpPerspective(page.gray, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return Crop(np.ascontiguousarray(pixels, dtype=np.uint8), None)

