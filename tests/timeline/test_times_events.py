"""Timeline events: time origins kept apart, locators kept, every family read."""

from __future__ import annotations

import pytest

from forensic_kit.errors import UsageError
from forensic_kit.records import new_record
from forensic_kit.timeline import events, times


def test_canonical_is_fixed_width_and_utc() -> None:
    p = times.parse("2025-03-02T16:25:39.5+01:00")
    assert p is not None
    assert times.to_utc(p) == "2025-03-02T15:25:39.500000000Z"
    p = times.parse("2025-03-09T08:33:00.000000001Z")
    assert p is not None and times.to_utc(p) == "2025-03-09T08:33:00.000000001Z"
    # a zone-less text is not placed without a zone
    p = times.parse("2025-03-02T16:25:39")
    assert p is not None and times.to_utc(p) is None
    assert times.to_utc(p, times.zone("Africa/Tripoli")) == "2025-03-02T14:25:39.000000000Z"
    assert times.parse("2025-02-30T00:00:00Z") is None
    assert times.parse("yesterday") is None


def test_bounds_and_zones() -> None:
    assert times.bound("2025-03-02") == "2025-03-02T00:00:00.000000000Z"
    assert times.bound("2025-03-02T10:00:00+02:00") == "2025-03-02T08:00:00.000000000Z"
    with pytest.raises(UsageError):
        times.bound("2025-03-02T10:00:00")
    with pytest.raises(UsageError):
        times.zone("Mars/Olympus")
    assert times.epoch_seconds("2021-07-22T14:07:31.000000000Z") == 1626962851


def _one(rec: dict, zone: str | None = None) -> list[dict]:
    return list(events.Extractor(zone).events(rec, "ledger.jsonl"))


def test_file_record_times_are_utc() -> None:
    rec = new_record("file", "acquire", exhibit="EX-01", path="case/data/EX-01/a.db",
                     times={"mtime": "2025-03-09T08:33:00.000000000Z", "atime": None, "ctime": "2025-03-09T08:34:00Z",
                            "btime": None, "clamped_to": "2025-03-09T09:00:00Z"},
                     locator={"scheme": "file", "relpath": "a.db"})
    evs = _one(rec)
    assert [(e["event"], e["time"], e["origin"]) for e in evs] == [
        ("file.mtime", "2025-03-09T08:33:00.000000000Z", "utc"),
        ("file.ctime", "2025-03-09T08:34:00.000000000Z", "utc")]
    assert evs[0]["source"] == {"kind": "file", "path": "case/data/EX-01/a.db",
                                "locator": {"scheme": "file", "relpath": "a.db"}, "field": "times.mtime"}
    assert evs[0]["exhibit"] == "EX-01"


def test_media_offsets_assumed_and_unknown_zones_are_told_apart() -> None:
    media = {"times": {
        "original": {"value": "2025-03-02T16:25:39+01:00", "utc": "2025-03-02T15:25:39Z", "offset": "+01:00",
                     "zone_assumed": False, "source": "EXIF:DateTimeOriginal"},
        "digitized": {"value": "2025-03-02T16:25:39", "utc": None, "offset": None, "zone_assumed": True,
                      "source": "EXIF:CreateDate"},
        "modified": {"value": "2025-03-02T16:25:39", "utc": "2025-03-02T14:25:39Z", "offset": "+02:00",
                     "zone_assumed": True, "source": "EXIF:ModifyDate"}},
        "gps": {"latitude": 16.9, "longitude": 7.9, "datetime_utc": "2025-03-02T15:25:40Z", "source": "EXIF:GPS"}}
    rec = new_record("file", "meta", exhibit="EX-03", path="p.jpg", media=media)
    got = {e["event"]: e for e in _one(rec)}
    assert (got["media.capture"]["time"], got["media.capture"]["origin"], got["media.capture"]["offset"]) == (
        "2025-03-02T15:25:39.000000000Z", "recorded_offset", "+01:00")
    assert (got["media.digitized"]["time"], got["media.digitized"]["origin"], got["media.digitized"]["local"]) == (
        None, "unknown_zone", "2025-03-02T16:25:39")
    assert (got["media.modified"]["time"], got["media.modified"]["origin"], got["media.modified"]["zone_assumed"]) == (
        "2025-03-02T14:25:39.000000000Z", "assumed_zone", "+02:00")
    assert (got["media.gps_time"]["origin"], got["media.gps_time"]["latitude"]) == ("utc", 16.9)
    # the user may place zone-less times, and it is said
    placed = {e["event"]: e for e in _one(rec, "+01:00")}["media.digitized"]
    assert (placed["time"], placed["origin"], placed["zone_assumed"]) == (
        "2025-03-02T15:25:39.000000000Z", "assumed_zone", "+01:00")


def test_fs_entry_with_assumed_zone() -> None:
    rec = new_record("fs.entry", "fs", image="usb.img", partition_offset=0, fs="fat12", path="/A.TXT", inode=4,
                     deleted=True, times={"modified": "2025-02-27T06:33:00Z", "accessed": None, "changed": None,
                                          "born": "2025-02-27T06:30:00Z"}, times_zone_assumed="UTC")
    evs = _one(rec)
    assert [(e["event"], e["origin"], e["zone_assumed"], e["what"]) for e in evs] == [
        ("fs.modified", "assumed_zone", "UTC", "/A.TXT (deleted)"), ("fs.born", "assumed_zone", "UTC", "/A.TXT (deleted)")]
    assert evs[0]["source"]["inode"] == 4 and evs[0]["source"]["image"] == "usb.img"


def test_phone_decoded_times_and_custody() -> None:
    msg = new_record("phone.message", "android_sms", exhibit="EX-01", app="sms", type_label="received",
                     address={"raw": "+218929711471", "e164": "+218929711471"},
                     time={"utc": "2025-02-24T10:38:14Z", "raw": 1740393494000, "format": "java_millis"},
                     sent_time=None, body="السيارة جاهزة", locator={"path": "mmssms.db", "table": "sms", "rowid": 1})
    (ev,) = _one(msg)
    assert ev["event"] == "phone.message.time" and ev["time"] == "2025-02-24T10:38:14.000000000Z"
    assert ev["what"] == "sms received +218929711471: السيارة جاهزة"
    assert ev["source"]["locator"]["rowid"] == 1 and ev["source"]["raw"] == 1740393494000
    wifi = new_record("phone.wifi", "android_wifi_config_store", exhibit="EX-01", ssid="Port", creation_time="time=08-05 13:14:55")
    ex = events.Extractor()
    assert list(ex.events(wifi)) == [] and ex.stats.undated_records == 1
    custody = {"schema": "fkit.custody/1", "seq": 3, "action": "transferred", "exhibits": ["EX-01", "EX-02"],
               "time": "2025-03-08T12:38:00Z", "offset": "+01:00", "location": "Lab",
               "released_by": {"name": "A"}, "received_by": {"name": "B"}}
    evs = _one(custody)
    assert [(e["exhibit"], e["event"], e["what"], e["source"]["seq"], e["source"]["ledger"]) for e in evs] == [
        ("EX-01", "custody.transferred", "transferred, released by A, received by B, at Lab", 3, "ledger.jsonl"),
        ("EX-02", "custody.transferred", "transferred, released by A, received by B, at Lab", 3, "ledger.jsonl")]


def test_event_lines_sort_by_time() -> None:
    from forensic_kit import jsonl

    recs = [new_record("file", "x", path="p", times={"mtime": t}) for t in
            ("2025-01-01T00:00:01Z", "2025-01-01T00:00:00.5Z", "2024-12-31T23:00:00-02:00")]
    lines = sorted(jsonl.dump_bytes(e) for r in recs for e in _one(r))
    assert all(line.startswith(events.LINE_PREFIX) for line in lines)
    import json
    assert [json.loads(x)["time"] for x in lines] == [
        "2025-01-01T00:00:00.500000000Z", "2025-01-01T00:00:01.000000000Z", "2025-01-01T01:00:00.000000000Z"]
