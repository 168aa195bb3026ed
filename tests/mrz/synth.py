"""Seeded generator of travel-document images with a known MRZ (tests and bench/bench_mrz.py).

Random valid identities in the five ICAO layouts, the MRZ set in OCR-B (Debian ``fonts-ocr-b``)
at the Doc 9303 pitch (2.54 mm per character, 4.23 mm per line) on a document-like card (tinted
background, guilloche lines, a photo box, printed text), then optionally degraded like a phone
photo: placed on a cluttered background, rotated by any angle, perspective-distorted, blurred,
unevenly lit, noisy, JPEG-compressed at quality 40-90, resized to 1,000-4,000 px.
"""

from __future__ import annotations

import io
import math
import random
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from forensic_kit.mrz import icao

OCRB = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
STATES = ["UTO", "FRA", "DEU", "D<<", "MAR", "TUN", "EGY", "LBY", "DZA", "NGA", "SEN", "MLI", "GBR",
          "ESP", "ITA", "SYR", "IRQ", "AFG", "ERI", "SDN", "NER", "TCD", "USA", "CAN", "XXA"]
# card size in mm per layout (Doc 9303: ID-3 125 × 88, ID-2 105 × 74, ID-1 85.6 × 53.98; visas
# MRV-A 80 × 120 is glued on a passport page, drawn here as 120 × 80)
CARD_MM = {"TD3": (125.0, 88.0), "MRVA": (120.0, 80.0), "TD2": (105.0, 74.0), "MRVB": (105.0, 74.0),
           "TD1": (85.6, 53.98)}


@dataclass
class Sample:
    """One generated document: its MRZ lines, whether a check digit was spoiled, and the image."""

    lines: list[str]
    spoiled: str | None
    image: bytes
    kind: str


def _cd(s: str) -> str:
    d = icao.check_digit(s)
    assert d is not None
    return d


def _date(rng: random.Random, lo: int, hi: int) -> str:
    y = rng.randint(lo, hi)
    return f"{y % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def _name(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(lo, hi)))


def random_mrz(rng: random.Random, fmt: str | None = None) -> list[str]:
    """MRZ lines of a random, valid document of layout ``fmt`` (random if ``None``)."""
    fmt = fmt or rng.choice(["TD1", "TD2", "TD3", "MRVA", "MRVB"])
    state, nat = rng.choice(STATES), rng.choice(STATES)
    number = "".join(rng.choice(string.ascii_uppercase + string.digits * 3) for _ in range(rng.randint(7, 9)))
    number = number.ljust(9, "<")
    birth, expiry = _date(rng, 1940, 2015), _date(rng, 2015, 2035)
    sex = rng.choice("MFMF<X")
    names = _name(rng, 3, 12) + "<<" + _name(rng, 3, 9) + ("<" + _name(rng, 2, 8) if rng.random() < 0.4 else "")
    code = {"TD3": "P<", "TD1": rng.choice(["I<", "ID", "AC"]), "TD2": rng.choice(["I<", "IR"]),
            "MRVA": "V<", "MRVB": rng.choice(["V<", "VB"])}[fmt]
    opt = "".join(rng.choice(string.digits + "<") for _ in range(rng.randint(0, 12)))
    if fmt == "TD1":
        l1 = (code + state + number + _cd(number) + opt).ljust(30, "<")[:30]
        l2 = (birth + _cd(birth) + sex + expiry + _cd(expiry) + nat).ljust(29, "<")
        l2 += _cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
        return [l1, l2, names.ljust(30, "<")[:30]]
    width = 44 if fmt in ("TD3", "MRVA") else 36
    l1 = (code + state + names).ljust(width, "<")[:width]
    head = number + _cd(number) + nat + birth + _cd(birth) + sex + expiry + _cd(expiry)
    if fmt == "TD3":
        personal = opt[:14].ljust(14, "<")
        pcd = "<" if personal == "<" * 14 and rng.random() < 0.5 else _cd(personal)
        body = head + personal + pcd
        return [l1, body + _cd(body[0:10] + body[13:20] + body[21:43])]
    if fmt == "TD2":
        body = (head + opt[:7]).ljust(35, "<")
        return [l1, body + _cd(body[0:10] + body[13:20] + body[21:35])]
    return [l1, (head + opt).ljust(width, "<")[:width]]


def spoil(rng: random.Random, lines: list[str]) -> tuple[list[str], str]:
    """Change one check digit of ``lines`` to another digit; returns the lines and which check."""
    m = icao.parse(lines)
    positions = _check_positions(m.format)
    name = rng.choice(sorted(positions))
    row, col = positions[name]
    old = lines[row][col]
    new = rng.choice([d for d in string.digits if d != old])
    out = list(lines)
    out[row] = out[row][:col] + new + out[row][col + 1:]
    return out, name


def _check_positions(fmt: str) -> dict[str, tuple[int, int]]:
    if fmt == "TD1":
        return {"birth_date": (1, 6), "expiry_date": (1, 14), "composite": (1, 29), "document_number": (0, 14)}
    pos = {"document_number": (1, 9), "birth_date": (1, 19), "expiry_date": (1, 27)}
    if fmt == "TD3":
        pos["composite"] = (1, 43)
    if fmt == "TD2":
        pos["composite"] = (1, 35)
    return pos


def render_card(rng: random.Random, lines: list[str], px_per_mm: float) -> Image.Image:
    """A flat document page with ``lines`` as its MRZ, ``px_per_mm`` pixels per millimetre."""
    fmt = icao.layout_of(lines)
    wmm, hmm = CARD_MM[fmt]
    w, h = int(wmm * px_per_mm), int(hmm * px_per_mm)
    base = np.array([rng.randint(215, 250), rng.randint(215, 250), rng.randint(200, 245)], dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    tint = (np.sin(xx / (w / rng.uniform(2, 6))) * 6 + np.cos(yy / (h / rng.uniform(2, 5))) * 6)[..., None]
    card = Image.fromarray(np.clip(base + tint, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(card)
    for _ in range(12):  # guilloche-like curves, light
        pts = []
        a, f, ph = rng.uniform(3, 12) * px_per_mm, rng.uniform(1, 4), rng.uniform(0, 6.3)
        y0 = rng.uniform(0, h * 0.7)
        for x in range(0, w, max(2, w // 200)):
            pts.append((x, y0 + a * math.sin(f * x / w * 2 * math.pi + ph)))
        draw.line(pts, fill=tuple(int(c) - rng.randint(20, 45) for c in base), width=max(1, int(px_per_mm * 0.15)))
    draw.rectangle([int(4 * px_per_mm), int(12 * px_per_mm), int(32 * px_per_mm), int(hmm * 0.62 * px_per_mm)],
                   fill=(rng.randint(120, 200),) * 3)
    sans = ImageFont.truetype(str(SANS if SANS.exists() else OCRB), max(8, int(2.6 * px_per_mm)))
    draw.text((int(4 * px_per_mm), int(3 * px_per_mm)), rng.choice(["PASSPORT", "IDENTITY CARD", "VISA"]) + " / "
              + rng.choice(["PASSEPORT", "CARTE D'IDENTITE", "VISA"]), font=sans, fill=(40, 40, 90))
    mrz_top_mm = hmm - 3.5 - len(lines) * 4.23 - 1.5
    for i in range(5):
        if 12 + i * 6 + 4 > mrz_top_mm:
            break
        y = int((12 + i * 6) * px_per_mm)
        draw.text((int(36 * px_per_mm), y), _name(rng, 4, 10).title() + " " + _name(rng, 3, 8).title(),
                  font=sans, fill=(30, 30, 30))
    # MRZ: OCR-B at 2.54 mm pitch, lines 4.23 mm apart, bottom zone per Doc 9303
    size = int(px_per_mm * 3.5)
    font = ImageFont.truetype(str(OCRB), size)
    adv = font.getlength("<")
    scale = 2.54 * px_per_mm / adv
    font = ImageFont.truetype(str(OCRB), max(6, int(size * scale)))
    pitch = 2.54 * px_per_mm
    n = len(lines)
    x0 = (w - pitch * len(lines[0])) / 2
    bottom = h - 3.5 * px_per_mm
    ink = (rng.randint(0, 40),) * 3
    for i, line in enumerate(lines):
        y = bottom - (n - i) * 4.23 * px_per_mm
        for j, ch in enumerate(line):
            draw.text((x0 + j * pitch, y), ch, font=font, fill=ink)
    return card


def degrade(rng: random.Random, card: Image.Image, target: int) -> Image.Image:
    """``card`` photographed: on a cluttered background, rotated, in perspective, blurred, unevenly lit."""
    cw, ch = card.size
    side = int(max(cw, ch) * rng.uniform(1.25, 1.6))
    bg = np.random.default_rng(rng.randrange(1 << 30)).integers(60, 200, (side // 16 + 1, side // 16 + 1, 3))
    canvas = Image.fromarray(bg.astype(np.uint8), "RGB").resize((side, side), Image.BILINEAR)
    canvas = canvas.filter(ImageFilter.GaussianBlur(side / 200))
    angle = rng.uniform(0, 360)
    rotated = card.convert("RGBA").rotate(angle, expand=True, resample=Image.BICUBIC)
    ox, oy = (side - rotated.size[0]) // 2, (side - rotated.size[1]) // 2
    canvas.paste(rotated, (ox, oy), rotated)
    # perspective: move the corners by up to 6 % of the side
    d = side * 0.06
    quad = [(rng.uniform(0, d), rng.uniform(0, d)), (rng.uniform(0, d), side - rng.uniform(0, d)),
            (side - rng.uniform(0, d), side - rng.uniform(0, d)), (side - rng.uniform(0, d), rng.uniform(0, d))]
    canvas = canvas.transform((side, side), Image.QUAD, [c for p in quad for c in p], Image.BICUBIC)
    scale = target / side
    canvas = canvas.resize((target, target), Image.LANCZOS)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.4) * max(1.0, scale * 1.2)))
    arr = np.asarray(canvas).astype(np.float32)
    yy, xx = np.mgrid[0:target, 0:target].astype(np.float32) / target
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    light = 0.65 + 0.35 * (0.5 + 0.5 * np.clip(gx * (xx - 0.5) * 2 + gy * (yy - 0.5) * 2, -1, 1))
    arr = arr * light[..., None] + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(2, 8), arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def sample(rng: random.Random, kind: str, fmt: str | None = None, spoiled: bool = False) -> Sample:
    """One document image. ``kind``: ``flat`` (a scan, 1,000-2,000 px, PNG or JPEG q85-95) or
    ``photo`` (degraded, 1,000-4,000 px, JPEG q40-90)."""
    lines = random_mrz(rng, fmt)
    which = None
    if spoiled:
        lines, which = spoil(rng, lines)
    buf = io.BytesIO()
    if kind == "flat":
        width_px = rng.randint(1000, 2000)
        card = render_card(rng, lines, width_px / CARD_MM[icao.layout_of(lines)][0])
        if rng.random() < 0.5:
            card.save(buf, "PNG")
        else:
            card.save(buf, "JPEG", quality=rng.randint(85, 95))
    else:
        target = rng.randint(1000, 4000)
        card = render_card(rng, lines, target / 1.4 / CARD_MM[icao.layout_of(lines)][0] * rng.uniform(0.8, 1.0))
        degrade(rng, card, target).save(buf, "JPEG", quality=rng.randint(40, 90))
    return Sample(lines, which, buf.getvalue(), kind)
