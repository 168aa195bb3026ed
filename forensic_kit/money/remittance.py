"""Western Union MTCN (10 digits) and MoneyGram reference numbers (8 digits).

Neither number carries a public check digit, so a number is taken only right after its own
keyword (``MTCN``, ``Western Union``, ``MoneyGram``, ``رقم الحوالة``...): a 10-digit phone number
or an order number elsewhere in the message is not an MTCN.
"""

from __future__ import annotations

import re

from forensic_kit.money.ids import Found

RULE_MTCN = "wu-mtcn/1"
RULE_MGRAM = "moneygram-ref/1"

_MTCN = re.compile(
    r"(?:MTCN|money\s+transfer\s+control\s+number|western\s+union(?:\s+(?:code|number|n°|no\.?|ref(?:erence)?))?|"
    r"ويسترن\s+يونيون|رقم\s+الحوالة|رمز\s+الحوالة)"
    r"\s*(?:n°|no\.?|#|:|=|est|is|هو)?\s*:?\s*(?P<n>\d{3}[ -]?\d{3}[ -]?\d{4})(?!\d)", re.IGNORECASE)
_MGRAM = re.compile(
    r"(?:money\s*gram|موني\s*جرام)[^\d\n]{0,40}?(?:ref(?:erence|[ée]rence)?(?:\s+(?:number|no\.?|n°))?|"
    r"num[ée]ro\s+de\s+r[ée]f[ée]rence|رقم\s+المرجع|المرجع)\s*(?:n°|no\.?|#|:|est|is|هو)?\s*:?\s*"
    r"(?P<n>\d{4}[ -]?\d{4})(?!\d)", re.IGNORECASE)


def find(text: str) -> list[Found]:
    """MTCNs and MoneyGram references written after their keyword."""
    out = []
    for m in _MTCN.finditer(text):
        n = re.sub(r"\D", "", m.group("n"))
        out.append(Found("mtcn", n, "keyword (no check digit exists)", RULE_MTCN, 0.9, m.start("n"), m.end("n")))
    for m in _MGRAM.finditer(text):
        n = re.sub(r"\D", "", m.group("n"))
        out.append(Found("moneygram_ref", n, "keyword (no check digit exists)", RULE_MGRAM, 0.9, m.start("n"), m.end("n")))
    return out
