"""The court-ready custody record (``fkit report custody``).

Sections: case and legal authority; exhibits with seals and condition; acquisition and integrity;
custody events with released-by / received-by and signature lines; verification statement;
annex of every file with its hash values; end-of-document marker. All words come from
``templates/strings/<lang>.toml``; the layout from ``templates/report/custody.toml``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, LongTable, Spacer, TableStyle

from forensic_kit.errors import UsageError
from forensic_kit.profiles import Profile, load_profile
from forensic_kit.report.layout import Heading, PageSetup, Text, color, labels
from forensic_kit.report.strings import Strings, load_layout, load_strings
from forensic_kit.report.text import LATIN, has_rtl
from forensic_kit.report.text import width as text_width

if TYPE_CHECKING:
    from forensic_kit.custody import CustodyReport
    from forensic_kit.package import Case

NOT_GIVEN = object()


@dataclass
class CaseFacts:
    """Everything the report shows, gathered once from the case package."""

    info: dict[str, Any]
    profile: Profile
    strings: list[Strings]
    layout: dict[str, Any]
    exhibits: list[dict[str, Any]]
    manifest_bytes: bytes | None
    manifest: dict[str, Any]
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    custody: "CustodyReport | None" = None

    @property
    def manifest_sha256(self) -> str | None:
        """SHA-256 of the exact bytes of fkit/manifest.json (None when the case is not sealed)."""
        return hashlib.sha256(self.manifest_bytes).hexdigest() if self.manifest_bytes is not None else None

    @property
    def signer_fingerprint(self) -> str:
        """The manifest signer's key fingerprint, or ``none``."""
        signer = self.manifest.get("signer") or {}
        return str(signer.get("fingerprint") or "none")

    @property
    def signer_label(self) -> str:
        """``name (key id) fingerprint`` of the manifest signer."""
        s = self.manifest.get("signer") or {}
        if not s:
            return "none"
        return f"{s.get('name') or ''} ({s.get('key_id') or ''}) {s.get('fingerprint') or ''}".strip()

    @property
    def qr_payload(self) -> str:
        """What the QR code on every page carries."""
        return f"fkit:case={self.info.get('case_id')};manifest-sha256={self.manifest_sha256 or 'none'};signer={self.signer_fingerprint}"

    def doc_id(self, kind: str) -> str:
        """``<case id>-COC-001``-style document id."""
        return f"{self.info.get('case_id') or 'CASE'}-{kind}-001"


def trusted_text(case: "Case") -> str | None:
    """Trust list used for the report's custody statement: ``$FKIT_TRUST``, else the package's own."""
    env = os.environ.get("FKIT_TRUST")
    for path in ([Path(env)] if env else []) + [case.fkit_dir / "allowed_signers"]:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            continue
    return None


def _records(case: "Case") -> Iterator[dict[str, Any]]:
    if not case.records_path.is_file():
        return
    with case.records_path.open("rb") as fh:
        for line in fh:
            if line.strip():
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    yield rec


def gather(case: "Case", langs: Sequence[str] | None = None, profile_name: str | None = None,
           templates: Path | None = None, with_custody: bool = True) -> CaseFacts:
    """Collect the case facts, the profile and the strings of every language."""
    profile = load_profile(profile_name or str(case.info.get("profile") or "eu"))
    training = bool(profile.training or case.info.get("training"))
    case_id = str(case.info.get("case_id") or "")
    if training and not case_id.startswith("MOCK-"):
        raise UsageError(f"training case id {case_id!r} must start with MOCK- (so a mock record is never mistaken for a real one)")
    profile.check_case_id(case_id)
    languages = list(langs) if langs else list(profile.languages)
    strings = [load_strings(lang, templates) for lang in dict.fromkeys(languages)]
    manifest_path = case.fkit_dir / "manifest.json"
    mbytes = manifest_path.read_bytes() if manifest_path.is_file() else None
    try:
        manifest = json.loads(mbytes) if mbytes else {}
    except ValueError:
        manifest = {}
    facts = CaseFacts(info=dict(case.info), profile=profile, strings=strings,
                      layout=load_layout("custody", templates), exhibits=case.exhibits(),
                      manifest_bytes=mbytes, manifest=manifest if isinstance(manifest, dict) else {})
    for rec in _records(case):
        if rec.get("kind") == "file":
            facts.files.append(rec)
        elif rec.get("kind") == "error":
            facts.errors.append(rec)
    if with_custody and (case.fkit_dir / "custody.jsonl").is_file():
        from forensic_kit.custody import verify_custody

        facts.custody = verify_custody(case, trusted_text(case))
        facts.events = facts.custody.events
    return facts


# ----------------------------------------------------------------------------- helpers
def _style(lay: dict[str, Any], header_rows: int = 1) -> TableStyle:
    c = lay["colors"]
    cmds: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, color(c["grid"])),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("FONT", (0, 0), (-1, -1), LATIN, lay["fonts"]["body"]),
    ]
    if header_rows:
        cmds += [("BACKGROUND", (0, 0), (-1, header_rows - 1), color(c["header"])),
                 ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, color(c["shade"])])]
    return TableStyle(cmds)


def _widths(lay: dict[str, Any], name: str, total: float) -> list[float]:
    return [total * f for f in lay["columns"][name]]


def _hdr(strings: Sequence[Strings], keys: Sequence[str], lay: dict[str, Any]) -> list[list[Flowable]]:
    white = color(lay["colors"]["header_text"])
    return [labels(strings, k, lay["fonts"]["body"] - 0.5, white) for k in keys]


def _cell(value: Any, size: float) -> Any:
    text = "" if value is None else str(value)
    return Text(text, size)


def fmt_local(iso: str | None, profile: Profile) -> str:
    """UTC ISO time → the profile's local date format with its offset."""
    if not iso:
        return ""
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(profile.timezone))
    except ValueError:
        return iso
    off = dt.strftime("%z")
    return f"{dt.strftime(profile.date_format)} ({off[:3]}:{off[3:]})"


def _all(strings: Sequence[Strings], key: str, sep: str = " / ", **values: Any) -> str:
    return sep.join(s.get(key, **values) for s in strings)


def _multi(strings: Sequence[Strings], key: str) -> str:
    """``key`` in every language: left-to-right ones on one line (" / "), right-to-left ones below."""
    latin = " / ".join(dict.fromkeys(s.get(key) for s in strings if not s.rtl))
    rtl = [s.get(key) for s in strings if s.rtl]
    return "\n".join(x for x in [latin, *rtl] if x)


def _party(p: dict[str, Any] | None) -> str:
    if not p:
        return ""
    return ", ".join(str(v) for v in (p.get("name"), p.get("id"), p.get("org")) if v)


# ----------------------------------------------------------------------------- sections
def section_case(f: CaseFacts, width: float) -> list[Flowable]:
    """1. Case information and legal authority."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    info = f.info

    def val(key: str) -> Flowable:
        v = info.get(key)
        if v in (None, ""):
            return Text(_all(S, "not_given"), size, color(lay["colors"]["bad"]) if key in f.profile.required_fields else colors.grey)
        if isinstance(v, dict):
            v = _party(v)
        return Text(str(v), size)

    created = info.get("seizure_time")
    rows = [
        [labels(S, "case_number", size), val("case_id"), labels(S, "legal_basis", size), val("legal_basis")],
        [labels(S, "agency", size), val("agency"), labels(S, "seizure_place", size), val("seizure_place")],
        [labels(S, "seizure_time", size),
         Text(f"{fmt_local(str(created), f.profile)}\n= {created}", size) if created else val("seizure_time"),
         labels(S, "seized_by", size), val("seized_by") if info.get("seized_by") else val("officer")],
        [labels(S, "officer", size), val("officer"), labels(S, "profile", size),
         Text(f"{f.profile.name} · {f.profile.timezone}", size)],
    ]
    t = LongTable(rows, colWidths=_widths(lay, "case", width))
    t.setStyle(_style(lay, 0))
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"])),
                           ("BACKGROUND", (2, 0), (2, -1), color(lay["colors"]["shade"]))]))
    return [Heading(1, S, "sec_case", lay["fonts"]["heading"], color(lay["colors"]["rule"])), Spacer(1, 3), t]


def _seal_text(seal: Any) -> str:
    if isinstance(seal, dict):
        return " ".join(str(seal.get(k)) for k in ("number", "bag", "state") if seal.get(k))
    return "" if seal is None else str(seal)


def section_exhibits(f: CaseFacts, width: float) -> list[Flowable]:
    """2. Exhibits with seals and condition."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    counts: dict[str, int] = {}
    for rec in f.files:
        counts[str(rec.get("exhibit"))] = counts.get(str(rec.get("exhibit")), 0) + 1
    rows: list[list[Any]] = [_hdr(S, ["col_exhibit", "col_description", "col_seal", "col_condition", "col_files"], lay)]
    for ex in f.exhibits:
        eid = str(ex.get("id"))
        rows.append([_cell(eid, size), _cell(ex.get("description"), size), _cell(_seal_text(ex.get("seal")), size),
                     _cell(ex.get("condition") or " · ".join(str(ex[k]) for k in ("kind", "status") if ex.get(k)), size),
                     _cell(counts.get(eid, 0), size)])
    t = LongTable(rows, colWidths=_widths(lay, "exhibits", width), repeatRows=1)
    t.setStyle(_style(lay))
    return [Spacer(1, 8), Heading(2, S, "sec_exhibits", lay["fonts"]["heading"], color(lay["colors"]["rule"])), Spacer(1, 3), t]


def _hash_lines(hashes: Any) -> tuple[str, str]:
    if not isinstance(hashes, dict):
        return "", ""
    keys = [k for k in hashes if isinstance(hashes[k], str)]
    return "\n".join(k.upper() for k in keys), "\n".join(str(hashes[k]) for k in keys)


def _tool(ex: dict[str, Any], rec: dict[str, Any] | None) -> str:
    raw = ex.get("acquisition")
    acq: dict[str, Any] = raw if isinstance(raw, dict) else {}
    tool = acq.get("tool") if acq else None
    if tool:
        return f"{tool} {acq.get('version') or acq.get('tool_version') or ''}".strip()
    prod = (rec or {}).get("producer") or {}
    return f"{prod.get('tool', 'fkit')} {prod.get('version', '')}".strip() if prod else ""


def section_integrity(f: CaseFacts, width: float) -> list[Flowable]:
    """3. Acquisition and integrity: algorithms, hash values, tool and version, errors."""
    lay, S, size, hsize = f.layout, f.strings, f.layout["fonts"]["body"], f.layout["fonts"]["hash"]
    rows: list[list[Any]] = [_hdr(S, ["col_exhibit", "col_source", "col_algorithm", "col_hash", "col_tool"], lay)]
    by_ex: dict[str, list[dict[str, Any]]] = {}
    for rec in f.files:
        by_ex.setdefault(str(rec.get("exhibit")), []).append(rec)
    err_by_ex: dict[str, int] = {}
    for rec in f.errors:
        err_by_ex[str(rec.get("exhibit"))] = err_by_ex.get(str(rec.get("exhibit")), 0) + 1
    for ex in f.exhibits:
        eid = str(ex.get("id"))
        files = by_ex.get(eid, [])
        raw_image = ex.get("image")
        image: dict[str, Any] = raw_image if isinstance(raw_image, dict) else {}
        src = ex.get("source_hashes") or image.get("hashes")
        if isinstance(src, dict) and src:
            source = ex.get("source")
            name = str(source.get("path") if isinstance(source, dict) else source or eid)
            items: list[tuple[str, Any, Any]] = [(name, image.get("size", ex.get("size")), src)]
        else:
            items = [(str(r.get("bag_path") or r.get("path")), r.get("size"), r.get("hashes")) for r in files[:3]]
        for name, size_b, hashes in items:
            algos, values = _hash_lines(hashes)
            label = f"{name}\n{size_b} bytes" if size_b is not None else name
            rows.append([_cell(eid, size), _cell(label, size), _cell(algos, hsize), Text(values, hsize),
                         _cell(_tool(ex, files[0] if files else None), size)])
        extra = len(files) - (0 if isinstance(src, dict) and src else len(items))
        errs = max(err_by_ex.get(eid, 0), len(ex.get("errors") or []) + len(ex.get("bad_ranges") or []))
        note: list[Flowable] = []
        for s in S:
            parts = [f"+ {extra} → {s.get('sec_annex')}"] if extra > 0 else []
            parts.append(f"{s.get('col_errors')}: " + (s.get("errors_listed", count=errs) if errs else s.get("no_errors")))
            note.append(Text("  ·  ".join(parts), size))
        rows.append([_cell("", size), note, "", "", ""])
    t = LongTable(rows, colWidths=_widths(lay, "integrity", width), repeatRows=1)
    t.setStyle(_style(lay))
    # the note rows span the source..tool columns
    spans = [("SPAN", (1, i), (4, i)) for i, r in enumerate(rows) if i and r[2] == ""]
    t.setStyle(TableStyle(spans))
    note = [Text(s.get("integrity_note", sha=f.manifest_sha256 or s.get("unsealed"), signer=f.signer_label), size)
            for s in S]
    return [Spacer(1, 8), Heading(3, S, "sec_integrity", lay["fonts"]["heading"], color(lay["colors"]["rule"])),
            Spacer(1, 3), t, Spacer(1, 2), *note]


def _seal_state(e: dict[str, Any], S: Sequence[Strings]) -> str:
    seal = e.get("seal") or {}
    state = seal.get("state")
    parts = [str(seal.get("number"))] if seal.get("number") else []
    if state in ("intact", "broken", "new"):
        parts.append(_multi(S, f"seal_{state}"))
    recheck = e.get("recheck")
    if isinstance(recheck, dict) and isinstance(recheck.get("files"), int):
        n = recheck["files"]
        bad = n - int(recheck.get("ok") or 0) + len(recheck.get("added") or [])
        meta = next((s for s in S if not s.rtl), S[0])
        parts.append(meta.get("recheck_ok", n=n) if recheck.get("result") == "ok"
                     else meta.get("recheck_failed", n=n, bad=bad))
    return "\n".join(parts)


def _signed(e: dict[str, Any], role: str, S: Sequence[Strings]) -> str:
    for sig in e.get("signatures") or []:
        if isinstance(sig, dict) and sig.get("role") == role:
            meta = next((s for s in S if not s.rtl), S[0])
            return f"{meta.get('signed_electronically')}: {sig.get('fingerprint', '')[:26]}…"
    return ""


def section_custody(f: CaseFacts, width: float) -> list[Flowable]:
    """4. Custody events with released-by / received-by and ink signature lines."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    small = lay["fonts"]["small"]
    head = [Spacer(1, 8), Heading(4, S, "sec_custody", lay["fonts"]["heading"], color(lay["colors"]["rule"])), Spacer(1, 3)]
    if not f.events:
        return head + [Text(_all(S, "no_events"), size)]
    rows: list[list[Any]] = [_hdr(S, ["col_seq", "col_datetime", "col_items", "col_released", "col_received",
                                      "col_purpose", "col_seal_state"], lay)]
    sigline = " / ".join(s.get("signature") for s in S if not s.rtl) + ": ____________"
    sig_ar = [s.get("signature") + ": ____________" for s in S if s.rtl]
    for e in f.events:
        action = str(e.get("action"))
        what = _multi(S, f"action_{action}") if action else ""
        purpose = "\n".join(x for x in (what, e.get("purpose") or "", e.get("location") or "", e.get("note") or "") if x)

        def who(party: Any, role: str) -> list[Flowable]:
            cell: list[Flowable] = [Text(_party(party), size)]
            if party:
                signed = _signed(e, role, S)
                if signed:
                    cell.append(Text(signed, small - 0.5, colors.HexColor(lay["colors"]["ok"])))
                cell.append(Spacer(1, 6))
                cell.append(Text(sigline, small, colors.grey))
                cell += [Text(x, small, colors.grey) for x in sig_ar]
            return cell

        rows.append([_cell(e.get("seq"), size),
                     Text(f"{str(e.get('time') or '').replace('T', ' ')[:16]}\n{fmt_local(e.get('time'), f.profile)}", size),
                     _cell(", ".join(e.get("exhibits") or []), size),
                     who(e.get("released_by"), "releaser"), who(e.get("received_by"), "receiver"),
                     Text(purpose, size), Text(_seal_state(e, S), size)])
    t = LongTable(rows, colWidths=_widths(lay, "custody", width), repeatRows=1)
    t.setStyle(_style(lay))
    return head + [t]


def section_verification(f: CaseFacts, width: float) -> list[Flowable]:
    """5. Verification statement, automatic ledger check, and signature blocks for ink."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    out: list[Flowable] = [Spacer(1, 8), Heading(5, S, "sec_verification", lay["fonts"]["heading"], color(lay["colors"]["rule"])), Spacer(1, 3)]
    out += [Text(s.get("verification_statement"), size) for s in S]
    if f.custody is not None:
        out.append(Spacer(1, 4))
        if f.custody.ok:
            out += [Text(s.get("custody_ok"), size, colors.HexColor(lay["colors"]["ok"])) for s in S]
        else:
            out += [Text(s.get("custody_problems", count=len(f.custody.findings)), size, colors.HexColor(lay["colors"]["bad"])) for s in S]
            out += [Text(f"• {x.message}", size, colors.HexColor(lay["colors"]["bad"])) for x in f.custody.findings]
    out.append(Spacer(1, 6))
    ink = " / ".join(s.get("signature") for s in S if not s.rtl)
    date = " / ".join(s.get("date") for s in S if not s.rtl)

    def block(key: str, name: str) -> list[Flowable]:
        return [*labels(S, key, size), Text(name, size), Spacer(1, 14),
                Text(f"{ink}: ____________________   {date}: __________", size),
                *[Text(f"{s.get('signature')}: ____________   {s.get('date')}: ________", size) for s in S if s.rtl]]

    examiner = ""
    for e in f.events:
        if e.get("action") in ("acquired", "examined"):
            examiner = _party(e.get("released_by"))
    from reportlab.platypus import Table

    t = Table([[block("examiner", examiner), block("case_officer", str(f.info.get("officer") or ""))]],
              colWidths=[width / 2, width / 2])
    t.setStyle(_style(lay, 0))
    out += [KeepTogether([t])]
    return out


def annex_rows(f: CaseFacts, hsize: float, col_w: float, path_w: float) -> Iterator[list[Any]]:
    """One row per file: n, path (with exhibit), size, algorithms and hash values."""
    for n, rec in enumerate(f.files, 1):
        path = str(rec.get("bag_path") or rec.get("path") or "")
        raw = rec.get("hashes")
        hashes: dict[str, Any] = raw if isinstance(raw, dict) else {}
        lines = "\n".join(f"{k} {v}" for k, v in hashes.items())
        cell_path: Any = path
        if has_rtl(path) or text_width(path, hsize) > path_w - 6:
            cell_path = Text(path, hsize)
        yield [str(n), cell_path, str(rec.get("size", "")), lines]
    for rec in f.errors:
        path = str(rec.get("bag_path") or rec.get("path") or rec.get("exhibit") or "")
        reason = f"ERROR {rec.get('stage', '')}: {rec.get('reason', '')}"
        yield ["!", Text(path, hsize), "", Text(reason, hsize, colors.HexColor(f.layout["colors"]["bad"]))]


def section_annex(f: CaseFacts, width: float) -> list[Flowable]:
    """Annex: every file with its hash values, in chunks whose header repeats on every page."""
    lay, S = f.layout, f.strings
    hsize = lay["fonts"]["hash"]
    widths = _widths(lay, "annex", width)
    header = _hdr(S, ["col_seq", "col_path", "col_size", "col_hash"], lay)
    out: list[Flowable] = [Spacer(1, 8), Heading(6, S, "sec_annex", lay["fonts"]["heading"], color(lay["colors"]["rule"])), Spacer(1, 3)]
    style = _style(lay)
    style.add("FONT", (0, 1), (-1, -1), LATIN, hsize)
    style.add("LEADING", (0, 1), (-1, -1), hsize * 1.25)
    style.add("TOPPADDING", (0, 1), (-1, -1), 1)
    style.add("BOTTOMPADDING", (0, 1), (-1, -1), 1)
    chunk = int(lay["annex"]["chunk_rows"])
    rows: list[list[Any]] = []
    for row in annex_rows(f, hsize, widths[3], widths[1]):
        rows.append(row)
        if len(rows) == chunk:
            out.append(_annex_table([header, *rows], widths, style))
            rows = []
    if rows or len(out) == 3:
        out.append(_annex_table([header, *rows], widths, style))
    return out


def _annex_table(rows: list[list[Any]], widths: list[float], style: TableStyle) -> Flowable:
    t = LongTable(rows, colWidths=widths, repeatRows=1)
    t.setStyle(style)
    return t


def end_marker(f: CaseFacts) -> list[Flowable]:
    """The end-of-document marker in every language."""
    latin = " · ".join(s.get("end_of_document") for s in f.strings if not s.rtl)
    arabic = " · ".join(s.get("end_of_document") for s in f.strings if s.rtl)
    text = " · ".join(x for x in (latin, arabic) if x)
    return [Spacer(1, 10), Text(f"— {text} —", 8, align="center")]


def custody_story(f: CaseFacts, width: float) -> list[Flowable]:
    """Every section, in order."""
    return [*section_case(f, width), *section_exhibits(f, width), *section_integrity(f, width),
            *section_custody(f, width), *section_verification(f, width), *section_annex(f, width),
            *end_marker(f)]


def creation_time() -> datetime:
    """The report's date: ``SOURCE_DATE_EPOCH`` when set, else now (UTC, whole seconds)."""
    from forensic_kit.timeutil import now_utc

    return now_utc().astimezone(timezone.utc)
