"""Page machinery shared by the custody record and the verification certificate.

- :class:`Text`: a flowable that wraps and draws mixed Arabic/Latin text (see :mod:`.text`).
- :class:`Heading`: a numbered section heading, Latin languages on the left, Arabic on the right.
- :func:`build_pdf`: lays flowables out on A4 with the header (titles, document id, QR code) and
  the footer (document id, revision, manifest SHA-256, "Page X of Y" in every language), and the
  training watermark; pages are decorated after layout, so the page count is known.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from forensic_kit.report.strings import Strings
from forensic_kit.report.text import BOLD, LATIN, register_fonts, runs, visual_lines
from forensic_kit.report.text import width as text_width


def color(value: str) -> colors.Color:
    """``"#rrggbb"`` → reportlab colour."""
    return colors.HexColor(value)


def draw_runs(canv: Canvas, visual: str, x: float, y: float, size: float, base: str = LATIN) -> float:
    """Draw one visual line from ``x`` in ``base`` (falling back where it lacks glyphs); returns its width."""
    start = x
    for font, part in runs(visual, base):
        canv.setFont(font, size)
        canv.drawString(x, y, part)
        x += canv.stringWidth(part, font, size)
    return x - start


@lru_cache(maxsize=8)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """QR modules of ``payload`` (error correction M, 2-module quiet zone), computed once."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(payload)
    code.make(fit=True)
    return tuple(tuple(bool(x) for x in row) for row in code.get_matrix())


def draw_qr(canv: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw ``payload`` as a QR code in a ``size`` square at ``x, y``.

    The code is drawn once into a form XObject and reused on every page (dark modules of a row
    merged into one rectangle), which keeps large reports small and fast.
    """
    name = "fkitqr" + hashlib.sha256(f"{payload}|{size}".encode()).hexdigest()[:12]
    if not canv.hasForm(name):
        matrix = qr_matrix(payload)
        cell = size / len(matrix)
        canv.saveState()
        canv.beginForm(name, lowerx=0, lowery=0, upperx=size, uppery=size)
        canv.setFillColor(colors.white)
        canv.rect(0, 0, size, size, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    canv.rect(start * cell, size - (r + 1) * cell, (c - start) * cell, cell, stroke=0, fill=1)
                else:
                    c += 1
        canv.endForm()
        canv.restoreState()
    canv.saveState()
    canv.translate(x, y)
    canv.doForm(name)
    canv.restoreState()


def draw_line(canv: Canvas, text: str, x: float, y: float, size: float, align: str = "left",
              base: str = LATIN, rtl: bool | None = None) -> float:
    """Draw a one-line ``text`` (shaped and reordered when Arabic) aligned at ``x``; returns its width."""
    lines = visual_lines(text.replace("\n", " "), size, 100_000, rtl, base)
    visual = lines[0][0] if lines else ""
    w = text_width(visual, size, base)
    if align == "right":
        x -= w
    elif align == "center":
        x -= w / 2
    draw_runs(canv, visual, x, y, size, base)
    return w


class Text(Flowable):  # type: ignore[misc]
    """Wrapped mixed-script text. Right-aligned when the paragraph is Arabic (unless told)."""

    def __init__(self, text: str, size: float = 8, fill: colors.Color | None = None,
                 align: str | None = None, leading: float | None = None, font: str = LATIN) -> None:
        super().__init__()
        self.text = text
        self.font = font
        self.size = size
        self.fill = fill or colors.black
        self.align = align
        self.leading = leading or size * 1.3
        self._lines: tuple[tuple[str, bool], ...] = ()
        self._aw = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._aw = availWidth
        self._lines = visual_lines(self.text, self.size, max(availWidth, 10), None, self.font)
        self.width, self.height = availWidth, self.leading * len(self._lines) + self.size * 0.2
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.setFillColor(self.fill)
        y = self.height - self.size
        for line, rtl in self._lines:
            align = self.align or ("right" if rtl else "left")
            w = text_width(line, self.size, self.font)
            x = {"right": self._aw - w, "center": (self._aw - w) / 2}.get(align, 0.0)
            draw_runs(canv, line, x, y, self.size, self.font)
            y -= self.leading


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


class Heading(Flowable):  # type: ignore[misc]
    """``N. Latin · Latin`` on the left and ``N. Arabic`` (Arabic-Indic digits, number on the right,
    as the script reads) on the right, in bold, with a rule below."""

    def __init__(self, number: int, strings: Sequence[Strings], key: str, size: float, rule: colors.Color) -> None:
        super().__init__()
        self.left = " · ".join(s.get(key) for s in strings if not s.rtl)
        self.right = " · ".join(s.get(key) for s in strings if s.rtl)
        self.number = number
        self.size = size
        self.rule = rule

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, self.size * 1.9
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(colors.black)
        y = self.size * 0.55
        if self.left:
            draw_line(c, f"{self.number}. {self.left}", 0, y, self.size, base=BOLD)
        if self.right:
            num = str(self.number).translate(ARABIC_DIGITS)
            draw_line(c, f"{num}. {self.right}", self.width, y, self.size, align="right", base=BOLD, rtl=True)
        c.setStrokeColor(self.rule)
        c.setLineWidth(0.8)
        c.line(0, 1, self.width, 1)


def labels(strings: Sequence[Strings], key: str, size: float, fill: colors.Color | None = None,
           font: str = LATIN, **values: Any) -> list[Flowable]:
    """A cell with ``key`` in every language: Latin ones on one line joined by " / ", Arabic below."""
    out: list[Flowable] = []
    if len({s.get(key, **values) for s in strings}) == 1:
        return [Text(strings[0].get(key, **values), size, fill, font=font)]
    latin = " / ".join(dict.fromkeys(s.get(key, **values) for s in strings if not s.rtl))
    for s in strings:
        if s.rtl:
            out.append(Text(s.get(key, **values), size, fill, font=font))
        elif latin:
            out.append(Text(latin, size, fill, font=font))
            latin = ""
    return out


@dataclass
class PageSetup:
    """What every page carries."""

    strings: list[Strings]
    layout: dict[str, Any]
    doc_id: str
    revision: int
    agency: str
    title_key: str
    manifest_sha256: str | None
    qr_payload: str
    watermark: str | None
    paper: str = "A4"
    title_meta: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    footer_hash_key: str = "manifest_sha256"
    """The string naming the hash in the footer (the lab report's is its records' SHA-256)."""


def _decorate(canv: Canvas, setup: PageSetup, page: int, pages: int) -> None:
    lay = setup.layout
    pw, ph = canv._pagesize
    ml, mr = lay["page"]["margin_left"], lay["page"]["margin_right"]
    rule = color(lay["colors"]["rule"])
    canv.saveState()
    # header: agency and document id on the left, titles below them, QR on the right
    qr = float(lay["qr"]["size"])
    top = ph - 30
    canv.setFillColor(colors.black)
    draw_line(canv, setup.agency, ml, top, 7)
    s0 = setup.strings[0]
    meta = next((s for s in setup.strings if not s.rtl), s0)
    draw_line(canv, f"{meta.get('doc_id')}: {setup.doc_id} ({meta.get('revision')} {setup.revision})", ml, top - 9, 7)
    y = top - 26
    centre = (ml + pw - mr - qr - 6) / 2
    canv.setFillColor(color(lay["colors"]["header"]))
    for s in setup.strings:
        draw_line(canv, s.get(setup.title_key), centre, y, 11 if s is s0 else 10, align="center")
        y -= 13
    draw_qr(canv, setup.qr_payload, pw - mr - qr, top - qr + 8, qr)
    canv.setStrokeColor(rule)
    canv.setLineWidth(0.8)
    hy = ph - lay["page"]["margin_top"] + 14
    canv.line(ml, hy, pw - mr, hy)
    # footer
    fy = lay["page"]["margin_bottom"] - 22
    canv.setStrokeColor(color(lay["colors"]["grid"]))
    canv.setLineWidth(0.5)
    canv.line(ml, fy + 12, pw - mr, fy + 12)
    canv.setFillColor(colors.black)
    sha = setup.manifest_sha256 or meta.get("unsealed")
    draw_line(canv, f"{setup.doc_id} · {meta.get('revision')} {setup.revision} · {meta.get(setup.footer_hash_key)} {sha}", ml, fy + 2, 6.5)
    head = setup.extra.get("ledger_head")
    if head:
        draw_line(canv, f"{meta.get('ledger_head')} {head}", ml, fy - 7, 6.5)
        fy -= 9
    draw_line(canv, " / ".join(s.get("reproduce") for s in setup.strings if not s.rtl), ml, fy - 7, 6.5)
    latin = " · ".join(s.get("page_x_of_y", page=page, pages=pages) for s in setup.strings if not s.rtl)
    yy = fy + 2
    if latin:
        draw_line(canv, latin, pw - mr, yy, 7, align="right")
        yy -= 9
    for s in setup.strings:
        if s.rtl:
            draw_line(canv, s.get("page_x_of_y", page=page, pages=pages), pw - mr, yy, 7, align="right")
            yy -= 9
    if setup.watermark:
        canv.setFillColor(color(lay["colors"]["watermark"]), alpha=float(lay["colors"]["watermark_alpha"]))
        canv.translate(pw / 2, ph / 2)
        canv.rotate(40)
        parts = [p.strip() for p in setup.watermark.split("/") if p.strip()]
        size = 64 if len(parts) < 3 else 56
        yy = (len(parts) - 1) * size * 0.55
        for part in parts:
            draw_line(canv, part, 0, yy - size * 0.35, size, align="center", base=BOLD)
            yy -= size * 1.1
    canv.restoreState()


def _canvas_class(setup: PageSetup) -> type[Canvas]:
    class _Deferred(Canvas):  # type: ignore[misc]
        """Keeps every page until the end so each can say "Page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = LATIN
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802
            # the page's drawing operators are kept zlib-compressed until the page count is known
            # (a 3,500-page annex would otherwise hold every content stream in memory)
            state = dict(self.__dict__)
            state["_code"] = zlib.compress("\n".join(self._code).encode("utf-8", "surrogatepass"), 1)
            self._pages.append(state)
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            pages, self._pages = self._pages, []
            for n, state in enumerate(pages, 1):
                pages[n - 1] = {}
                state["_code"] = [zlib.decompress(state["_code"]).decode("utf-8", "surrogatepass")]
                self.__dict__.update(state)
                _decorate(self, setup, n, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return _Deferred


def build_pdf(out: Path | Any, story: list[Flowable], setup: PageSetup, title: str, subject: str,
              creation: Any) -> int:
    """Lay ``story`` out into the PDF ``out``; returns the number of pages."""
    register_fonts()
    lay = setup.layout["page"]
    size = LETTER if setup.paper == "Letter" else A4
    doc = BaseDocTemplate(str(out) if isinstance(out, Path) else out, pagesize=size,
                          leftMargin=lay["margin_left"], rightMargin=lay["margin_right"],
                          topMargin=lay["margin_top"], bottomMargin=lay["margin_bottom"],
                          title=title, author=setup.agency, subject=subject, creator="fkit",
                          producer="fkit", invariant=1, initialFontName=LATIN,
                          creationDate=creation, lang=setup.strings[0].lang)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_canvas_class(setup))
    return int(doc.page)
