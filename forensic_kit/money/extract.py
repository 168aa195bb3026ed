"""fkit records → ``money.transaction`` and ``money.identifier`` records.

Text is read from the message fields of phone records (``body``, ``text``, ``message``,
``title``, ``caption``) or of any record carrying them. Each money record keeps the source
record's exhibit, time and locator, the rule that matched and its confidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from forensic_kit.money import cards, crypto, iban, receipts, remittance, text
from forensic_kit.money.ids import Found
from forensic_kit.records import Record, new_record

NAME = "money"
VERSION = "1"
TEXT_FIELDS = ("body", "text", "message", "title", "caption", "notification_text")
_FINDERS = (iban.find, cards.find, remittance.find, crypto.find)


def find_identifiers(norm: str) -> list[Found]:
    """Every payment identifier in normalised text, in text order, overlaps resolved by confidence."""
    found = sorted((f for finder in _FINDERS for f in finder(norm)), key=lambda f: (-f.confidence, f.start))
    kept: list[Found] = []
    for f in found:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _party(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("e164") or value.get("raw")
    return value


def analyse(message: str) -> tuple[receipts.Receipt | None, list[Found]]:
    """The receipt and identifiers of one message text."""
    norm = text.normalise(message)
    return receipts.read(norm), find_identifiers(norm)


def records(rec: Record) -> Iterator[Record]:
    """The money records of one fkit record (none for records without message text)."""
    kind = str(rec.get("kind") or "")
    if kind.startswith("money.") or kind == "timeline.event":
        return
    for fld in TEXT_FIELDS:
        value = rec.get(fld)
        if not isinstance(value, str) or not value.strip():
            continue
        receipt, ids = analyse(value)
        source = {"kind": kind, "locator": rec.get("locator"), "field": fld, "app": rec.get("app"),
                  "sender": _party(rec.get("address") or rec.get("sender") or rec.get("chat")),
                  "message_direction": rec.get("type_label")}
        common = {"exhibit": rec.get("exhibit"), "time": rec.get("time") if isinstance(rec.get("time"), dict) else None}
        excerpt = value if len(value) <= 400 else value[:399] + "…"
        if receipt is not None:
            yield new_record(
                "money.transaction", NAME, VERSION, **common, amount=receipt.amount, currency=receipt.currency,
                currency_raw=receipt.currency_raw, direction=receipt.direction, counterparty=receipt.counterparty,
                reference=receipt.reference, balance=receipt.balance, fee=receipt.fee, operator=receipt.operator,
                rule=receipt.rule, confidence=receipt.confidence, text=excerpt, source=source)
        for f in ids:
            yield new_record(
                "money.identifier", NAME, VERSION, **common, identifier={"type": f.type, "value": f.value},
                check=f.check, rule=f.rule, confidence=f.confidence, span=[f.start, f.end], text=excerpt, source=source)
