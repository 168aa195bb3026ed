"""What the reports built on a records file share (the laboratory report of ``fkit lab verify``,
the travel-document list of ``fkit mrz --pdf``): the strings and page geometry, the closing line,
and the PDF/A-3b file with the records attached and their SHA-256 in the footer and QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Spacer

from forensic_kit.report.layout import PageSetup, Text, build_pdf, color
from forensic_kit.report.strings import Strings, load_layout, load_strings
from forensic_kit.report.text import BOLD

LANGUAGES = ("en", "fr", "ar")


@dataclass(frozen=True)
class Page:
    """The strings of each language and the custody layout's numbers a records report draws with."""

    strings: list[Strings]
    layout: dict[str, Any]
    size: float
    width: float
    ok_ink: Any
    bad_ink: Any
    rule: Any


def page(langs: Sequence[str] | None, templates: Path | None) -> Page:
    """The fonts registered, the strings of ``langs`` (default ar/fr/en order of LANGUAGES) and the layout."""
    from forensic_kit.report.text import register_fonts

    register_fonts()
    strings = [load_strings(lang, templates) for lang in dict.fromkeys(langs or LANGUAGES)]
    lay = load_layout("custody", templates)
    width = A4[0] - lay["page"]["margin_left"] - lay["page"]["margin_right"]
    return Page(strings, lay, lay["fonts"]["body"], width, color(lay["colors"]["ok"]), color(lay["colors"]["bad"]),
                color(lay["colors"]["rule"]))


def end_of_document(strings: Sequence[Strings]) -> list[Flowable]:
    """The closing "— End of document · Fin du document · … —" line."""
    latin = " · ".join(s.get("end_of_document") for s in strings if not s.rtl)
    arabic = " · ".join(s.get("end_of_document") for s in strings if s.rtl)
    return [Spacer(1, 10), Text("— " + " · ".join(x for x in (latin, arabic) if x) + " —", 8, align="center", font=BOLD)]


def write(out_path: Path, story: list[Flowable], setup: PageSetup, created: datetime, records_jsonl: bytes,
          attachment_name: str, attachment_description: str) -> int:
    """Lay ``story`` out, make it PDF/A-3b with ``records_jsonl`` attached, write it to ``out_path``
    (temporary file, then rename); returns the number of pages."""
    from forensic_kit.report import _write
    from forensic_kit.report.pdfa import make_pdfa

    title = setup.strings[0].get(setup.title_key)
    buf = io.BytesIO()
    pages = build_pdf(buf, story, setup, title=title, subject=setup.doc_id, creation=created)
    pdf = make_pdfa(buf.getvalue(), title=title, author="fkit", subject=setup.doc_id, lang=setup.strings[0].lang,
                    created=created, attachment=records_jsonl, attachment_name=attachment_name,
                    attachment_description=attachment_description, attachment_mime="application/jsonl")
    _write(Path(out_path), pdf)
    return pages
