"""Page machinery shared by the custody record and the verification certificate.

- :class:`Text`: a flowable that wraps and draws mixed Arabic/Latin text (see :mod:`.text`).
- :class:`Heading`: a numbered section heading, Latin languages on the left, Arabic on the right.
- :func:`build_pdf`: lays flowables out on A4 with the header (titles, document id, QR code) and
  the footer (document id, revision, manifest SHA-256, "Page X of Y" in every language), and the
  training watermark; pages are decorated after layout, so the page count is known.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Sequence

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
        if not self._lines or availWidth != self._aw:  # tables wrap each cell several times
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


def _footer_y(setup: PageSetup) -> float:
    """Baseline of the footer's first line."""
    return float(setup.layout["page"]["margin_bottom"] - 22)


def _decorate(canv: Canvas, setup: PageSetup) -> None:
    """Everything a page carries except "Page X of Y" (header, QR code, footer, watermark)."""
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
    fy = _footer_y(setup)
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


def _page_numbers(canv: Canvas, setup: PageSetup, page: int, pages: int) -> None:
    """"Page X of Y" in every language, bottom right (Latin languages on one line, Arabic below)."""
    pw = canv._pagesize[0]
    mr = setup.layout["page"]["margin_right"]
    yy = _footer_y(setup) - (9 if setup.extra.get("ledger_head") else 0) + 2
    canv.setFillColor(colors.black)
    latin = " · ".join(s.get("page_x_of_y", page=page, pages=pages) for s in setup.strings if not s.rtl)
    if latin:
        draw_line(canv, latin, pw - mr, yy, 7, align="right")
        yy -= 9
    for s in setup.strings:
        if s.rtl:
            draw_line(canv, s.get("page_x_of_y", page=page, pages=pages), pw - mr, yy, 7, align="right")
            yy -= 9


def _canvas_class(setup: PageSetup, folder: Path, per_segment: int) -> type[Canvas]:
    class _Segments(Canvas):  # type: ignore[misc]
        """Writes the pages to ``folder`` as separate PDF files of ``per_segment`` pages each, so
        memory does not grow with the page count ("Page X of Y" is added when the count is known)."""

        def __init__(self, filename: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = LATIN
            kwargs["invariant"] = 1
            self._kwargs = kwargs
            self.segments: list[tuple[Path, int]] = []
            self._in_segment = 0
            super().__init__(str(folder / "segment-00000.pdf"), **kwargs)
            self._own_info = self._doc.info

        def showPage(self) -> None:  # noqa: N802
            _decorate(self, setup)
            Canvas.showPage(self)
            self._in_segment += 1
            if self._in_segment >= per_segment:
                self._close_segment()
                # the same canvas goes on with a fresh PDF document (platypus keeps this object)
                keep = {k: getattr(self, k) for k in ("_doctemplate", "_cropMarks") if hasattr(self, k)}
                Canvas.__init__(self, str(folder / f"segment-{len(self.segments):05d}.pdf"), **self._kwargs)
                self._own_info = self._doc.info
                self.__dict__.update(keep)

        def _close_segment(self) -> None:
            # platypus puts the first document's info object back at the end of the build; each
            # segment keeps its own (the merged file's information dictionary is written by pdfa)
            self._doc.info = self._own_info
            Canvas.save(self)
            self.segments.append((Path(self._filename), self._in_segment))
            self._in_segment = 0

        def save(self) -> None:
            if self._code:
                self.showPage()
            if self._in_segment or not self.segments:
                self._close_segment()

    return _Segments


def render_segments(story: list[Flowable], setup: PageSetup, title: str, subject: str, creation: Any,
                    folder: Path, per_segment: int | None = None) -> list[tuple[Path, int]]:
    """Lay ``story`` out into PDF files of at most ``per_segment`` pages (default: the layout's
    ``[pdf] pages_per_file``, 100) in ``folder``, every page decorated except for "Page X of Y";
    returns (file, pages) of each, in order."""
    register_fonts()
    if per_segment is None:
        per_segment = max(1, int(setup.layout.get("pdf", {}).get("pages_per_file", 100)))
    lay = setup.layout["page"]
    size = LETTER if setup.paper == "Letter" else A4
    doc = BaseDocTemplate(str(folder / "segment-00000.pdf"), pagesize=size,
                          leftMargin=lay["margin_left"], rightMargin=lay["margin_right"],
                          topMargin=lay["margin_top"], bottomMargin=lay["margin_bottom"],
                          title=title, author=setup.agency, subject=subject, creator="fkit",
                          producer="fkit", invariant=1, initialFontName=LATIN,
                          creationDate=creation, lang=setup.strings[0].lang)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_canvas_class(setup, folder, per_segment))
    canv = doc.canv
    return list(canv.segments)


def _page_number_pages(setup: PageSetup, first: int, count: int, total: int, pagesize: tuple[float, float]) -> bytes:
    """A PDF of ``count`` pages holding only "Page X of Y" for pages ``first`` .. ``first + count - 1``."""
    import io

    register_fonts()
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=pagesize, invariant=1, initialFontName=LATIN)
    for n in range(first, first + count):
        _page_numbers(canv, setup, n, total)
        canv.showPage()
    canv.save()
    return buf.getvalue()


def _retag_fonts(pdf: Any, segment: int, kind: str) -> None:
    """Give each font subset of one segment its own six-letter tag (reportlab starts every document
    at ``AAAAAA``), so no two different subsets in the merged file share a name."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            if font.objgen in seen or "/BaseFont" not in font:
                continue
            seen.add(font.objgen)
            name = str(font.BaseFont)[1:]
            if len(name) > 7 and name[6] == "+":
                digest = hashlib.sha256(f"{kind}{segment}:{name}".encode()).digest()
                tag = "".join(chr(65 + b % 26) for b in digest[:6])
                font.BaseFont = pikepdf.Name("/" + tag + name[6:])
                desc = font.get("/FontDescriptor")
                if desc is not None:
                    desc.FontName = font.BaseFont


def _own_stream_data(obj: Any, seen: set[tuple[int, int]] | None = None) -> None:
    """Give every stream reachable from ``obj`` (copied from another PDF) its own raw data, so the
    PDF it came from can be closed (a copied stream otherwise reads its data from there at save)."""
    import pikepdf

    seen = set() if seen is None else seen
    if not isinstance(obj, pikepdf.Object):
        return  # numbers, strings and names come back as Python values
    if obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Stream):
        obj.write(obj.read_raw_bytes(), filter=obj.get("/Filter"), decode_parms=obj.get("/DecodeParms"))  # type: ignore[arg-type]
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key, value in obj.items():
            if key != "/Parent":
                _own_stream_data(value, seen)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            _own_stream_data(value, seen)


def _number_stamps(seg: Any, nums: Any) -> tuple[list[bytes], dict[str, Any]]:
    """The content of each page of ``nums`` with its fonts renamed ``/FkitNo<n>``, and those fonts
    copied once into ``seg`` (reportlab names fonts ``/F1+0``; the segment uses the same names)."""
    fonts: dict[str, tuple[str, Any]] = {}
    for page in nums.pages:
        for name, font in page.obj.Resources.Font.items():
            if str(name) not in fonts:
                fonts[str(name)] = (f"/FkitNo{len(fonts)}", seg.copy_foreign(font))
    for _new, obj in fonts.values():
        _own_stream_data(obj)
    names = sorted(fonts, key=len, reverse=True)
    pattern = re.compile(b"(" + b"|".join(re.escape(n.encode()) for n in names) + rb")(?=[\s/\[<(])")
    stamps = []
    for page in nums.pages:
        data = page.obj.Contents.read_bytes()
        stamps.append(pattern.sub(lambda m: fonts[m.group(1).decode()][0].encode(), data) if names else data)
    return stamps, {new: obj for new, obj in fonts.values()}


def stamped_segments(segments: Sequence[tuple[Path, int]], setup: PageSetup) -> Iterator[Any]:
    """Each segment file opened as a ``pikepdf.Pdf`` with "Page X of Y" printed on every page, one
    at a time: a segment is closed when the next is asked for.

    Each page's own content stream is left as it is, not decoded (pikepdf's ``add_overlay`` would
    coalesce every page's content into memory): ``/Contents`` becomes ``[q, content, Q + the page
    number]``, the number drawn with fonts of the numbers document added to the page's font
    resources under ``/FkitNo<n>``."""
    import io

    import pikepdf

    total = sum(n for _, n in segments)
    first = 1
    for i, (path, count) in enumerate(segments):
        with pikepdf.open(path) as seg:
            box = [float(x) for x in seg.pages[0].mediabox]  # every page has the same size
            with pikepdf.open(io.BytesIO(_page_number_pages(setup, first, count, total, (box[2], box[3])))) as nums:
                _retag_fonts(seg, i, "s")
                _retag_fonts(nums, i, "n")
                stamps, num_fonts = _number_stamps(seg, nums)  # copies what it needs: nums is closed after
            q_open = seg.make_stream(b"q\n")
            resources: dict[tuple[int, int], Any] = {}  # reportlab pages share resource dictionaries
            for k, page in enumerate(seg.pages):
                res = page.obj.get("/Resources", pikepdf.Dictionary())
                key = res.objgen if res.is_indirect else (-1, k)
                if key not in resources:
                    fonts = pikepdf.Dictionary({str(n): v for n, v in res.get("/Font", pikepdf.Dictionary()).items()})
                    for name, obj in num_fonts.items():
                        fonts[name] = obj
                    new_res = pikepdf.Dictionary({str(n): v for n, v in res.items()})
                    new_res["/Font"] = fonts
                    resources[key] = seg.make_indirect(new_res)
                page.obj.Resources = resources[key]
                contents = page.obj.Contents
                parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
                page.obj.Contents = pikepdf.Array([q_open, *parts, seg.make_stream(b"Q\n" + stamps[k] + b"\n")])
            yield seg
        first += count


def write_segments(segments: Sequence[tuple[Path, int]], setup: PageSetup, out: BinaryIO,
                   cover: Any = None) -> int:
    """Write the segment files, numbered "Page X of Y", as one PDF to ``out``, one segment in
    memory at a time (:class:`~forensic_kit.report.pdfwrite.PdfStreamWriter`); ``cover``: an empty
    ``pikepdf.Pdf`` whose catalog entries and document information the PDF takes (PDF/A).
    Returns the number of pages."""
    from forensic_kit.report.pdfwrite import PdfStreamWriter

    writer = PdfStreamWriter(out)
    for seg in stamped_segments(segments, setup):
        writer.add_pages(seg)
    writer.finish(cover)
    return writer.pages


def build_pdf(out: Path | Any, story: list[Flowable], setup: PageSetup, title: str, subject: str,
              creation: Any) -> int:
    """Lay ``story`` out into the PDF ``out`` (a path or a binary file object); returns the number of pages."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fkit-pdf-") as tmp:
        segments = render_segments(story, setup, title, subject, creation, Path(tmp))
        if isinstance(out, Path):
            with open(out, "wb") as f:
                return write_segments(segments, setup, f)
        return write_segments(segments, setup, out)
