"""The real ``fkit phone`` command: SOURCE mode, ``links`` mode, --into, --csv, --watchlist, exit codes."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from forensic_kit.package import Case
from tests.conftest import fkit, testdata


def _lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode().splitlines()]


def _android(tmp_path: Path) -> Path:
    src = tmp_path / "android"
    src.mkdir(parents=True)
    for name in ("mmssms.db", "contacts2.db"):
        shutil.copy(testdata("phone", "android", name), src / name)
    (src / "DCIM").mkdir()
    (src / "DCIM" / "IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    return src


def test_phone_source_jsonl_summary_csv(tmp_path: Path) -> None:
    src = _android(tmp_path)
    r = fkit("phone", src, "--exhibit", "EX-01", "--region", "us", "--csv", tmp_path / "csv")
    assert r.returncode == 0, r.stderr
    recs = _lines(r.stdout)
    kinds = [x["kind"] for x in recs]
    assert kinds.count("phone.message") == 9 and kinds.count("phone.call") == 3 and kinds.count("file") == 1
    assert all(x["exhibit"] == "EX-01" for x in recs)
    media = [x for x in recs if x["kind"] == "file"][0]
    assert Path(media["path"]).is_file() and media["phone_path"] == "DCIM/IMG_0001.jpg"
    err = r.stderr.decode()
    assert err.startswith("fkit phone: android folder;") and "3 call, 9 message" in err
    assert "dates 2013-10-29T16:56:28.038000Z .. 2013-11-07T00:03:36.690000Z" in err
    with open(tmp_path / "csv" / "phone_message.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9 and rows[0]["body"] == "Yo Fred this is my new number." and rows[0]["address.raw"] == "1 555-521-5554"
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["file.csv", "phone_call.csv", "phone_message.csv",
                                                                     "phone_source.csv"]


def test_phone_profile_region_and_watchlist(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    src.mkdir()
    import sqlite3

    from tests.phone.helpers import MMSSMS

    conn = sqlite3.connect(src / "mmssms.db")
    conn.executescript(MMSSMS)
    conn.execute("INSERT INTO sms (_id, address, date, type, body) VALUES (1, '0612345678', 1700000000000, 1, 'salut')")
    conn.commit()
    conn.close()
    wl = tmp_path / "wl.txt"
    wl.write_text("+212612345678\n")
    r = fkit("phone", src, "-e", "EX-01", "--profile", "ma", "--watchlist", wl)
    assert r.returncode == 0, r.stderr
    recs = _lines(r.stdout)
    msg = [x for x in recs if x["kind"] == "phone.message"][0]
    assert msg["address"]["e164"] == "+212612345678"
    hits = [x for x in recs if x["kind"] == "phone.watchlist_hit"]
    assert len(hits) == 1 and hits[0]["entry"]["line"] == 1 and hits[0]["locator"]["rowid"] == 1
    assert "1 watchlist hits" in r.stderr.decode()


def test_phone_bad_input_exit_codes(tmp_path: Path) -> None:
    r = fkit("phone", tmp_path / "missing")
    assert r.returncode == 4 and r.stdout == b""
    assert r.stderr.decode().strip().startswith("fkit: error:") and "Traceback" not in r.stderr.decode()
    r = fkit("phone", tmp_path, "--region", "XX")
    assert r.returncode == 2 and "--region XX" in r.stderr.decode()
    r = fkit("phone", "links")
    assert r.returncode == 2 and "needs a CASE" in r.stderr.decode()
    bad = tmp_path / "ex"
    bad.mkdir()
    (bad / "mmssms.db").write_bytes(b"SQLite format 3\x00" + bytes(50))
    r = fkit("phone", bad)
    assert r.returncode == 3
    assert [x["kind"] for x in _lines(r.stdout)] == ["phone.source", "error"]
    r = fkit("phone", testdata("archives", "mixed_paths.tar"), "-e", "EX-9")
    assert r.returncode == 0 and "platform unknown tar" in r.stderr.decode()


def _case(tmp_path: Path) -> Case:
    case = Case.init(tmp_path / "case", "C-1", "Agency", "Officer", profile="ma")
    for ex in ("EX-01", "EX-02"):
        case.write_exhibit(ex, {"id": ex, "description": "phone"})
    return case


def test_into_case_and_links(tmp_path: Path) -> None:
    case = _case(tmp_path)
    a = _android(tmp_path)
    ios = tmp_path / "ios"
    ios.mkdir()
    shutil.copy(testdata("phone", "android", "viber_data"), ios / "viber_data")  # +19198887386 in both
    r = fkit("phone", a, "--into", case.root, "--exhibit", "EX-01", "--region", "US")
    assert r.returncode == 0, r.stderr
    r2 = fkit("phone", ios, "--into", case.root, "--exhibit", "EX-02", "--region", "US")
    assert r2.returncode == 0, r2.stderr
    stored = [json.loads(x) for x in case.records_path.read_text().splitlines()]
    assert len(stored) == len(r.stdout.splitlines()) + len(r2.stdout.splitlines())
    manifest = (case.root / "tagmanifest-sha256.txt").read_text()
    assert "fkit/records.jsonl" in manifest
    # no shared identifier yet: the plaso contacts2 number is not in viber_data
    r3 = fkit("phone", "links", case.root, "--csv", tmp_path / "lcsv", "--graphml", tmp_path / "g.graphml")
    assert r3.returncode == 0, r3.stderr
    links = _lines(r3.stdout)
    shared = {l["identifier"]["value"]: l["exhibits"] for l in links}
    assert shared == {}, shared
    # a second phone with the same Viber number under EX-01 links them
    r4 = fkit("phone", ios, "--into", case.root, "--exhibit", "EX-01", "--region", "US")
    assert r4.returncode == 0
    r5 = fkit("phone", "links", case.root, "--csv", tmp_path / "lcsv", "--graphml", tmp_path / "g.graphml")
    links = _lines(r5.stdout)
    assert "+19198887386" in {l["identifier"]["value"] for l in links}
    assert all(l["exhibits"] == ["EX-01", "EX-02"] for l in links)
    assert (tmp_path / "lcsv" / "phone_links.csv").read_text().startswith("type,value,exhibits,occurrences,kinds\n")
    assert "<graphml" in (tmp_path / "g.graphml").read_text()
    assert "identifiers shared by 2 exhibits (EX-01, EX-02)" in r5.stderr.decode()


def test_into_needs_known_exhibit(tmp_path: Path) -> None:
    case = _case(tmp_path)
    r = fkit("phone", _android(tmp_path), "--into", case.root)
    assert r.returncode == 2 and "--into needs --exhibit" in r.stderr.decode()
    r = fkit("phone", _android(tmp_path / "b"), "--into", case.root, "--exhibit", "EX-77")
    assert r.returncode == 4 and "EX-77" in r.stderr.decode()
    assert not case.records_path.exists()


def test_help_lists_phone() -> None:
    r = fkit("--help")
    assert r.returncode == 0 and b"phone" in r.stdout
    r = fkit("phone", "--help")
    assert r.returncode == 0 and b"links" in r.stdout


def test_photos_are_passed_to_meta(tmp_path: Path) -> None:
    photo = next(p for p in sorted(testdata("photos", "phones").iterdir()) if p.suffix.lower() in (".heic", ".jpg"))
    src = tmp_path / "ex" / "DCIM"
    src.mkdir(parents=True)
    shutil.copy(photo, src / photo.name)
    r = fkit("phone", tmp_path / "ex", "-e", "EX-1", "-q")
    assert r.returncode == 0
    m = fkit("meta", "-", input=r.stdout)
    assert m.returncode == 0, m.stderr
    files = [x for x in _lines(m.stdout) if x["kind"] == "file"]
    assert len(files) == 1 and files[0]["phone_path"] == f"DCIM/{photo.name}" and files[0]["media"]["kind"] == "image"


def test_archive_extract_to_keeps_photos(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "ex.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("sdcard/DCIM/Camera/IMG_1.jpg", b"\xff\xd8\xff\xe0" + bytes(64))
        zf.write(testdata("phone", "android", "mmssms.db"), "data/data/com.android.providers.telephony/databases/mmssms.db")
    r = fkit("phone", archive, "-e", "EX-1", "-q")
    media = [x for x in _lines(r.stdout) if x["kind"] == "file"][0]
    assert "path" not in media and "--extract-to" in media["note"]
    keep = tmp_path / "kept"
    r = fkit("phone", archive, "-e", "EX-1", "-q", "--extract-to", keep)
    assert r.returncode == 0, r.stderr
    recs = _lines(r.stdout)
    media = [x for x in recs if x["kind"] == "file"][0]
    assert Path(media["path"]).is_file() and Path(media["path"]).resolve().is_relative_to(keep.resolve())
    assert sum(1 for x in recs if x["kind"] == "phone.message") == 9
    r = fkit("phone", archive, "-e", "EX-1", "-q", "--extract-to", keep)
    assert r.returncode == 2 and "not empty" in r.stderr.decode()
