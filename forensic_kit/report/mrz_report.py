"""The list of travel documents found (``fkit mrz PATH... --pdf documents.pdf``).

Same look, fonts and string tables as the custody record and the laboratory report, PDF/A-3b: a
summary (documents, how many fail a check, watchlist hits, the reference date), then one block per
``doc.mrz`` record: the zone's picture cut from its image along the record's corners (after the
image's SHA-256 is checked against the record; the image is only read), the zone as read, every
field, each check digit with its verdict, the OCR corrections, the confidence and the findings as
sentences in every language. The records the run wrote are attached (``mrz-records.jsonl``); the
footer and the QR code carry their SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, Image, LongTable, Spacer, TableStyle

from forensic_kit.errors import InputError
from forensic_kit.report.custody_report import CaseFacts, _each, _multi, _style, _widths, creation_time, section_head
from forensic_kit.report.layout import Heading, PageSetup, Text, color, labels
from forensic_kit.report.recordspdf import end_of_document, page, write
from forensic_kit.report.strings import Strings
from forensic_kit.report.text import BOLD, MONO

BLOCK_START = 330.0
"""Points that must remain on a page for a document's block to start there (its picture and fields)."""
CROP_PROBLEMS = {"changed": "mrz_no_crop_changed", "missing": "mrz_no_crop_missing", "page": "mrz_no_crop_page",
                 "corners": "mrz_no_crop_corners"}
FIELDS = (("mrz_f_state", "issuing_state"), ("mrz_f_surname", "surname"), ("mrz_f_given", "given_names"),
          ("mrz_f_number", "document_number"), ("mrz_f_nationality", "nationality"), ("mrz_f_birth", "birth_date"),
          ("mrz_f_sex", "sex"), ("mrz_f_expiry", "expiry_date"), ("mrz_f_optional", "optional_data"))


def _sentence(s: Strings, finding: dict[str, Any]) -> str:
    """A finding's sentence in ``s``'s language (the record carries en/fr/ar; English otherwise)."""
    return str(finding.get(s.lang) or finding.get("en") or finding.get("code") or "")


def _check_lines(S: Sequence[Strings], checks: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """One line per check and language group: (text, holds)."""
    out = []
    for c in checks:
        key = "mrz_check_ok" if c.get("valid") else "mrz_check_bad"
        name = str(c.get("name"))
        vals = {"printed": c.get("printed") or "", "computed": c.get("computed") or "?"}
        latin = " / ".join(dict.fromkeys(s.get(key, name=s.get(f"mrz_check_{name}"), **vals) for s in S if not s.rtl))
        if latin:
            out.append((latin, bool(c.get("valid"))))
        for s in S:
            if s.rtl:
                out.append((s.get(key, name=s.get(f"mrz_check_{name}"), **vals), bool(c.get("valid"))))
    return out


def _date(raw: Any, iso: Any) -> str:
    return f"{raw}  ({iso})" if iso else str(raw or "")


def _picture(rec: dict[str, Any], crop: Any, width: float, S: Sequence[Strings], size: float,
             bad: Any) -> list[Flowable]:
    """The zone's picture scaled to ``width`` points, or why there is none."""
    if crop is None or crop.pixels is None:
        key = CROP_PROBLEMS.get(getattr(crop, "problem", None) or "missing", "mrz_no_crop_missing")
        return [Text(_multi(S, key), size, bad)]
    from PIL import Image as PILImage

    pixels = crop.pixels
    png = io.BytesIO()
    PILImage.fromarray(pixels, "L").convert("RGB").save(png, "PNG", optimize=True)
    png.seek(0)
    h, w = pixels.shape[:2]
    draw_w = min(width, float(w))
    return [Image(png, width=draw_w, height=draw_w * h / w)]


def document_block(n: int, rec: dict[str, Any], crop: Any, S: Sequence[Strings], lay: dict[str, Any],
                   width: float) -> list[Flowable]:
    """One document: a table of label/value pairs (two pairs a row for the fields); it starts on a
    new page when less than ``BLOCK_START`` points remain."""
    size = lay["fonts"]["body"]
    lsize = size - 1.5  # labels: Latin languages on one line, Arabic below
    ok_ink, bad_ink = color(lay["colors"]["ok"]), color(lay["colors"]["bad"])
    white = color(lay["colors"]["header_text"])
    m = rec.get("mrz") or {}
    widths = _widths(lay, "mrz_document", width)
    wide = sum(widths[1:]) - 6
    flagged = bool(rec.get("flagged"))
    where = str(rec.get("path", ""))
    if rec.get("page") is not None:
        where += "  (" + " / ".join(dict.fromkeys(s.get("mrz_page", page=rec["page"]) for s in S if not s.rtl)) + ")"
    if rec.get("exhibit"):
        where = f"{rec['exhibit']}: {where}"

    def label(key: str, **values: Any) -> list[Flowable]:
        return labels(S, key, lsize, font=BOLD, **values)

    rows: list[list[Any]] = [
        [labels(S, "mrz_document", size, white, font=BOLD, n=n),
         Text(_multi(S, "mrz_verdict_flagged" if flagged else "mrz_verdict_clean"), size, white, font=BOLD), "", ""],
        [label("mrz_image"), Text(where, size - 1, font=MONO), "", ""],
        [label("mrz_image_sha256"),
         Text(str(((rec.get("image") or {}).get("hashes") or {}).get("sha256", "")), size - 1.5, font=MONO), "", ""],
        [label("mrz_zone"), _picture(rec, crop, wide, S, size, bad_ink), "", ""],
        [label("mrz_lines"), [Text(line, size, font=MONO) for line in rec.get("lines") or []], "", ""],
    ]
    spans = list(range(len(rows)))
    values: list[tuple[str, Any]] = [("mrz_f_type", f"{m.get('document_code', '')}  ({m.get('format', '')})")]
    for key, name in FIELDS:
        value = m.get(name)
        if name == "birth_date":
            value = _date(value, m.get("birth_date_iso"))
        elif name == "expiry_date":
            value = _date(value, m.get("expiry_date_iso"))
        values.append((key, "" if value is None else str(value)))
    for i in range(0, len(values), 2):
        row: list[Any] = []
        for key, value in values[i:i + 2]:
            row += [label(key), Text(value, size, font=MONO)]
        rows.append(row + [""] * (4 - len(row)))
    spans.append(len(rows))
    rows.append([label("mrz_checks"),
                 [Text(t, size - 0.5, ok_ink if holds else bad_ink) for t, holds in _check_lines(S, rec.get("checks") or [])],
                 "", ""])
    corr = rec.get("corrections") or []
    if corr:
        listing = ", ".join(f"{c.get('line')}:{c.get('column')} {c.get('from')}→{c.get('to')}"
                            + ("" if c.get("verified") else " (?)") for c in corr)
        corr_cell: Any = _each(S, "mrz_corrections_text", size - 1, n=len(corr), changes=listing)
    else:
        corr_cell = Text(_multi(S, "mrz_corrections_none"), size - 0.5)
    rows.append([label("mrz_corrections"), corr_cell, label("mrz_confidence"),
                 Text(f"{float(rec.get('confidence') or 0):.3f}  ({rec.get('engine', '')})", size - 0.5)])
    finds = [f for f in rec.get("findings") or [] if isinstance(f, dict)]
    cell: list[Flowable] = []
    for f in finds:
        ink = bad_ink if f.get("exit_one") else None
        cell += [Text("• " + _sentence(s, f), size - 0.5, ink) for s in S]
    spans.append(len(rows))
    rows.append([label("mrz_findings"), cell or Text(_multi(S, "mrz_findings_none"), size - 0.5), "", ""])
    t = LongTable(rows, colWidths=widths, repeatRows=1)  # a block split over two pages repeats its header
    t.setStyle(_style(lay))
    cmds: list[tuple[Any, ...]] = [("SPAN", (1, r), (3, r)) for r in spans]
    cmds += [("BACKGROUND", (0, 1), (0, -1), color(lay["colors"]["shade"])),
             ("ROWBACKGROUNDS", (1, 1), (-1, -1), [colors.white])]
    cmds += [("BACKGROUND", (2, r), (2, r), color(lay["colors"]["shade"])) for r in range(len(rows)) if r not in spans]
    t.setStyle(TableStyle(cmds))
    return [CondPageBreak(BLOCK_START), t, Spacer(1, 8)]


def render(records: list[dict[str, Any]], records_jsonl: bytes, out_path: Path, reference: str,
           crops: Sequence[Any], langs: Sequence[str] | None = None, templates: Path | None = None) -> dict[str, Any]:
    """Write the PDF/A-3b list of the ``doc.mrz`` ``records`` (``crops[i]``: the
    :class:`forensic_kit.mrz.crop.Crop` of ``records[i]``) to ``out_path``; returns the pages,
    languages and the records' SHA-256."""
    pg = page(langs, templates)
    S, lay, size, width = pg.strings, pg.layout, pg.size, pg.width
    ok_ink, bad_ink, rule = pg.ok_ink, pg.bad_ink, pg.rule
    created = creation_time()
    sha = hashlib.sha256(records_jsonl).hexdigest()
    flagged = sum(1 for r in records if r.get("flagged"))
    hits = sum(len(r.get("watchlist_hits") or []) for r in records)
    result = "mrz_result_none" if not records else ("mrz_result_flagged" if flagged or hits else "mrz_result_clean")
    story: list[Flowable] = [Heading(1, S, "mrz_sec_summary", lay["fonts"]["heading"], rule), Spacer(1, 4)]
    story += [Text(s.get(result), lay["fonts"]["title"], ok_ink if result == "mrz_result_clean" else bad_ink, font=BOLD)
              for s in S]
    rows: list[list[Any]] = [
        [labels(S, "mrz_documents", size, font=BOLD),
         _each(S, "mrz_documents_text", size, n=len(records), flagged=flagged, hits=hits)],
        [labels(S, "mrz_reference", size, font=BOLD), Text(reference, size)],
        [labels(S, "mrz_printed", size, font=BOLD), Text(created.strftime("%Y-%m-%d %H:%M:%S UTC"), size)],
        [labels(S, "mrz_records_sha256", size, font=BOLD), Text(sha, size - 1, font=MONO)],
    ]
    t = LongTable(rows, colWidths=[width * 0.28, width * 0.72])
    t.setStyle(_style(lay, 0))
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"]))]))
    story += [Spacer(1, 6), t, Spacer(1, 8)]
    if records:
        story += [CondPageBreak(BLOCK_START + 30), Heading(2, S, "mrz_sec_documents", lay["fonts"]["heading"], rule), Spacer(1, 3)]
        for i, rec in enumerate(records):
            story += document_block(i + 1, rec, crops[i] if i < len(crops) else None, S, lay, width)
    story += end_of_document(S)
    doc_id = f"MRZ-{created:%Y%m%d-%H%M%S}"
    setup = PageSetup(strings=S, layout=lay, doc_id=doc_id, revision=1, agency="fkit mrz",
                      title_key="mrz_title", manifest_sha256=sha, qr_payload=f"fkit-mrz-records:sha256:{sha}",
                      watermark=None, footer_hash_key="mrz_records_sha256")
    pages = write(Path(out_path), story, setup, created, records_jsonl, "mrz-records.jsonl",
                  "fkit mrz records (JSON Lines)")
    return {"pages": pages, "languages": [s.lang for s in S], "records_sha256": sha, "doc_id": doc_id}


@dataclass(frozen=True)
class RecordsFile:
    """The ``doc.mrz`` records of a ``fkit mrz`` output file, for ``fkit report custody --mrz``."""

    path: Path
    sha256: str
    records: list[dict[str, Any]]


def load_records(path: Path, max_bytes: int = 64 << 20) -> RecordsFile:
    """The ``doc.mrz`` lines of ``path`` (other record kinds are skipped; a line that is not JSON is
    an :class:`InputError` naming the line)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the MRZ records: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: more than {max_bytes >> 20} MiB of MRZ records")
    records = []
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            raise InputError(f"{path}: line {n} is not a JSON record (expected the output of fkit mrz)") from None
        if isinstance(rec, dict) and rec.get("kind") == "doc.mrz":
            records.append(rec)
    return RecordsFile(Path(path), hashlib.sha256(data).hexdigest(), records)


def custody_section(source: RecordsFile, crops: Sequence[Any]) -> Any:
    """``extra`` for :func:`forensic_kit.report.custody_report.custody_story`: section 7, the travel
    documents of ``source`` (its path and SHA-256, the counts, one block per document)."""

    def section(f: CaseFacts, width: float) -> list[Flowable]:
        S, lay = f.strings, f.layout
        size = lay["fonts"]["body"]
        recs = source.records
        flagged = sum(1 for r in recs if r.get("flagged"))
        hits = sum(len(r.get("watchlist_hits") or []) for r in recs)
        rows: list[list[Any]] = [
            [labels(S, "mrz_records_file", size, font=BOLD), Text(str(source.path), size - 1, font=MONO)],
            [labels(S, "mrz_records_sha256", size, font=BOLD), Text(source.sha256, size - 1, font=MONO)],
            [labels(S, "mrz_documents", size, font=BOLD),
             _each(S, "mrz_documents_text", size, n=len(recs), flagged=flagged, hits=hits)],
        ]
        t = LongTable(rows, colWidths=[width * 0.28, width * 0.72])
        t.setStyle(_style(lay, 0))
        t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"]))]))
        out: list[Flowable] = [*section_head(7, f, "mrz_sec_custody"), t, Spacer(1, 6)]
        for i, rec in enumerate(recs):
            out += document_block(i + 1, rec, crops[i] if i < len(crops) else None, S, lay, width)
        return out

    return section
