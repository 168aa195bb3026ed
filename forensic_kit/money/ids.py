"""The identifier found in a message: its type, normalised value, and how it was checked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """A payment identifier: ``type`` (iban, card, card_masked, mtcn, moneygram_ref, btc, eth, tron),
    the value to show (cards masked), the check that passed, the rule and a confidence."""

    type: str
    value: str
    check: str
    rule: str
    confidence: float
    start: int
    end: int
