"""OCR confusion correction, kept only where the check digits then hold.

Every MRZ position has a type: letters (codes, names), digits (dates, check digits), letters or
digits (document number, optional data), sex (``M F X <``). Two kinds of change are made:

* a letter where only a digit can stand (dates, check digits) is set to the digit it is
  mistaken for; it is marked verified if the check digit then holds.
* in a letters-or-digits field a check digit covers (document number, optional data), the known
  letter/digit confusions (O/0, Q/0, D/0, I/1, L/1, Z/2, S/5, G/6, B/8, T/7) are tried where the
  template reader hesitated (or everywhere for Tesseract), fewest changes first, and kept only if
  the field's check digit **and** the composite then hold, with exactly one such set of changes,
  and only if changing the printed check digit alone would not explain the failure just as well.
  Visas (MRV-A/B) have no composite: nothing is swapped there. A check digit that fails stays
  failed: nothing is changed to make a forged or altered zone look right.
* in the letters-only fields no check digit covers (issuing state, nationality, document code,
  names), a digit that can only be a letter (0→O, 1→I, 2→Z, 5→S, 6→G, 8→B) and a run of fillers
  read as ``K``/``X``/``C``/``E``/``L`` at the end of the names are set right and marked
  ``verified: false``.

Every change is listed: line, column, from, to, field, verified.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from forensic_kit.mrz import icao

TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8", "T": "7"}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
PAIRS = {**TO_DIGIT, **TO_LETTER}
FILLER_LOOKALIKES = set("KXCEL")
MAX_CHANGES = 2
MARGIN_UNSURE = 0.12
TIE_MARGIN = 0.03


@dataclass(frozen=True)
class Change:
    """One corrected character."""

    line: int
    column: int
    was: str
    now: str
    field: str
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form (line and column count from 1, as a person reads them)."""
        return {"line": self.line + 1, "column": self.column + 1, "from": self.was, "to": self.now,
                "field": self.field, "verified": self.verified}


# (field, line, start, end, check name or None, kind) per layout. kind: A letters, N digits,
# X letters or digits, S sex; the check-digit characters themselves are N fields named "*_cd".
def _spans(fmt: str) -> list[tuple[str, int, int, int, str | None, str]]:
    if fmt == "TD1":
        return [
            ("document_code", 0, 0, 2, None, "A"), ("issuing_state", 0, 2, 5, None, "A"),
            ("document_number", 0, 5, 14, "document_number", "X"), ("document_number_cd", 0, 14, 15, "document_number", "C"),
            ("optional_data", 0, 15, 30, "composite", "X"),
            ("birth_date", 1, 0, 6, "birth_date", "N"), ("birth_date_cd", 1, 6, 7, "birth_date", "C"),
            ("sex", 1, 7, 8, None, "S"), ("expiry_date", 1, 8, 14, "expiry_date", "N"),
            ("expiry_date_cd", 1, 14, 15, "expiry_date", "C"), ("nationality", 1, 15, 18, None, "A"),
            ("optional_data_2", 1, 18, 29, "composite", "X"), ("composite_cd", 1, 29, 30, "composite", "C"),
            ("names", 2, 0, 30, None, "A"),
        ]
    width = 44 if fmt in ("TD3", "MRVA") else 36
    spans = [
        ("document_code", 0, 0, 2, None, "A"), ("issuing_state", 0, 2, 5, None, "A"),
        ("names", 0, 5, width, None, "A"),
        ("document_number", 1, 0, 9, "document_number", "X"), ("document_number_cd", 1, 9, 10, "document_number", "C"),
        ("nationality", 1, 10, 13, None, "A"),
        ("birth_date", 1, 13, 19, "birth_date", "N"), ("birth_date_cd", 1, 19, 20, "birth_date", "C"),
        ("sex", 1, 20, 21, None, "S"), ("expiry_date", 1, 21, 27, "expiry_date", "N"),
        ("expiry_date_cd", 1, 27, 28, "expiry_date", "C"),
    ]
    if fmt == "TD3":
        spans += [("optional_data", 1, 28, 42, "optional_data", "X"), ("optional_data_cd", 1, 42, 43, "optional_data", "C"),
                  ("composite_cd", 1, 43, 44, "composite", "C")]
    elif fmt == "TD2":
        spans += [("optional_data", 1, 28, 35, "composite", "X"), ("composite_cd", 1, 35, 36, "composite", "C")]
    else:
        spans += [("optional_data", 1, 28, width, None, "X")]
    return spans


def _ok(lines: list[str], name: str, with_composite: bool = True) -> bool:
    try:
        m = icao.parse(lines)
    except icao.MrzSyntaxError:
        return False
    check = m.check(name)
    comp = m.check("composite") if with_composite else None
    return bool(check and check.valid and (comp is None or comp.valid))


def _search(rows: list[list[str]], name: str, opts: list[tuple[int, int, list[str], str]],
            margin: tuple[tuple[float, ...], ...] = ()) -> list[tuple[int, int, str, str]] | None:
    """The one set of confusion swaps (fewest first, at most MAX_CHANGES) after which check
    ``name`` **and** the composite hold; ``None`` when there is none, or more than one of the
    same size (the check digits cannot tell which reading is right) unless the reader hesitated
    clearly more over one of them (its summed margin at least ``TIE_MARGIN`` under the others')."""
    for k in range(1, MAX_CHANGES + 1):
        hits: list[tuple[float, list[tuple[int, int, str, str]]]] = []
        for combo in itertools.combinations(opts, k):
            for picks in itertools.product(*(o[2] for o in combo)):
                trial = [list(r) for r in rows]
                for (row, col, _, _), ch in zip(combo, picks):
                    trial[row][col] = ch
                text = ["".join(r) for r in trial]
                if _ok(text, name, False) and _ok(text, "composite", False):
                    cost = sum(margin[row][col] for row, col, _, _ in combo) if margin else 0.0
                    hits.append((cost, [(row, col, ch, fld) for (row, col, _, fld), ch in zip(combo, picks)]))
        if len(hits) == 1:
            return hits[0][1]
        if hits:
            hits.sort(key=lambda h: h[0])
            return hits[0][1] if hits[1][0] - hits[0][0] >= TIE_MARGIN else None
    return None


def _check_digit_alone_explains(rows: list[list[str]], name: str,
                                spans: list[tuple[str, int, int, int, str | None, str]]) -> bool:
    """Whether putting the computed digit in place of check ``name``'s printed one makes the
    composite hold: then "this check digit was changed" explains the failure as well as any OCR
    confusion, and no confusion is corrected (a spoiled check digit must stay failed)."""
    try:
        m = icao.parse(["".join(r) for r in rows])
    except icao.MrzSyntaxError:
        return False
    check = m.check(name)
    if check is None or check.computed is None:
        return False
    pos = next(((row, a) for fld, row, a, _, chk, kind in spans if kind == "C" and chk == name), None)
    if pos is None:
        return False
    trial = [list(r) for r in rows]
    trial[pos[0]][pos[1]] = check.computed
    return _ok(["".join(r) for r in trial], "composite", False)


def correct(lines: list[str], second: tuple[str, ...] = (),
            margin: tuple[tuple[float, ...], ...] = ()) -> tuple[list[str], list[Change]]:
    """Corrected lines and the changes made (see the module docstring for the rules)."""
    fmt = icao.layout_of(lines)
    rows = [list(line) for line in lines]
    changes: list[Change] = []
    spans = _spans(fmt)
    # 1. letters-only fields no check digit covers
    for fld, row, a, b, check, kind in spans:
        if check is not None:
            continue
        for col in range(a, b):
            c = rows[row][col]
            if kind in ("A",) and c in TO_LETTER:
                rows[row][col] = TO_LETTER[c]
                changes.append(Change(row, col, c, TO_LETTER[c], fld, False))
        if fld == "names" and not margin:  # Tesseract reads fillers as K/X; the templates do not
            seg = rows[row][a:b]
            end = len(seg)
            start = end
            while start > 0 and (seg[start - 1] == "<" or seg[start - 1] in FILLER_LOOKALIKES):
                start -= 1
            while start < end and seg[start] != "<":
                start += 1
            tail = seg[start:end]
            if tail and tail.count("<") >= len(tail) / 2:
                for i, c in enumerate(tail):
                    if c != "<":
                        rows[row][a + start + i] = "<"
                        changes.append(Change(row, a + start + i, c, "<", fld, False))
    # 2. fields under a check digit. A letter in a digits-only place is always an OCR slip: set
    # right (verified if its check then holds). Confusions in letters-or-digits places are tried
    # per failing check, and kept only if the composite (where there is one) then holds too.
    forced: list[Change] = []
    options: dict[str, list[tuple[int, int, list[str], str]]] = {}
    for fld, row, a, b, check, kind in spans:
        if check is None:
            continue
        for col in range(a, b):
            c = rows[row][col]
            if kind in ("N", "C") and c in TO_DIGIT:
                forced.append(Change(row, col, c, TO_DIGIT[c], fld, False))
                rows[row][col] = TO_DIGIT[c]
            elif kind == "X":
                # only the known letter/digit confusions, and (from the template reader) only
                # where it hesitated: every alternative tried is one more chance for a wrong
                # reading to pass its check digits by accident
                unsure = bool(margin) and margin[row][col] < MARGIN_UNSURE
                if c in PAIRS and (unsure or not margin):
                    options.setdefault(check, []).append((row, col, [PAIRS[c]], fld))
    picked: list[Change] = []
    trial_rows = [list(r) for r in rows]
    # visas (MRV-A, MRV-B) have no composite: one check digit alone (1 chance in 10 of holding by
    # accident) does not confirm a swap, so nothing is swapped there
    if fmt in ("TD1", "TD2", "TD3"):
        for name, opts in options.items():
            if name == "composite" or _ok(["".join(r) for r in trial_rows], name, False):
                continue
            if _check_digit_alone_explains(trial_rows, name, spans):
                continue
            hit = _search(trial_rows, name, opts, margin)
            if hit is not None:
                for row, col, ch, fld in hit:
                    picked.append(Change(row, col, trial_rows[row][col], ch, fld, True))
                    trial_rows[row][col] = ch
    if picked and _ok(["".join(r) for r in trial_rows], "composite", False):
        rows = trial_rows
    else:
        picked = []
    final = ["".join(r) for r in rows]
    check_of = {span[0]: span[4] for span in spans}
    for fc in forced:
        covering = check_of[fc.field]
        ok = covering is not None and _ok(final, covering, False)
        changes.append(Change(fc.line, fc.column, fc.was, fc.now, fc.field, ok))
    changes.extend(picked)
    return ["".join(r) for r in rows], changes
