"""PDF reports: the custody record and the verification certificate (reportlab + pikepdf + pyHanko).

Public API:

- :func:`render_custody_report` — ``fkit report custody CASE -o custody.pdf``;
- :func:`render_verify_certificate` — ``fkit verify CASE --report verify.pdf``.

Both are PDF/A-3b with ``fkit/manifest.json`` attached, and byte-identical for identical inputs
under ``SOURCE_DATE_EPOCH`` (unless ``--sign-pdf`` adds a time-stamped PAdES signature).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from forensic_kit.package import Case


def _check_folder(out_path: Path) -> None:
    if out_path.parent and not out_path.parent.exists():
        from forensic_kit.errors import InputError

        raise InputError(f"{out_path.parent}: no such folder for the report")


def _write(out_path: Path, data: bytes) -> None:
    out_path = Path(out_path)
    _check_folder(out_path)
    tmp = out_path.with_name(out_path.name + ".fkit-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out_path)


def watermark_text(strings_root: Path | None = None) -> str:
    """The training watermark in Arabic, French and English (from the string tables)."""
    from forensic_kit.report.strings import load_strings

    return " / ".join(load_strings(lang, strings_root).get("training_banner") for lang in ("en", "fr", "ar"))


def render_custody_report(case: "Case", out_path: Path, langs: Sequence[str] | None = None,
                          profile_name: str | None = None, sign_p12: Path | None = None,
                          templates: Path | None = None, trust: Path | None = None,
                          mrz: Path | None = None) -> dict[str, Any]:
    """Render the custody record of ``case`` to ``out_path``; returns facts for the output record.

    ``mrz``: a ``fkit mrz`` output file; its documents are printed as section 7 (each zone's picture
    cut from its image after the image's SHA-256 is checked against the record).

    ``trust``: the verifier's trust list (OpenSSH allowed_signers with ``# fkit-person:`` lines;
    default ``$FKIT_TRUST``): every signature is printed with the person it binds and a verdict."""
    from forensic_kit.report.custody_report import creation_time, custody_story, gather
    from forensic_kit.report.layout import PageSetup, render_segments, write_segments
    from forensic_kit.report.pdfa import apply_pdfa

    from forensic_kit.report.text import register_fonts

    register_fonts()
    extra = None
    mrz_facts: dict[str, Any] = {}
    if mrz is not None:
        from forensic_kit.mrz.crop import zone_crop
        from forensic_kit.report.mrz_report import custody_section, load_records

        source = load_records(Path(mrz))
        crops = [zone_crop(rec) for rec in source.records]
        extra = custody_section(source, crops)
        mrz_facts = {"mrz_records": str(mrz), "mrz_records_sha256": source.sha256, "mrz_documents": len(source.records),
                     "mrz_images_changed": sum(1 for c in crops if c.problem == "changed")}
    facts = gather(case, langs, profile_name, templates, trust=trust)
    created = creation_time()
    watermark = watermark_text(templates) if (facts.profile.training or facts.info.get("training")) else None
    s0 = facts.strings[0]
    agency = str(facts.info.get("agency") or "")
    if watermark:
        agency = f"{agency} — {' / '.join(s.get('training_banner') for s in facts.strings if not s.rtl)}"
    setup = PageSetup(strings=facts.strings, layout=facts.layout, doc_id=facts.doc_id("COC"), revision=max(1, case.sealed_revision()),
                      agency=agency, title_key="title", manifest_sha256=facts.manifest_sha256,
                      qr_payload=facts.qr_payload, watermark=watermark, paper=facts.profile.paper,
                      extra={"ledger_head": facts.ledger_head})
    from reportlab.lib.pagesizes import A4

    width = A4[0] - facts.layout["page"]["margin_left"] - facts.layout["page"]["margin_right"]
    out_path = Path(out_path)
    _check_folder(out_path)
    # pages are laid out into files of 100 pages (layout memory does not grow with the page count)
    # and copied to the output one file at a time (merge memory does not either: docs/papers.md)
    tmp_out = out_path.with_name(out_path.name + ".fkit-tmp")
    with tempfile.TemporaryDirectory(prefix="fkit-report-") as tmp:
        segments = render_segments(custody_story(facts, width, extra), setup, title=s0.get("title"),
                                   subject=f"{facts.info.get('case_id')} {facts.doc_id('COC')}", creation=created,
                                   folder=Path(tmp))
        import pikepdf

        with pikepdf.new() as cover:
            apply_pdfa(cover, title=s0.get("title"), author=str(facts.info.get("agency") or "fkit"),
                       subject=facts.doc_id("COC"), lang=s0.lang, created=created, attachment=facts.manifest_bytes)
            try:
                with open(tmp_out, "wb") as f:
                    pages = write_segments(segments, setup, f, cover)
            except BaseException:
                tmp_out.unlink(missing_ok=True)
                raise
    if sign_p12 is not None:
        from forensic_kit.report.pdfsign import sign_pdf

        try:
            tmp_out.write_bytes(sign_pdf(tmp_out.read_bytes(), Path(sign_p12)))
        except BaseException:
            tmp_out.unlink(missing_ok=True)
            raise
    os.replace(tmp_out, out_path)
    return {"pages": pages, "languages": [s.lang for s in facts.strings], "doc_id": facts.doc_id("COC"),
            "manifest_sha256": facts.manifest_sha256, "files": facts.payload.total, "events": len(facts.events),
            "ledger_head": facts.ledger_head, "trust": facts.trust_name or None,
            "custody_ok": None if facts.custody is None else facts.custody.ok, "signed": sign_p12 is not None,
            **mrz_facts}


def render_verify_certificate(case: "Case", verify_result: Any, out_path: Path,
                              langs: Sequence[str] | None = None, templates: Path | None = None,
                              trust: Path | None = None) -> dict[str, Any]:
    """One-page verification certificate for ``fkit verify CASE --report verify.pdf``.

    ``verify_result`` is the manifest engineer's ``VerifyReport`` (or its ``as_dict()``);
    ``trust`` the trust list the verification used (default ``$FKIT_TRUST``).
    """
    from forensic_kit.report.verify_report import render

    return render(case, verify_result, Path(out_path), langs, templates, trust)


__all__ = ["render_custody_report", "render_verify_certificate"]
