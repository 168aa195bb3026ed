"""Finding machine-readable zones in an image, at any rotation and in perspective (OpenCV).

An MRZ is a block of 2 or 3 lines of dark, evenly spaced OCR-B characters, 5 to 12 times wider than
tall. The image is reduced to ~1,000 px; a black-hat filter keeps dark strokes on light ground; a
closing whose size follows the image's own character size merges the characters of each line and
the lines of the block into one blob; blobs of the right shape become candidates, each cut out of
the full-resolution image along its own four corners (so a rotated or tilted block comes out level,
both ways up: OCR decides which is right).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

WORK_SIDE = 1000
"""Long side (px) of the reduced image the search runs on."""
MAX_CANDIDATES = 4

Gray = npt.NDArray[Any]


@dataclass(frozen=True)
class Region:
    """A candidate MRZ block: its corners in the original image and its level crop."""

    corners: tuple[tuple[float, float], ...]
    """Four (x, y) corners in original-image pixels: top-left, top-right, bottom-right, bottom-left."""
    crop: Gray
    score: float


def _order(pts: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Corners ordered so that the first edge (0→1) runs along the long side of the block."""
    rect = cv2.minAreaRect(pts)
    box = cv2.boxPoints(rect)
    # match each box corner with the nearest polygon point so that perspective survives
    out = np.zeros((4, 2), np.float32)
    short = min(rect[1])
    for i, b in enumerate(box):
        near = pts[int(np.argmin(((pts - b) ** 2).sum(axis=1)))]
        out[i] = near if np.linalg.norm(near - b) < 0.15 * short else b
    e01 = np.linalg.norm(out[1] - out[0])
    e12 = np.linalg.norm(out[2] - out[1])
    if e12 > e01:
        out = np.roll(out, -1, axis=0)
    a, b = out[1] - out[0], out[3] - out[0]
    if a[0] * b[1] - a[1] * b[0] < 0:  # keep the corners clockwise (y down), or the crop is mirrored
        out = out[[1, 0, 3, 2]]
    return out


def _warp(gray: Gray, quad: npt.NDArray[np.float32], pad: float) -> Gray:
    w = float(np.linalg.norm(quad[1] - quad[0]))
    h = float(np.linalg.norm(quad[3] - quad[0]))
    # grow the quad by ``pad`` of its height on every side (the blob hugs the glyphs)
    cx = quad.mean(axis=0)
    ux = (quad[1] - quad[0]) / max(w, 1.0)
    uy = (quad[3] - quad[0]) / max(h, 1.0)
    grown = np.array([
        quad[0] - ux * h * pad - uy * h * pad, quad[1] + ux * h * pad - uy * h * pad,
        quad[2] + ux * h * pad + uy * h * pad, quad[3] - ux * h * pad + uy * h * pad,
    ], np.float32)
    del cx
    # OCR wants ~30 px per line: scale the output so that the block is ~ 36 px per line (2-3 lines)
    lines = 3.0 if w / max(h, 1.0) < 7.5 else 2.0
    out_h = int(lines * 40 * (1 + 2 * pad))
    scale = out_h / (h * (1 + 2 * pad))
    out_w = int(w * (1 + 2 * pad * h / max(w, 1.0)) * scale)
    out_w = max(32, min(out_w, 4000))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(grown, dst)
    return cv2.warpPerspective(gray, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def _char_boxes(small: Gray) -> npt.NDArray[np.float32]:
    """Character-like dark blobs: rows of (cx, cy, size, x0, y0, x1, y1)."""
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12)
    n, _, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return np.zeros((0, 7), np.float32)
    x, y, w, h, area = (stats[1:, i].astype(np.float32) for i in range(5))
    size = np.maximum(w, h)
    keep = (size >= 5) & (size <= 60) & (area >= 8) & (area <= 0.8 * w * h) & (np.minimum(w, h) >= 1)
    c = cents[1:][keep].astype(np.float32)
    return np.column_stack([c[:, 0], c[:, 1], size[keep], x[keep], y[keep], (x + w)[keep], (y + h)[keep]])


def _groups(boxes: npt.NDArray[np.float32]) -> list[npt.NDArray[np.intp]]:
    """Indices of blobs chained by near neighbours of similar size: two blobs are linked when
    their centres are closer than 1.7 × the larger size and the sizes differ by less than 2.5 ×;
    a group is a connected set of links (at least 18 blobs).

    Vectorised (a textured photo has thousands of blobs and must be rejected in milliseconds):
    blobs sorted by x are compared with their k-th successor for k = 1, 2, … all at once, and a
    blob leaves the comparison once its successors lie beyond the farthest link it can have
    (1.7 × 2.5 × its own size to the right); the links are then merged into components by
    repeated minimum-label hooking with pointer jumping."""
    n = len(boxes)
    if n == 0:
        return []
    order = np.argsort(boxes[:, 0], kind="stable")
    x = boxes[order, 0].astype(np.float64)
    y = boxes[order, 1].astype(np.float64)
    size = boxes[order, 2].astype(np.float64)
    bound = x + 1.7 * 2.5 * size
    us: list[npt.NDArray[np.intp]] = []
    vs: list[npt.NDArray[np.intp]] = []
    a = np.arange(n - 1)
    k = 1
    while a.size:
        a = a[a + k < n]
        b = a + k
        inside = x[b] <= bound[a]
        a, b = a[inside], b[inside]
        if not a.size:
            break
        big = np.maximum(size[a], size[b])
        small = np.maximum(np.minimum(size[a], size[b]), 1.0)
        dx, dy = x[b] - x[a], y[b] - y[a]
        link = (dx * dx + dy * dy < (1.7 * big) ** 2) & (big < 2.5 * small)
        if link.any():
            us.append(a[link])
            vs.append(b[link])
        k += 1
    label = np.arange(n)
    if us:
        u, v = np.concatenate(us), np.concatenate(vs)
        while True:
            lu, lv = label[u], label[v]
            low = np.minimum(lu, lv)
            new = label.copy()
            np.minimum.at(new, lu, low)
            np.minimum.at(new, lv, low)
            while True:  # pointer jumping: every blob points at its component's current root
                jumped = new[new]
                if np.array_equal(jumped, new):
                    break
                new = jumped
            if np.array_equal(new, label):
                break
            label = new
    out = []
    for r in np.unique(label):
        idx = np.nonzero(label == r)[0]
        if len(idx) >= 18:
            out.append(np.sort(order[idx]))
    return out


def _nearest(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    """Index of each point's nearest other point (exact; points sorted by x are compared with
    their k-th neighbours on both sides for k = 1, 2, … all at once, until the x gap alone exceeds
    the best distance found: no n × n matrix for a group of thousands of blobs)."""
    n = len(xy)
    order = np.argsort(xy[:, 0], kind="stable")
    x, y = xy[order, 0], xy[order, 1]
    best = np.full(n, np.inf)
    arg = np.zeros(n, np.intp)
    act = np.arange(n)
    k = 1
    while act.size:
        for b in (act + k, act - k):
            ok = (b >= 0) & (b < n)
            aa, bb = act[ok], b[ok]
            d = (x[bb] - x[aa]) ** 2 + (y[bb] - y[aa]) ** 2
            closer = d < best[aa]
            best[aa[closer]] = d[closer]
            arg[aa[closer]] = bb[closer]
        right, left = act + k + 1, act - k - 1
        gap_r = np.where(right < n, x[np.minimum(right, n - 1)] - x[act], np.inf)
        gap_l = np.where(left >= 0, x[act] - x[np.maximum(left, 0)], np.inf)
        act = act[(gap_r * gap_r < best[act]) | (gap_l * gap_l < best[act])]
        k += 1
    out = np.empty(n, np.intp)
    out[order] = order[arg]
    return out


def _refine_direction(xy: npt.NDArray[np.float64], theta: float, size: float) -> float:
    """The text direction near ``theta`` across which the blob centres stack into the sharpest
    lines (projection profile: the sum of squared counts of centres per ``0.3 × size`` band).

    The nearest-neighbour estimate is biased by a few degrees where lines are close together or
    other print surrounds the zone; over a 44-character line a 3° error moves one end by more than
    the line spacing, and two MRZ lines would fall into one band."""
    step = max(0.3 * size, 1.0)

    def sharpness(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        v = -xy[:, 0:1] * np.sin(t)[None, :] + xy[:, 1:2] * np.cos(t)[None, :]  # (n, angles)
        q = np.floor((v - v.min(axis=0)) / step).astype(np.int64)
        out = np.empty(len(t))
        for k in range(len(t)):
            counts = np.bincount(q[:, k])
            out[k] = float((counts.astype(np.float64) ** 2).sum())
        return out

    for span, n in ((0.12, 25), (0.01, 11)):
        cand = theta + np.linspace(-span, span, n)
        scores = sharpness(cand)
        theta = float(cand[int(np.argmax(scores))])
    return theta


@dataclass(frozen=True)
class Band:
    """One text line: its blobs (indices into the image's blob table) and its geometry."""

    idx: npt.NDArray[np.intp]
    direction: tuple[float, float]
    centre: tuple[float, float]
    length: float
    size: float


def _bands(boxes: npt.NDArray[np.float32], group: npt.NDArray[np.intp]) -> list[Band]:
    """The text lines of one group of blobs (each of at least 18 blobs).

    The text direction is the circular mean of each blob's nearest-neighbour direction (characters
    of a line are closer than lines); blobs are cut into lines across that direction.
    """
    b = boxes[group]
    xy = b[:, :2].astype(np.float64)
    n = len(xy)
    if n < 18 or n > 3000:
        return []
    vec = xy[_nearest(xy)] - xy
    ang = np.arctan2(vec[:, 1], vec[:, 0]) * 2
    theta = float(np.arctan2(np.sin(ang).sum(), np.cos(ang).sum()) / 2)
    size = float(np.median(b[:, 2]))
    theta = _refine_direction(xy, theta, size)
    c, s = np.cos(theta), np.sin(theta)
    u = xy[:, 0] * c + xy[:, 1] * s
    v = -xy[:, 0] * s + xy[:, 1] * c
    order = np.argsort(v)
    cuts = np.nonzero(np.diff(v[order]) > 0.45 * size)[0]
    out = []
    for band in np.split(order, cuts + 1):
        if len(band) < 18:
            continue
        cu, cv = float(u[band].min() + u[band].max()) / 2, float(np.median(v[band]))
        out.append(Band(group[band], (float(c), float(s)), (cu * c - cv * s, cu * s + cv * c),
                        float(np.ptp(u[band])), float(np.median(b[band, 2]))))
    return out


def _blocks(bands: list[Band]) -> list[npt.NDArray[np.intp]]:
    """Runs of 2 or 3 parallel lines of equal length and size, one under the other (an MRZ)."""
    n = len(bands)
    link: dict[int, list[tuple[float, int]]] = {}
    for i in range(n):
        for j in range(i + 1, n):
            a, b = bands[i], bands[j]
            cos = abs(a.direction[0] * b.direction[0] + a.direction[1] * b.direction[1])
            if cos < 0.995 or max(a.length, b.length) > 1.15 * min(a.length, b.length):
                continue
            if max(a.size, b.size) > 1.4 * min(a.size, b.size):
                continue
            dx, dy = b.centre[0] - a.centre[0], b.centre[1] - a.centre[1]
            along = dx * a.direction[0] + dy * a.direction[1]
            across = -dx * a.direction[1] + dy * a.direction[0]
            size = (a.size + b.size) / 2
            if abs(along) > 0.08 * a.length or not 0.9 * size <= abs(across) <= 3.2 * size:
                continue
            link.setdefault(i, []).append((across, j))
            link.setdefault(j, []).append((-across, i))
    out: list[npt.NDArray[np.intp]] = []
    done: set[frozenset[int]] = set()
    for i, nbrs in link.items():
        below = sorted((d, j) for d, j in nbrs if d > 0)
        above = sorted((-d, j) for d, j in nbrs if d < 0)
        runs = [[i, j] for _, j in below[:1]]
        if below and above:
            runs.insert(0, [above[0][1], i, below[0][1]])
        for run in runs:
            key = frozenset(run)
            if key not in done:
                done.add(key)
                out.append(np.concatenate([bands[k].idx for k in run]))
    out.sort(key=len, reverse=True)
    return out


def find(gray: Gray) -> list[Region]:
    """Candidate MRZ regions of a grayscale image, best first (at most ``MAX_CANDIDATES``)."""
    h0, w0 = gray.shape[:2]
    f = min(2.5, WORK_SIDE / max(h0, w0, 1))  # small scans are enlarged: their characters are tiny
    small = gray if f == 1 else cv2.resize(gray, (max(1, int(w0 * f)), max(1, int(h0 * f))),
                                           interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
    boxes = _char_boxes(small)
    if len(boxes) < 40 or len(boxes) > 20000:
        return []
    found: list[tuple[float, npt.NDArray[np.float32]]] = []
    bands = [band for group in _groups(boxes) for band in _bands(boxes, group)]
    for block in _blocks(bands):
        b = boxes[block]
        pts = np.concatenate([b[:, [3, 4]], b[:, [5, 4]], b[:, [5, 6]], b[:, [3, 6]]]).astype(np.float32)
        (_, _), (rw, rh), _ = cv2.minAreaRect(pts)
        long, short = max(rw, rh), min(rw, rh)
        med = float(np.median(b[:, 2]))
        if short < med or not 2.5 <= long / short <= 24.0:
            continue
        per_line = long / max(med, 1.0)
        if not 12 <= per_line <= 90:
            continue
        hull = cv2.convexHull(pts).reshape(-1, 2).astype(np.float32)
        found.append((float(len(block)), hull))
    found.sort(key=lambda t: -t[0])
    regions: list[Region] = []
    for score, hull in found[:MAX_CANDIDATES]:
        quad = _order(hull) / f
        regions.append(Region(tuple((float(x), float(y)) for x, y in quad), _warp(gray, quad, 0.12), score))
    return regions
