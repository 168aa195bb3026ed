"""Text that reaches a terminal or a PDF: nothing an attacker planted is shown raw.

File names, custody fields and record values come from evidence or from a package that may be
hostile. Printed as they are, an escape sequence can rewrite the terminal (``ESC [ 2 J``, a fake
"OK" line), a carriage return can hide the start of a line, and a bidi override (U+202E) can
make ``gpj.exe`` read as ``exe.jpg``. :func:`safe_text` shows every such character as a visible
escape (``\\x1b``, ``\\u202e``); records and files keep the exact values.
"""

from __future__ import annotations

import unicodedata

# Bidi controls (embeddings, overrides, isolates, marks) and other invisible format characters
# that change how the text around them is shown.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape(c: str) -> str:
    n = ord(c)
    if n < 0x100:
        return f"\\x{n:02x}"
    if n < 0x10000:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def unsafe_char(c: str) -> bool:
    """True for a character that must not reach a terminal raw: C0/C1 controls (tab, newline and
    carriage return included), DEL, bidi controls, other format characters (Cf), line and
    paragraph separators, surrogates and unassigned code points."""
    if c in _BIDI:
        return True
    cat = unicodedata.category(c)
    if cat in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
        return True
    # Cf also holds ZWJ/ZWNJ (needed by Arabic and Indic scripts) and the soft hyphen: keep those.
    return cat == "Cf" and c not in ("\u200c", "\u200d", "\u00ad")


def safe_text(value: object) -> str:
    """``value`` as one line of text with every unsafe character escaped (``\\x1b``,
    ``\\u202e``, ``\\n``); a backslash stays a backslash. ``bytes`` are decoded as UTF-8 with
    invalid bytes escaped as ``\\xNN``."""
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "surrogateescape")
    else:
        text = str(value)
    out: list[str] = []
    for c in text:
        n = ord(c)
        if 0xDC80 <= n <= 0xDCFF:  # an undecodable byte carried by surrogateescape
            out.append(f"\\x{n - 0xDC00:02x}")
        elif unsafe_char(c):
            out.append(_escape(c))
        else:
            out.append(c)
    return "".join(out)


def is_safe(value: str) -> bool:
    """True when :func:`safe_text` would leave ``value`` unchanged."""
    return not any(unsafe_char(c) for c in value)
