"""Fonts and bidirectional text for the PDF reports.

Fonts come from the pip packages ``fontpkg-ibm-plex-sans-arabic`` (static Regular and Bold, with
Latin and Arabic glyphs) and ``fontpkg-ibm-plex-mono`` (hash values), never from the machine. Arabic is shaped with arabic-reshaper (harakat kept) and ordered with python-bidi:
a paragraph is wrapped into lines in *logical* order, then each line is reordered for display, so
digits and Latin words inside an Arabic sentence stay where a reader expects them. Each visual
line is drawn as runs, each run in the font that has its glyphs.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from forensic_kit.errors import InputError

LATIN = "FkitPlexSans"
ARABIC = LATIN  # IBM Plex Sans Arabic carries Latin and Arabic glyphs: one family, regular and bold
BOLD = "FkitPlexSansBold"
MONO = "FkitPlexMono"
_FILES = {LATIN: ("fontpkg_ibm_plex_sans_arabic", "IBMPlexSansArabic-Regular.ttf"),
          BOLD: ("fontpkg_ibm_plex_sans_arabic", "IBMPlexSansArabic-Bold.ttf"),
          MONO: ("fontpkg_ibm_plex_mono", "IBMPlexMono-Regular.ttf")}
CONTROLS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
"""Bidi control characters: used for ordering, never drawn (the fonts have no glyph for them)."""
_registered = False


def font_file(font: str) -> Path:
    """Path of the static TTF behind ``font`` (``LATIN``, ``BOLD`` or ``MONO``), from its pip package."""
    module, name = _FILES[font]
    try:
        root = Path(getattr(importlib.import_module(module), "__file__") or "").parent
    except ImportError as exc:
        raise InputError(f"font package {module} is not installed (pip install {module.replace('_', '-')})") from exc
    for path in sorted(root.rglob(name)):
        return path
    raise InputError(f"font package {module} ships no {name}")


def register_fonts() -> None:
    """Register the fonts with reportlab (idempotent), and have it write streams Flate-compressed
    only: its default adds an ASCII85 layer (a quarter larger, and more work) that qpdf used to
    strip when merging, and the streaming writer copies streams as they are."""
    global _registered
    if _registered:
        return
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics

    rl_config.useA85 = 0
    from reportlab.pdfbase.ttfonts import TTFont

    for name in (LATIN, BOLD, MONO):
        pdfmetrics.registerFont(TTFont(name, str(font_file(name))))
    _registered = True


def is_arabic(ch: str) -> bool:
    """True for a character of the Arabic blocks (base, supplement, extended, presentation forms)."""
    o = ord(ch)
    return (0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF
            or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF)


def has_rtl(text: str) -> bool:
    """True when ``text`` holds any right-to-left character."""
    return any(is_arabic(c) or 0x0590 <= ord(c) <= 0x05FF for c in text)


def first_strong_rtl(text: str) -> bool:
    """Paragraph direction by the first strong character (Unicode bidi rules P2/P3)."""
    depth = 0
    for ch in text:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069":
            depth = max(0, depth - 1)
        elif depth:
            continue  # text inside an isolate does not decide the paragraph's direction (P2)
        elif is_arabic(ch) or 0x0590 <= ord(ch) <= 0x05FF:
            return True
        if ch.isalpha():
            return False
    return False


def runs(visual: str, base: str = LATIN) -> list[tuple[str, str]]:
    """Split a visual line into ``(font, text)`` runs: ``base`` where it has the glyphs (the monospace
    font has no Arabic), the sans font elsewhere. Bidi controls are dropped."""
    out: list[tuple[str, str]] = []
    for ch in visual.translate(CONTROLS):
        font = base if base != MONO or ord(ch) < 0x0250 else LATIN
        if out and (out[-1][0] == font or (ch == " " and out[-1][0] != MONO)):
            out[-1] = (out[-1][0], out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


@lru_cache(maxsize=8192)  # bounded: a 100,000-row annex must not grow it (hash strings never repeat)
def width(visual: str, size: float, base: str = LATIN) -> float:
    """Width in points of ``visual`` drawn as runs at ``size`` in ``base``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(sum(stringWidth(t, f, size) for f, t in runs(visual, base)))


@lru_cache(maxsize=1)
def _reshaper():  # type: ignore[no-untyped-def]
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": True})


def shape(text: str) -> str:
    """Arabic contextual shaping (presentation forms), harakat kept; other text unchanged."""
    if not any(is_arabic(c) for c in text):
        return text
    return str(_reshaper().reshape(text))


def _split_long(word: str, size: float, limit: float, base: str = LATIN) -> list[str]:
    parts: list[str] = []
    cur = ""
    for ch in word:
        if cur and width(cur + ch, size, base) > limit:
            cut = max(cur.rfind(c) for c in "/_-.")
            if cut >= len(cur) // 2:  # break after a path separator rather than mid-name
                parts.append(cur[:cut + 1])
                cur = cur[cut + 1:] + ch
            else:
                parts.append(cur)
                cur = ch
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def wrap_logical(text: str, size: float, limit: float, base: str = LATIN) -> list[str]:
    """Greedy word wrap of (already shaped) logical-order ``text`` within ``limit`` points.

    A word longer than the line (a path, a hash, a fingerprint) is broken after ``/``, ``_``,
    ``-`` or ``.`` where it can be, else between characters; it is never cut short."""
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split(" "):
            pieces = _split_long(word, size, limit, base) if width(word, size, base) > limit else [word]
            for i, piece in enumerate(pieces):
                cand = piece if not cur else f"{cur} {piece}"
                if cur and (i > 0 or width(cand, size, base) > limit):
                    lines.append(cur)
                    cur = piece
                else:
                    cur = cand
        lines.append(cur)
    return lines


_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<", "«": "»", "»": "«"}


def _strong(text: str, start: int, step: int) -> str | None:
    """``"R"``/``"L"``: the first strong character from ``start`` going ``step`` (isolates skipped)."""
    i = start
    while 0 <= i < len(text):
        ch = text[i]
        if is_arabic(ch):
            return "R"
        if ch.isalpha():
            return "L"
        i += step
    return None


def premirror(para: str) -> str:
    """Swap paired brackets that will be laid out right to left (UAX #9 rule L4, which python-bidi's
    ``get_display`` does not apply): in a right-to-left paragraph, every bracket outside an isolate
    unless Latin text is on both sides of it."""
    out = []
    depth = 0
    for i, ch in enumerate(para):
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069":
            depth = max(0, depth - 1)
        elif ch in _MIRROR and not depth and not (_strong(para, i - 1, -1) == "L" and _strong(para, i + 1, 1) == "L"):
            ch = _MIRROR[ch]
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=2048)  # bounded; a Text keeps its own lines for repeated wraps at one width
def visual_lines(text: str, size: float, limit: float, rtl: bool | None = None,
                 base: str = LATIN) -> tuple[tuple[str, bool], ...]:
    """``text`` wrapped into lines in logical order, each line then reordered for display.

    Each ``\n``-separated paragraph takes its direction from its first strong character unless
    ``rtl`` says otherwise. Returns ``(visual line, right-to-left?)`` pairs.
    """
    from bidi import get_display  # the UAX #9 implementation with isolates (python-bidi >= 0.5)

    out: list[tuple[str, bool]] = []
    for para in text.split("\n"):
        base_rtl = first_strong_rtl(para) if rtl is None else rtl
        shaped = shape(para)
        logical = wrap_logical(shaped, size, limit, base)
        if not has_rtl(shaped):
            out += [(line.translate(CONTROLS), base_rtl) for line in logical]
        else:
            out += [(str(get_display(premirror(line) if base_rtl else line, base_dir="R" if base_rtl else "L"))
                     .translate(CONTROLS), base_rtl) for line in logical]
    return tuple(out)
