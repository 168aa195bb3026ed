"""The one-page verification certificate (``fkit verify CASE --report verify.pdf``).

Same look as the custody record: result, signer, date, counts, a row per exhibit, findings.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, LongTable, Spacer, TableStyle

from forensic_kit.report.custody_report import _hdr, _style, _widths, creation_time, gather
from forensic_kit.report.layout import Heading, PageSetup, Text, build_pdf, color, labels

if TYPE_CHECKING:
    from forensic_kit.package import Case

_MAX_FINDINGS = 25


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    as_dict = getattr(result, "as_dict", None)
    if callable(as_dict):
        data = as_dict()
        if isinstance(data, dict):
            return data
    return {"result": "FAILED", "findings": [], "counts": {}}


def _exhibit_of(path: Any) -> str | None:
    parts = str(path or "").split("/")
    if len(parts) >= 2 and parts[0] == "data":
        return parts[1]
    return None


def render(case: "Case", result: Any, out_path: Path, langs: Sequence[str] | None = None,
           templates: Path | None = None) -> dict[str, Any]:
    """Render the certificate of ``result`` (a ``VerifyReport`` or its dict) for ``case``."""
    from forensic_kit.report import _write
    from forensic_kit.report.pdfa import make_pdfa
    from forensic_kit.report.text import register_fonts

    register_fonts()
    facts = gather(case, langs, None, templates, with_custody=False)
    data = _as_dict(result)
    lay, S, size = facts.layout, facts.strings, facts.layout["fonts"]["body"]
    from reportlab.lib.pagesizes import A4

    width = A4[0] - lay["page"]["margin_left"] - lay["page"]["margin_right"]
    code = int(data.get("exit_code", 1 if data.get("result") != "OK" else 0))
    verdict = "verify_ok" if code == 0 else ("verify_partial" if code == 3 else "verify_failed")
    verdict_color = color(lay["colors"]["ok"] if code == 0 else lay["colors"]["bad"])
    findings = [f for f in data.get("findings") or [] if isinstance(f, dict)]
    sig = data.get("signature") or {}
    created = creation_time()
    rule = color(lay["colors"]["rule"])
    story: list[Flowable] = [Heading(1, S, "verify_result", lay["fonts"]["heading"], rule), Spacer(1, 4)]
    story += [Text(s.get(verdict), lay["fonts"]["title"], verdict_color) for s in S]
    signer = " ".join(str(x) for x in (sig.get("name") or sig.get("key_id"), sig.get("fingerprint")) if x) \
        or facts.signer_label
    counts = data.get("counts") or {}
    rows = [
        [labels(S, "case_number", size), Text(str(data.get("case_id") or facts.info.get("case_id") or ""), size)],
        [labels(S, "verify_signer", size), Text(signer, size)],
        [labels(S, "manifest_sha256", size), Text(str(data.get("manifest_sha256") or facts.manifest_sha256 or ""), size)],
        [labels(S, "verify_date", size), Text(created.strftime("%Y-%m-%d %H:%M UTC"), size)],
        [labels(S, "verify_counts", size), Text(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())), size)],
    ]
    t = LongTable(rows, colWidths=[width * 0.28, width * 0.72])
    t.setStyle(_style(lay, 0))
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"]))]))
    story += [Spacer(1, 6), t, Spacer(1, 8), Heading(2, S, "sec_exhibits", lay["fonts"]["heading"], rule), Spacer(1, 3)]
    per_ex: dict[str, int] = {}
    for f in findings:
        exid = _exhibit_of(f.get("path"))
        if exid:
            per_ex[exid] = per_ex.get(exid, 0) + 1
    nfiles: dict[str, int] = {}
    for rec in facts.files:
        nfiles[str(rec.get("exhibit"))] = nfiles.get(str(rec.get("exhibit")), 0) + 1
    erows: list[list[Any]] = [_hdr(S, ["col_exhibit", "col_description", "col_files", "col_status"], lay)]
    for ex in facts.exhibits:
        eid = str(ex.get("id"))
        bad = per_ex.get(eid, 0)
        status = "\n".join(s.get("verify_exhibit_bad" if bad else "verify_exhibit_ok") for s in S)
        erows.append([Text(eid, size), Text(str(ex.get("description") or ""), size), Text(str(nfiles.get(eid, 0)), size),
                      Text(f"{status}" + (f"\n({bad})" if bad else ""), size,
                           color(lay["colors"]["bad" if bad else "ok"]))])
    et = LongTable(erows, colWidths=_widths(lay, "verify_exhibits", width), repeatRows=1)
    et.setStyle(_style(lay))
    story += [et, Spacer(1, 8), Heading(3, S, "verify_findings", lay["fonts"]["heading"], rule), Spacer(1, 3)]
    if not findings:
        story.append(Text(" / ".join(s.get("verify_none") for s in S), size))
    for f in findings[:_MAX_FINDINGS]:
        story.append(Text(f"• {f.get('message')}", size, color(lay["colors"]["bad"])))
    if len(findings) > _MAX_FINDINGS:
        story.append(Text(f"… +{len(findings) - _MAX_FINDINGS} (fkit verify --json)", size))
    latin = " · ".join(s.get("end_of_document") for s in S if not s.rtl)
    arabic = " · ".join(s.get("end_of_document") for s in S if s.rtl)
    story += [Spacer(1, 10), Text("— " + " · ".join(x for x in (latin, arabic) if x) + " —", 8, align="center")]
    watermark = (facts.profile.watermark or "TRAINING") if (facts.profile.training or facts.info.get("training")) else None
    agency = str(facts.info.get("agency") or "")
    if watermark:
        agency = f"{agency} — {' / '.join(s.get('training_banner') for s in S if not s.rtl)}"
    setup = PageSetup(strings=S, layout=lay, doc_id=facts.doc_id("VER"), revision=1, agency=agency, title_key="verify_title",
                      manifest_sha256=facts.manifest_sha256, qr_payload=facts.qr_payload, watermark=watermark,
                      paper=facts.profile.paper)
    buf = io.BytesIO()
    pages = build_pdf(buf, story, setup, title=S[0].get("verify_title"), subject=facts.doc_id("VER"), creation=created)
    pdf = make_pdfa(buf.getvalue(), title=S[0].get("verify_title"), author=str(facts.info.get("agency") or "fkit"),
                    subject=facts.doc_id("VER"), lang=S[0].lang, created=created, attachment=facts.manifest_bytes)
    _write(out_path, pdf)
    return {"pages": pages, "result": verdict, "languages": [s.lang for s in S]}


def write(target: Path, pdf: Path, report: Any) -> None:
    """Hook used by ``fkit verify --report``: certificate of ``report`` for the case at ``target``."""
    from forensic_kit.package import Case

    render(Case.open(target), report, Path(pdf))
