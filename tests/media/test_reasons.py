"""A parser's reason in a record is stable: no object addresses, bounded length."""

from __future__ import annotations

from forensic_kit.media.exif import parser_reason


def test_reason_has_no_object_address() -> None:
    exc = OSError("cannot identify image file <_io.BytesIO object at 0x7f3a2c1b9e40>")
    assert parser_reason(exc) == "OSError: cannot identify image file <_io.BytesIO object>"
    assert parser_reason("x" * 400) == "x" * 300
