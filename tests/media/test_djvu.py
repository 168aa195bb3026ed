"""DjVu: the metadata annotation's dates (BZZ-compressed ANTz, read with djvu-rs) against ExifTool's
oracle for the public sample, and damaged files giving a reason, not a traceback."""

from __future__ import annotations

import json

import pytest

from forensic_kit.media import djvu
from tests.conftest import TESTDATA, fkit

_SAMPLE = TESTDATA / "corpus" / "photos" / "exiftool" / "DjVu.djvu"


def test_djvu_dates_and_size_match_exiftool() -> None:
    if not _SAMPLE.exists():
        pytest.skip("shared test data not available")
    oracle = json.loads((_SAMPLE.parent / (_SAMPLE.name + ".exiftool.json")).read_text("utf-8"))[0]
    assert (oracle["CreateDate"], oracle["ModifyDate"]) == ("2008:09:23 12:31:34-04:00", "2008:11:11 09:17:10-05:00")
    proc = fkit("meta", _SAMPLE)
    assert proc.returncode == 0, proc.stderr.decode()
    m = json.loads(proc.stdout)["media"]
    assert m["capture_time"]["value"] == "2008-09-23T12:31:34-04:00" and m["capture_time"]["source"] == "DjVu:CreateDate"
    assert m["times"]["djvu_modified"]["utc"] == "2008-11-11T14:17:10Z"
    assert (m["image"]["width"], m["image"]["height"]) == (oracle["ImageWidth"], oracle["ImageHeight"])
    assert m["djvu_metadata"]["author"] == oracle["Author"]
    assert "warnings" not in m  # a reader now: no "no metadata reader" warning


def test_damaged_djvu_is_a_warning() -> None:
    if not _SAMPLE.exists():
        pytest.skip("shared test data not available")
    data = _SAMPLE.read_bytes()
    for bad in (data[:100], data[:16] + b"\xff" * 40 + data[56:], b"AT&TFORM\xff\xff\xff\xffDJVM"):
        fields, warnings = djvu.djvu_metadata(bad)
        assert "capture_time" not in fields
        assert all(set(w) == {"parser", "stage", "reason"} for w in warnings)
