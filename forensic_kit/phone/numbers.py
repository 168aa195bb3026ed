"""Phone numbers to E.164 (``phonenumbers``, default region from the profile) and IMEI checks.

The raw value is always kept; ``e164`` is ``None`` when the number cannot be parsed (short
codes, alphanumeric senders such as ``BANK``, e-mail handles).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers

_DIGITS = re.compile(r"\D+")


_SEEN: dict[tuple[Any, str | None], dict[str, Any] | None] = {}


def normalise(raw: Any, region: str | None) -> dict[str, Any] | None:
    """``{"raw": ..., "e164": ... or None}`` (+ ``valid``, ``country``); ``None`` for no value.

    Text and integer values are cached whole (a phone's numbers repeat across thousands of rows);
    each call returns its own dict."""
    t = type(raw)
    if t is str or t is int:
        key = (raw, region)
        try:
            hit = _SEEN[key]
        except KeyError:
            hit = _normalise(raw, region)
            if len(_SEEN) >= 65_536:  # bounded: at most a few tens of MB beside _parse's cache
                _SEEN.clear()
            _SEEN[key] = hit
        return None if hit is None else dict(hit)
    return _normalise(raw, region)


def _normalise(raw: Any, region: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, (bytes, bytearray, memoryview)):
        from forensic_kit.phone.values import blob

        text = bytes(raw).decode("utf-8", "replace").strip()
        raw = blob(raw)
    elif isinstance(raw, float) and raw != raw:
        return {"raw": repr(raw), "e164": None}
    else:
        text = str(raw).strip()
    if not text:
        return None
    out: dict[str, Any] = {"raw": raw}
    out.update(_parse(text, (region or "").upper() or None))
    return out


@lru_cache(maxsize=262_144)
def _parse(text: str, region: str | None) -> dict[str, Any]:
    """The parsed part of :func:`normalise` (cached: a phone's numbers repeat across rows)."""
    if "@" in text or not any(ch.isdigit() for ch in text):
        return {"e164": None}
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return {"e164": None}
    if not phonenumbers.is_possible_number(num):
        return {"e164": None}
    return {"e164": phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
            "valid": phonenumbers.is_valid_number(num), "country": phonenumbers.region_code_for_number(num)}


def e164(raw: Any, region: str | None) -> str | None:
    """Only the E.164 text of :func:`normalise` (``None`` when not a parsable number)."""
    n = normalise(raw, region)
    return None if n is None else n.get("e164")


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by IMEIs (15 digits) and ICCIDs."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def imei(raw: Any) -> dict[str, Any] | None:
    """``{"raw", "imei", "luhn_ok"}`` for an IMEI (15 digits; 14 digits has no check digit)."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        from forensic_kit.phone.values import blob

        digits = _DIGITS.sub("", bytes(raw).decode("utf-8", "replace"))
        raw = blob(raw)
    elif raw is None or str(raw).strip() == "":
        return None
    else:
        digits = _DIGITS.sub("", str(raw))
    out: dict[str, Any] = {"raw": raw, "imei": digits if len(digits) in (14, 15, 16) else None}
    out["luhn_ok"] = luhn_ok(digits) if len(digits) == 15 else None
    return out
