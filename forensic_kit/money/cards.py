"""Payment card numbers: full numbers only when Luhn-valid, of a known brand length and written as a
card (keyword nearby or groups of four), and then only ever shown masked (first six, last four).
Already-masked numbers (``**** 1234``, ``XXXX-XXXX-XXXX-1234``) next to a card keyword are kept as
``card_masked`` with the visible digits."""

from __future__ import annotations

import re

from stdnum import luhn

from forensic_kit.money.ids import Found

RULE = "card/1"
_KEYWORD = re.compile(r"card|carte|visa|master\s*card|mastercard|amex|بطاقة|بطاقتك|كارت|فيزا", re.IGNORECASE)
_FULL = re.compile(r"(?<![\d-])(\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?|\d{13,19})(?![\d-])")
_MASKED = re.compile(r"(?<![\w*])((?:[*xX•]{4}[ -]?){2,3}[*xX•]{0,4}[ -]?\d{4}|\d{4,6}[*xX•]{6,9}\d{4}|[*xX•]{4,12}\d{4})(?!\d)")


def _brand_ok(d: str) -> bool:
    n = len(d)
    if d[0] == "4":
        return n in (13, 16, 19)
    if d[:2] in ("51", "52", "53", "54", "55") or 2221 <= int(d[:4]) <= 2720:
        return n == 16
    if d[:2] in ("34", "37"):
        return n == 15
    if d[:4] == "6011" or d[:2] == "65":
        return n in (16, 19)
    return False


def mask(digits: str) -> str:
    """First six and last four digits, the rest as ``*``."""
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def find(text: str) -> list[Found]:
    """Luhn-valid full card numbers (masked) and masked card numbers near a card keyword."""
    out = []
    near = [m.start() for m in _KEYWORD.finditer(text)]
    for m in _FULL.finditer(text):
        raw = m.group(1)
        d = re.sub(r"\D", "", raw)
        grouped = " " in raw or "-" in raw
        keyword = any(abs(k - m.start()) <= 40 for k in near)
        if (grouped or keyword) and _brand_ok(d) and luhn.is_valid(d):
            out.append(Found("card", mask(d), "luhn+brand-length", RULE, 0.97 if keyword else 0.9, m.start(1), m.end(1)))
    for m in _MASKED.finditer(text):
        if any(abs(k - m.start()) <= 40 for k in near):
            visible = re.sub(r"[^\d]", "", m.group(1))
            out.append(Found("card_masked", re.sub(r"[xX•]", "*", m.group(1)).replace(" ", "").replace("-", ""),
                             "masked-at-source (not checkable)", RULE, 0.8, m.start(1), m.end(1)))
            del visible
    return out
