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
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from forensic_kit.mrz.icao import ALPHABET

OCRB_FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
CELL_W, CELL_H, PAD = 18, 26, 3
Gray = npt.NDArray[np.uint8]


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


@functools.lru_cache(maxsize=1)
def _templates() -> tuple[npt.NDArray[np.float32], str]:
    """Glyph templates (n, (H+2P)*(W+2P)) cut the way :func:`_cells` cuts image cells."""
    from PIL import Image, ImageDraw, ImageFont

    if not OCRB_FONT.exists():
        raise FileNotFoundError(f"OCR-B font not found: {OCRB_FONT} (apt-get install fonts-ocr-b)")
    font = ImageFont.truetype(str(OCRB_FONT), 120)
    adv = font.getlength("<")
    top = font.getbbox("H")[1]
    bottom = font.getbbox("H")[3]
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


def _lines(ink: Gray) -> list[tuple[npt.NDArray[np.float32], float, float]]:
    """Text lines of a binary crop: (component boxes x0,y0,x1,y1 sorted by x, top, bottom)."""
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
        out.append((b, float(np.median(big[:, 1])), float(np.median(big[:, 3]))))
    return out


def _fit(b: npt.NDArray[np.float32], n: int) -> tuple[float, float, float]:
    """Grid origin, pitch and misfit (mean distance of the boxes' centres to the grid, in pitches)."""
    cx = (b[:, 0] + b[:, 2]) / 2
    x0, x1 = float(cx[0]), float(cx[-1])
    pitch = (x1 - x0) / (n - 1)
    if pitch <= 0:
        return x0, 1.0, 9.0
    k = np.round((cx - x0) / pitch)
    misfit = float(np.mean(np.abs((cx - x0) / pitch - k)))
    covered = len(np.unique(np.clip(k, 0, n - 1))) / n
    return x0, pitch, misfit + (1 - covered)


def read_grid(crop: Gray) -> Reading | None:
    """Read a level MRZ crop with OCR-B templates (``None`` if no 2-3 line grid fits it)."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    lines = _lines(ink)
    if len(lines) > 3:  # keep the 2 or 3 densest neighbouring lines (the MRZ is at the bottom)
        lines = lines[-3:] if len(lines[-3][0]) >= 20 else lines[-2:]
    if len(lines) not in (2, 3):
        return None
    sizes = (30,) if len(lines) == 3 else (44, 36)
    best: tuple[float, int] | None = None
    for n in sizes:
        misfit = sum(_fit(b, n)[2] for b, _, _ in lines) / len(lines)
        if best is None or misfit < best[0]:
            best = (misfit, n)
    assert best is not None
    if best[0] > 0.35:
        return None
    n = best[1]
    templates, alphabet = _templates()
    text, conf, second, margins = [], [], [], []
    for b, top, bottom in lines:
        x0, pitch, _ = _fit(b, n)
        cap = bottom - top
        y0, y1 = top - 0.2 * cap, bottom + 0.2 * cap
        cells = []
        for k in range(n):
            cx = x0 + k * pitch
            xa, xb = cx - pitch * 0.55, cx + pitch * 0.55
            cells.append(_cut(crop, xa, y0, xb, y1))
        chars, c1, c2, mg = _match(np.stack(cells), templates, alphabet)
        text.append(chars)
        conf.append(c1)
        second.append(c2)
        margins.append(tuple(mg))
    return Reading(tuple(text), tuple(tuple(c) for c in conf), tuple(second), "ocrb-templates", tuple(margins))


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
    best = np.full((len(cells), len(alphabet)), -1.0, np.float32)
    for dy in range(0, 2 * PAD + 1):
        for dx in range(0, 2 * PAD + 1):
            win = cells[:, dy:dy + CELL_H, dx:dx + CELL_W].astype(np.float32)
            v = (255.0 - win).reshape(len(cells), -1)
            v -= v.mean(axis=1, keepdims=True)
            v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-6)
            np.maximum(best, v @ templates.T, out=best)
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
    return Reading(tuple(lines), tuple(tuple(0.5 for _ in line) for line in lines),
                   tuple("<" * len(line) for line in lines), "tesseract")
