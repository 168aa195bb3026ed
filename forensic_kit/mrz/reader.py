"""From a grayscale picture to the machine-readable zones in it (locate → read → correct → parse)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy.typing as npt
from typing import Any

from forensic_kit.mrz import correct, icao, locate, ocr

MIN_CONFIDENCE = 0.62
"""Mean template correlation under which a reading is not taken for an MRZ."""


@dataclass(frozen=True)
class Found:
    """One MRZ read in a picture."""

    mrz: icao.Mrz
    raw_lines: tuple[str, ...]
    changes: tuple[correct.Change, ...]
    confidence: float
    corners: tuple[tuple[float, float], ...]
    engine: str
    notes: tuple[str, ...] = field(default=())


def _plausible(m: icao.Mrz, confidence: float) -> bool:
    """Whether a reading is a document and not text that happens to fit a grid."""
    good = sum(c.valid for c in m.checks)
    if m.document_code[0] not in "PIACV":
        return False
    return good >= 2 or (good >= 1 and confidence >= 0.8)


def _interpret(reading: ocr.Reading) -> tuple[icao.Mrz, list[correct.Change]] | None:
    try:
        icao.layout_of(reading.lines)
        lines, changes = correct.correct(list(reading.lines), reading.second, reading.margin)
        return icao.parse(lines), changes
    except icao.MrzSyntaxError:
        return None


def find_mrz(gray: "npt.NDArray[Any]", engine: str = "templates", scale: float = 1.0,
             tesseract_timeout_s: float = 5.0) -> list[Found]:
    """Every distinct MRZ in ``gray`` (corners scaled back by ``scale`` to the original image)."""
    out: list[Found] = []
    seen: set[str] = set()
    for region in locate.find(gray):
        best: tuple[float, ocr.Reading, bool] | None = None
        turned = cv2.rotate(region.crop, cv2.ROTATE_180)
        if engine in ("templates", "both"):
            for flipped, crop in ((False, region.crop), (True, turned)):
                reading = ocr.read_grid(crop)
                if reading is not None and (best is None or reading.mean_confidence > best[0]):
                    best = (reading.mean_confidence, reading, flipped)
        candidates: list[tuple[ocr.Reading, bool]] = []
        if best is not None and best[0] >= MIN_CONFIDENCE:
            candidates.append((best[1], best[2]))
        if engine == "tesseract" or (engine == "both" and not _any_valid([c[0] for c in candidates])):
            for flipped, crop in ((False, region.crop), (True, turned)):
                t = ocr.tesseract(crop, tesseract_timeout_s)
                if t is not None:
                    candidates.append((t, flipped))
        for reading, flipped in candidates:
            parsed = _interpret(reading)
            if parsed is None:
                continue
            m, changes = parsed
            conf = reading.mean_confidence if reading.engine != "tesseract" else 0.8
            if not _plausible(m, conf) or m.text() in seen:
                continue
            seen.add(m.text())
            # corners from the zone's first character clockwise: top-left of the zone as read
            ordered = region.corners[2:] + region.corners[:2] if flipped else region.corners
            corners = tuple((x * scale, y * scale) for x, y in ordered)
            out.append(Found(m, reading.lines, tuple(changes), round(reading.mean_confidence, 3), corners,
                             reading.engine))
            break
    return out


def _any_valid(readings: list[ocr.Reading]) -> bool:
    for r in readings:
        parsed = _interpret(r)
        if parsed is not None and parsed[0].check_digits_valid:
            return True
    return False
