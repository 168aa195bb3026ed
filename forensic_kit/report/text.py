"""Fonts and bidirectional text for the PDF reports.

Fonts come from the pip packages ``fontpkg-noto-sans`` and ``fontpkg-noto-sans-arabic`` (never from
the machine). Arabic is shaped with arabic-reshaper (harakat kept) and ordered with python-bidi:
a paragraph is wrapped into lines in *logical* order, then each line is reordered for display, so
digits and Latin words inside an Arabic sentence stay where a reader expects them. Each visual
line is drawn as runs, each run in the font that has its glyphs.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from forensic_kit.errors import InputError

LATIN = "FkitNotoSans"
ARABIC = "FkitNotoSansArabic"
_PACKAGES = {LATIN: ("fontpkg_noto_sans", "Noto Sans"), ARABIC: ("fontpkg_noto_sans_arabic", "Noto Sans Arabic")}
_registered = False


def font_file(font: str) -> Path:
    """Path of the TTF behind ``font`` (``LATIN`` or ``ARABIC``), found through its pip package."""
    module, family = _PACKAGES[font]
    try:
        import fontpkg

        path = Path(fontpkg.path(family, 400))
        if path.is_file():
            return path
    except Exception:  # noqa: BLE001 - fall back to the package folder itself
        pass
    try:
        root = Path(getattr(importlib.import_module(module), "ROOT"))
    except (ImportError, AttributeError) as exc:
        raise InputError(f"font package {module} is not installed (pip install {module.replace('_', '-')})") from exc
    files = sorted(p for p in root.rglob("*.ttf") if "Italic" not in p.name)
    if not files:
        raise InputError(f"font package {module} ships no TTF file")
    return files[0]


def register_fonts() -> None:
    """Register both fonts with reportlab (idempotent)."""
    global _registered
    if _registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name in (LATIN, ARABIC):
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
    for ch in text:
        if is_arabic(ch) or 0x0590 <= ord(ch) <= 0x05FF:
            return True
        if ch.isalpha():
            return False
    return False


def runs(visual: str) -> list[tuple[str, str]]:
    """Split a visual line into ``(font, text)`` runs: Arabic glyphs in the Arabic font, the rest Latin."""
    out: list[tuple[str, str]] = []
    for ch in visual:
        font = ARABIC if is_arabic(ch) else LATIN
        if out and (out[-1][0] == font or (ch == " " and out[-1][0] == ARABIC)):
            out[-1] = (out[-1][0], out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


@lru_cache(maxsize=65536)
def width(visual: str, size: float) -> float:
    """Width in points of ``visual`` drawn as runs at ``size``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(sum(stringWidth(t, f, size) for f, t in runs(visual)))


@lru_cache(maxsize=1)
def _reshaper():  # type: ignore[no-untyped-def]
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": True})


def shape(text: str) -> str:
    """Arabic contextual shaping (presentation forms), harakat kept; other text unchanged."""
    if not any(is_arabic(c) for c in text):
        return text
    return str(_reshaper().reshape(text))


def _split_long(word: str, size: float, limit: float) -> list[str]:
    parts: list[str] = []
    cur = ""
    for ch in word:
        if cur and width(cur + ch, size) > limit:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def wrap_logical(text: str, size: float, limit: float) -> list[str]:
    """Greedy word wrap of (already shaped) logical-order ``text`` within ``limit`` points."""
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split(" "):
            pieces = _split_long(word, size, limit) if width(word, size) > limit else [word]
            for i, piece in enumerate(pieces):
                cand = piece if not cur else f"{cur} {piece}"
                if cur and (i > 0 or width(cand, size) > limit):
                    lines.append(cur)
                    cur = piece
                else:
                    cur = cand
        lines.append(cur)
    return lines


@lru_cache(maxsize=8192)
def visual_lines(text: str, size: float, limit: float, rtl: bool | None = None) -> tuple[tuple[str, bool], ...]:
    """``text`` wrapped into lines in logical order, each line then reordered for display.

    Each ``\n``-separated paragraph takes its direction from its first strong character unless
    ``rtl`` says otherwise. Returns ``(visual line, right-to-left?)`` pairs.
    """
    from bidi.algorithm import get_display

    out: list[tuple[str, bool]] = []
    for para in text.split("\n"):
        base_rtl = first_strong_rtl(para) if rtl is None else rtl
        shaped = shape(para)
        logical = wrap_logical(shaped, size, limit)
        if not has_rtl(shaped):
            out += [(line, base_rtl) for line in logical]
        else:
            out += [(str(get_display(line, base_dir="R" if base_rtl else "L")), base_rtl) for line in logical]
    return tuple(out)
