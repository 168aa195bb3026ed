"""Case facts: the legal and seizure facts a court record needs, signed and kept with their history.

``fkit case set CASE --legal-basis ... --order-number ... --sign KEY`` appends one entry to
``fkit/case-facts.jsonl``. The file works like the custody ledger:

- each line is RFC 8785 canonical JSON followed by ``\\n``;
- ``prev`` is the SHA-256 (hex) of the previous line's bytes including its ``\\n`` (``null`` first);
- ``signature`` is an SSHSIG (namespace :data:`NAMESPACE`) over the canonical entry *without* its
  ``signature`` member, made by the person who set the values.

Nothing is ever rewritten: a correction is a new entry, and the report prints the current value
with who set it and when, and how many times it changed. A fact that was never set is taken from
the first ``seized`` custody event (seizure place, time and seizing officer) or from the case
header, and the report says where it came from.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timezone
from typing import TYPE_CHECKING, Any

from forensic_kit.errors import FormatError, UsageError
from forensic_kit.manifest.canonical import canonical_bytes
from forensic_kit.timeutil import datetime_to_iso, now_utc

if TYPE_CHECKING:
    from forensic_kit.package import Case
    from forensic_kit.signing.keys import SigningKey

SCHEMA = "fkit.case-facts/1"
NAMESPACE = "fkit-case"
LEDGER = "fkit/case-facts.jsonl"

FIELDS: tuple[str, ...] = (
    "legal_basis",        # the legal authority, as the agency words it (free text; fkit ships none)
    "order_number",       # number of the warrant / order / requisition
    "issued_by",          # court, judge or prosecutor who issued it
    "issued_on",          # date it was issued (YYYY-MM-DD)
    "seizure_place",
    "seizure_time",       # ISO 8601 with offset, kept as given plus UTC
    "seized_by",          # NAME[,ID[,ORG]]
    "officer_in_charge",  # NAME[,ID[,ORG]]
    "prosecutor",         # NAME[,ID[,ORG]] or the office
    "court_ref",          # court / docket reference
)
"""Every case fact, in the order the report prints them."""

EXHIBIT_FIELDS = ("seal_number",)
"""Required-field names a profile may list that are checked per exhibit, not per case."""


@dataclass(frozen=True)
class FactValue:
    """The current value of one fact and where it came from."""

    name: str
    value: Any
    source: str  # "set" (signed entry), "seized-event", "case.json"
    seq: int | None = None  # entry that set it (source "set") or the custody event (seized-event)
    by: str | None = None  # key id of the signer
    time: str | None = None  # when it was set (UTC)
    changes: int = 0  # how many entries set this fact (1 = never corrected)


@dataclass
class FactsState:
    """All facts of a case, their entries and the problems found reading them."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, FactValue] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> Any:
        """The value of ``name`` (None when empty)."""
        v = self.values.get(name)
        return None if v is None else v.value


def _lines(case: "Case") -> list[bytes]:
    path = case.root / LEDGER
    if not path.is_file():
        return []
    return path.read_bytes().splitlines(keepends=True)


def entry_body(entry: dict[str, Any]) -> bytes:
    """The bytes the signature covers: the canonical entry without ``signature``."""
    return canonical_bytes({k: v for k, v in entry.items() if k != "signature"})


def normalise(name: str, value: str, zone: str) -> Any:
    """Check and normalise one fact given on the command line (``UsageError`` when malformed)."""
    if name not in FIELDS:
        raise UsageError(f"unknown case fact {name!r}; known: {', '.join(FIELDS)}")
    text = value.strip()
    if not text:
        raise UsageError(f"--{name.replace('_', '-')}: empty value (a fact cannot be erased, only corrected)")
    if name == "issued_on":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise UsageError(f"--issued-on {value!r}: not a date (YYYY-MM-DD)") from None
    if name == "seizure_time":
        from forensic_kit.custody import _offset, parse_time

        when = parse_time(text, zone)
        return {"utc": datetime_to_iso(when.astimezone(timezone.utc)), "offset": _offset(when),
                "zone": None if re.search(r"([+-]\d\d:?\d\d|Z)$", text) else zone}
    if name in ("seized_by", "officer_in_charge", "prosecutor") and "," in text:
        from forensic_kit.custody import parse_party

        return parse_party(text)
    return text


def new_entry(case: "Case", values: dict[str, str]) -> dict[str, Any]:
    """The next (unsigned) entry setting ``values`` (field name → command-line text)."""
    if not values:
        raise UsageError("fkit case set: give at least one fact (--legal-basis, --order-number, ...)")
    from forensic_kit.custody import _case_zone

    zone = _case_zone(case)
    lines = _lines(case)
    if lines and not lines[-1].endswith(b"\n"):
        raise FormatError(f"{LEDGER}: the last line is incomplete; refusing to append")
    now = now_utc()
    return {
        "schema": SCHEMA,
        "case_id": case.info.get("case_id"),
        "seq": len(lines) + 1,
        "prev": hashlib.sha256(lines[-1]).hexdigest() if lines else None,
        "time": datetime_to_iso(now.astimezone(timezone.utc)),
        "set": {k: normalise(k, v, zone) for k, v in sorted(values.items())},
    }


def sign_entry(entry: dict[str, Any], key: "SigningKey") -> dict[str, Any]:
    """``entry`` with its SSHSIG signature (namespace ``fkit-case``)."""
    from forensic_kit.signing import sshsig

    sig = sshsig.sign(entry_body(entry), key, NAMESPACE).decode("ascii")
    return {**entry, "signature": {"key_id": key.key_id, "fingerprint": key.fingerprint, "sshsig": sig}}


def append_entry(case: "Case", entry: dict[str, Any]) -> bytes:
    """Append the signed ``entry`` (refused when the file changed meanwhile); returns the line."""
    from forensic_kit.package import append_chained

    line = canonical_bytes(entry) + b"\n"
    append_chained(case, LEDGER, line, lambda: _lines(case), entry.get("seq"), entry.get("prev"), "entry")
    return line


def read_state(case: "Case", trusted_signers: str | None = None, events: list[dict[str, Any]] | None = None) -> FactsState:
    """Read every entry, check chain and signatures, and work out the current value of each fact.

    ``events``: the custody events (read from the ledger when None) for the seized-event fallback.
    Problems (broken chain, bad or untrusted signature) are listed in ``problems``; values of an
    entry whose signature does not verify are not used.
    """
    from forensic_kit.signing import sshsig

    state = FactsState()
    prev: str | None = None
    changes: dict[str, int] = {}
    for n, line in enumerate(_lines(case), 1):
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError
        except ValueError:
            state.problems.append(f"case facts entry {n} is not readable")
            prev = hashlib.sha256(line).hexdigest()
            continue
        good = True
        if entry.get("prev") != prev or entry.get("seq") != n:
            state.problems.append(f"case facts entry {n} does not chain to the one before it")
            good = False
        prev = hashlib.sha256(line).hexdigest()
        sig = entry.get("signature")
        signer: str | None = None
        try:
            v = sshsig.verify(entry_body(entry), str((sig or {}).get("sshsig", "")).encode("ascii", "replace"),
                              NAMESPACE, trusted_signers)
            signer = str((sig or {}).get("key_id") or v.fingerprint)
            if trusted_signers is not None and not v.trusted:
                state.problems.append(f"case facts entry {n} is signed by key {v.fingerprint}, which is not in the trust list")
        except Exception:  # noqa: BLE001 - malformed or forged: the entry is not used
            state.problems.append(f"case facts entry {n} has no valid signature; its values are not used")
            good = False
        state.entries.append(entry)
        values = entry.get("set")
        if not good or not isinstance(values, dict):
            continue
        for k, val in values.items():
            if k in FIELDS:
                changes[k] = changes.get(k, 0) + 1
                state.values[k] = FactValue(k, val, "set", n, signer, str(entry.get("time") or ""), changes[k])
    _fallbacks(case, state, events)
    return state


def _fallbacks(case: "Case", state: FactsState, events: list[dict[str, Any]] | None) -> None:
    info = case.info
    for k in FIELDS:  # older cases carried some facts in case.json
        if k not in state.values and info.get(k) not in (None, ""):
            val = info[k]
            if k == "seizure_time" and isinstance(val, str):
                val = {"utc": val, "offset": None, "zone": None}
            state.values[k] = FactValue(k, val, "case.json")
    if "officer_in_charge" not in state.values and info.get("officer"):
        state.values["officer_in_charge"] = FactValue("officer_in_charge", info["officer"], "case.json")
    if events is None:
        try:
            from forensic_kit.custody import read_events

            events = read_events(case)
        except Exception:  # noqa: BLE001 - an unreadable ledger is reported by custody verify
            events = []
    seized = next((e for e in events if isinstance(e, dict) and e.get("action") == "seized"), None)
    if seized is None:
        return
    seq = seized.get("seq") if isinstance(seized.get("seq"), int) else None
    if "seizure_place" not in state.values and seized.get("location"):
        state.values["seizure_place"] = FactValue("seizure_place", seized["location"], "seized-event", seq)
    if "seizure_time" not in state.values and seized.get("time"):
        state.values["seizure_time"] = FactValue(
            "seizure_time", {"utc": seized["time"], "offset": seized.get("offset"), "zone": None}, "seized-event", seq)
    if "seized_by" not in state.values and isinstance(seized.get("released_by"), dict):
        state.values["seized_by"] = FactValue("seized_by", seized["released_by"], "seized-event", seq)


def missing_required(case: "Case", required: list[str], state: FactsState | None = None) -> list[str]:
    """Required field names (from a profile) that are empty for ``case``; ``seal_number`` is missing
    when any exhibit has no seal number."""
    state = state or read_state(case)
    out: list[str] = []
    for name in required:
        if name == "seal_number":
            for ex in case.exhibits():
                seal = ex.get("seal")
                number = seal.get("number") if isinstance(seal, dict) else seal
                if not number:
                    out.append("seal_number")
                    break
        elif state.get(name) in (None, "", {}):
            out.append(name)
    return out


def text_of(value: Any) -> str:
    """How a fact value is printed: parties as ``name, id, org``; times by the report."""
    if isinstance(value, dict):
        if "utc" in value:
            return str(value.get("utc") or "")
        return ", ".join(str(value[k]) for k in ("name", "id", "org") if value.get(k))
    return "" if value is None else str(value)


def required_warnings(root: Any) -> list[str]:
    """One warning per case fact that the case's profile requires and that is empty (for
    ``fkit verify``); nothing for a subset, an unreadable case or an unknown profile. Never raises."""
    from pathlib import Path

    from forensic_kit.errors import FkitError

    try:
        from forensic_kit.package import Case
        from forensic_kit.profiles import load_profile

        if not (Path(root) / "bagit.txt").is_file():
            return []
        case = Case.open(Path(root))
        profile = load_profile(str(case.info.get("profile") or "eu"))
        missing = missing_required(case, profile.required_fields)
    except (FkitError, OSError, ValueError):
        return []
    return [f"case fact {name} is required by profile {profile.name} but not given "
            f"(fkit case set CASE --{name.replace('_', '-')} ...)" if name != "seal_number" else
            f"profile {profile.name} requires a seal number on every exhibit; an exhibit has none"
            for name in missing]
