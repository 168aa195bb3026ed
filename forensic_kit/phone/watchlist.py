"""Watchlists brought by the officer (e.g. numbers from INTERPOL/Europol notices); never online.

File format: UTF-8 text, one entry per line, ``#`` starts a comment. A line is either a bare
value (its type is inferred: 15 digits passing Luhn → IMEI, ``@`` → account, mostly digits/``+``
→ phone number, otherwise a document number) or ``type,value[,note]`` with type one of
``phone``, ``imei``, ``account``, ``document``. Phone numbers are compared in E.164, IMEIs on
their first 14 digits, accounts case-insensitively; document numbers are searched as whole
words in message bodies, contact names and notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensic_kit.errors import InputError
from forensic_kit.phone import numbers
from forensic_kit.phone.identifiers import identifiers
from forensic_kit.records import Record, new_record

TYPES = ("phone", "imei", "account", "document")
TEXT_FIELDS = ("body", "name", "note", "subject", "status_text")
NAME = "phone_watchlist"
VERSION = "1"


@dataclass(frozen=True)
class Entry:
    """One watchlist line."""

    type: str
    value: str
    key: str
    note: str | None
    line: int


def _infer(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if "@" in value:
        return "account"
    if len(digits) == 15 and digits == value.strip() and numbers.luhn_ok(digits):
        return "imei"
    if re.fullmatch(r"[+\d\s().\-]{6,}", value.strip()):
        return "phone"
    return "document"


class Watchlist:
    """A parsed watchlist; :meth:`match` yields ``phone.watchlist_hit`` records for a record."""

    def __init__(self, entries: list[Entry], source: str) -> None:
        self.entries = entries
        self.source = source
        self._by_key: dict[tuple[str, str], list[Entry]] = {}
        self._docs: list[tuple[Entry, re.Pattern[str]]] = []
        for e in entries:
            if e.type == "document":
                self._docs.append((e, re.compile(rf"(?<![\w]){re.escape(e.value)}(?![\w])", re.IGNORECASE)))
            else:
                self._by_key.setdefault((e.type, e.key), []).append(e)

    @classmethod
    def load(cls, path: Path, region: str | None) -> "Watchlist":
        """Read a watchlist file (``InputError`` if unreadable; bad lines are a ``UsageError``-free skip)."""
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"watchlist {path}: {getattr(exc, 'strerror', None) or exc}") from exc
        entries: list[Entry] = []
        for n, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split(",", 2)]
            if len(parts) >= 2 and parts[0].lower() in TYPES:
                typ, value, note = parts[0].lower(), parts[1], (parts[2] if len(parts) > 2 else None)
            else:
                typ, value, note = _infer(line), line, None
            entries.append(Entry(typ, value, cls._key(typ, value, region), note, n))
        if not entries:
            raise InputError(f"watchlist {path}: no entries")
        return cls(entries, str(path))

    @staticmethod
    def _key(typ: str, value: str, region: str | None) -> str:
        if typ == "phone":
            return numbers.e164(value, region) or re.sub(r"\D", "", value)
        if typ == "imei":
            return re.sub(r"\D", "", value)[:14]
        if typ == "account":
            return value.strip().lower()
        return value

    def match(self, rec: Record) -> Iterator[Record]:
        """Hit records for every watchlist entry that ``rec`` contains."""
        seen: set[tuple[int, str]] = set()
        for typ, value, fld in identifiers(rec):
            wtype = {"phone": "phone", "imei": "imei", "email": "account", "account": "account"}.get(typ)
            if wtype is None:
                continue
            for e in self._by_key.get((wtype, value if wtype != "account" else value.lower()), []):
                if (e.line, fld) not in seen:
                    seen.add((e.line, fld))
                    yield self._hit(e, rec, fld, value)
        for e, pattern in self._docs:
            for fld in TEXT_FIELDS:
                text = rec.get(fld)
                if isinstance(text, str) and pattern.search(text) and (e.line, fld) not in seen:
                    seen.add((e.line, fld))
                    yield self._hit(e, rec, fld, e.value)

    def _hit(self, e: Entry, rec: Record, fld: str, value: Any) -> Record:
        return new_record(
            "phone.watchlist_hit", NAME, VERSION, exhibit=rec.get("exhibit"),
            entry={"type": e.type, "value": e.value, "note": e.note, "line": e.line, "list": self.source},
            matched={"kind": rec.get("kind"), "field": fld, "value": value,
                     "producer": (rec.get("producer") or {}).get("parser")},
            time=rec.get("time"), locator=rec.get("locator"))
