"""Crypto addresses, each taken only when its checksum holds.

BTC: Base58Check (versions 0x00 P2PKH, 0x05 P2SH; ``base58``) and bech32/bech32m segwit
(``bc1...``; the ``bech32`` reference implementation). ETH: ``0x`` + 40 hex, mixed case checked
against EIP-55 with Keccak-256 (``eth-hash``); all-lowercase/uppercase ones carry no checksum and
get a lower confidence. TRON/USDT-TRC20: Base58Check with version 0x41 (``T...``).
"""

from __future__ import annotations

import re

import base58
import bech32
from eth_hash.auto import keccak

from forensic_kit.money.ids import Found

_B58 = re.compile(r"(?<![A-Za-z0-9])([13T][1-9A-HJ-NP-Za-km-z]{25,34})(?![A-Za-z0-9])")
_BECH = re.compile(r"(?<![A-Za-z0-9])((?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87})(?![A-Za-z0-9])")
_ETH = re.compile(r"(?<![A-Za-z0-9])(0x[0-9a-fA-F]{40})(?![A-Za-z0-9])")


def _b58check(s: str) -> bytes | None:
    try:
        return bytes(base58.b58decode_check(s))
    except ValueError:
        return None


def eip55(address: str) -> str:
    """The EIP-55 checksummed spelling of a 0x address."""
    hexpart = address[2:].lower()
    digest = keccak(hexpart.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hexpart))


def find(text: str) -> list[Found]:
    """Checksum-valid BTC, ETH and TRON addresses."""
    out = []
    for m in _B58.finditer(text):
        s = m.group(1)
        raw = _b58check(s)
        if raw is None or len(raw) != 21:
            continue
        if s[0] in "13" and raw[0] in (0x00, 0x05):
            out.append(Found("btc", s, "base58check", "btc-base58/1", 0.99, m.start(1), m.end(1)))
        elif s[0] == "T" and raw[0] == 0x41:
            out.append(Found("tron", s, "base58check", "tron-base58/1", 0.99, m.start(1), m.end(1)))
    for m in _BECH.finditer(text):
        s = m.group(1)
        if s != s.lower() and s != s.upper():
            continue
        ver, prog = bech32.decode("bc", s.lower())
        if ver is not None and prog is not None:
            out.append(Found("btc", s.lower(), "bech32" if ver == 0 else "bech32m", "btc-bech32/1", 0.99, m.start(1), m.end(1)))
    for m in _ETH.finditer(text):
        s = m.group(1)
        body = s[2:]
        if body == body.lower() or body == body.upper():
            out.append(Found("eth", eip55(s), "hex (no checksum in this spelling)", "eth/1", 0.75, m.start(1), m.end(1)))
        elif eip55(s) == s:
            out.append(Found("eth", s, "eip55", "eth/1", 0.99, m.start(1), m.end(1)))
    return out
