"""Amounts with their currency: ``Ksh1,000.00``, ``1 000,50 FCFA``, ``500 جنيه``, ``USD 1.0000``.

The currency must touch the number (before or after it): a bare number is never an amount.
Decimal separators are read per currency: ``1.000 DT`` is one Tunisian dinar (three decimals),
``1.000 EUR`` is a thousand euros only when written with a thousands group before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# currency token → ISO 4217 code (None: the token alone does not say which)
CURRENCIES: dict[str, str | None] = {
    "ksh": "KES", "kshs": "KES", "kes": "KES",
    "egp": "EGP", "l.e": "EGP", "جنيه": "EGP", "جنيها": "EGP", "جنيهًا": "EGP", "ج.م": "EGP", "جم": "EGP",
    "mad": "MAD", "dh": "MAD", "dhs": "MAD", "dirhams": "MAD", "درهم": "MAD", "درهما": "MAD",
    "tnd": "TND", "dt": "TND", "د.ت": "TND",
    "lyd": "LYD", "د.ل": "LYD",
    "dinars": None, "دينار": None, "دينارا": None,
    "xof": "XOF", "fcfa": "XOF", "f cfa": "XOF", "cfa": "XOF",
    "cdf": "CDF", "fc": "CDF",
    "usd": "USD", "$": "USD", "us$": "USD", "دولار": "USD",
    "eur": "EUR", "€": "EUR", "euros": "EUR", "euro": "EUR", "يورو": "EUR",
    "gbp": "GBP", "£": "GBP",
}
THREE_DECIMALS = {"TND", "LYD", "KWD", "BHD", "OMR", "JOD"}

_CUR = "|".join(sorted((re.escape(c) for c in CURRENCIES), key=len, reverse=True))
_NUM = r"\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?"
AMOUNT = re.compile(
    rf"(?<![\w.,])(?:(?P<c1>{_CUR})\s?(?P<n1>{_NUM})|(?P<n2>{_NUM})\s?(?P<c2>{_CUR}))(?![\w])",
    re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    """A money amount found in text: decimal value as text, ISO currency (or None), raw texts, span."""

    value: str
    currency: str | None
    currency_raw: str
    raw: str
    start: int
    end: int


def to_decimal(num: str, currency: str | None) -> str | None:
    """The decimal value of a number text, separators read for ``currency``; None if unreadable."""
    s = num.replace(" ", "")
    seps = [c for c in s if c in ".,"]
    if seps:
        last = max(s.rfind("."), s.rfind(","))
        tail = s[last + 1:]
        decimal_sep = True
        if len(tail) == 3 and len(set(seps)) == 1:
            # 1,000 / 1.000: a thousands group unless the currency has three decimals and one separator
            decimal_sep = currency in THREE_DECIMALS and len(seps) == 1
        if decimal_sep:
            s = s[:last].replace(".", "").replace(",", "") + "." + tail
        else:
            s = s.replace(".", "").replace(",", "")
    try:
        return str(Decimal(s).normalize()) if "E" not in str(Decimal(s).normalize()) else str(Decimal(s).quantize(Decimal(1)))
    except InvalidOperation:
        return None


def find(text: str) -> list[Amount]:
    """Every amount-with-currency in (normalised) ``text``, in order."""
    out = []
    for m in AMOUNT.finditer(text):
        num = m.group("n1") or m.group("n2")
        cur_raw = m.group("c1") or m.group("c2")
        code = CURRENCIES.get(cur_raw.lower())
        value = to_decimal(num, code)
        if value is None:
            continue
        out.append(Amount(value, code, cur_raw, m.group(0), m.start(), m.end()))
    return out
