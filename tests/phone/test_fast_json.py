"""``fkit phone`` writes records with orjson where that gives exactly the bytes :mod:`json` gives
(issue 15 benchmark): checked on every record of real extractions and on hostile values."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from forensic_kit import jsonl
from forensic_kit.phone.base import Context, Parser
from forensic_kit.phone.values import jsonable
from tests.conftest import testdata
from tests.phone.helpers import triage


def _same(rec: dict[str, Any]) -> None:
    try:
        expected = jsonl.dump_bytes(rec)
    except (UnicodeEncodeError, ValueError) as exc:  # json's own failure must stay the same failure
        try:
            jsonl.fast_dump_bytes(rec)
        except type(exc):
            return
        raise AssertionError("fast_dump_bytes accepted what dump_bytes refuses") from None
    assert jsonl.fast_dump_bytes(rec) == expected


def test_every_record_of_the_real_phone_files_is_byte_identical(tmp_path: Path) -> None:
    from tests.phone.test_apps_more import _postbox, _threads_db2, _tiktok, _viber

    _threads_db2(tmp_path / "threads_db2")
    _tiktok(tmp_path)
    _postbox(tmp_path / "postbox" / "db" / "db_sqlite")
    _viber(tmp_path / "Contacts.data")
    recs = triage(testdata("phone"), region="MA") + triage(tmp_path, region="TN")
    fast = sum(type(r) is jsonl.OrjsonSafe for r in recs)
    assert len(recs) > 190 and fast > 120, (len(recs), fast)  # the fast path is really taken
    for r in recs:
        _same(r)


class _P(Parser):
    """A test parser."""

    NAME = "test_parser"
    KIND = "phone.message"
    PLATFORM = "android"


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=-2**80, max_value=2**80),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(), st.binary(max_size=8),
                     st.sampled_from([1e-5, 1e16, -2.5e-7, 1e-4, 9999999999999998.0, 0.0, -0.0, "\ud800"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(st.text(max_size=4), inner, max_size=4)),
                       max_leaves=12)


@given(st.dictionaries(st.sampled_from(["body", "time", "number", "attachments", "location", "x"]), _values),
       _values)
def test_parser_records_with_any_values_are_byte_identical(fields: dict[str, Any], rowid: Any) -> None:
    loc = {"path": "p", "rowid": jsonable(rowid), "db": {"sha256_before": "ab"}}  # made safe by the triage
    rec = _P().record(Context(exhibit="EX"), loc, **fields)
    _same(rec)


def test_floats_written_differently_by_orjson_are_not_taken_by_the_fast_path(tmp_path: Path) -> None:
    for x in (1e-5, 1e16, -3e-9):
        rec = _P().record(Context(exhibit="EX"), {"path": "p", "rowid": 1}, location={"lat": x, "lon": 1.5})
        assert type(rec) is dict and jsonl.fast_dump_bytes(rec) == jsonl.dump_bytes(rec)
        assert str(x).replace("e-0", "e-").replace("e+", "e") not in jsonl.fast_dump_bytes(rec).decode() or \
            "e-0" in repr(x) or "e+" in repr(x)
    rec = _P().record(Context(exhibit="EX"), {"path": "p", "rowid": 1}, location={"lat": 35.77553, "lon": -5.8})
    assert type(rec) is jsonl.OrjsonSafe and b'"location":{"lat":35.77553,"lon":-5.8}' in jsonl.fast_dump_bytes(rec)
    assert jsonl.fast_dump_bytes(jsonl.OrjsonSafe(a=2**70)) == b'{"a":1180591620717411303424}\n'
    assert jsonl.float_same_text(1e-4) and not jsonl.float_same_text(9.99e-5) and not jsonl.float_same_text(math.nan)


@given(st.one_of(st.integers(), st.integers(min_value=-62135596800, max_value=253402300799),
                 st.integers(min_value=-62135596800000, max_value=253402300799999)))
def test_integer_times_without_datetime_give_the_same_text(value: int) -> None:
    from forensic_kit import timeutil
    from forensic_kit.phone.base import cocoa_s, java_ms, unix_s

    for fast, decoder, fmt in ((java_ms, timeutil.java_millis, "java_millis"),
                               (unix_s, timeutil.unix_seconds, "unix_seconds"),
                               (cocoa_s, timeutil.cocoa_seconds, "cocoa_seconds")):
        try:
            utc = timeutil.datetime_to_iso(decoder(value))
        except (OverflowError, ValueError):
            utc = None
        expected = None if value == 0 else (
            {"utc": utc, "raw": value, "format": fmt} if utc else {"utc": None, "raw": value, "format": fmt,
                                                                    "invalid": True})
        assert fast(value) == expected
