"""Text normalisation shared by the money rules: digits, spaces, and the span helpers."""

from __future__ import annotations

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200f": None, "\u200e": None,
                         "\u061c": None, "٫": ".", "٬": ","})


def normalise(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, odd spaces to spaces, direction marks removed.

    The result has the same meaning; offsets into it are offsets into the normalised text.
    """
    return text.translate(_DIGITS).translate(_SPACES)
