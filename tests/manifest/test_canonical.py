"""RFC 8785 canonical JSON with NFC strings and no floats."""

from __future__ import annotations

import pytest

from forensic_kit.errors import FormatError
from forensic_kit.manifest.canonical import canonical_bytes, is_canonical


def test_rfc8785_ordering_and_escapes() -> None:
    value = {"b": [3, True, None], "a": "x\u2028y", "\u20ac": 1, "\r": 2, "1": 3, "é": "\u00e9"}
    # keys sorted by UTF-16 code units; no whitespace; minimal escapes
    assert canonical_bytes(value) == '{"\\r":2,"1":3,"a":"x\u2028y","b":[3,true,null],"é":"é","€":1}'.encode()


def test_nfc_normalisation_of_keys_and_values() -> None:
    decomposed = "Fe\u0301s"  # "Fés" with a combining accent
    out = canonical_bytes({decomposed: decomposed})
    assert out == '{"F\u00e9s":"F\u00e9s"}'.encode()
    with pytest.raises(FormatError, match="duplicate key"):
        canonical_bytes({decomposed: 1, "F\u00e9s": 2})


def test_floats_and_odd_types_refused() -> None:
    with pytest.raises(FormatError, match=r"float at \$.a\[1\]"):
        canonical_bytes({"a": [1, 2.5]})
    with pytest.raises(FormatError):
        canonical_bytes({"a": {1, 2}})
    with pytest.raises(FormatError):
        canonical_bytes({"big": 2**60})


def test_is_canonical() -> None:
    assert is_canonical(b'{"a":1,"b":2}')
    assert not is_canonical(b'{"b":2,"a":1}')
    assert not is_canonical(b'{"a": 1}')
    assert not is_canonical(b"not json")
