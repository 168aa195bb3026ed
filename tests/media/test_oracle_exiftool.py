"""fkit meta against ExifTool (the oracle) for every photo and video in ../shared/testdata that
has an ``.exiftool.json`` beside it.

The comparison table ``FIELDS`` maps an fkit ``media`` field to the ExifTool tags that mean the
same thing; extend it (and ``KNOWN_DIFFERENCES`` when the two tools disagree for a reason you
have checked) rather than writing new loops. ``photos/`` oracles were made with ``-G`` (keys like
``EXIF:GPSLatitude``), ``corpus/`` ones without (``GPSLatitude``); both spellings are listed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TESTDATA, fkit

ORACLE_DIRS = ("photos", "corpus/photos", "corpus/video", "corpus/malformed")
MEDIA_MIME_PREFIXES = ("image/", "video/", "audio/mp4", "audio/x-m4a")


def _exif_time(v: Any) -> str | None:
    """ExifTool ``2008:10:22 16:28:39`` → fkit's local part ``2008-10-22T16:28:39``."""
    if not isinstance(v, str) or not re.match(r"\d{4}:\d\d:\d\d \d\d:\d\d:\d\d", v) or v.startswith("0000"):
        return None
    return v[:10].replace(":", "-") + "T" + v[11:19]


def _fkit_time(v: Any) -> str | None:
    return v[:19] if isinstance(v, str) else None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v)
    return s if s.strip() else None


def _approx(tol: float) -> Callable[[Any, Any], bool]:
    return lambda ours, theirs: abs(float(ours) - float(theirs)) <= tol


def _equal(ours: Any, theirs: Any) -> bool:
    return ours == theirs


QUICKTIME_TYPES = {"MP4", "MOV", "3GP", "3G2", "M4A"}


def _quicktime(oracle: dict[str, Any]) -> bool:
    """Ungrouped ``CreateDate`` is the QuickTime one only in QuickTime-family files."""
    return str(oracle.get("File:FileType") or oracle.get("FileType")) in QUICKTIME_TYPES


def _any(oracle: dict[str, Any]) -> bool:
    return True


# (name, fkit media path, ExifTool keys in priority order, normalise fkit, normalise ExifTool,
#  compare, applies to this oracle)
FIELDS: list[tuple[str, str, tuple[str, ...], Callable[[Any], Any], Callable[[Any], Any], Callable[[Any, Any], bool],
                   Callable[[dict[str, Any]], bool]]] = [
    ("latitude", "gps.latitude", ("Composite:GPSLatitude", "GPSLatitude"), float, float, _approx(1e-6), _any),
    ("longitude", "gps.longitude", ("Composite:GPSLongitude", "GPSLongitude"), float, float, _approx(1e-6), _any),
    ("altitude", "gps.altitude", ("Composite:GPSAltitude", "GPSAltitude"), float, float, _approx(0.1), _any),
    ("date_time_original", "times.original.value", ("EXIF:DateTimeOriginal", "DateTimeOriginal"), _fkit_time, _exif_time, _equal, _any),
    ("offset_original", "times.original.offset", ("EXIF:OffsetTimeOriginal", "OffsetTimeOriginal"), _text, _text, _equal, _any),
    ("create_date", "times.digitized.value", ("EXIF:CreateDate",), _fkit_time, _exif_time, _equal, _any),
    ("modify_date", "times.modified.value", ("EXIF:ModifyDate",), _fkit_time, _exif_time, _equal, _any),
    ("xmp_date_time_original", "times.xmp_original.value", ("XMP:DateTimeOriginal",), _fkit_time, _exif_time, _equal, _any),
    ("xmp_create_date", "times.xmp_create.value", ("XMP:CreateDate",), _fkit_time, _exif_time, _equal, _any),
    ("quicktime_create_date", "times.created.value", ("QuickTime:CreateDate", "CreateDate"), _fkit_time, _exif_time, _equal, _quicktime),
    ("make", "make", ("EXIF:Make", "Make"), _text, _text, _equal, _any),
    ("model", "model", ("EXIF:Model", "Model"), _text, _text, _equal, _any),
    ("serial", "serial.body", ("EXIF:SerialNumber",), _text, _text, _equal, _any),
    ("lens_serial", "serial.lens", ("EXIF:LensSerialNumber",), _text, _text, _equal, _any),
    ("orientation", "orientation", ("EXIF:Orientation",), int, int, _equal, _any),
    ("image_unique_id", "image_unique_id", ("EXIF:ImageUniqueID",), _text, _text, _equal, _any),
    ("xp_title", "xp.title", ("EXIF:XPTitle",), _text, _text, _equal, _any),
    ("xp_author", "xp.author", ("EXIF:XPAuthor",), _text, _text, _equal, _any),
]

# (file relative to testdata, field) → why fkit and ExifTool differ, checked by hand. The test
# asserts the difference is still there (so a fix shows up) and what fkit says instead.
_XMP = ("ExifTool's ungrouped DateTimeOriginal here is XMP (exiftool -G -a shows [XMP] only); the EXIF has none, and "
        "fkit gives the XMP one as times.xmp_original (checked in test_xmp_dates_stand_in)")
_CIFF = "ExifTool's ungrouped value is the CIFF one (exiftool -G1 -a shows [CIFF] and [IFD0]); fkit gives the EXIF IFD0 one"
KNOWN_DIFFERENCES: dict[tuple[str, str], tuple[Any, str]] = {
    ("corpus/malformed/exif-py/jpg/tests/30-type_error.jpg", "date_time_original"): (None, _XMP),
    ("corpus/malformed/pillow/exif_gps_typeerror.jpg", "date_time_original"): (None, _XMP),
    # ExifTool.jpg carries two cameras: EXIF says FUJIFILM FinePix2400Zoom 2001-05-19 (fkit), a Canon CIFF
    # directory in APP0 says Canon PowerShot A5 1998-05-01, and ExifTool's ungrouped output prefers the latter.
    ("corpus/photos/exiftool/ExifTool.jpg", "date_time_original"): ("2001-05-19T18:36:41", _CIFF),
    ("corpus/photos/exiftool/ExifTool.jpg", "make"): ("FUJIFILM", _CIFF),
    ("corpus/photos/exiftool/ExifTool.jpg", "model"): ("FinePix2400Zoom", _CIFF),
    # no EXIF in these: fkit's capture_time is the QVCI / IPTC / CIFF time (times.qvci_original / iptc_created /
    # ciff_original, compared in test_oracle_agreement.py); its EXIF DateTimeOriginal stays empty
    ("corpus/photos/exiftool/CasioQVCI.jpg", "date_time_original"): (None, "Casio QVCI APP segment (maker data), no EXIF"),
    ("corpus/photos/exiftool/PhotoMechanic.jpg", "date_time_original"): (None, "ExifTool's value is [Composite] (IPTC); no EXIF in the file"),
    ("corpus/photos/exiftool/CanonRaw.crw", "date_time_original"): (None, "CIFF TimeStamp (times.ciff_original), no EXIF"),
    # IDIT '2009/10/27 12:14:34': ExifTool 12.57 drops the seconds of this numeric form (its Pentax maker
    # notes say 12:14:34 too): fkit is right (tests/media/test_oracle_agreement.py)
    ("corpus/photos/exiftool/Pentax.avi", "date_time_original"): ("2009-10-27T12:14:34", "ExifTool drops IDIT seconds"),
    # GPSLatitude is 0xFFFFFFFF/1 = 4294967295 degrees: ExifTool prints it, fkit refuses an impossible
    # position (|lat| > 90) and gives no coordinates: fkit is right.
    ("corpus/photos/pillow/exif_gps.jpg", "latitude"): (None, "impossible latitude 4294967295"),
}

# CR3 (CMT1/CMT2 TIFF boxes), BPG, RAF, MRW and the DP2 X3F carry a TIFF EXIF block that fkit finds and reads (media.exif_embedded_at):
# they are compared like the others; so is CanonRaw.crw (its CIFF heap, media/ciff.py).
# Formats ExifTool reads and fkit does not (neither exifread nor Pillow parses them): the test checks
# that fkit says so (no capture time, a media block without errors) so that support shows up here.
UNSUPPORTED = {
    "corpus/photos/exiftool/" + name for name in (
        "DV.dv", "FLIR.fpf", "KyoceraRaw.raw",
        "Lytro.lfp", "M2TS.mts", "MIE.mie", "Matroska.mkv",
        "Red.r3d", "Sigma.x3f", "Sony.pmp",
    )
}


def _oracle_files() -> list[str]:
    out: list[str] = []
    if not TESTDATA.exists():
        return out
    for d in ORACLE_DIRS:
        for dirpath, _dirs, files in os.walk(TESTDATA / d):
            for f in files:
                if not f.endswith(".exiftool.json"):
                    continue
                media = Path(dirpath) / f[: -len(".exiftool.json")]
                if not media.is_file():
                    continue
                doc = json.loads((Path(dirpath) / f).read_text("utf-8"))[0]
                mime = str(doc.get("File:MIMEType") or doc.get("MIMEType") or "")
                if mime.startswith(MEDIA_MIME_PREFIXES):
                    out.append(str(media.relative_to(TESTDATA)))
    return sorted(out)


ORACLE_FILES = _oracle_files()


@pytest.fixture(scope="module")
def fkit_media() -> dict[str, dict[str, Any]]:
    if not ORACLE_FILES:
        pytest.skip(f"shared test data not available: {TESTDATA}")
    proc = fkit("meta", "-0", "-", input=b"\0".join(f.encode() for f in ORACLE_FILES), cwd=TESTDATA)
    assert proc.returncode == 0, proc.stderr.decode()
    out = {}
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        out[rec["path"]] = rec["media"]
    assert len(out) == len(ORACLE_FILES)
    return out


def _get(media: dict[str, Any], dotted: str) -> Any:
    cur: Any = media
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def test_oracle_set_is_not_empty() -> None:
    if not ORACLE_FILES:
        pytest.skip(f"shared test data not available: {TESTDATA}")
    assert len(ORACLE_FILES) >= 60  # photos/ (46 images) + corpus photos and videos


@pytest.mark.parametrize("rel", ORACLE_FILES)
def test_matches_exiftool(rel: str, fkit_media: dict[str, dict[str, Any]]) -> None:
    oracle = json.loads((TESTDATA / (rel + ".exiftool.json")).read_text("utf-8"))[0]
    media = fkit_media[rel]
    assert "errors" not in media, media.get("errors")
    if rel in UNSUPPORTED:
        assert not media.get("exif_present") and "make" not in media, media
        return
    problems = []
    compared = 0
    for name, path, keys, norm_ours, norm_theirs, same, applies in FIELDS:
        if not applies(oracle):
            continue
        theirs_raw = next((oracle[k] for k in keys if k in oracle), None)
        if theirs_raw is None:
            continue
        try:
            theirs = norm_theirs(theirs_raw)
        except (TypeError, ValueError):
            continue  # ExifTool printed a non-numeric value (e.g. "" for an empty tag)
        if theirs is None:
            continue
        ours_raw = _get(media, path)
        ours = norm_ours(ours_raw) if ours_raw is not None else None
        known = KNOWN_DIFFERENCES.get((rel, name))
        if known is not None:
            assert ours == known[0], f"{name}: known difference changed ({known[1]}); fkit now says {ours!r}"
            continue
        compared += 1
        if ours is None or not same(ours, theirs):
            problems.append(f"{name}: fkit {ours!r} != exiftool {theirs!r}")
    assert not problems, "; ".join(problems)


def test_xmp_dates_stand_in(fkit_media: dict[str, dict[str, Any]]) -> None:
    """Where ExifTool's DateTimeOriginal is XMP, fkit has it too, with the XMP's own offset."""
    a = fkit_media["corpus/malformed/exif-py/jpg/tests/30-type_error.jpg"]
    assert a["capture_time"]["value"] == "2013-07-05T03:18:27+00:00"  # ExifTool: 2013:07:05 03:18:27Z
    assert a["capture_time"]["source"] == "XMP:DateTimeOriginal"
    b = fkit_media["corpus/malformed/pillow/exif_gps_typeerror.jpg"]
    assert b["capture_time"]["value"] == "2010-07-11T13:53:00+02:00"  # ExifTool: 2010:07:11 13:53:00+02:00
