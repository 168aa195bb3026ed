"""The one-page verification certificate (``fkit verify CASE --report verify.pdf``).

Same look as the custody record: result, signer (the person the trust list binds to the
signature's own key, and the verdict), date, counts in words, a row per exhibit whose file counts
add up to the total, and every finding as a sentence in each language.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, LongTable, Spacer, TableStyle

from forensic_kit.report.custody_report import _each, _hdr, _multi, _style, _widths, creation_time, gather
from forensic_kit.report.findings import verify_sentence
from forensic_kit.report.layout import Heading, PageSetup, Text, build_pdf, color, labels
from forensic_kit.report.text import BOLD, LATIN, MONO

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
           templates: Path | None = None, trust: Path | None = None) -> dict[str, Any]:
    """Render the certificate of ``result`` (a ``VerifyReport`` or its dict) for ``case``."""
    from forensic_kit.report import _write, watermark_text
    from forensic_kit.report.custody_report import ledger_head
    from forensic_kit.report.pdfa import make_pdfa
    from forensic_kit.report.text import register_fonts

    register_fonts()
    facts = gather(case, langs, None, templates, with_custody=False, trust=trust)
    data = _as_dict(result)
    lay, S, size = facts.layout, facts.strings, facts.layout["fonts"]["body"]
    from reportlab.lib.pagesizes import A4

    width = A4[0] - lay["page"]["margin_left"] - lay["page"]["margin_right"]
    code = int(data.get("exit_code", 1 if data.get("result") != "OK" else 0))
    verdict = "verify_ok" if code == 0 else ("verify_partial" if code == 3 else "verify_failed")
    verdict_color = color(lay["colors"]["ok"] if code == 0 else lay["colors"]["bad"])
    findings = [f for f in data.get("findings") or [] if isinstance(f, dict)]
    created = creation_time()
    rule = color(lay["colors"]["rule"])
    story: list[Flowable] = [Heading(1, S, "verify_result", lay["fonts"]["heading"], rule), Spacer(1, 4)]
    story += [Text(s.get(verdict), lay["fonts"]["title"], verdict_color, font=BOLD) for s in S]
    # the signer: derived from the signature's own key, named by the trust list
    sig_path = case.fkit_dir / "manifest.json.sshsig"
    signer_cell: list[Flowable] = []
    if facts.manifest_bytes is not None and sig_path.is_file():
        from forensic_kit.signing import NAMESPACE_MANIFEST

        who = facts.signer_of(facts.manifest_bytes, sig_path.read_text("ascii", "replace"), NAMESPACE_MANIFEST)
        good = who.verdict == "verified"
        ink = color(lay["colors"]["ok" if good else "bad"])
        key = {"verified": "sig_verified", "not_bound": "sig_not_bound", "no_trust": "sig_no_trust",
               "invalid": "sig_invalid"}[who.verdict]
        if who.person:
            signer_cell.append(Text(who.person, size, font=BOLD))
        signer_cell.append(Text(_multi(S, key, trust=facts.trust_name), size, ink))
        if who.fingerprint:
            signer_cell.append(Text(who.fingerprint, size - 1, font=MONO))
    else:
        signer_cell.append(Text(_multi(S, "unsealed"), size, color(lay["colors"]["bad"])))
    counts = data.get("counts") or {}
    count_vals = {"files": counts.get("files", 0), "bytes": counts.get("bytes", 0), "ok": counts.get("OK", 0),
                  "modified": counts.get("MODIFIED", 0), "missing": counts.get("MISSING", 0),
                  "moved": counts.get("MOVED", 0), "new": counts.get("NEW", 0), "unreadable": counts.get("UNREADABLE", 0)}
    sha = str(data.get("manifest_sha256") or facts.manifest_sha256 or "")
    rows = [
        [labels(S, "case_number", size, font=BOLD), Text(str(data.get("case_id") or facts.info.get("case_id") or ""), size)],
        [labels(S, "verify_signer", size, font=BOLD), signer_cell],
        [labels(S, "verify_trust", size, font=BOLD), Text(facts.trust_name or _multi(S, "sig_no_trust"), size)],
        [labels(S, "manifest_sha256", size, font=BOLD), Text(sha, size - 1, font=MONO)],
        [labels(S, "verify_date", size, font=BOLD), Text(created.strftime("%Y-%m-%d %H:%M UTC"), size)],
        [labels(S, "verify_counts", size, font=BOLD), _each(S, "verify_counts_text", size, **count_vals)],
    ]
    head = ledger_head(case)
    if head:
        rows.append([labels(S, "ledger_head", size, font=BOLD), Text(head, size - 1, font=MONO)])
    t = LongTable(rows, colWidths=[width * 0.28, width * 0.72])
    t.setStyle(_style(lay, 0))
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"]))]))
    story += [Spacer(1, 6), t, Spacer(1, 2)]
    if sha:
        story += _each(S, "manifest_sha256_def", size - 1, sha=sha)
    story += [Spacer(1, 8), Heading(2, S, "sec_exhibits", lay["fonts"]["heading"], rule), Spacer(1, 3)]
    per_ex: dict[str, int] = {}
    for f in findings:
        exid = _exhibit_of(f.get("path"))
        if exid:
            per_ex[exid] = per_ex.get(exid, 0) + 1
    nfiles = facts.payload.per_exhibit
    erows: list[list[Any]] = [_hdr(S, ["col_exhibit", "col_description", "col_files", "col_status"], lay)]
    listed = set()
    for ex in facts.exhibits:
        eid = str(ex.get("id"))
        listed.add(eid)
        bad = per_ex.get(eid, 0)
        status = _multi(S, "verify_exhibit_bad" if bad else "verify_exhibit_ok")
        status_cell: list[Flowable] = [Text(f"{status}" + (f"\n({bad})" if bad else ""), size,
                                            color(lay["colors"]["bad" if bad else "ok"]))]
        known_bad = facts.known.get(eid, {}).get("bad", 0)
        for s in S:
            line = facts.known_note(ex, s)
            if line:
                status_cell.append(Text(line, size - 1, color(lay["colors"]["bad"]) if known_bad else None,
                                        font=BOLD if known_bad else LATIN))
        erows.append([Text(eid, size), Text(str(ex.get("description") or ""), size), Text(str(nfiles.get(eid, 0)), size),
                      status_cell])
    other = facts.payload.other + sum(n for e, n in nfiles.items() if e not in listed)
    if other:
        erows.append([Text("—", size), Text(_multi(S, "other_files"), size), Text(str(other), size), Text("", size)])
    erows.append([Text(_multi(S, "total"), size, font=BOLD), Text("", size), Text(str(facts.payload.total), size, font=BOLD),
                  Text("", size)])
    et = LongTable(erows, colWidths=_widths(lay, "verify_exhibits", width), repeatRows=1)
    et.setStyle(_style(lay))
    story += [et]
    if facts.known_bad:
        bad_ink = color(lay["colors"]["bad"])
        story += [Spacer(1, 4)] + [Text(s.get("known_bad_files"), size, bad_ink, font=BOLD) for s in S]
        for eid, path, sets in facts.known_bad[:_MAX_FINDINGS]:
            story.append(Text(f"• {eid}  {path}  ({', '.join(sets)})", size - 1, bad_ink))
        if len(facts.known_bad) > _MAX_FINDINGS:
            story += [Text(s.get("findings_more", n=len(facts.known_bad) - _MAX_FINDINGS), size) for s in S]
    story += [Spacer(1, 8), Heading(3, S, "verify_findings", lay["fonts"]["heading"], rule), Spacer(1, 3)]
    if not findings:
        story.append(Text(_multi(S, "verify_none"), size))
    bad_ink = color(lay["colors"]["bad"])
    for s in S:
        for f in findings[:_MAX_FINDINGS]:
            story.append(Text("• " + verify_sentence(s, f), size, bad_ink))
        if len(findings) > _MAX_FINDINGS:
            story.append(Text(s.get("findings_more", n=len(findings) - _MAX_FINDINGS), size))
    latin = " · ".join(s.get("end_of_document") for s in S if not s.rtl)
    arabic = " · ".join(s.get("end_of_document") for s in S if s.rtl)
    story += [Spacer(1, 10), Text("— " + " · ".join(x for x in (latin, arabic) if x) + " —", 8, align="center", font=BOLD)]
    watermark = watermark_text(templates) if (facts.profile.training or facts.info.get("training")) else None
    agency = str(facts.info.get("agency") or "")
    if watermark:
        agency = f"{agency} — {' / '.join(s.get('training_banner') for s in S if not s.rtl)}"
    setup = PageSetup(strings=S, layout=lay, doc_id=facts.doc_id("VER"), revision=max(1, case.sealed_revision()), agency=agency, title_key="verify_title",
                      manifest_sha256=facts.manifest_sha256, qr_payload=facts.qr_payload, watermark=watermark,
                      paper=facts.profile.paper, extra={"ledger_head": head})
    buf = io.BytesIO()
    pages = build_pdf(buf, story, setup, title=S[0].get("verify_title"), subject=facts.doc_id("VER"), creation=created)
    pdf = make_pdfa(buf.getvalue(), title=S[0].get("verify_title"), author=str(facts.info.get("agency") or "fkit"),
                    subject=facts.doc_id("VER"), lang=S[0].lang, created=created, attachment=facts.manifest_bytes)
    _write(out_path, pdf)
    return {"pages": pages, "result": verdict, "languages": [s.lang for s in S], "files": facts.payload.total,
            "ledger_head": head}


def write(target: Path, pdf: Path, report: Any, trust: Path | None = None) -> None:
    """Hook used by ``fkit verify --report``: certificate of ``report`` for the case at ``target``."""
    from forensic_kit.package import Case

    render(Case.open(target), report, Path(pdf), trust=trust)
