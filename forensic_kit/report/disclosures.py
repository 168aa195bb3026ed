"""The transfer log (``fkit report disclosures CASE -o transfers.pdf``).

One row per ``disclosed`` event of the case's custody ledger: date, recipient authority (person,
organisation, key), data transferred (exhibits, files, bytes, file list hash, Merkle root),
justification (purpose and legal basis), handling code, channel and who signed — the record of
transfers the EU Law Enforcement Directive (2016/680) Art. 37(3) asks for. The labels live in
``templates/share/labels.toml``; the page machinery is the custody record's (:mod:`.layout`).
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, LongTable, Spacer

from forensic_kit.report.custody_report import _hdr, _style, creation_time, gather
from forensic_kit.report.layout import PageSetup, Text, build_pdf
from forensic_kit.report.strings import Strings

if TYPE_CHECKING:
    from forensic_kit.package import Case


def _labels() -> dict[str, dict[str, str]]:
    from forensic_kit.resources import templates_dir

    data = tomllib.loads((templates_dir() / "share" / "labels.toml").read_text(encoding="utf-8"))
    return {k: dict(v) for k, v in data.items() if isinstance(v, dict)}


def disclosure_rows(case: "Case") -> list[dict[str, Any]]:
    """The ``disclosed`` events of ``case``'s ledger, in order."""
    from forensic_kit.custody import read_events

    return [e for e in read_events(case) if e.get("action") == "disclosed"]


def _recipients(d: dict[str, Any]) -> str:
    out = []
    for r in d.get("recipients") or []:
        p = r.get("person") or {}
        if p:
            extra = ", ".join(str(x) for x in (p.get("id"), p.get("org")) if x)
            out.append(f"{p.get('name')} ({extra})" if extra else str(p.get("name")))
        else:
            out.append(f"UNBOUND KEY {str(r.get('recipient'))[:32]}…")
    return "\n".join(out)


def render(case: "Case", out_path: Path, langs: Sequence[str] | None = None) -> dict[str, Any]:
    """Write the transfer log of ``case`` to ``out_path`` (PDF/A-3b with the manifest attached)."""
    from forensic_kit.custody import party_label
    from forensic_kit.report import _write
    from forensic_kit.report.pdfa import make_pdfa
    from forensic_kit.report.text import register_fonts

    register_fonts()
    facts = gather(case, langs, None, None, with_custody=False)
    extra = _labels()
    S = [Strings(s.lang, s.rtl, {**s.table, **extra.get(s.lang, {})}, {**s.fallback, **extra["en"]})
         for s in facts.strings]
    lay, size = facts.layout, facts.layout["fonts"]["body"]
    width = A4[0] - lay["page"]["margin_left"] - lay["page"]["margin_right"]
    events = disclosure_rows(case)
    story: list[Flowable] = [Text(s.get("disc_intro"), size) for s in S] + [Spacer(1, 6)]
    rows: list[list[Any]] = [_hdr(S, ["col_disc_n", "col_disc_date", "col_disc_to", "col_disc_data", "col_disc_why",
                                      "col_disc_how"], lay)]
    for e in events:
        d = e.get("disclosure") or {}
        signer = party_label(e.get("released_by"))
        data = (f"{', '.join(e.get('exhibits') or [])}: {d.get('files')} files, {d.get('bytes')} bytes\n"
                f"SHA256SUMS {str(d.get('file_list_sha256'))[:16]}…\nMerkle {str(d.get('merkle_root'))[:16]}…")
        rows.append([Text(str(e.get("seq")), size), Text(str(e.get("time", "")).replace("T", " ").rstrip("Z"), size),
                     Text(_recipients(d), size), Text(data, size),
                     Text(f"{e.get('purpose') or ''}\n{d.get('legal_basis') or ''}", size),
                     Text(f"{d.get('handling')} / {d.get('channel')}\n{signer}", size)])
    if events:
        t = LongTable(rows, colWidths=[width * w for w in (0.05, 0.13, 0.22, 0.22, 0.22, 0.16)], repeatRows=1)
        t.setStyle(_style(lay))
        story.append(t)
    else:
        story += [Text(s.get("disc_none"), size) for s in S]
    latin = " · ".join(s.get("end_of_document") for s in S if not s.rtl)
    arabic = " · ".join(s.get("end_of_document") for s in S if s.rtl)
    story += [Spacer(1, 10), Text("— " + " · ".join(x for x in (latin, arabic) if x) + " —", 8, align="center")]
    watermark = (facts.profile.watermark or "TRAINING") if (facts.profile.training or facts.info.get("training")) else None
    created = creation_time()
    setup = PageSetup(strings=S, layout=lay, doc_id=facts.doc_id("TRF"), revision=len(events) or 1,
                      agency=str(facts.info.get("agency") or ""), title_key="disclosures_title",
                      manifest_sha256=facts.manifest_sha256, qr_payload=facts.qr_payload, watermark=watermark,
                      paper=facts.profile.paper)
    buf = io.BytesIO()
    pages = build_pdf(buf, story, setup, title=S[0].get("disclosures_title"), subject=facts.doc_id("TRF"), creation=created)
    pdf = make_pdfa(buf.getvalue(), title=S[0].get("disclosures_title"), author=str(facts.info.get("agency") or "fkit"),
                    subject=facts.doc_id("TRF"), lang=S[0].lang, created=created, attachment=facts.manifest_bytes)
    _write(out_path, pdf)
    return {"pages": pages, "disclosures": len(events), "languages": [s.lang for s in S]}


__all__ = ["disclosure_rows", "render"]
