"""Reading the characters of a level MRZ crop: OCR-B templates first, Tesseract as the second opinion.

An MRZ is printed in one typeface (OCR-B, ISO 1073-2) on a fixed grid (30, 36 or 44 characters a
line). :func:`read_grid` finds the 2 or 3 text lines of a crop, fits the character grid to each
line, and matches every cell against glyphs rendered from the Debian ``fonts-ocr-b`` font
(normalised correlation, a few pixels of shift allowed). It keeps the runner-up of each cell,
which :mod:`forensic_kit.mrz.correct` may use where a check digit fails. :func:`tesseract` runs
Debian's Tesseract (``eng`` model, characters limited to ``0-9A-Z<``) in a subprocess with a
time limit; it is used where the grid cannot be fitted.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from forensic_kit.mrz.icao import ALPHABET

OCRB_FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
CELL_W, CELL_H, PAD = 18, 26, 3
SHIFT_COST = 0.02
Gray = npt.NDArray[Any]


@dataclass(frozen=True)
class Reading:
    """What a reader saw: the lines, a 0-1 confidence per character and each cell's runner-up."""

    lines: tuple[str, ...]
    confidence: tuple[tuple[float, ...], ...]
    second: tuple[str, ...]
    engine: str
    margin: tuple[tuple[float, ...], ...] = ()
    """Per character: best score minus the runner-up's (small = the two glyphs look alike)."""

    @property
    def mean_confidence(self) -> float:
        """Mean character confidence (0 when nothing was read)."""
        flat = [c for line in self.confidence for c in line]
        return float(sum(flat) / len(flat)) if flat else 0.0


@functools.lru_cache(maxsize=2)
def _templates(band: str = "0") -> tuple[npt.NDArray[np.float32], str]:
    """Glyph templates (n, H*W) cut the way :func:`read_grid` cuts image cells: the cell's
    height follows the tallest glyphs of the line, digits (``band="0"``; OCR-B digits are taller
    than capitals) or capitals (``band="H"``, a line of names)."""
    from PIL import Image, ImageDraw, ImageFont

    if not OCRB_FONT.exists():
        raise FileNotFoundError(f"OCR-B font not found: {OCRB_FONT} (apt-get install fonts-ocr-b)")
    font = ImageFont.truetype(str(OCRB_FONT), 120)
    adv = font.getlength("<")
    top = font.getbbox(band)[1]
    bottom = font.getbbox(band)[3]
    out = []
    for ch in ALPHABET:
        img = Image.new("L", (int(adv * 2), 200), 255)
        ImageDraw.Draw(img).text((adv / 2, 0), ch, font=font, fill=0)
        arr = np.asarray(img)
        cap = bottom - top
        y0, y1 = top - 0.2 * cap, bottom + 0.2 * cap
        cell = arr[int(y0):int(y1), int(adv / 2 - adv * 0.05):int(adv / 2 + adv * 1.05)]
        out.append(_normalise(cv2.resize(cell, (CELL_W, CELL_H), interpolation=cv2.INTER_AREA)))
    return np.stack(out), ALPHABET


def _normalise(cell: Gray) -> npt.NDArray[np.float32]:
    v = (255.0 - cell.astype(np.float32)).ravel()
    v -= v.mean()
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-6 else v


def _lines(ink: Gray) -> list[tuple[npt.NDArray[np.float32], float]]:
    """Text lines of a binary crop, top to bottom: (component boxes x0,y0,x1,y1; cap height)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return []
    x, y, w, h, area = (stats[1:, i].astype(np.float32) for i in range(5))
    H = ink.shape[0]
    keep = (h >= H * 0.06) & (h <= H * 0.6) & (area >= 6) & (w <= H * 0.6)
    boxes = np.column_stack([x, y, x + w, y + h])[keep]
    if len(boxes) < 20:
        return []
    tall = boxes[(boxes[:, 3] - boxes[:, 1]) >= np.percentile(boxes[:, 3] - boxes[:, 1], 60)]
    cap = float(np.median(tall[:, 3] - tall[:, 1]))
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    order = np.argsort(cy)
    groups: list[list[int]] = []
    for i in order:
        if groups and cy[i] - cy[groups[-1][-1]] < cap * 0.6:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    out = []
    for g in groups:
        if len(g) < 12:
            continue
        b = boxes[g]
        b = b[np.argsort(b[:, 0])]
        hb = b[:, 3] - b[:, 1]
        big = b[hb >= 0.75 * cap]
        if len(big) < 3:
            continue
        out.append((b, cap))
    return out


@dataclass(frozen=True)
class Grid:
    """A text line's character grid: centre of cell k is poly(k0 + k); top/bottom lines of x."""

    poly: tuple[float, float, float]
    """Quadratic fit (perspective); used when the blobs cover the whole line."""
    linear: tuple[float, float, float]
    """Straight fit, used to extrapolate when blobs are missing at an end."""
    k0: float
    pitch: float
    count: int
    top: tuple[float, float]
    bottom: tuple[float, float]
    residual: float


def _grid(b: npt.NDArray[np.float32], cap: float) -> Grid | None:
    """Fit a fixed-pitch grid to one line's boxes (the longest evenly spaced run of them)."""
    cx = (b[:, 0] + b[:, 2]) / 2
    order = np.argsort(cx)
    b, cx = b[order], cx[order]
    gaps = np.diff(cx)
    if len(gaps) < 10:
        return None
    p0 = float(np.median(gaps[gaps > 0.3 * np.median(gaps)]))
    if p0 <= 0:
        return None
    # merge fragments of one character (centres closer than 0.4 pitch)
    keep = [0]
    for i in range(1, len(cx)):
        if cx[i] - cx[keep[-1]] < 0.4 * p0:
            continue
        keep.append(i)
    b, cx = b[keep], cx[keep]
    gaps = np.diff(cx)
    # the longest run without a gap over 2.6 pitches (an MRZ line has no spaces: '<' fills them)
    cuts = np.nonzero(gaps > 2.6 * p0)[0]
    starts = np.concatenate([[0], cuts + 1])
    ends = np.concatenate([cuts + 1, [len(cx)]])
    j = int(np.argmax(ends - starts))
    b, cx = b[starts[j]:ends[j]], cx[starts[j]:ends[j]]
    if len(cx) < 12:
        return None
    steps = np.maximum(1, np.round(np.diff(cx) / p0))
    k = np.concatenate([[0.0], np.cumsum(steps)])
    # x = f(k) quadratic: a photo's perspective shortens the pitch along the line
    coef = np.polyfit(k, cx, 2)
    pitch = float(np.polyval(np.polyder(coef), k.mean()))
    k = np.round(k + (cx - np.polyval(coef, k)) / pitch)
    coef = np.polyfit(k, cx, 2)
    residual = float(np.mean(np.abs(cx - np.polyval(coef, k))) / pitch)
    lin = np.polyfit(k, cx, 1)
    hb = b[:, 3] - b[:, 1]
    tall = hb >= 0.92 * float(np.percentile(hb, 90))
    if tall.sum() < 3:
        return None
    # the line's centre from every blob (the fillers reach the end of the line), its height from
    # the tallest glyphs
    cy = (b[:, 1] + b[:, 3]) / 2
    slope, icept = np.polyfit(cx, cy, 1) if np.ptp(cx) > 0 else (0.0, float(cy.mean()))
    offset = float(np.median(cy[tall] - (slope * cx[tall] + icept)))
    cap_h = float(np.median(hb[tall]))
    top = (float(slope), float(icept + offset - cap_h / 2))
    bottom = (float(slope), float(icept + offset + cap_h / 2))
    k0 = float(k.min())
    return Grid(tuple(float(c) for c in coef), (0.0, float(lin[0]), float(lin[1])), k0, float(pitch),  # type: ignore[arg-type]
                int(k.max() - k0 + 1),
                top, bottom, residual)


def read_grid(crop: Gray) -> Reading | None:
    """Read a level MRZ crop with OCR-B templates (``None`` if no 2-3 line grid fits it)."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    lines = _lines(ink)
    grids = []
    for boxes, cap in lines:
        g = _grid(boxes, cap)
        if g is not None and g.count in (29, 30, 31, 35, 36, 37, 43, 44, 45) and g.residual < 0.2:
            grids.append(g)
    if len(grids) > 3:
        grids = grids[-3:]
    if len(grids) == 3 and not all(abs(g.count - 30) <= 1 for g in grids):
        grids = grids[-2:]
    if len(grids) not in (2, 3):
        return None
    sizes = (30,) if len(grids) == 3 else (44, 36)
    n = min(sizes, key=lambda size: sum(abs(g.count - size) for g in grids))
    if any(abs(g.count - n) > 1 for g in grids):
        return None
    text, conf, second, margins = [], [], [], []
    for g in grids:
        # a grid one cell short (a faint '<' lost) or long: try both ends, keep the better reading
        shifts = (0,) if g.count == n else ((0, -1) if g.count < n else (0, 1))
        if g.count != n:
            g = Grid(g.linear, g.linear, g.k0, g.pitch, g.count, g.top, g.bottom, g.residual)
        results = []
        for shift in shifts:
            stack = np.stack([_cell(crop, g, g.k0 + shift + k) for k in range(n)])
            results += [_match(stack, *_templates(band)) for band in ("0", "H")]
        chars, c1, c2, mg = max(results, key=lambda r: sum(r[1]))
        text.append(chars)
        conf.append(c1)
        second.append(c2)
        margins.append(tuple(mg))
    return Reading(tuple(text), tuple(tuple(c) for c in conf), tuple(second), "ocrb-templates", tuple(margins))


def _cell(crop: Gray, g: Grid, k: float) -> Gray:
    """The padded cell of grid position ``k``."""
    cx = float(np.polyval(np.array(g.poly), k))
    pitch = float(np.polyval(np.polyder(np.array(g.poly)), k))
    top = g.top[0] * cx + g.top[1]
    bottom = g.bottom[0] * cx + g.bottom[1]
    cap = bottom - top
    return _cut(crop, cx - pitch * 0.55, top - 0.2 * cap, cx + pitch * 0.55, bottom + 0.2 * cap)


def _cut(img: Gray, xa: float, ya: float, xb: float, yb: float) -> Gray:
    """The patch (xa..xb, ya..yb) with PAD template pixels of margin, resized to the padded cell."""
    sx = (xb - xa) / CELL_W
    sy = (yb - ya) / CELL_H
    src = np.array([[xa - PAD * sx, ya - PAD * sy], [xb + PAD * sx, ya - PAD * sy], [xa - PAD * sx, yb + PAD * sy]], np.float32)
    dst = np.array([[0, 0], [CELL_W + 2 * PAD, 0], [0, CELL_H + 2 * PAD]], np.float32)
    m = cv2.getAffineTransform(src, dst)
    return cv2.warpAffine(img, m, (CELL_W + 2 * PAD, CELL_H + 2 * PAD), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_REPLICATE)


def _match(cells: npt.NDArray[np.uint8], templates: npt.NDArray[np.float32],
           alphabet: str) -> tuple[str, list[float], str, list[float]]:
    """Best and runner-up template for each padded cell, over shifts of up to PAD pixels."""
    n = len(cells)
    wins = np.lib.stride_tricks.sliding_window_view(cells, (CELL_H, CELL_W), axis=(1, 2))
    v = (255.0 - wins.astype(np.float32)).reshape(-1, CELL_H * CELL_W)  # (n * shifts, pixels)
    v -= v.mean(axis=1, keepdims=True)
    v /= np.maximum(np.sqrt((v * v).sum(axis=1, keepdims=True)), 1e-6)
    scores = (v @ templates.T).reshape(n, 2 * PAD + 1, 2 * PAD + 1, len(alphabet))
    # a shifted window may take in part of the next character ('<<' looks like 'K'): shifts cost
    dy, dx = np.mgrid[-PAD:PAD + 1, -PAD:PAD + 1]
    scores -= (SHIFT_COST * (np.abs(dx) + np.abs(dy)))[None, :, :, None].astype(np.float32)
    best = scores.reshape(n, -1, len(alphabet)).max(axis=1)
    order = np.argsort(-best, axis=1)
    first = "".join(alphabet[i] for i in order[:, 0])
    runner = "".join(alphabet[i] for i in order[:, 1])
    conf = [float(max(0.0, best[i, order[i, 0]])) for i in range(len(cells))]
    margin = [float(best[i, order[i, 0]] - best[i, order[i, 1]]) for i in range(len(cells))]
    return first, conf, runner, margin


def tesseract_available() -> bool:
    """Whether the ``tesseract`` program is on PATH."""
    return shutil.which("tesseract") is not None


def tesseract(crop: Gray, timeout_s: float = 5.0) -> Reading | None:
    """Read a level crop with Tesseract (``--psm 6``, ``0-9A-Z<`` only); ``None`` on failure/timeout."""
    ok, png = cv2.imencode(".png", crop)
    if not ok or not tesseract_available():
        return None
    try:
        res = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", "6", "-c", f"tessedit_char_whitelist={ALPHABET}"],
            input=png.tobytes(), capture_output=True, timeout=timeout_s, check=False,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    if res.returncode != 0:
        return None
    lines = ["".join(c for c in line if c in ALPHABET) for line in res.stdout.decode("ascii", "replace").splitlines()]
    lines = [line for line in lines if len(line) >= 20]
    if len(lines) not in (2, 3):
        return None
    lines = _fit_lengths(lines)
    return Reading(tuple(lines), tuple(tuple(0.5 for _ in line) for line in lines),
                   tuple("<" * len(line) for line in lines), "tesseract")


def _fit_lengths(lines: list[str]) -> list[str]:
    """Tesseract lines brought to the layout's length: a stray K/X/C/E/L inside a filler run (or a
    trailing filler) removed from a long line, fillers added to the end of a short one."""
    sizes = (30,) if len(lines) == 3 else (44, 36)
    mean = sum(len(x) for x in lines) / len(lines)
    n = min(sizes, key=lambda size: abs(size - mean))
    out = []
    for line in lines:
        while len(line) > n:
            stray = next((i for i in range(len(line) - 1, 0, -1)
                          if line[i] in "KXCEL" and line[i - 1] == "<"), None)
            if stray is not None:
                line = line[:stray] + line[stray + 1:]
            elif line.endswith("<"):
                line = line[:-1]
            else:
                line = line[:n]
        out.append(line.ljust(n, "<"))
    return out
