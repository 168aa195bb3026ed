"""The laboratory re-verification report (``fkit lab verify ROOT... --report lab.pdf``).

Same look and string tables as the custody record and the verification certificate: a summary
(packages OK / with findings / unreadable, payload bytes checked, duration, the machines that did
the work, the previous run), then one row per package with its verdict, its first findings as
sentences in every language, and what changed since the previous run (from the state file).
The ``lab.package`` and ``lab.change`` records the run wrote are attached (PDF/A-3 associated
file ``lab-records.jsonl``); the footer and the QR code carry their SHA-256.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from reportlab.platypus import Flowable, LongTable, Spacer, TableStyle

from forensic_kit.report.custody_report import _each, _hdr, _multi, _style, _widths, creation_time
from forensic_kit.report.findings import isolate, verify_sentence
from forensic_kit.report.layout import Heading, PageSetup, Text, color, labels
from forensic_kit.report.recordspdf import end_of_document, page, write
from forensic_kit.report.strings import Strings
from forensic_kit.report.text import BOLD, MONO

if TYPE_CHECKING:
    from forensic_kit.lab.verify import LabSummary

_FINDINGS_PER_PACKAGE = 3


@dataclass
class LabRun:
    """What one ``lab verify`` run found, as the report prints it."""

    records: list[dict[str, Any]]
    """The ``lab.package`` records, in the order written."""
    summary: "LabSummary"
    changes: list[dict[str, Any]] = field(default_factory=list)
    """The ``lab.change`` records (empty without a state file)."""
    records_jsonl: bytes = b""
    """Every record the run wrote on stdout (attached to the PDF; its SHA-256 is printed)."""
    state: Path | None = None
    previous: str | None = None
    """When the state file was written by the previous run (None: first run, or no state file)."""
    trust: str | None = None
    """The trust list used (a path), or None."""


def _verdict_key(verdict: Any) -> str:
    return {"ok": "lab_verdict_ok", "findings": "lab_verdict_findings"}.get(str(verdict), "lab_verdict_unreadable")


def _change_text(S: Sequence[Strings], change: dict[str, Any] | None, tracked: bool) -> str:
    if not tracked:
        return _multi(S, "lab_change_untracked")
    if change is None:
        return _multi(S, "lab_change_same")
    kind = change.get("change")
    if kind == "changed":
        out = []
        before = change.get("before")
        for s in S:  # the verdict it had, in each language
            was = s.get(_verdict_key(before))
            out.append(s.get("lab_change_changed", before=isolate(was, ltr=False) if s.rtl else was))
        latin = " / ".join(dict.fromkeys(x for s, x in zip(S, out) if not s.rtl))
        return "\n".join(x for x in [latin, *(x for s, x in zip(S, out) if s.rtl)] if x)
    return _multi(S, "lab_change_new" if kind == "new" else "lab_change_gone")


def _package_cell(rec: dict[str, Any], S: Sequence[Strings], size: float, bad: Any) -> list[Flowable]:
    cell: list[Flowable] = [Text(str(rec.get("package")), size - 1, font=MONO)]
    findings = [f for f in rec.get("findings") or [] if isinstance(f, dict)]
    if rec.get("verdict") == "unreadable" and not findings and rec.get("reason"):
        cell.append(Text(str(rec["reason"]), size - 1, bad))
    for f in findings[:_FINDINGS_PER_PACKAGE]:
        for s in S:
            cell.append(Text("• " + verify_sentence(s, f), size - 1, bad))
    if len(findings) > _FINDINGS_PER_PACKAGE:
        cell.append(Text(_multi(S, "lab_findings_more", n=len(findings) - _FINDINGS_PER_PACKAGE), size - 1, bad))
    return cell


def render(run: LabRun, out_path: Path, langs: Sequence[str] | None = None,
           templates: Path | None = None) -> dict[str, Any]:
    """Render the laboratory report of ``run`` to ``out_path`` (PDF/A-3b); returns facts for the
    command's summary (pages, languages, the records' SHA-256)."""
    pg = page(langs, templates)
    S, lay, size, width = pg.strings, pg.layout, pg.size, pg.width
    ok_ink, bad_ink, rule = pg.ok_ink, pg.bad_ink, pg.rule
    sm = run.summary
    created = creation_time()
    sha = hashlib.sha256(run.records_jsonl).hexdigest()
    host = socket.gethostname()
    result = "lab_result_findings" if (sm.findings or sm.spot_checks) else (
        "lab_result_unreadable" if sm.unreadable else "lab_result_ok")
    story: list[Flowable] = [Heading(1, S, "lab_sec_summary", lay["fonts"]["heading"], rule), Spacer(1, 4)]
    story += [Text(s.get(result), lay["fonts"]["title"], ok_ink if result == "lab_result_ok" else bad_ink, font=BOLD)
              for s in S]
    if sm.address:
        machines = _each(S, "lab_machines_cluster", size, address=sm.address, n=len(sm.workers),
                         workers=", ".join(sm.workers))
    else:
        machines = _each(S, "lab_machines_local", size, host=host)
    if run.state is None:
        previous = _each(S, "lab_previous_none", size)
    elif run.previous is None:
        previous = _each(S, "lab_previous_first", size, path=str(run.state))
    else:
        previous = _each(S, "lab_previous_text", size, when=run.previous, path=str(run.state))
    rows: list[list[Any]] = [
        [labels(S, "lab_packages", size, font=BOLD),
         _each(S, "lab_packages_text", size, packages=sm.packages, ok=sm.ok, findings=sm.findings,
               unreadable=sm.unreadable)],
        [labels(S, "lab_bytes", size, font=BOLD), _each(S, "lab_bytes_text", size, bytes=f"{sm.bytes:,}")],
        [labels(S, "lab_duration", size, font=BOLD), _each(S, "lab_duration_text", size, seconds=f"{sm.seconds:.1f}")],
        [labels(S, "lab_date", size, font=BOLD), Text(created.strftime("%Y-%m-%d %H:%M:%S UTC"), size)],
        [labels(S, "lab_machines", size, font=BOLD), machines],
        [labels(S, "verify_trust", size, font=BOLD), Text(run.trust or _multi(S, "sig_no_trust"), size)],
        [labels(S, "lab_previous", size, font=BOLD), previous],
    ]
    if sm.address:
        rows.append([labels(S, "lab_spot", size, font=BOLD),
                     _each(S, "lab_spot_text", size, bad_ink if sm.spot_checks else None, checked=sm.spot_checked,
                           bad=len(sm.spot_checks))])
    rows.append([labels(S, "lab_records_sha256", size, font=BOLD), Text(sha, size - 1, font=MONO)])
    t = LongTable(rows, colWidths=[width * 0.28, width * 0.72])
    t.setStyle(_style(lay, 0))
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"]))]))
    story += [Spacer(1, 6), t, Spacer(1, 8), Heading(2, S, "lab_sec_packages", lay["fonts"]["heading"], rule),
              Spacer(1, 3)]
    tracked = run.state is not None
    by_pkg = {str(c.get("package")): c for c in run.changes}
    prow: list[list[Any]] = [_hdr(S, ["lab_col_no", "lab_col_package", "lab_col_case", "lab_col_verdict",
                                      "lab_col_change"], lay)]
    n = 0
    for rec in run.records:
        n += 1
        verdict = rec.get("verdict")
        ink = ok_ink if verdict == "ok" else bad_ink
        prow.append([Text(str(n), size), _package_cell(rec, S, size, bad_ink), Text(str(rec.get("case_id") or ""), size),
                     Text(_multi(S, _verdict_key(verdict)), size, ink, font=BOLD),
                     Text(_change_text(S, by_pkg.get(str(rec.get("package"))), tracked), size)])
    for ch in run.changes:  # packages gone since the last run: no record this time
        if ch.get("change") == "gone":
            n += 1
            prow.append([Text(str(n), size), [Text(str(ch.get("package")), size - 1, font=MONO)], Text("", size),
                         Text(_multi(S, "lab_verdict_gone"), size, bad_ink, font=BOLD),
                         Text(_change_text(S, ch, tracked), size, bad_ink)])
    pt = LongTable(prow, colWidths=_widths(lay, "lab_packages", width), repeatRows=1)
    pt.setStyle(_style(lay))
    story.append(pt)
    story += end_of_document(S)
    doc_id = f"LAB-{created:%Y%m%d-%H%M%S}"
    setup = PageSetup(strings=S, layout=lay, doc_id=doc_id, revision=1, agency=f"fkit lab verify — {host}",
                      title_key="lab_title", manifest_sha256=sha, qr_payload=f"fkit-lab-records:sha256:{sha}",
                      watermark=None, footer_hash_key="lab_records_sha256")
    pages = write(Path(out_path), story, setup, created, run.records_jsonl, "lab-records.jsonl",
                  "fkit lab verify records (JSON Lines)")
    return {"pages": pages, "languages": [s.lang for s in S], "records_sha256": sha, "doc_id": doc_id}
