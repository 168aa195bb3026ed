"""The agreement table: fkit meta against ExifTool on every file of ``photos/``, ``corpus/photos``
and ``corpus/video`` that has an ``.exiftool.json`` beside it, per field an officer relies on.

For each (file, field) where ExifTool has a value: fkit *agrees*, *differs*, is *missing* it
(a format fkit reads), or the format is *not read* by fkit at all (listed by format). Every
difference and every miss in a format fkit reads is either fixed or explained in ``EXPLAINED``
(who is right and why), and the test asserts fkit still says what the explanation says, so a
change shows up. ``docs/media-oracles.md`` is this table: the test fails when the file is out of
date; ``FKIT_WRITE_ORACLE_DOC=1`` rewrites it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, TESTDATA, fkit

DIRS = ("photos", "corpus/photos", "corpus/video")
DOC = REPO / "docs" / "media-oracles.md"
FIELDS = ("capture_time", "gps_latitude", "gps_longitude", "gps_altitude", "gps_time", "make", "model",
          "width", "height", "mime", "duration")
# fkit's containers whose metadata it reads (media.kind image/video/audio with a parser)
READ_KINDS = ("image", "video", "audio")

Value = Any


def _files() -> list[str]:
    out = []
    if not TESTDATA.exists():
        return out
    for d in DIRS:
        for dirpath, _dirs, files in os.walk(TESTDATA / d):
            for f in files:
                if f.endswith(".exiftool.json") and (Path(dirpath) / f[:-14]).is_file():
                    out.append(str((Path(dirpath) / f[:-14]).relative_to(TESTDATA)))
    return sorted(out)


FILES = _files()


def _tag(o: dict[str, Any], name: str, groups: tuple[str, ...] = ()) -> Value:
    """ExifTool's value of ``name``: the first of ``groups`` (``-G`` oracles), else ungrouped."""
    for g in groups:
        if f"{g}:{name}" in o:
            return o[f"{g}:{name}"]
    if name in o:
        return o[name]
    if not groups:
        return next((v for k, v in o.items() if k.split(":")[-1] == name), None)
    return None


def _quicktime(o: dict[str, Any]) -> bool:
    return str(_tag(o, "FileType", ("File",))) in ("MP4", "MOV", "3GP", "3G2", "M4A", "HEIC", "HEIF", "CR3")


_DT = re.compile(r"^(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?\s*(Z|[+-]\d\d:?\d\d)?$")


def _norm_time(text: Value, subsec: Value = None, offset: Value = None) -> tuple[str, str, str | None] | None:
    """(local second, fraction without trailing zeros, ±HH:MM or None)."""
    if not isinstance(text, str):
        return None
    m = _DT.match(text.strip())
    if not m or text.startswith("0000"):
        return None
    local = f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6] or '00'}"
    frac = (m[7] or (re.sub(r"\D", "", str(subsec)) if subsec not in (None, "") else "")).rstrip("0")
    off = m[8] or (str(offset) if offset not in (None, "") else None)
    if off == "Z":
        off = "+00:00"
    if off and ":" not in off:
        off = off[:3] + ":" + off[3:]
    return local, frac, off


def _exiftool_capture(o: dict[str, Any]) -> tuple[tuple[str, str, str | None] | None, str]:
    """ExifTool's capture time in fkit's order of preference, and the tag it came from."""
    if _quicktime(o) and not _tag(o, "DateTimeOriginal", ("EXIF",)):
        for name, groups in (("CreationDate", ("QuickTime", "Keys")), ("CreateDate", ("QuickTime",))):
            t = _norm_time(_tag(o, name, groups))
            if t:
                return t, name
        return None, ""
    order = (("DateTimeOriginal", ("EXIF",), "SubSecTimeOriginal", "OffsetTimeOriginal"),
             ("CreateDate", ("EXIF",), "SubSecTimeDigitized", "OffsetTimeDigitized"),
             ("DateTimeOriginal", ("XMP",), None, None), ("CreateDate", ("XMP",), None, None),
             ("DateCreated", ("XMP",), None, None), ("ModifyDate", ("EXIF",), "SubSecTime", "OffsetTime"))
    for name, groups, sub, off in order:
        raw = _tag(o, name, groups)
        t = _norm_time(raw, _tag(o, sub, ("EXIF",)) if sub else None, _tag(o, off, ("EXIF",)) if off else None)
        if t:
            return t, name
    return None, ""


def _fkit_capture(m: dict[str, Any]) -> tuple[str, str, str | None] | None:
    cap = m.get("capture_time") or {}
    t = _norm_time(cap.get("value"))
    if t and str(cap.get("source", "")).startswith(("QuickTime:", "PNG:")):
        return t[0], t[1], None  # QuickTime and PNG tIME times are UTC by specification; ExifTool prints no zone
    return t


def _gps_coords(o: dict[str, Any]) -> list[float] | None:
    text = _tag(o, "GPSCoordinates", ("QuickTime", "Keys", "UserData", "ItemList"))
    if isinstance(text, str):
        try:
            return [float(x) for x in text.split()]
        except ValueError:
            return None
    return None


def _num(v: Value) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _exiftool_value(o: dict[str, Any], field: str) -> Value:
    coords = _gps_coords(o)
    if field == "capture_time":
        return _exiftool_capture(o)[0]
    if field in ("gps_latitude", "gps_longitude", "gps_altitude"):
        name = {"gps_latitude": "GPSLatitude", "gps_longitude": "GPSLongitude", "gps_altitude": "GPSAltitude"}[field]
        v = _num(_tag(o, name, ("Composite", "EXIF", "XMP")))
        if v is None and coords:
            idx = ("gps_latitude", "gps_longitude", "gps_altitude").index(field)
            v = coords[idx] if idx < len(coords) else None
        return v
    if field == "gps_time":
        return _norm_time(_tag(o, "GPSDateTime", ("Composite",)))
    if field in ("make", "model"):
        v = _tag(o, field.title(), ("EXIF", "QuickTime", "Keys", "UserData", "XMP"))
        return str(v).strip() or None if v is not None else None
    if field in ("width", "height"):
        name = "ImageWidth" if field == "width" else "ImageHeight"
        v = _tag(o, name, ("File", "PNG", "RIFF", "QuickTime", "GIF", "BMP", "EXIF"))
        return int(v) if isinstance(v, (int, float)) else None
    if field == "mime":
        mime = _tag(o, "MIMEType", ("File",))
        return mime if str(mime).startswith(MEDIA_MIMES) else None
    if field == "duration":
        return _num(_tag(o, "Duration", ("QuickTime", "Composite")))
    raise AssertionError(field)


def _fkit_value(m: dict[str, Any], field: str) -> Value:
    gps = m.get("gps") or {}
    frame = m.get("image") or m.get("video") or {}
    return {
        "capture_time": lambda: _fkit_capture(m),
        "gps_latitude": lambda: gps.get("latitude"),
        "gps_longitude": lambda: gps.get("longitude"),
        "gps_altitude": lambda: gps.get("altitude"),
        "gps_time": lambda: _norm_time(gps.get("datetime_utc")),
        "make": lambda: m.get("make"),
        "model": lambda: m.get("model"),
        "width": lambda: frame.get("width"),
        "height": lambda: frame.get("height"),
        "mime": lambda: m.get("mime"),
        "duration": lambda: m.get("duration"),
    }[field]()


# MIME is compared on the files ExifTool calls media (fonts, documents, executables are not meta's)
MEDIA_MIMES = ("image/", "video/", "audio/")
# Names libmagic (left) and ExifTool (right) give the same format
MIME_ALIASES = {
    "image/x-ms-bmp": "image/bmp", "image/vnd.microsoft.icon": "image/x-icon", "audio/wav": "audio/x-wav",
    "image/x-x3f": "image/x-sigma-x3f", "video/x-ms-asf": "video/x-ms-wmv", "video/MP2T": "video/m2ts",
    "image/x-pgf": "image/pgf", "image/x-pcx": "image/pcx", "image/x-fuji-raf": "image/x-fujifilm-raf",
    "image/vnd.adobe.photoshop": "application/vnd.adobe.photoshop", "audio/x-ape": "audio/x-monkeys-audio",
    "image/x-jp2-codestream": "image/x-j2c", "audio/x-m4a": "audio/mp4", "application/vnd.rn-realmedia": "audio/x-pn-realaudio",
}


def _same(field: str, ours: Value, theirs: Value) -> bool:
    if field in ("gps_latitude", "gps_longitude"):
        return abs(float(ours) - float(theirs)) <= 1e-5
    if field == "gps_altitude":
        return abs(float(ours) - float(theirs)) <= 0.1
    if field == "duration":
        return abs(float(ours) - float(theirs)) <= 0.0015
    if field == "mime":
        return MIME_ALIASES.get(ours, ours) == MIME_ALIASES.get(theirs, theirs)
    if field == "capture_time":
        if theirs[2] is None and ours[2] is not None:
            return False
        return bool(ours[0] == theirs[0] and ours[1] == theirs[1] and (theirs[2] is None or ours[2] == theirs[2]))
    return bool(ours == theirs)


_TWO_CAMERAS = ("two cameras in one file: EXIF IFD0 says FUJIFILM FinePix2400Zoom 2001-05-19 (fkit; ExifTool's own "
                "EXIF group says the same, exiftool -G1 -a), a Canon CIFF directory in an APP0 segment says Canon "
                "PowerShot A5 1998-05-01, and ExifTool's ungrouped output prefers CIFF. Neither is wrong; fkit reports "
                "the EXIF (the standard place) as the file's camera and the CIFF camera, with its time, in "
                "other_cameras and the hint (tests/media/test_ciff.py), so this row is counted as a difference")
# (file, field) → (what fkit says, why the two differ; who is right)
_CD = "corpus/photos/exiftool/"
_PENTAX_IDIT = ("the IDIT chunk says '2009/10/27 12:14:34'; ExifTool 12.57 prints 12:14:00 (it drops the seconds of "
                "this numeric form) while its own Pentax maker notes say Time 12:14:34: fkit is right")
EXPLAINED: dict[tuple[str, str], tuple[Value, str]] = {
    # ExifTool.jpg (ExifTool's own composite test file) carries two cameras: see _TWO_CAMERAS
    (_CD + "ExifTool.jpg", "capture_time"): (("2001-05-19T18:36:41", "", None), _TWO_CAMERAS),
    (_CD + "ExifTool.jpg", "make"): ("FUJIFILM", _TWO_CAMERAS),
    (_CD + "ExifTool.jpg", "model"): ("FinePix2400Zoom", _TWO_CAMERAS),
    ("corpus/photos/pillow/xmp_tags_orientation_exiftool.png", "capture_time"): (
        None, "the PNG tIME chunk says 05:10:88 (88 seconds): ExifTool prints it; fkit refuses an impossible time: fkit right"),
    # GPSLatitude is 0xFFFFFFFF/1 = 4294967295 degrees: ExifTool prints it; fkit refuses an impossible position
    ("corpus/photos/pillow/exif_gps.jpg", "gps_latitude"): (None, "impossible latitude 4294967295°: fkit refuses it (right)"),
    (_CD + "Pentax.avi", "capture_time"): (("2009-10-27T12:14:34", "", None), _PENTAX_IDIT),
}


# Rows where ExifTool's value is demonstrably wrong (the reason says why): the only ones set aside
EXIFTOOL_WRONG = frozenset({
    (_CD + "Pentax.avi", "capture_time"),
    ("corpus/photos/pillow/xmp_tags_orientation_exiftool.png", "capture_time"),
    ("corpus/photos/pillow/exif_gps.jpg", "gps_latitude"),
})


# "Not read" rows where ExifTool has the value in its EXIF, XMP or QuickTime group (exiftool -G -a run on every
# not-read file): each one named, with why fkit has no value. Every other not-read row is a value from a
# format's own structure (RIFF, Matroska, DV, FlashPix, maker notes, ...), in a format fkit has no reader for.
NOT_READ_CORE: dict[tuple[str, str], str] = {
}


def _row(rel: str, m: dict[str, Any], o: dict[str, Any], field: str) -> tuple[str, Value, Value] | None:
    theirs = _exiftool_value(o, field)
    if theirs is None or theirs == "":
        return None
    ours = _fkit_value(m, field)
    if ours is not None and _same(field, ours, theirs):
        return "agree", ours, theirs
    if ours is not None:
        return "differ", ours, theirs
    read = m.get("kind") in READ_KINDS and not any("no metadata reader" in w.get("reason", "") for w in m.get("warnings", []))
    return ("missing" if read else "not read"), ours, theirs


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    if not FILES:
        pytest.skip(f"shared test data not available: {TESTDATA}")
    proc = fkit("meta", "-0", "-", input=b"\0".join(f.encode() for f in FILES), cwd=TESTDATA)
    assert proc.returncode == 0, proc.stderr.decode()
    media = {json.loads(line)["path"]: json.loads(line)["media"] for line in proc.stdout.splitlines()}
    assert sorted(media) == FILES
    counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    rows: list[tuple[str, str, str, Value, Value]] = []
    not_read: dict[str, Counter[str]] = defaultdict(Counter)
    not_read_files: dict[str, list[str]] = defaultdict(list)
    not_read_pairs: set[tuple[str, str]] = set()
    for rel in FILES:
        o = json.loads((TESTDATA / (rel + ".exiftool.json")).read_text("utf-8"))[0]
        for field in FIELDS:
            r = _row(rel, media[rel], o, field)
            if r is None:
                continue
            verdict, ours, theirs = r
            counts[field]["has"] += 1
            if verdict != "agree" and (rel, field) in EXPLAINED:
                verdict = "explained " + verdict
            counts[field][verdict] += 1
            if verdict == "not read":
                not_read[field][str(media[rel].get("mime"))] += 1
                not_read_files[field].append(rel)
                not_read_pairs.add((rel, field))
            elif verdict != "agree":
                rows.append((rel, field, verdict, ours, theirs))
    return {"counts": counts, "rows": rows, "not_read": not_read, "media": media, "not_read_files": not_read_files,
            "not_read_pairs": not_read_pairs}


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f} %" if d else "—"


def render(t: dict[str, Any]) -> str:
    counts: dict[str, Counter[str]] = t["counts"]
    lines = [
        "# fkit meta against ExifTool: the agreement table",
        "",
        "Generated by `tests/media/test_oracle_agreement.py` (`FKIT_WRITE_ORACLE_DOC=1` rewrites this file; the",
        "test fails when it is out of date). Oracle: ExifTool 12.57 `-json -n` (`-G -a` in `photos/`), stored",
        f"beside each file. Files: every one of `photos/`, `corpus/photos`, `corpus/video` with an oracle ({len(FILES)}).",
        "",
        "Per field, over the files where ExifTool has a value: fkit **agrees**, **differs**, is **missing** it in a",
        "format it reads, or does **not read** that format at all (no parser: listed below). *Explained* rows",
        "are differences checked by hand; the reason (who is right) is in the test and below: *ExifTool wrong*",
        "where ExifTool's value is demonstrably wrong (an impossible time or position, a dropped field), *other*",
        "where neither is wrong (two cameras in one file).",
        "**Agreement** = agrees / (has − not read), every explained row counted as a disagreement; the last",
        "column sets aside only the rows where ExifTool is wrong.",
        "",
        "| field | ExifTool has it | agrees | differs | missing | explained: ExifTool wrong | explained: other | not read | "
        "agreement | agreement, ExifTool-wrong rows set aside |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    wrong_by_field = Counter(field for rel, field, *_ in t["rows"] if (rel, field) in EXIFTOOL_WRONG)
    for f in FIELDS:
        c = counts[f]
        explained = c["explained differ"] + c["explained missing"]
        wrong = wrong_by_field[f]
        compared = c["has"] - c["not read"]
        lines.append(f"| {f} | {c['has']} | {c['agree']} | {c['differ']} | {c['missing']} | {wrong} | {explained - wrong} | "
                     f"{c['not read']} | {_pct(c['agree'], compared)} | {_pct(c['agree'], compared - wrong)} |")
    lines += ["", "Field meanings: capture_time = the first of EXIF DateTimeOriginal (+SubSecTimeOriginal,",
              "OffsetTimeOriginal), EXIF CreateDate, XMP DateTimeOriginal/CreateDate/DateCreated, EXIF ModifyDate;",
              "for QuickTime files Keys CreationDate, then QuickTime CreateDate (UTC). Compared to the second,",
              "fraction and offset. GPS to 1e-5° and 0.1 m; duration to 1.5 ms; width/height = File:ImageWidth",
              "(SOF, IHDR, VP8*, ispe, tkhd) as ExifTool prints it; MIME modulo aliases (image/x-ms-bmp = image/bmp).",
              "", "## Differences and misses, each explained", "",
              "| file | field | verdict | fkit | ExifTool | why (who is right) |", "|---|---|---|---|---|---|"]
    for rel, field, verdict, ours, theirs in t["rows"]:
        why = EXPLAINED.get((rel, field), (None, "NOT EXPLAINED"))[1]
        lines.append(f"| `{rel}` | {field} | {verdict} | {_cell(ours)} | {_cell(theirs)} | {why} |")
    lines += ["", "## Not read, though ExifTool has the value in EXIF, XMP or QuickTime", "",
              "Every other *not read* row is a value from a format's own structure (RIFF, Matroska, DV, FlashPix, PDF,",
              "maker notes...) in a format fkit has no reader for (`exiftool -G -a` on each not-read file).", "",
              "| file | field | why |", "|---|---|---|"]
    for (rel, field), why in NOT_READ_CORE.items():
        lines.append(f"| `{rel}` | {field} | {why} |")
    if not NOT_READ_CORE:
        lines.append("| (none) | | every value ExifTool has in its EXIF, XMP or QuickTime groups is read |")
    lines += ["", "## Where ExifTool 12.57 is wrong (pinned in the tests)", "",
              "- `Pentax.avi`: the `IDIT` chunk says `2009/10/27 12:14:34`; ExifTool prints `12:14:00` (its own Pentax",
              "  maker notes say 12:14:34). fkit gives 12:14:34.",
              "- `xmp_tags_orientation_exiftool.png`: PNG `tIME` 05:10:88 — ExifTool prints an 88th second; fkit refuses it.",
              "- `exif_gps.jpg`: GPSLatitude 0xFFFFFFFF/1 — ExifTool prints 4294967295°; fkit refuses the position.",
              "- A 3GPP `loci` atom whose place name is UTF-16 (byte-order mark, 16-bit NUL, as TS 26.244 allows):",
              "  ExifTool ends the name at the first 0 byte and reads the position one byte off (latitude 114.00148",
              "  for -33.8568); fkit reads it right (`tests/media/test_sizes_gps.py`, a generated file).",
              "",
              "## Video GPS: what the libraries read (measured, same run)", "",
              "| file (location atom) | hachoir 3.4.0 | mutagen 1.48.1 | pymediainfo 7.0.1 | fkit atoms |",
              "|---|---|---|---|---|",
              "| generated `loci` (3GPP) | no GPS (2.2 ms) | no GPS (0.2 ms) | no GPS (22 ms) | 34.075394, -118.254303, 100 m, `udta/loci` |",
              "| `corpus/video/with-gps.mp4` (`©xyz`) | no GPS (1.4 ms) | no GPS (0.1 ms) | `xyz` text (8.8 ms) | 51.4169, -0.0806, `udta/©xyz` |",
              "| `QuickTime.mov` | duration, width (5.5 ms) | error: truncated data | (6.9 ms) | duration, size, codec |",
              "",
              "Apple `com.apple.quicktime.location.ISO6709` keys: read by fkit (unit test with a generated `meta/keys`);",
              "no public sample here carries one. GPMF (GoPro) tracks: not read by any of the four.",
              ]
    lines += ["", "## Formats fkit does not read (per field: fkit's MIME type → files)", ""]
    for f in FIELDS:
        if t["not_read"].get(f):
            items = ", ".join(f"{mime} {n}" for mime, n in sorted(t["not_read"][f].items()))
            lines.append(f"- **{f}**: {items}")
    return "\n".join(lines) + "\n"


def _cell(v: Value) -> str:
    if isinstance(v, tuple):
        local, frac, off = v
        return f"{local}{'.' + frac if frac else ''}{off or ''}"
    return str(v).replace("|", "\\|")


def test_every_difference_is_explained(table: dict[str, Any]) -> None:
    unexplained = [r for r in table["rows"] if not r[2].startswith("explained")]
    assert not unexplained, "\n".join(map(str, unexplained))


def test_explanations_still_hold(table: dict[str, Any]) -> None:
    seen = {(r[0], r[1]): r[3] for r in table["rows"]}
    for key, (ours, why) in EXPLAINED.items():
        assert key in seen, f"{key} now agrees or is gone: remove it from EXPLAINED ({why})"
        assert seen[key] == ours, f"{key}: fkit now says {seen[key]!r}, the explanation says {ours!r}"


def test_not_read_core_values_are_the_listed_ones(table: dict[str, Any]) -> None:
    for key, why in NOT_READ_CORE.items():
        assert key in table["not_read_pairs"], f"{key} is read now: remove it from NOT_READ_CORE ({why})"


def test_only_rows_where_exiftool_is_wrong_are_set_aside(table: dict[str, Any]) -> None:
    assert EXIFTOOL_WRONG <= set(EXPLAINED)
    for key in EXIFTOOL_WRONG:
        assert "fkit is right" in EXPLAINED[key][1] or "fkit right" in EXPLAINED[key][1] \
            or "fkit refuses" in EXPLAINED[key][1], key


def test_agreement_target(table: dict[str, Any]) -> None:
    """≥ 99.5 % agreement per field once explained differences (who is right is pinned) are set
    aside; 0 unexplained misses in formats fkit reads."""
    for f in FIELDS:
        c = table["counts"][f]
        compared = c["agree"] + c["differ"] + c["missing"]
        assert c["missing"] == 0, f
        assert compared == 0 or c["agree"] / compared >= 0.995, (f, c)


def test_doc_is_up_to_date(table: dict[str, Any]) -> None:
    text = render(table)
    if os.environ.get("FKIT_WRITE_ORACLE_DOC") == "1":
        DOC.write_text(text, "utf-8")
    assert DOC.is_file() and DOC.read_text("utf-8") == text, "docs/media-oracles.md is out of date: FKIT_WRITE_ORACLE_DOC=1"



_CORE_GROUPS = ("EXIF", "XMP", "QuickTime")
_CORE_NAMES = {"capture_time": ("DateTimeOriginal", "CreateDate", "CreationDate", "DateCreated", "ModifyDate"),
               "gps_latitude": ("GPSLatitude", "GPSCoordinates"), "gps_longitude": ("GPSLongitude", "GPSCoordinates"),
               "gps_altitude": ("GPSAltitude",), "gps_time": ("GPSDateTime", "GPSTimeStamp"), "make": ("Make",),
               "model": ("Model",), "width": ("ImageWidth",), "height": ("ImageHeight",), "duration": ("Duration",)}


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool not installed (run live to see its groups)")
def test_no_value_exiftool_has_in_exif_xmp_or_quicktime_is_left_unread(table: dict[str, Any]) -> None:
    """``exiftool -G -a`` on every not-read file: a not-read row is never a value ExifTool takes from
    its EXIF, XMP or QuickTime groups, unless NOT_READ_CORE names it with the reason."""
    pairs = sorted(table["not_read_pairs"])
    files = sorted({rel for rel, _ in pairs})
    proc = subprocess.run(["exiftool", "-json", "-n", "-G", "-a", "-q", *files], cwd=TESTDATA, capture_output=True, timeout=300)
    grouped = {o["SourceFile"]: o for o in json.loads(proc.stdout or b"[]")}
    assert set(grouped) == set(files)
    core = [(rel, field, k) for rel, field in pairs for k in grouped[rel]
            if k.split(":")[0] in _CORE_GROUPS and k.split(":")[-1] in _CORE_NAMES.get(field, ())
            and (rel, field) not in NOT_READ_CORE]
    assert core == []
