"""fkit meta end to end: type by content, Arabic XP tags, passthrough of records, exports."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PIL import Image

from tests.conftest import fkit, testdata


def _run(*args: Any, input: bytes | None = None) -> tuple[int, list[dict[str, Any]], str]:
    proc = fkit("meta", *args, input=input)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr.decode()


def test_extension_disagrees_with_content(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "holiday.jpg", "w") as zf:
        zf.writestr("secret.txt", "not a photo")
    db = sqlite3.connect(tmp_path / "notes.txt")
    db.execute("create table t (x)")
    db.commit()
    db.close()
    (tmp_path / "real.txt").write_text("just text\n")
    Image.new("RGB", (4, 4), "red").save(tmp_path / "real.jpg")
    with zipfile.ZipFile(tmp_path / "noext", "w") as zf:
        zf.writestr("a.txt", "no extension: nothing to compare")
    code, recs, err = _run(tmp_path)
    assert code == 0, err
    got = {Path(r["path"]).name: (r["media"]["mime"], r["media"]["extension_mismatch"]) for r in recs}
    assert got == {
        "holiday.jpg": ("application/zip", True),
        "notes.txt": ("application/vnd.sqlite3", True),
        "real.txt": ("text/plain", False),
        "real.jpg": ("image/jpeg", False),
        "noext": ("application/zip", None),
    }
    zip_rec = next(r for r in recs if r["path"].endswith("holiday.jpg"))
    assert zip_rec["media"]["expected_mime"] == ["image/jpeg"]
    assert zip_rec["media"]["description"].startswith("Zip archive data")


def test_arabic_xp_tags_written_by_pillow(tmp_path: Path) -> None:
    comment = "صورة من الشاطئ قبل المغادرة — ٣ أشخاص"
    exif = Image.Exif()
    exif[0x9C9C] = comment.encode("utf-16-le") + b"\0\0"   # XPComment
    exif[0x9C9B] = "الشاطئ".encode("utf-16-le") + b"\0\0"   # XPTitle
    exif[0x9C9D] = "ضابط التحقيق".encode("utf-16-le") + b"\0\0"  # XPAuthor
    exif[0xA420] = "0123456789abcdef0123456789abcdef"        # ImageUniqueID (Exif IFD tag, in IFD0 here)
    path = tmp_path / "ar.jpg"
    Image.new("RGB", (8, 8)).save(path, exif=exif)
    code, recs, _ = _run(path)
    assert code == 0
    media = recs[0]["media"]
    assert media["xp"] == {"comment": comment, "title": "الشاطئ", "author": "ضابط التحقيق"}
    assert media["image_unique_id"] == "0123456789abcdef0123456789abcdef"
    assert media["parsers"]["exif"].startswith("exifread ")


def test_records_on_stdin_pass_through(tmp_path: Path) -> None:
    src = testdata("photos", "gps", "DSCN0010.jpg")
    rec = {"schema": "fkit.record/1", "kind": "file", "path": str(src), "exhibit": "EX-07",
           "hashes": {"sha256": "ab" * 32}, "future_field": {"x": "ي"}}
    contact = {"schema": "fkit.record/1", "kind": "phone.contact", "name": "Ali"}
    stdin = (json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(contact) + "\n").encode()
    code, recs, _ = _run("-", input=stdin)
    assert code == 0
    assert recs[1] == contact
    out = recs[0]
    assert {k: out[k] for k in rec} == rec
    media = out["media"]
    assert (media["make"], media["model"], media["orientation"]) == ("NIKON", "COOLPIX P6000", 1)
    assert media["capture_time"] == {"value": "2008-10-22T16:28:39", "utc": None, "offset": None,
                                     "zone_assumed": True, "source": "EXIF:DateTimeOriginal"}
    assert media["gps"]["datetime_utc"] == "2008-10-23T14:27:07.24Z"
    assert media["thumbnail"] == {"present": True, "size": 6702,
                                  "sha256": "f993d42dc9eba28660a4f1004f1a5c9919b07b7ac198c4dd334e76b93ed799ad"}


def test_thumbnail_hash_is_the_embedded_jpeg(tmp_path: Path) -> None:
    src = testdata("photos", "gps", "DSCN0010.jpg")
    data = src.read_bytes()
    # The oracle: ExifTool's ThumbnailOffset 4560 / ThumbnailLength 6702 (offset from the start of
    # the file, as ExifTool reports it; = `exiftool -b -ThumbnailImage`)
    import hashlib

    oracle = json.loads(src.with_name(src.name + ".exiftool.json").read_text())[0]
    off, length = oracle["EXIF:ThumbnailOffset"], oracle["EXIF:ThumbnailLength"]
    assert hashlib.sha256(data[off:off + length]).hexdigest() == \
        "f993d42dc9eba28660a4f1004f1a5c9919b07b7ac198c4dd334e76b93ed799ad"


def test_heic_offset_time_and_exports(tmp_path: Path) -> None:
    heic = testdata("photos", "phones", "IMG_5195.HEIC")
    gps_dir = testdata("photos", "gps")
    video = testdata("corpus", "video", "with-gps.mp4")
    gj, kml, tl = tmp_path / "p.geojson", tmp_path / "p.kml", tmp_path / "t.csv"
    code, recs, err = _run(heic, video, gps_dir / "DSCN0010.jpg", gps_dir / "DSCN0012.jpg",
                           "--geojson", gj, "--kml", kml, "--timeline", tl)
    assert code == 0, err
    media = recs[0]["media"]
    assert media["capture_time"] == {"value": "2021-04-11T15:47:53.054-05:00", "utc": "2021-04-11T20:47:53.054Z",
                                     "offset": "-05:00", "zone_assumed": False, "source": "EXIF:DateTimeOriginal"}
    assert media["parsers"]["exif"].startswith("exifread")
    doc = json.loads(gj.read_text("utf-8"))
    assert len(doc["features"]) == 4
    first = doc["features"][0]
    assert first["geometry"]["coordinates"][:2] == [media["gps"]["longitude"], media["gps"]["latitude"]]
    assert first["properties"]["path"] == str(heic)
    assert len(first["properties"]["sha256"]) == 64  # hashed for the export: no hash came in
    placemarks = ElementTree.parse(kml).getroot().findall(".//{http://www.opengis.net/kml/2.2}Placemark")
    assert len(placemarks) == 4
    rows = list(csv.DictReader(io.StringIO(tl.read_text("utf-8"))))
    keys = [r["time_utc"] or r["time"] + "Z" for r in rows]
    assert keys == sorted(keys)
    video_row = next(r for r in rows if r["path"] == str(video) and r["source"] == "QuickTime:CreateDate")
    assert (video_row["time_utc"], video_row["zone_assumed"]) == ("2017-02-22T08:20:28Z", "false")
    assumed = [r for r in rows if r["source"] == "EXIF:DateTimeOriginal" and r["path"].endswith("DSCN0010.jpg")]
    assert assumed[0]["zone_assumed"] == "true" and assumed[0]["time_utc"] == ""


def test_video_gps_from_quicktime(tmp_path: Path) -> None:
    code, recs, _ = _run(testdata("corpus", "video", "with-gps.mp4"))
    media = recs[0]["media"]
    assert media["gps"] == {"latitude": 51.4169, "longitude": -0.0806, "iso6709": "+51.4169-000.0806/",
                            "source": "UserData:GPSCoordinates", "atom": "udta/©xyz"}
    assert media["duration"] == 0.171
    assert media["kind"] == "video"


def test_fs_entries_are_read_through_the_image_never_on_the_host(tmp_path: Path) -> None:
    image = testdata("disk", "ext2.E01")
    entry = {"schema": "fkit.record/1", "kind": "fs.entry", "image": str(image), "partition_offset": 0,
             "fs": "ext2", "path": "/passwords.txt", "inode": 14, "type": "file", "size": 116}
    folder = dict(entry, path="/a_directory", inode=12, type="dir")
    # a path that exists on the host: it must not be read from there
    trap = dict(entry, path="/etc/hostname", image=str(tmp_path / "no-such.E01"))
    stdin = "".join(json.dumps(r) + "\n" for r in (entry, folder, trap)).encode()
    code, recs, err = _run("-", input=stdin)
    assert code == 3, err  # the trap's image does not exist: unreadable
    assert recs[0]["media"]["mime"] == "text/csv"  # `icat ext2.E01 14 | file -b --mime-type -`
    assert recs[0]["media"]["read_from"] == "image"
    assert recs[1]["media"] == {"skipped": "not a regular file"}
    assert recs[2]["media"] == {"unreadable": True}
    assert recs[2]["errors"][0]["reason"].endswith("no-such.E01: no such image")
