"""Lossless names and the JSON Lines record round-trip (property-based)."""

from __future__ import annotations

import io
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from forensic_kit import jsonl, names
from forensic_kit.records import json_schema, new_record
from forensic_kit.timeutil import cocoa_seconds, java_millis, ns_to_iso, webkit_micros


def test_utf8_nfc_name_has_no_hex() -> None:
    assert names.path_fields("ملف عربي/café.txt".encode()) == {"path": "ملف عربي/café.txt"}


def test_invalid_utf8_keeps_raw_bytes() -> None:
    fields = names.path_fields(b"d/\xffbad")
    assert fields == {"path": "d/\ufffdbad", "path_hex": "642fff626164"}
    assert names.raw_path(fields) == b"d/\xffbad"


def test_nfd_name_keeps_raw_bytes() -> None:
    nfd = unicodedata.normalize("NFD", "café").encode()
    fields = names.path_fields(nfd)
    assert fields["path"] == "café"
    assert names.raw_path(fields) == nfd


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=64))
def test_any_bytes_round_trip_through_jsonl(raw: bytes) -> None:
    rec = new_record("file", "hash", **names.path_fields(raw), extra={"unknown": [1, None, "x"]})
    buf = io.BytesIO()
    jsonl.write_records(buf, [rec])
    buf.seek(0)
    (back,) = list(jsonl.read_records(buf))
    assert back == rec
    assert names.raw_path(back) == raw


def test_times_are_explicit() -> None:
    assert ns_to_iso(None) is None
    assert ns_to_iso(0) == "1970-01-01T00:00:00.000000000Z"
    assert ns_to_iso(1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123456789Z"
    assert ns_to_iso(-1) == "1969-12-31T23:59:59.999999999Z"
    assert java_millis(1383065788038).isoformat() == "2013-10-29T16:56:28.038000+00:00"
    assert cocoa_seconds(0).isoformat() == "2001-01-01T00:00:00+00:00"
    assert webkit_micros(11_644_473_600_000_000).isoformat() == "1970-01-01T00:00:00+00:00"
    assert java_millis(None) is None


def test_schema_is_published() -> None:
    schema = json_schema()
    assert schema["required"] == ["schema", "kind", "producer"]
    assert schema["properties"]["schema"]["const"] == "fkit.record/1"
