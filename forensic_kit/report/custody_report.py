"""The court-ready custody record (``fkit report custody``).

Sections: case and legal authority (signed case facts, :mod:`forensic_kit.casefacts`); exhibits
with seals and condition; acquisition and integrity; custody events with released-by / received-by,
each signature's signer as the trust list binds it and its verdict, and ink signature lines;
verification statement; annex of every payload file with its hash values; end-of-document marker.

Counts come from ``manifest-sha256.txt`` (the payload as sealed): a record that is not a payload
file (phone and media results derived from the files) is never counted or listed as a file. Every
word comes from ``templates/strings/<lang>.toml``; the layout from ``templates/report/custody.toml``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, LongTable, Spacer, TableStyle

from forensic_kit.diskset import DiskSet
from forensic_kit.errors import UsageError
from forensic_kit.profiles import Profile, load_profile
from forensic_kit.report.findings import custody_sentence, isolate
from forensic_kit.report.layout import Heading, PageSetup, Text, color, labels
from forensic_kit.report.strings import Strings, load_layout, load_strings
from forensic_kit.report.text import BOLD, LATIN, MONO

if TYPE_CHECKING:
    from forensic_kit.casefacts import FactsState
    from forensic_kit.signing.people import TrustList

if TYPE_CHECKING:
    from forensic_kit.custody import CustodyReport
    from forensic_kit.package import Case

@dataclass
class Payload:
    """The payload as sealed: ``manifest-sha256.txt`` entries counted per exhibit folder."""

    per_exhibit: dict[str, int] = field(default_factory=dict)
    other: int = 0

    @property
    def total(self) -> int:
        """Every payload file (the per-exhibit counts plus files outside exhibit folders)."""
        return sum(self.per_exhibit.values()) + self.other


@dataclass
class Signer:
    """Who made one signature, as the trust list says, and the verdict."""

    fingerprint: str
    person: str | None  # "Name (ID, Org)" bound by the trust list
    verdict: str  # "verified" | "not_bound" | "no_trust" | "invalid"


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
    case: "Case"
    payload: Payload = field(default_factory=Payload)
    sample: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # first payload records per exhibit
    errors: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    custody: "CustodyReport | None" = None
    facts: "FactsState | None" = None
    trust: "TrustList | None" = None
    trust_text: str | None = None
    trust_name: str = ""
    ledger_head: str | None = None
    known: dict[str, dict[str, int]] = field(default_factory=dict)  # exhibit -> {"ignorable": n, "bad": n}
    known_bad: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (exhibit, bag path, sets)

    def known_note(self, ex: dict[str, Any], s: Strings) -> str | None:
        """The exhibit's known-file counts in one language (None when no set was used nor matched)."""
        eid = str(ex.get("id"))
        sets = ex.get("known_sets")
        counts = self.known.get(eid)
        if not counts and not sets:
            return None
        names = ", ".join(str(k.get("name")) for k in sets if isinstance(k, dict)) if isinstance(sets, list) else "?"
        counts = counts or {}
        return s.get("known_counts", sets=names or "?", ignorable=counts.get("ignorable", 0), bad=counts.get("bad", 0))

    @property
    def manifest_sha256(self) -> str | None:
        """SHA-256 of the exact bytes of fkit/manifest.json (None when the case is not sealed)."""
        return hashlib.sha256(self.manifest_bytes).hexdigest() if self.manifest_bytes is not None else None

    @property
    def signer_fingerprint(self) -> str:
        """The manifest signer's key fingerprint, derived from the signature itself, or ``none``."""
        sig = self.case.fkit_dir / "manifest.json.sshsig"
        try:
            from forensic_kit.signing import sshsig
            from forensic_kit.signing.keys import fingerprint_of_blob

            return fingerprint_of_blob(sshsig.parse(sig.read_bytes())[0])
        except Exception:  # noqa: BLE001 - unsigned or unreadable: say so
            return "none"

    @property
    def qr_payload(self) -> str:
        """What the QR code on every page carries."""
        return f"fkit:case={self.info.get('case_id')};manifest-sha256={self.manifest_sha256 or 'none'};signer={self.signer_fingerprint}"

    def doc_id(self, kind: str) -> str:
        """``<case id>-COC-001``-style document id."""
        return f"{self.info.get('case_id') or 'CASE'}-{kind}-001"

    def signer_of(self, body: bytes, armored: str, namespace: str) -> Signer:
        """Check one SSHSIG over ``body``; the signer is derived from the signature's own key."""
        from forensic_kit.signing import sshsig
        from forensic_kit.signing.keys import fingerprint_of_blob

        try:
            blob = sshsig.parse(armored.encode("ascii", "replace"))[0]
            v = sshsig.verify(body, armored.encode("ascii", "replace"), namespace, self.trust_text)
        except Exception:  # noqa: BLE001 - malformed or forged
            return Signer("", None, "invalid")
        person = self.trust.person_for(blob) if self.trust is not None else None
        label = person.label() if person is not None else None
        if self.trust is None:
            verdict = "no_trust"
        elif person is not None and v.trusted:
            verdict = "verified"
        else:
            verdict = "not_bound"
        return Signer(fingerprint_of_blob(blob), label, verdict)


def load_trust(case: "Case", trust: Path | None) -> tuple[str | None, str]:
    """Trust list text and its name: ``--trust``, else ``$FKIT_TRUST``; none otherwise (the package's
    own ``fkit/allowed_signers`` vouches for nothing, so it is never used on paper)."""
    from forensic_kit.errors import InputError

    env = os.environ.get("FKIT_TRUST")
    path = Path(trust) if trust is not None else (Path(env) if env else None)
    if path is None:
        return None, ""
    try:
        return path.read_text(encoding="utf-8"), path.name
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read trust list {path}: {exc}") from None


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


def _exhibit_of(name: bytes) -> str | None:
    parts = name.split(b"/")
    return parts[1].decode("utf-8", "replace") if len(parts) >= 3 and parts[0] == b"data" else None


def payload_keys(case: "Case") -> tuple[DiskSet, Payload]:
    """Keys (16-byte digests) of every path in ``manifest-sha256.txt``, kept on disk (memory does
    not grow with the case), and the per-exhibit counts."""
    from forensic_kit.manifest.build import bag_manifest_entries, path_key

    pay = Payload()
    path = case.root / "manifest-sha256.txt"
    if not path.is_file():
        return DiskSet(), pay

    def keys() -> Iterator[bytes]:
        for name, _digest in bag_manifest_entries(path):
            ex = _exhibit_of(name)
            if ex is None:
                pay.other += 1
            else:
                pay.per_exhibit[ex] = pay.per_exhibit.get(ex, 0) + 1
            yield path_key(name)

    return DiskSet(keys()), pay


def payload_records(case: "Case", keys: DiskSet) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """(bag path, record) of every ``file`` record that is a payload file listed in the manifest;
    derived records (phone, media results about a file) are skipped. Each key yielded is removed
    from ``keys`` (a second record for the same file is skipped), so what is left in ``keys`` at the
    end is the payload files without a record: one set, shrinking, instead of three."""
    from forensic_kit.manifest.build import path_key, record_bag_path

    for rec in _records(case):
        if rec.get("kind") != "file":
            continue
        bp = record_bag_path(rec)
        if bp is None:
            continue
        if isinstance(rec.get("hashes"), dict) and rec["hashes"] and keys.discard(path_key(bp)):
            yield bp, rec


def ledger_head(case: "Case") -> str | None:
    """``SEQ:SHA256`` of the custody ledger (None when there is none)."""
    path = case.root / "fkit" / "custody.jsonl"
    if not path.is_file():
        return None
    lines = path.read_bytes().splitlines(keepends=True)
    return f"{len(lines)}:{hashlib.sha256(lines[-1]).hexdigest()}" if lines else "0:-"


def gather(case: "Case", langs: Sequence[str] | None = None, profile_name: str | None = None,
           templates: Path | None = None, with_custody: bool = True, trust: Path | None = None) -> CaseFacts:
    """Collect the case facts, the profile and the strings of every language."""
    from forensic_kit.casefacts import read_state
    from forensic_kit.signing.people import TrustList

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
                      manifest_bytes=mbytes, manifest=manifest if isinstance(manifest, dict) else {}, case=case)
    facts.trust_text, facts.trust_name = load_trust(case, trust)
    if facts.trust_text is not None:
        facts.trust = TrustList(facts.trust_text, facts.trust_name)
    keys, facts.payload = payload_keys(case)
    for bp, rec in payload_records(case, keys):
        eid = str(rec.get("exhibit"))
        lst = facts.sample.setdefault(eid, [])
        if len(lst) < 3:
            lst.append(rec)
        verdict = rec.get("known")
        if verdict in ("ignorable", "bad"):
            per = facts.known.setdefault(eid, {"ignorable": 0, "bad": 0})
            per[str(verdict)] += 1
            if verdict == "bad":
                facts.known_bad.append((eid, bp.decode("utf-8", "replace"), _known_sets(rec)))
    facts.errors = [r for r in _records(case) if r.get("kind") == "error"]
    if with_custody and (case.fkit_dir / "custody.jsonl").is_file():
        from forensic_kit.custody import verify_custody

        facts.custody = verify_custody(case, facts.trust_text)
        facts.events = facts.custody.events
        facts.ledger_head = ledger_head(case)
    facts.facts = read_state(case, facts.trust_text, facts.events if with_custody else None)
    return facts


def _known_sets(rec: dict[str, Any]) -> list[str]:
    sets = rec.get("known_sets")
    return [str(x) for x in sets] if isinstance(sets, list) else []


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
    return [labels(strings, k, lay["fonts"]["body"] - 0.5, white, font=BOLD) for k in keys]


def _cell(value: Any, size: float, font: str = LATIN) -> Any:
    text = "" if value is None else str(value)
    return Text(text, size, font=font)


def section_head(number: int, f: "CaseFacts", key: str, space: float = 8) -> list[Flowable]:
    """Space, a page break when less than a heading plus a few table rows remain, the heading."""
    lay = f.layout
    return [Spacer(1, space), CondPageBreak(float(lay.get("keep", {}).get("heading_with", 170))),
            Heading(number, f.strings, key, lay["fonts"]["heading"], color(lay["colors"]["rule"])), Spacer(1, 3)]


def fmt_time(utc: str | None, offset: str | None, profile: Profile, zone: str | None = None) -> str:
    """An event time in its own recorded offset, then UTC: ``2025-03-14 10:42 (UTC+01:00, Africa/Tunis)``
    and ``= 2025-03-14 09:42 UTC`` below. The zone is named when it was recorded, or when the profile's
    zone has that very offset at that instant; otherwise only the offset is printed."""
    if not utc:
        return ""
    try:
        dt = datetime.fromisoformat(utc.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return utc
    utc_text = dt.strftime("%Y-%m-%d %H:%M UTC")
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", offset or "")
    if not m:
        return f"{utc_text}"
    sign = 1 if m.group(1) == "+" else -1
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3))) * sign
    local = dt.astimezone(timezone(delta))
    off = f"{m.group(1)}{m.group(2)}:{m.group(3)}"
    if zone is None:
        try:
            if dt.astimezone(ZoneInfo(profile.timezone)).utcoffset() == delta:
                zone = profile.timezone
        except (ValueError, KeyError):
            zone = None
    label = f"UTC{off}" + (f", {zone}" if zone else "")
    return f"{local.strftime(profile.date_format)} ({label})\n= {utc_text}"


def fmt_local(iso: str | None, profile: Profile, offset: str | None = None) -> str:
    """Kept for callers of the old API: :func:`fmt_time` on one line."""
    return fmt_time(iso, offset, profile).replace("\n", " ")


def _all(strings: Sequence[Strings], key: str, sep: str = " / ", **values: Any) -> str:
    return sep.join(s.get(key, **values) for s in strings)


def _multi(strings: Sequence[Strings], key: str, **values: Any) -> str:
    """``key`` in every language: left-to-right ones on one line (" / "), right-to-left ones below."""
    latin = " / ".join(dict.fromkeys(s.get(key, **values) for s in strings if not s.rtl))
    rtl = [s.get(key, **{k: isolate(v) for k, v in values.items()}) for s in strings if s.rtl]
    return "\n".join(x for x in [latin, *rtl] if x)


def _each(strings: Sequence[Strings], key: str, size: float, fill: Any = None, **values: Any) -> list[Flowable]:
    """One paragraph per language (values isolated inside right-to-left text)."""
    out = []
    for s in strings:
        vals = {k: isolate(v) for k, v in values.items()} if s.rtl else values
        out.append(Text(s.get(key, **vals), size, fill))
    return out


def _party(p: Any) -> str:
    if not p:
        return ""
    if not isinstance(p, dict):
        return str(p)
    return ", ".join(str(v) for v in (p.get("name"), p.get("id"), p.get("org")) if v)


# ----------------------------------------------------------------------------- sections
CASE_ROWS = ("legal_basis", "order_number", "issued_by", "issued_on", "court_ref", "prosecutor",
             "seizure_place", "seizure_time", "seized_by", "officer_in_charge")


def fact_cell(f: CaseFacts, name: str) -> list[Flowable]:
    """A case fact's value with where it came from (signed entry, custody event, header)."""
    from forensic_kit.casefacts import text_of

    lay, S, size, small = f.layout, f.strings, f.layout["fonts"]["body"], f.layout["fonts"]["small"]
    fv = f.facts.values.get(name) if f.facts is not None else None
    if fv is None or fv.value in (None, "", {}):
        required = name in f.profile.required_fields
        return [Text(_multi(S, "not_given"), size, color(lay["colors"]["bad"]) if required else colors.grey)]
    if name == "seizure_time" and isinstance(fv.value, dict):
        out: list[Flowable] = [Text(fmt_time(fv.value.get("utc"), fv.value.get("offset"), f.profile,
                                             fv.value.get("zone")), size)]
    else:
        out = [Text(text_of(fv.value), size)]
    grey = colors.HexColor("#555555")
    if fv.source == "seized-event":
        out.append(Text(_multi(S, "fact_from_event", seq=fv.seq), small, grey))
    elif fv.source == "case.json":
        out.append(Text(_multi(S, "fact_from_header"), small, grey))
    elif fv.source == "set":
        if fv.changes > 1:
            out.append(Text(_multi(S, "fact_changes", n=fv.changes), small, grey))
    return out


def section_case(f: CaseFacts, width: float) -> list[Flowable]:
    """1. Case information and legal authority, then what the profile requires and is missing."""
    from forensic_kit.casefacts import missing_required

    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    info = f.info
    cells: list[tuple[str, list[Flowable]]] = [
        ("case_number", [Text(str(info.get("case_id") or ""), size)]),
        ("agency", [Text(str(info.get("agency") or ""), size)]),
    ]
    cells += [(name, fact_cell(f, name)) for name in CASE_ROWS]
    cells.append(("profile", [Text(f"{f.profile.name} · {f.profile.timezone}", size)]))
    rows = []
    for i in range(0, len(cells), 2):
        a, b = cells[i], cells[i + 1] if i + 1 < len(cells) else ("", [Text("", size)])
        rows.append([labels(S, a[0], size, font=BOLD), a[1],
                     labels(S, b[0], size, font=BOLD) if b[0] else Text("", size), b[1]])
    t = LongTable(rows, colWidths=_widths(lay, "case", width))
    t.setStyle(_style(lay, 0))
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), color(lay["colors"]["shade"])),
                           ("BACKGROUND", (2, 0), (2, -1), color(lay["colors"]["shade"]))]))
    out: list[Flowable] = [*section_head(1, f, "sec_case", 0), t, Spacer(1, 2)]
    missing = missing_required(f.case, f.profile.required_fields, f.facts) if f.facts is not None else []
    if missing:
        for s in S:
            names = "، ".join(s.get(m) for m in missing) if s.rtl else ", ".join(s.get(m) for m in missing)
            prof = isolate(f.profile.name) if s.rtl else f.profile.name
            out.append(Text(s.get("missing_fields", profile=prof, fields=names), size, color(lay["colors"]["bad"]), font=BOLD))
    elif f.profile.required_fields:
        out += _each(S, "complete_fields", size, color(lay["colors"]["ok"]), profile=f.profile.name)
    for problem in (f.facts.problems if f.facts is not None else []):
        out.append(Text(problem, size, color(lay["colors"]["bad"])))
    out += facts_signers(f)
    return out


def facts_signers(f: CaseFacts) -> list[Flowable]:
    """One line per signed case-facts entry: who set the facts (from the signature's own key, named
    by the trust list), when, and the verdict."""
    from forensic_kit.casefacts import NAMESPACE, entry_body

    lay, S, small = f.layout, f.strings, f.layout["fonts"]["small"]
    out: list[Flowable] = []
    for entry in (f.facts.entries if f.facts is not None else []):
        raw = entry.get("signature")
        sig: dict[str, Any] = raw if isinstance(raw, dict) else {}
        who = f.signer_of(entry_body(entry), str(sig.get("sshsig") or ""), NAMESPACE)
        key = {"verified": "sig_verified", "not_bound": "sig_not_bound", "no_trust": "sig_no_trust",
               "invalid": "sig_invalid"}[who.verdict]
        ink = colors.HexColor(lay["colors"]["ok" if who.verdict == "verified" else "bad"])
        when = str(entry.get("time") or "").replace("T", " ")[:16] + " UTC"
        fields = ", ".join(str(k) for k in (entry.get("set") or {}))
        by = who.person or who.fingerprint or "?"
        for s in S:
            vals = {"by": isolate(by), "time": isolate(when)} if s.rtl else {"by": by, "time": when}
            verdict = s.get(key, trust=isolate(f.trust_name) if s.rtl else f.trust_name)
            ref = f"#{entry.get('seq')} ({fields})"
            line = (f"{s.get('fact_set_by', **vals)} — {verdict} {isolate(ref)}" if s.rtl
                    else f"{ref}: {s.get('fact_set_by', **vals)} — {verdict}")
            out.append(Text(line, small, ink))
    return out


def _seal_text(seal: Any) -> str:
    if isinstance(seal, dict):
        return " ".join(str(seal.get(k)) for k in ("number", "bag", "state") if seal.get(k))
    return "" if seal is None else str(seal)


def section_exhibits(f: CaseFacts, width: float) -> list[Flowable]:
    """2. Exhibits with seals and condition; payload files per exhibit (they sum to the total)."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    counts = f.payload.per_exhibit
    rows: list[list[Any]] = [_hdr(S, ["col_exhibit", "col_description", "col_seal", "col_condition", "col_files"], lay)]
    listed = set()
    for ex in f.exhibits:
        eid = str(ex.get("id"))
        listed.add(eid)
        rows.append([_cell(eid, size), _cell(ex.get("description"), size), _cell(_seal_text(ex.get("seal")), size),
                     _cell(ex.get("condition") or " · ".join(str(ex[k]) for k in ("kind", "status") if ex.get(k)), size),
                     _cell(counts.get(eid, 0), size)])
    other = f.payload.other + sum(n for ex, n in counts.items() if ex not in listed)
    if other:
        rows.append([_cell("—", size), Text(_multi(S, "other_files"), size), "", "", _cell(other, size)])
    rows.append([Text(_multi(S, "total"), size, font=BOLD), "", "", "", Text(str(f.payload.total), size, font=BOLD)])
    t = LongTable(rows, colWidths=_widths(lay, "exhibits", width), repeatRows=1)
    t.setStyle(_style(lay))
    t.setStyle(TableStyle([("SPAN", (0, len(rows) - 1), (3, len(rows) - 1))]))
    return [*section_head(2, f, "sec_exhibits"), t]


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


EWF_RANGES_SHOWN = 12
"""Chunk checksum error ranges printed on paper; the rest are counted (all are in the exhibit sheet)."""


def _ewf_problems(s: Strings, check: dict[str, Any]) -> list[str]:
    """The findings of an E01 check in the language of ``s`` (values isolated in right-to-left text)."""
    iso = isolate if s.rtl else (lambda v: v)
    sep = "، " if s.rtl else ", "
    out: list[str] = []
    bad = [b for b in check.get("checksum_errors") or [] if isinstance(b, dict)]
    if bad:
        ranges = sep.join(iso(str(b.get("sector_range"))) for b in bad[:EWF_RANGES_SHOWN])
        if len(bad) > EWF_RANGES_SHOWN:
            ranges += " " + s.get("ewf_more_ranges", n=iso(str(len(bad) - EWF_RANGES_SHOWN)))
        out.append(s.get("ewf_bad_sectors", ranges=ranges))
    stored, computed = check.get("stored") or {}, check.get("computed") or {}
    for algo in sorted(stored):
        if algo in computed and computed[algo] != stored[algo]:
            out.append(s.get("ewf_hash_differs", algo=iso(algo.upper())))
    if check.get("segment_files_corrupted"):
        out.append(s.get("ewf_segment_damaged"))
    if check.get("read_error"):
        out.append(s.get("ewf_read_error", reason=iso(str(check["read_error"]))))
    return out


def ewf_verdict_lines(S: Sequence[Strings], check: dict[str, Any]) -> list[tuple[str, bool]]:
    """One ``(text, ok)`` line per language: MATCH, MISMATCH with the sector ranges and hashes that
    differ, or nothing stored to compare; then, when so, that chunk checksums were not checked."""
    out: list[tuple[str, bool]] = []
    ok = check.get("verdict") == "ok"
    for s in S:
        problems = _ewf_problems(s, check)
        if problems or not ok:
            out.append((s.get("ewf_mismatch", problems=s.get("ewf_sep").join(problems) or "?"), False))
        elif check.get("hashes_match") is True:
            out.append((s.get("ewf_match"), True))
        else:
            out.append((s.get("ewf_no_stored"), True))
    if check.get("checksums_checked") is False:
        out += [(s.get("ewf_not_checked"), False) for s in S]
    return out


def ewf_rows(f: CaseFacts, ex: dict[str, Any], tool: str) -> list[list[Any]]:
    """Rows for an exhibit acquired from an E01: the hashes the image stores, those fkit computed
    over the data it read, and the verdict (the exhibit sheet's ``ewf`` check)."""
    check = ex.get("ewf")
    if not isinstance(check, dict):
        return []
    lay, S, size, hsize = f.layout, f.strings, f.layout["fonts"]["body"], f.layout["fonts"]["hash"]
    rows: list[list[Any]] = []
    stored = check.get("stored") if isinstance(check.get("stored"), dict) else {}
    computed = check.get("computed") if isinstance(check.get("computed"), dict) else {}
    for key, hashes, who in (("ewf_stored", stored, ""), ("ewf_computed", computed, tool)):
        if hashes:
            algos, values = _hash_lines({a: hashes[a] for a in sorted(hashes)})
            rows.append([_cell("", size), Text(_multi(S, key), size), _cell(algos, hsize),
                         Text(values, hsize, font=MONO), _cell(who, size)])
    ink = {True: color(lay["colors"]["ok"]), False: color(lay["colors"]["bad"])}
    rows.append([_cell("", size), [Text(text, size, ink[good], font=BOLD) for text, good in ewf_verdict_lines(S, check)],
                 "", "", ""])
    return rows


def section_integrity(f: CaseFacts, width: float) -> list[Flowable]:
    """3. Acquisition and integrity: algorithms, hash values, tool and version, errors."""
    lay, S, size, hsize = f.layout, f.strings, f.layout["fonts"]["body"], f.layout["fonts"]["hash"]
    rows: list[list[Any]] = [_hdr(S, ["col_exhibit", "col_source", "col_algorithm", "col_hash", "col_tool"], lay)]
    err_by_ex: dict[str, int] = {}
    for rec in f.errors:
        err_by_ex[str(rec.get("exhibit"))] = err_by_ex.get(str(rec.get("exhibit")), 0) + 1
    for ex in f.exhibits:
        eid = str(ex.get("id"))
        files = f.sample.get(eid, [])
        nfiles = f.payload.per_exhibit.get(eid, 0)
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
            label = f"{name}\n{size_b} B" if size_b is not None else name
            rows.append([_cell(eid, size), _cell(label, size), _cell(algos, hsize), Text(values, hsize, font=MONO),
                         _cell(_tool(ex, files[0] if files else None), size)])
        rows += ewf_rows(f, ex, _tool(ex, files[0] if files else None))
        extra = nfiles - (0 if isinstance(src, dict) and src else len(items))
        errs = max(err_by_ex.get(eid, 0), len(ex.get("errors") or []) + len(ex.get("bad_ranges") or []))
        check = ex.get("ewf")
        ewf_failed = isinstance(check, dict) and check.get("verdict") != "ok"
        note: list[Flowable] = []
        known_bad = f.known.get(eid, {}).get("bad", 0)
        for s in S:
            parts = [f"+ {extra} → {s.get('sec_annex')}"] if extra > 0 else []
            none = s.get("errors_see_ewf") if ewf_failed else s.get("no_errors")
            parts.append(f"{s.get('col_errors')}: " + (s.get("errors_listed", count=errs) if errs else none))
            note.append(Text("  ·  ".join(parts), size))
            known_line = f.known_note(ex, s)
            if known_line:
                note.append(Text(known_line, size, colors.HexColor(lay["colors"]["bad"]) if known_bad else None,
                                 font=BOLD if known_bad else LATIN))
        rows.append([_cell("", size), note, "", "", ""])
    widths = _widths(lay, "integrity", width)
    from forensic_kit.report.text import width as text_width

    hash_w = text_width("0" * 64, hsize, MONO) + 8  # from content: one 64-hex value per line
    widths = [widths[0], widths[1] + widths[3] - hash_w, widths[2], hash_w, widths[4]]
    t = LongTable(rows, colWidths=widths, repeatRows=1)
    t.setStyle(_style(lay))
    spans = [("SPAN", (1, i), (4, i)) for i, r in enumerate(rows) if i and r[2] == ""]
    t.setStyle(TableStyle(spans))
    sha = f.manifest_sha256
    note = _each(S, "manifest_sha256_def", size, sha=sha) if sha else _each(S, "unsealed", size)
    return [*section_head(3, f, "sec_integrity"), t, Spacer(1, 2), *note]


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
        parts.append(_multi(S, "recheck_ok", n=n) if recheck.get("result") == "ok"
                     else _multi(S, "recheck_failed", n=n, bad=bad))
    return "\n".join(parts)


def signature_cell(f: CaseFacts, e: dict[str, Any], role: str) -> list[Flowable]:
    """The electronic signature of ``role`` on event ``e``: signer as bound by the trust list, verdict,
    full key fingerprint (wrapped, never cut)."""
    from forensic_kit.custody import NAMESPACE, event_body

    lay, S = f.layout, f.strings
    small = lay["fonts"]["small"]
    sig = next((x for x in e.get("signatures") or [] if isinstance(x, dict) and x.get("role") == role), None)
    if sig is None:
        return [Text(_multi(S, "sig_not_signed"), small, colors.grey)]
    try:
        body = event_body(e)
    except Exception:  # noqa: BLE001 - an event that cannot be canonicalised cannot be verified
        body = b""
    who = f.signer_of(body, str(sig.get("sshsig") or ""), NAMESPACE)
    good = who.verdict == "verified"
    ink = colors.HexColor(lay["colors"]["ok" if good else "bad"])
    key = {"verified": "sig_verified", "not_bound": "sig_not_bound", "no_trust": "sig_no_trust",
           "invalid": "sig_invalid"}[who.verdict]
    out: list[Flowable] = [Text(_multi(S, "signed_electronically"), small, ink)]
    if who.person:
        out.append(Text(who.person, small, ink, font=BOLD))
    out.append(Text(_multi(S, key, trust=f.trust_name), small, ink))
    if who.fingerprint:
        out.append(Text(who.fingerprint, small - 0.5, colors.HexColor("#333333"), font=MONO))
    return out


def _event_rows(f: CaseFacts) -> Iterator[list[Any]]:
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    small = lay["fonts"]["small"]
    sigline = " / ".join(s.get("signature") for s in S if not s.rtl) + ": ____________"
    sig_ar = [s.get("signature") + ": ____________" for s in S if s.rtl]
    for e in f.events:
        action = str(e.get("action"))
        what = _multi(S, f"action_{action}") if action else ""
        purpose = "\n".join(str(x) for x in (what, e.get("purpose") or "", e.get("location") or "", e.get("note") or "") if x)

        def who(party: Any, role: str) -> list[Flowable]:
            cell: list[Flowable] = [Text(_party(party), size)]
            if party:
                cell += signature_cell(f, e, role)
                cell.append(Spacer(1, 6))
                cell.append(Text(sigline, small, colors.grey))
                cell += [Text(x, small, colors.grey) for x in sig_ar]
            return cell

        yield [_cell(e.get("seq"), size), Text(fmt_time(e.get("time"), e.get("offset"), f.profile, e.get("zone")), size),
               _cell(", ".join(str(x) for x in e.get("exhibits") or []), size),
               who(e.get("released_by"), "releaser"), who(e.get("received_by"), "receiver"),
               Text(purpose, size), Text(_seal_state(e, S), size)]


def section_custody(f: CaseFacts, width: float) -> list[Flowable]:
    """4. Custody events with released-by / received-by, electronic signatures and ink lines."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    head = section_head(4, f, "sec_custody")
    if not f.events:
        return head + [Text(_multi(S, "no_events"), size)]
    rows: list[list[Any]] = [_hdr(S, ["col_seq", "col_datetime", "col_items", "col_released", "col_received",
                                      "col_purpose", "col_seal_state"], lay)]
    rows += list(_event_rows(f))
    t = LongTable(rows, colWidths=_widths(lay, "custody", width), repeatRows=1)
    t.setStyle(_style(lay))
    return head + [t]


def section_verification(f: CaseFacts, width: float) -> list[Flowable]:
    """5. Verification statement, automatic ledger check, and signature blocks for ink."""
    lay, S, size = f.layout, f.strings, f.layout["fonts"]["body"]
    out: list[Flowable] = section_head(5, f, "sec_verification")
    out += [Text(s.get("verification_statement"), size) for s in S]
    if f.custody is not None:
        out.append(Spacer(1, 4))
        if f.custody.ok:
            out += [Text(s.get("custody_ok"), size, colors.HexColor(lay["colors"]["ok"])) for s in S]
        else:
            bad = colors.HexColor(lay["colors"]["bad"])
            for s in S:
                out.append(Text(s.get("custody_problems", count=len(f.custody.findings)), size, bad, font=BOLD))
                out += [Text("• " + custody_sentence(s, x.code, x.seq, x.exhibit, f.events), size, bad)
                        for x in f.custody.findings]
    out.append(Spacer(1, 6))
    ink = " / ".join(s.get("signature") for s in S if not s.rtl)
    date = " / ".join(s.get("date") for s in S if not s.rtl)

    def block(key: str, name: str) -> list[Flowable]:
        return [*labels(S, key, size, font=BOLD), Text(name, size), Spacer(1, 14),
                Text(f"{ink}: ______________   {date}: ________", size),
                *[Text(f"{s.get('signature')}: ____________   {s.get('date')}: ________", size) for s in S if s.rtl]]

    examiner = ""
    for e in f.events:
        if e.get("action") in ("acquired", "examined"):
            examiner = _party(e.get("released_by"))
    from forensic_kit.casefacts import text_of

    officer = text_of(f.facts.get("officer_in_charge")) if f.facts is not None else ""
    from reportlab.platypus import Table

    t = Table([[block("examiner", examiner), block("case_officer", officer or str(f.info.get("officer") or ""))]],
              colWidths=[width / 2, width / 2])
    t.setStyle(_style(lay, 0))
    out += [KeepTogether([t])]
    return out


def annex_rows(f: CaseFacts, hsize: float) -> Iterator[list[Any]]:
    """One row per payload file (manifest-sha256.txt order of acquisition records): n, path, size,
    algorithms and hash values; payload files without an acquisition record get the manifest's
    SHA-256; then the items that could not be read."""
    from forensic_kit.manifest.build import bag_manifest_entries, path_key

    keys, _ = payload_keys(f.case)
    n = 0
    for bp, rec in payload_records(f.case, keys):  # removes each listed file from keys
        n += 1
        hashes: dict[str, Any] = rec["hashes"]
        lines = "\n".join(f"{k} {v}" for k, v in hashes.items())
        path_cell: Any = Text(str(rec.get("bag_path") or bp.decode("utf-8", "replace")), hsize + 0.5)
        verdict = rec.get("known")
        if verdict in ("bad", "ignorable"):
            sets = ", ".join(_known_sets(rec))
            bad = verdict == "bad"
            key = "known_bad_mark" if bad else "known_ignorable_mark"
            ink = colors.HexColor(f.layout["colors"]["bad"]) if bad else None
            path_cell = [path_cell, *(Text(s.get(key, sets=sets), hsize + 0.5, ink, font=BOLD if bad else LATIN)
                                      for s in f.strings)]
        yield [("!" + str(n)) if verdict == "bad" else str(n), path_cell,
               str(rec.get("size", "")), Text(lines, hsize, font=MONO)]
    manifest = f.case.root / "manifest-sha256.txt"
    if manifest.is_file() and keys:
        for name, digest in bag_manifest_entries(manifest):
            if path_key(name) in keys:
                n += 1
                yield [str(n), Text(name.decode("utf-8", "replace"), hsize + 0.5), "", Text(f"sha256 {digest}", hsize, font=MONO)]
    for rec in f.errors:
        path = str(rec.get("bag_path") or rec.get("path") or rec.get("exhibit") or "")
        reason = f"ERROR {rec.get('stage', '')}: {rec.get('reason', '')}"
        yield ["!", Text(path, hsize + 0.5), "", Text(reason, hsize, colors.HexColor(f.layout["colors"]["bad"]))]


def section_annex(f: CaseFacts, width: float) -> Iterator[Flowable]:
    """Annex: every payload file with its hash values, in chunks whose header repeats on every page.
    A generator: chunks are built as the page layout reaches them, so memory stays flat."""
    lay, S = f.layout, f.strings
    hsize = lay["fonts"]["hash"]
    widths = _widths(lay, "annex", width)
    # column widths from content: the hash column holds "blake3 <64 hex>" on one line in monospace,
    # the path column takes the rest (longer hashes such as SHA-512 wrap)
    from forensic_kit.report.text import width as text_width

    hash_w = min(text_width("blake3 " + "0" * 64, hsize, MONO) + 8, width * 0.55)
    widths = [widths[0], width - widths[0] - widths[2] - hash_w, widths[2], hash_w]
    header = _hdr(S, ["col_seq", "col_path", "col_size", "col_hash"], lay)
    yield from section_head(6, f, "sec_annex")
    style = _style(lay)
    style.add("FONT", (0, 1), (-1, -1), LATIN, hsize)
    style.add("LEADING", (0, 1), (-1, -1), hsize * 1.25)
    style.add("TOPPADDING", (0, 1), (-1, -1), 1)
    style.add("BOTTOMPADDING", (0, 1), (-1, -1), 1)
    chunk = int(lay["annex"]["chunk_rows"])
    rows: list[list[Any]] = []
    made = 0
    for row in annex_rows(f, hsize):
        rows.append(row)
        if len(rows) == chunk:
            yield _annex_table([header, *rows], widths, style)
            made += 1
            rows = []
    if rows or not made:
        yield _annex_table([header, *rows], widths, style)


def _annex_table(rows: list[list[Any]], widths: list[float], style: TableStyle) -> Flowable:
    t = LongTable(rows, colWidths=widths, repeatRows=1)
    t.setStyle(style)
    return t


def end_marker(f: CaseFacts) -> list[Flowable]:
    """The end-of-document marker in every language."""
    latin = " · ".join(s.get("end_of_document") for s in f.strings if not s.rtl)
    arabic = " · ".join(s.get("end_of_document") for s in f.strings if s.rtl)
    text = " · ".join(x for x in (latin, arabic) if x)
    return [Spacer(1, 10), Text(f"— {text} —", 8, align="center", font=BOLD)]


class LazyStory(list):  # type: ignore[type-arg]
    """A story list that pulls flowables from a generator as reportlab consumes it (flat memory)."""

    def __init__(self, gen: Iterator[Flowable]) -> None:
        super().__init__()
        self._gen: Iterator[Flowable] | None = gen

    def _fill(self) -> None:
        while self._gen is not None and list.__len__(self) < 4:
            try:
                self.append(next(self._gen))
            except StopIteration:
                self._gen = None

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __getitem__(self, i: Any) -> Any:
        self._fill()
        return list.__getitem__(self, i)

    def __bool__(self) -> bool:
        return len(self) > 0


def custody_story(f: CaseFacts, width: float,
                  extra: Callable[[CaseFacts, float], Iterable[Flowable]] | None = None) -> list[Flowable]:
    """Every section, in order (the annex is produced lazily); ``extra`` adds sections after the
    annex (numbered from 7), e.g. the travel documents of ``--mrz``."""
    def gen() -> Iterator[Flowable]:
        yield from section_case(f, width)
        yield from section_exhibits(f, width)
        yield from section_integrity(f, width)
        yield from section_custody(f, width)
        yield from section_verification(f, width)
        yield from section_annex(f, width)
        if extra is not None:
            yield from extra(f, width)
        yield from end_marker(f)

    return LazyStory(gen())


def creation_time() -> datetime:
    """The report's date: ``SOURCE_DATE_EPOCH`` when set, else now (UTC, whole seconds)."""
    from forensic_kit.timeutil import now_utc

    return now_utc().astimezone(timezone.utc)
