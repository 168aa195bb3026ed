"""The officer's offline list of stolen, lost, revoked or invalid travel documents.

Three forms are read (the README shows each):

* JSON: a list of objects (or ``{"documents": [...]}``) with ``number``, ``state`` (or
  ``issuing_state``), ``status`` and an optional ``note``;
* CSV with a header row naming at least ``number`` (and ``state``, ``status``, ``note``);
* the ``fkit phone --watchlist`` line format: ``document,NUMBER[,STATE[,STATUS[,note]]]`` (``fkit
  phone`` reads whatever follows the number as a note, so one file serves both commands); lines
  of other types (``phone``, ``imei``, ``account``) are left to ``fkit phone``, and a bare value
  that ``fkit phone`` would take for a document number is one here, for any state.

Matching is on the normalised number (upper case, without spaces, ``-``, ``.``, ``/`` or ``<``)
and the issuing state (``D<<`` = ``D``); an entry without a state matches the number in any state.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensic_kit.errors import InputError

STATUSES = ("stolen", "lost", "revoked", "invalid")


@dataclass(frozen=True)
class Entry:
    """One listed document."""

    number: str
    state: str | None
    status: str
    note: str | None
    line: int


def norm_number(value: str) -> str:
    """A document number as compared: upper case, no separators or fillers."""
    return re.sub(r"[\s\-./<]", "", value).upper()


def norm_state(value: str | None) -> str | None:
    """An issuing-state code as compared (``None`` or empty: any state)."""
    v = (value or "").replace("<", "").strip().upper()
    return v or None


class Watchlist:
    """A parsed list; :meth:`hits` gives the entries a document matches."""

    def __init__(self, entries: list[Entry], source: str) -> None:
        self.entries = entries
        self.source = source
        self._by_number: dict[str, list[Entry]] = {}
        for e in entries:
            self._by_number.setdefault(e.number, []).append(e)

    @classmethod
    def load(cls, path: Path) -> "Watchlist":
        """Read a list file (``InputError`` if unreadable, of no known form, or empty)."""
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"watchlist {path}: {getattr(exc, 'strerror', None) or exc}") from exc
        stripped = text.lstrip()
        if stripped.startswith(("[", "{")):
            entries = _from_json(text, path)
        else:
            first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
            header = [h.strip().lower() for h in first.split(",")]
            entries = _from_csv(text) if "number" in header else _from_lines(text)
        if not entries:
            raise InputError(f"watchlist {path}: no document entries")
        return cls(entries, str(path))

    def hits(self, number: str, state: str) -> list[Entry]:
        """Entries for this number and issuing state."""
        st = norm_state(state)
        return [e for e in self._by_number.get(norm_number(number), []) if e.state is None or e.state == st]


def _entry(number: Any, state: Any, status: Any, note: Any, line: int) -> Entry | None:
    num = norm_number(str(number or ""))
    if not num:
        return None
    stat = str(status or "").strip().lower() or "listed"
    return Entry(num, norm_state(str(state) if state else None), stat, str(note) if note else None, line)


def _from_json(text: str, path: Path) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"watchlist {path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    items = data.get("documents", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(f"watchlist {path}: JSON must be a list of documents or {{\"documents\": [...]}}")
    out = []
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            e = _entry(item.get("number"), item.get("state", item.get("issuing_state")), item.get("status"),
                       item.get("note"), i)
            if e:
                out.append(e)
    return out


def _from_csv(text: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    out = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        e = _entry(row.get("number"), row.get("state") or row.get("issuing_state"), row.get("status"),
                   row.get("note"), reader.line_num)
        if e:
            out.append(e)
    return out


def _from_lines(text: str) -> list[Entry]:
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(",")]
        if parts[0].lower() == "document" and len(parts) >= 2:
            e = _entry(parts[1], parts[2] if len(parts) > 2 else None, parts[3] if len(parts) > 3 else None,
                       ",".join(parts[4:]) or None, n)
        elif len(parts) == 1 and _phone_would_say_document(parts[0]):
            e = _entry(parts[0], None, None, None, n)
        else:
            e = None
        if e:
            out.append(e)
    return out


def _phone_would_say_document(value: str) -> bool:
    from forensic_kit.phone.watchlist import _infer

    return _infer(value) == "document"
