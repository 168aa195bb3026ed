"""``fkit timeline`` end to end: filters, exit codes, merging timelines, and sleuthkit's mactime as oracle."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit import jsonl
from forensic_kit.records import new_record
from tests.conftest import fkit, testdata


def _records(tmp: Path) -> Path:
    recs = [
        new_record("phone.message", "android_sms", exhibit="EX-01", app="sms", type_label="sent",
                   address={"e164": "+21620895559"}, body="ok",
                   time={"utc": "2025-03-02T10:00:00Z", "raw": 1740909600000, "format": "java_millis"},
                   locator={"path": "mmssms.db", "table": "sms", "rowid": 7}),
        new_record("phone.call", "android_calls", exhibit="EX-02", app="phone", type_label="incoming",
                   number={"e164": "+21620895559"}, duration_s=30,
                   time={"utc": "2025-03-01T09:00:00Z", "raw": 1740819600000, "format": "java_millis"},
                   locator={"path": "contacts2.db", "table": "calls", "rowid": 2}),
        new_record("file", "meta", exhibit="EX-03", path="p.jpg", media={"times": {"original": {
            "value": "2025-03-03T08:00:00", "utc": None, "offset": None, "zone_assumed": True, "source": "EXIF:DateTimeOriginal"}}}),
        {"schema": "fkit.custody/1", "seq": 1, "action": "seized", "exhibits": ["EX-01"], "time": "2025-03-08T06:33:00Z"},
    ]
    path = tmp / "records.jsonl"
    path.write_bytes(b"".join(jsonl.dump_bytes(r) for r in recs))
    return path


def _events(out: bytes) -> list[tuple]:
    return [(e["time"], e["exhibit"], e["event"]) for e in map(json.loads, out.splitlines())]


def test_sorted_with_unknown_zone_last(tmp_path: Path) -> None:
    r = fkit("timeline", _records(tmp_path))
    assert r.returncode == 0, r.stderr
    assert _events(r.stdout) == [
        ("2025-03-01T09:00:00.000000000Z", "EX-02", "phone.call.time"),
        ("2025-03-02T10:00:00.000000000Z", "EX-01", "phone.message.time"),
        ("2025-03-08T06:33:00.000000000Z", "EX-01", "custody.seized"),
        (None, "EX-03", "media.capture")]
    assert b"1 recorded without zone" in r.stderr


def test_filters(tmp_path: Path) -> None:
    rec = _records(tmp_path)
    r = fkit("timeline", rec, "--from", "2025-03-02", "--to", "2025-03-02")
    assert _events(r.stdout) == [("2025-03-02T10:00:00.000000000Z", "EX-01", "phone.message.time")]
    r = fkit("timeline", rec, "--exhibit", "EX-01", "--kind", "custody")
    assert _events(r.stdout) == [("2025-03-08T06:33:00.000000000Z", "EX-01", "custody.seized")]
    r = fkit("timeline", rec, "--kind", "media", "--assume-zone", "+01:00")
    (ev,) = map(json.loads, r.stdout.splitlines())
    assert (ev["time"], ev["origin"], ev["zone_assumed"]) == ("2025-03-03T07:00:00.000000000Z", "assumed_zone", "+01:00")
    assert fkit("timeline", rec, "--from", "2025-03-02T10:00:00").returncode == 2
    assert fkit("timeline", rec, "--assume-zone", "Nowhere/City").returncode == 2


def test_merging_timelines_is_idempotent(tmp_path: Path) -> None:
    rec = _records(tmp_path)
    first = fkit("timeline", rec).stdout
    (tmp_path / "t.jsonl").write_bytes(first)
    again = fkit("timeline", tmp_path / "t.jsonl", rec)  # same events twice: duplicates dropped
    assert again.stdout == first
    assert b"4 duplicate lines dropped" in again.stderr
    csv_out = fkit("timeline", tmp_path / "t.jsonl", "-f", "csv", "--from", "2025-03-02").stdout.decode()
    assert csv_out.splitlines()[0] == "time,origin,local,offset,zone_assumed,exhibit,event,what,source"
    assert len(csv_out.splitlines()) == 3


def test_bad_lines_named_and_exit_3(tmp_path: Path) -> None:
    rec = _records(tmp_path)
    with open(rec, "ab") as f:
        f.write(b"{not json\n[1,2]\n")
    r = fkit("timeline", rec)
    assert r.returncode == 3
    assert f"{rec}:5: not JSON".encode() in r.stderr and f"{rec}:6: not a JSON object".encode() in r.stderr
    assert len(r.stdout.splitlines()) == 4
    assert fkit("timeline", tmp_path / "absent.jsonl").returncode == 4
    assert fkit("timeline", tmp_path).returncode == 4  # a folder that is not a case


def test_stdin(tmp_path: Path) -> None:
    r = fkit("timeline", "-", input=_records(tmp_path).read_bytes())
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 4


@pytest.mark.skipif(shutil.which("mactime") is None, reason="sleuthkit's mactime not installed")
@pytest.mark.parametrize("image", ["ext2.E01", "ímynd.dd"])
def test_body_file_reads_in_mactime_like_fls(tmp_path: Path, image: str) -> None:
    img = testdata("disk", image)
    oracle = testdata("disk", f"{image}.bodyfile.txt")
    listing = fkit("fs", "ls", img, "-f", "jsonl")
    assert listing.returncode == 0, listing.stderr
    body = fkit("timeline", "-", "-f", "body", input=listing.stdout)
    assert body.returncode == 0, body.stderr
    (tmp_path / "fkit.body").write_bytes(body.stdout)

    def mactime(path: Path) -> list[str]:
        out = subprocess.run(["mactime", "-b", str(path), "-z", "UTC", "-d"], capture_output=True, check=True)
        return out.stdout.decode("utf-8", "replace").splitlines()

    ours, theirs = mactime(tmp_path / "fkit.body"), mactime(oracle)
    assert len(ours) == len(theirs)
    # fs.entry records do not carry a symbolic link's target, which fls appends to the name
    differ = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert all(b.startswith(a[:-1]) and " -> " in b for a, b in differ), differ
    assert len(differ) == sum(1 for line in theirs if " -> " in line)


def test_chart_counts_and_files(tmp_path: Path) -> None:
    from PIL import Image

    from forensic_kit.timeline.chart import DayCounts

    counts = DayCounts()
    for t, ex in (("2025-03-01T09:00:00.000000000Z", "EX-02"), ("2025-03-03T10:00:00.000000000Z", "EX-01"),
                  ("2025-03-03T11:00:00.000000000Z", "EX-01"), (None, "EX-03")):
        counts.add(t, ex)
    days, exhibits, table = counts.table()
    assert days == ["2025-03-01", "2025-03-02", "2025-03-03"] and exhibits == ["EX-01", "EX-02"]
    assert table == {("2025-03-01", "EX-02"): 1, ("2025-03-03", "EX-01"): 2} and counts.unplaced == 1
    rec = _records(tmp_path)
    for name in ("c.png", "c.pdf"):
        r = fkit("timeline", rec, "--chart", tmp_path / name)
        assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "c.png").size == (1200, 600)
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF-")
    assert fkit("timeline", rec, "-f", "body", "--chart", tmp_path / "x.png").returncode == 2


@pytest.mark.skipif(shutil.which("mactime") is None, reason="sleuthkit's mactime not installed")
def test_body_events_read_as_one_macb_line(tmp_path: Path) -> None:
    body = fkit("timeline", _records(tmp_path), "-f", "body")
    assert b"1 without zone left out of the body file" in body.stderr
    (tmp_path / "b").write_bytes(body.stdout)
    out = subprocess.run(["mactime", "-b", str(tmp_path / "b"), "-z", "UTC", "-d"], capture_output=True, check=True)
    lines = out.stdout.decode().splitlines()
    assert lines[0] == "Date,Size,Type,Mode,UID,GID,Meta,File Name"
    assert lines[1:] == [
        'Sat Mar 01 2025 09:00:00,0,macb,-/----------,0,0,0,"[EX-02] phone.call.time: phone call incoming +21620895559 30s"',
        'Sun Mar 02 2025 10:00:00,0,macb,-/----------,0,0,0,"[EX-01] phone.message.time: sms sent +21620895559: ok"',
        'Sat Mar 08 2025 06:33:00,0,macb,-/----------,0,0,0,"[EX-01] custody.seized: seized"']


def test_malformed_event_lines_do_not_sort_silently(tmp_path: Path) -> None:
    good = fkit("timeline", _records(tmp_path)).stdout
    lines = good.splitlines(keepends=True)
    bad_time = lines[0].replace(b'"time":"2025-03-01T09:00:00.000000000Z"', b'"time":"2025-13"')
    reordered = json.dumps({"kind": "timeline.event", "schema": "fkit.record/1", "time": "2025-01-01T00:00:00.000000000Z",
                            "event": "x"}).encode() + b"\n"
    (tmp_path / "t.jsonl").write_bytes(bad_time + reordered + b"".join(lines[1:]))
    r = fkit("timeline", tmp_path / "t.jsonl")
    assert r.returncode == 3 and b":1: timeline.event without a canonical UTC time" in r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert out[0]["time"] == "2025-01-01T00:00:00.000000000Z" and out[0]["event"] == "x"
    assert r.stdout.splitlines()[0].startswith(b'{"schema":"fkit.record/1","kind":"timeline.event","time":"2025-01-01')
    assert len(out) == 4


def test_real_phone_databases_against_plaso_values(tmp_path: Path) -> None:
    # expected values from plaso's own tests (shared testdata README): first SMS, first call, 4th Viber call,
    # the 8th iOS message
    android = testdata("phone", "android")
    ios = testdata("phone", "ios")
    for name, src in (("a.jsonl", android), ("i.jsonl", ios)):
        r = fkit("phone", src)
        assert r.returncode == 0, r.stderr
        (tmp_path / name).write_bytes(r.stdout)
    t = fkit("timeline", tmp_path / "a.jsonl", tmp_path / "i.jsonl", "--kind", "phone.message.time", "--kind",
             "phone.call.time", "--kind", "phone.wifi")
    assert t.returncode == 0, t.stderr
    evs = [json.loads(x) for x in t.stdout.splitlines()]
    sms = [e for e in evs if e["event"] == "phone.message.time" and e["source"]["locator"]["path"].endswith("mmssms.db")]
    assert len(sms) == 9 and sms[0]["time"] == "2013-10-29T16:56:28.038000000Z"
    calls = [e for e in evs if e["event"] == "phone.call.time" and "contacts2" in e["source"]["locator"]["path"]]
    assert len(calls) == 3 and calls[0]["time"] == "2013-11-06T21:17:16.690000000Z"
    viber = [e for e in evs if e["event"] == "phone.call.time" and "viber" in e["source"]["locator"]["path"]]
    assert len(viber) == 4 and viber[3]["time"] == "2022-11-25T20:43:08.267000000Z"
    ios_msgs = [e for e in evs if e["event"] == "phone.message.time" and e["source"]["locator"]["path"].endswith("sms.db")
                and not e["source"]["locator"]["path"].endswith("mmssms.db")]
    assert len(ios_msgs) == 10 and "2015-11-30T10:48:40.000000000Z" in [e["time"] for e in ios_msgs]
    wifi = sorted({e["event"] for e in evs if e["event"].startswith("phone.wifi")})  # one record per BSS now
    assert {"phone.wifi.added", "phone.wifi.joined_by_system", "phone.wifi.joined_by_user",
            "phone.wifi.last_joined"} <= set(wifi), wifi
    assert all(e["origin"] == "utc" for e in evs)
