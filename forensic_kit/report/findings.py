"""Findings on paper: codes and parameters turned into sentences from the string tables.

A custody finding (:class:`forensic_kit.custody.Finding`) or a verification finding
(``VerifyReport.findings``) carries a stable ``code``; the sentence comes from
``templates/strings/<lang>.toml`` under ``f_<code>`` (custody) or ``v_<code>`` (verify), with
``.`` turned into ``_``. Parameters (event number, exhibit, person, time, path) are taken from the
finding and its event, never from the English ``message``. A code without a sentence gets the
translated generic sentence naming the code, so no English text falls through.
Values inside right-to-left text are wrapped in bidi isolates (see :func:`isolate`).
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from forensic_kit.report.strings import Strings

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"


def isolate(value: Any, ltr: bool = True) -> str:
    """``value`` as a bidi isolate (LRI…PDI for Latin values, FSI…PDI otherwise), so that "+216 …",
    paths and key fingerprints stay whole inside Arabic text."""
    text = "" if value is None else str(value)
    if not text:
        return text
    return (LRI if ltr else FSI) + text + PDI


def _key(prefix: str, code: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", code)


def has_sentence(s: Strings, prefix: str, code: str) -> bool:
    """True when the string table (or its fallback) has a sentence for ``code``."""
    key = _key(prefix, code)
    return key in s.table or key in s.fallback


def _party(p: Any) -> str:
    if not isinstance(p, dict):
        return "?"
    name = str(p.get("name") or "?")
    return f"{name} ({p['id']})" if p.get("id") else name


def custody_params(code: str, seq: int | None, exhibit: str | None,
                   events: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Parameters of a custody finding, from the finding and the event it names."""
    event: dict[str, Any] = {}
    if isinstance(seq, int) and 0 < seq <= len(events) and isinstance(events[seq - 1], dict):
        event = events[seq - 1]
    t = str(event.get("time") or "")
    return {"seq": str(seq if seq is not None else "—"), "exhibit": exhibit or "—",
            "who": _party(event.get("released_by")), "time": t.replace("T", " ")[:16] + (" UTC" if t else ""),
            "code": code}


def custody_sentence(s: Strings, code: str, seq: int | None, exhibit: str | None,
                     events: Sequence[dict[str, Any]]) -> str:
    """One custody finding in language ``s``."""
    params = custody_params(code, seq, exhibit, events)
    if s.rtl:
        params = {k: isolate(v) for k, v in params.items()}
    key = _key("f_", code) if has_sentence(s, "f_", code) else "f_generic"
    return s.get(key, **params)


def verify_sentence(s: Strings, finding: dict[str, Any], events: Sequence[dict[str, Any]] = ()) -> str:
    """One verification finding (``{"code", "path", ...}``) in language ``s``."""
    code = str(finding.get("code") or "")
    path = str(finding.get("path") or "")
    if code.startswith("custody.") and has_sentence(s, "f_", code[len("custody."):]):
        m = re.search(r"\(event (\d+)\)", path)
        return custody_sentence(s, code[len("custody."):], int(m.group(1)) if m else None,
                                finding.get("exhibit"), events)
    shown = isolate(path) if s.rtl else path
    key = _key("v_", code) if has_sentence(s, "v_", code) else "v_generic"
    return s.get(key, path=shown, code=isolate(code) if s.rtl else code)


def custody_finding_codes() -> tuple[str, ...]:
    """Every custody finding code fkit knows a sentence for (the test renders each)."""
    return ("ledger.empty", "line.unreadable", "chain.seq", "chain.broken", "chain.noncanonical",
            "signature.missing", "signature.invalid", "signature.untrusted", "signature.unbound",
            "time.missing", "time.order", "continuity", "exhibit.after_disposal", "exhibit.unaccounted",
            "exhibit.unknown", "recheck.failed", "seal.mismatch", "seal.late")


def verify_finding_codes() -> tuple[str, ...]:
    """Every verification finding code fkit knows a sentence for."""
    return ("signature.missing", "signature.bad", "signature.untrusted", "manifest.not_canonical",
            "manifest.incomplete", "file.MISSING", "file.MODIFIED", "file.MOVED", "file.NEW", "file.UNREADABLE",
            "merkle.unreadable", "merkle.mismatch", "records.bad_line", "records.unlisted", "records.mismatch",
            "custody.unchecked", "custody.error", "custody.failed", "payload.totals",
            "cluster.spot_check")
