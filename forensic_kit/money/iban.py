"""IBANs (ISO 13616): country code, two check digits, BBAN; mod-97 and per-country length checked
by python-stdnum. Printed with or without the groups of four."""

from __future__ import annotations

import re

from stdnum import iban as std_iban
from stdnum import numdb
from stdnum.iso7064 import mod_97_10

from forensic_kit.money.ids import Found

RULE = "iban/1"
_IBAN = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![A-Z0-9])")


def _check(compact: str) -> tuple[str, float] | None:
    """(check that passed, confidence): registry format + mod 97, or mod 97 alone for countries
    outside the IBAN registry (Morocco, Algeria... use IBAN-shaped numbers without being listed)."""
    if std_iban.is_valid(compact):
        return "iso13616-mod97+length", 0.99
    if not 15 <= len(compact) <= 34 or not compact[4:].isdigit():
        return None  # outside the registry only all-digit BBANs (Morocco's RIB) are taken
    rearranged = compact[4:] + compact[:4]
    if not mod_97_10.is_valid("".join(str(int(c, 36)) for c in rearranged)):
        return None
    country_known = bool(numdb.get("iban").info(compact[:2])[0][1])
    if country_known:
        return None  # the country is in the registry and the format is wrong
    return "iso13616-mod97 (country not in the IBAN registry)", 0.85


def find(text: str) -> list[Found]:
    """Every IBAN whose check digits and length are right (a trailing word is not taken as a group)."""
    out: list[Found] = []
    upper = text.upper()
    pos = 0
    while True:
        m = _IBAN.search(upper, pos)
        if m is None:
            return out
        parts = m.group(1).split(" ")
        for n in range(len(parts), 0, -1):
            compact = "".join(parts[:n])
            check = _check(compact)
            if check is not None:
                end = m.start(1) + len(" ".join(parts[:n]))
                out.append(Found("iban", compact, check[0], RULE, check[1], m.start(1), end))
                pos = end
                break
        else:
            pos = m.start(1) + 1
