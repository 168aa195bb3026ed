"""Helpers for Android XML files: Android Binary XML (ABX, Android 12+) detection."""

from __future__ import annotations

from xml.etree import ElementTree

ABX_MAGIC = b"ABX\x00"


class UnsupportedFormat(ValueError):
    """A file in a format fkit recognises but cannot read yet (becomes a warning record)."""


def is_abx(data: bytes) -> bool:
    """True for Android Binary XML (``ABX\\0`` magic), which text XML parsers cannot read."""
    return data[:4] == ABX_MAGIC


def parse_xml(data: bytes, what: str) -> "ElementTree.Element":
    """Text XML or ABX → root element; an ABX file that cannot be decoded is :class:`UnsupportedFormat`."""
    if is_abx(data):
        from forensic_kit.phone import abx

        try:
            return abx.parse(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UnsupportedFormat(f"Android Binary XML (ABX) {what}: could not be decoded ({exc}); "
                                    "convert with 'abx2xml' on a workstation and run again") from exc
    return ElementTree.fromstring(data)
