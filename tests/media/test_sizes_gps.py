"""Frame sizes from headers, video GPS atoms (loci, ©xyz), XMP/PNG/WebP times, RW2 type and the
recompressed hint, on files the tests make themselves (the real ones are in the oracle tests)."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image

from forensic_kit.media import dimensions, exif, hints, type as mtype, video
from forensic_kit.media.runner import parse_fd


def _img(fmt: str, size: tuple[int, int], **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt,container,kw,source", [
    ("JPEG", "jpeg", {}, "JPEG SOF"),
    ("JPEG", "jpeg", {"progressive": True}, "JPEG SOF"),
    ("PNG", "png", {}, "PNG IHDR"),
    ("WEBP", "webp", {"lossless": False}, "WebP VP8"),
    ("WEBP", "webp", {"lossless": True}, "WebP VP8L"),
    ("WEBP", "webp", {"exif": b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0"}, "WebP VP8X"),
    ("GIF", "gif", {}, "GIF screen"),
    ("BMP", "bmp", {}, "BMP header"),
    ("TIFF", "tiff", {}, "TIFF IFD0"),
])
def test_size_from_headers(fmt: str, container: str, kw: dict[str, object], source: str) -> None:
    data = _img(fmt, (123, 45), **kw)
    assert dimensions.image_size(data, container) == (123, 45, source, 0)


def test_size_from_damaged_headers_is_none_not_an_error() -> None:
    data = _img("JPEG", (123, 45))
    for cut in (3, 20, 100, 160):
        assert dimensions.jpeg_size(data[:cut]) in (None, (123, 45))
    assert dimensions.png_size(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0") is None
    assert dimensions.webp_size(b"RIFF\0\0\0\0WEBPVP8L" + b"\0" * 20) is None
    assert dimensions.tiff_size(b"II*\0\xff\xff\xff\x7f") is None
    assert dimensions.heif_size(b"\0\0\0\x08meta") is None


def _atom(typ: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", len(payload) + 8, typ) + payload


def _full(typ: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _atom(typ, bytes([version]) + flags.to_bytes(3, "big") + payload)


def test_heif_primary_item_size_and_rotation() -> None:
    ispe_small = _full(b"ispe", struct.pack(">II", 320, 240))
    ispe_main = _full(b"ispe", struct.pack(">II", 4032, 3024))
    irot = _atom(b"irot", b"\x01")  # 90 degrees anticlockwise
    ipco = _atom(b"ipco", ispe_small + ispe_main + irot)
    # item 2 (thumbnail) → property 1; item 1 (primary) → properties 2 and 3
    ipma = _full(b"ipma", struct.pack(">I", 2) + struct.pack(">HB", 2, 1) + b"\x81" + struct.pack(">HB", 1, 2) + b"\x82\x03")
    meta = _full(b"meta", _full(b"hdlr", b"\0" * 4 + b"pict" + b"\0" * 13) + _full(b"pitm", struct.pack(">H", 1))
                 + _atom(b"iprp", ipco + ipma))
    data = _atom(b"ftyp", b"heic\0\0\0\0mif1heic") + meta
    assert dimensions.heif_size(data) == (4032, 3024, 90)
    block = dimensions.size_block(4032, 3024, "HEIF ispe", None, 90)
    assert (block["display_width"], block["display_height"]) == (3024, 4032)


def test_tiff_raw_full_resolution_ifd_and_rw2_borders() -> None:
    def ifd(entries: list[tuple[int, int, int]], next_off: int = 0) -> bytes:
        out = struct.pack("<H", len(entries))
        for tag, typ, val in entries:
            out += struct.pack("<HHI", tag, typ, 1) + struct.pack("<I", val)
        return out + struct.pack("<I", next_off)
    # IFD0 at 8: a reduced preview (NewSubfileType 1) pointing to a SubIFD at 100 with the raw size
    ifd0 = ifd([(0xFE, 4, 1), (0x100, 4, 160), (0x101, 4, 120), (0x14A, 4, 100)])
    sub = ifd([(0xFE, 4, 0), (0x100, 4, 3040), (0x101, 4, 2014)])
    data = b"II*\0" + struct.pack("<I", 8) + ifd0
    data += b"\0" * (100 - len(data)) + sub
    assert dimensions.tiff_size(data) == (3040, 2014, "SubIFD0")
    # RW2: borders top 6, left 8, bottom 2742, right 3656 → 3648 × 2736 (ExifTool's size)
    rw2 = b"IIU\0" + struct.pack("<I", 8) + ifd([(4, 3, 6), (5, 3, 8), (6, 3, 2742), (7, 3, 3656)])
    assert dimensions.tiff_size(rw2) == (3648, 2736, "RW2 sensor borders")
    assert mtype.detect(rw2 + b"\0" * 64, "x.rw2")["mime"] == "image/x-panasonic-rw2"
    assert mtype.detect(rw2 + b"\0" * 64, "x.rw2")["extension_mismatch"] is False


def _moov_file(udta: bytes, rotation_matrix: tuple[int, int, int, int] = (1, 0, 0, 1)) -> bytes:
    mvhd = _full(b"mvhd", struct.pack(">IIII", 3_600_000_000, 3_600_000_000, 1000, 2500) + b"\0" * 80)
    a, b, c, d = (v * 65536 for v in rotation_matrix)
    matrix = struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 0x40000000)
    tkhd = _full(b"tkhd", b"\0" * 36 + matrix + struct.pack(">II", 1920 << 16, 1080 << 16))
    hdlr = _full(b"hdlr", b"\0\0\0\0vide" + b"\0" * 13)
    entry = struct.pack(">I4s", 86, b"avc1") + b"\0" * 6 + b"\0\x01" + b"\0" * 16 + struct.pack(">HH", 1920, 1088) + b"\0" * 50
    stsd = _full(b"stsd", struct.pack(">I", 1) + entry)
    trak = _atom(b"trak", tkhd + _atom(b"mdia", hdlr + _atom(b"minf", _atom(b"stbl", stsd))))
    return _atom(b"ftyp", b"mp42\0\0\0\0mp42isom") + _atom(b"moov", mvhd + trak + _atom(b"udta", udta))


def _video(data: bytes) -> tuple[dict[str, object], list[dict[str, str]]]:
    return video.video_metadata(lambda off, n: data[off:off + n], len(data), lambda: io.BytesIO(data))  # type: ignore[arg-type,return-value]


def test_loci_3gpp_location_frame_size_codec() -> None:
    # FLIR Thermal.mp4's position (issue 22): 34.07539, -118.2543 as 16.16 fixed point
    lat, lon = round(34.07539 * 65536), round(-118.2543 * 65536)
    loci = _full(b"loci", b"\x15\xc7" + b"Home\0" + b"\0" + struct.pack(">iii", lon, lat, 100 * 65536) + b"earth\0" + b"\0")
    out, warnings = _video(_moov_file(loci, (0, 1, -1, 0)))
    assert warnings == []
    gps = out["gps"]
    assert isinstance(gps, dict)
    assert gps["latitude"] == pytest.approx(34.07539, abs=1e-4) and gps["longitude"] == pytest.approx(-118.2543, abs=1e-4)
    assert gps["altitude"] == 100.0 and gps["name"] == "Home" and gps["body"] == "earth"
    assert gps["source"] == "UserData:LocationInformation" and gps["atom"] == "udta/loci (3GPP)"
    assert out["video"] == {"width": 1920, "height": 1080, "display_width": 1080, "display_height": 1920,
                            "rotation": 90, "source": "tkhd", "codec": "avc1", "coded_width": 1920, "coded_height": 1088}
    assert out["duration"] == 2.5
    assert gps["role"] == "shooting"


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool not installed (the oracle for generated files)")
def test_loci_file_against_exiftool(tmp_path: Path) -> None:
    """The same generated loci file read by ExifTool: position, altitude, frame size, duration."""
    lat, lon = round(-33.8568 * 65536), round(151.2153 * 65536)
    utf16 = _full(b"loci", b"\x15\xc7" + b"\xfe\xff\0O\0p\0e\0r\0a\0\0" + b"\x01" + struct.pack(">iii", lon, lat, -5 * 65536) + b"\0\0")
    out16, _ = _video(_moov_file(utf16))
    gps16 = out16["gps"]
    assert isinstance(gps16, dict)
    # TS 26.244: a UTF-16 name starts with a byte-order mark and ends with a 16-bit NUL; fkit reads it so.
    # ExifTool 12.57 ends the name at the first 0 byte and reads the position 1 byte off
    # (GPSLatitude 114.00148 for this file): fkit is right there.
    assert (gps16["name"], gps16["latitude"], gps16["longitude"]) == ("Opera", -33.856796, 151.215302)
    loci = _full(b"loci", b"\x15\xc7" + b"Opera\0" + b"\x01" + struct.pack(">iii", lon, lat, -5 * 65536) + b"\0\0")
    path = tmp_path / "loci.mp4"
    path.write_bytes(_moov_file(loci))
    oracle = json.loads(subprocess.run(["exiftool", "-json", "-n", str(path)], capture_output=True, check=True).stdout)[0]
    out, _ = _video(path.read_bytes())
    gps, frame = out["gps"], out["video"]
    assert isinstance(gps, dict) and isinstance(frame, dict)
    assert gps["name"] == "Opera" and gps["role"] == "real"
    assert gps["latitude"] == pytest.approx(oracle["GPSLatitude"], abs=1e-5)
    assert gps["longitude"] == pytest.approx(oracle["GPSLongitude"], abs=1e-5)
    assert gps["altitude"] == pytest.approx(-oracle["GPSAltitude"] if oracle.get("GPSAltitudeRef") == 1 else oracle["GPSAltitude"])
    assert (frame["width"], frame["height"], out["duration"]) == (oracle["ImageWidth"], oracle["ImageHeight"], oracle["Duration"])


def test_android_xyz_wins_over_nothing_and_bad_loci_is_a_warning() -> None:
    xyz = _atom(b"\xa9xyz", struct.pack(">HH", 18, 0x15C7) + b"+34.0754-118.2543/")
    out, _ = _video(_moov_file(xyz))
    assert out["gps"] == {"latitude": 34.0754, "longitude": -118.2543, "iso6709": "+34.0754-118.2543/",
                          "source": "UserData:GPSCoordinates", "atom": "udta/\u00a9xyz"}
    bad = _full(b"loci", b"\0\0" + b"\0" + b"\0" + struct.pack(">iii", 0, 200 * 65536, 0) + b"\0\0")
    out, warnings = _video(_moov_file(bad))
    assert "gps" not in out
    assert [w["reason"] for w in warnings] == ["3GPP loci position out of range: [200.0, 0.0]"]


def test_xmp_date_without_seconds_is_a_capture_time() -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description xmp:CreateDate="2011-06-14T15:47+02:00"/></x:xmpmeta>'
    assert exif.xmp_times(xmp)["xmp_create"]["value"] == "2011-06-14T15:47:00+02:00"


def test_png_compressed_itxt_xmp_is_read(tmp_path: Path) -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:DateTimeOriginal="2019-03-04T05:06:07.5-03:00"/></x:xmpmeta>'
    body = b"XML:com.adobe.xmp\0\x01\0\0\0" + zlib.compress(xmp)
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    png = _img("PNG", (7, 5))
    data = png[:33] + chunk + png[33:]  # after IHDR
    assert b"x:xmpmeta" not in data  # only the inflated packet holds it
    path = tmp_path / "x.png"
    path.write_bytes(data)
    import os
    fd = os.open(path, os.O_RDONLY)
    try:
        media = parse_fd(fd, len(data), b"x.png")
    finally:
        os.close(fd)
    assert media["capture_time"]["value"] == "2019-03-04T05:06:07.5-03:00"
    assert media["capture_time"]["source"] == "XMP:DateTimeOriginal"
    assert media["image"] == {"width": 7, "height": 5, "source": "PNG IHDR", "display_width": 7, "display_height": 5}


def test_pillow_fallback_keeps_sub_seconds() -> None:
    exif_img = Image.Exif()
    exif_img.get_ifd(0x8769).update({0x9003: "2003:12:14 18:04:34", 0x9291: "61"})
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "WEBP", exif=exif_img.tobytes())
    flat, _ = exif._pillow_tags(buf.getvalue(), False)
    fields = exif.fields_from_tags(flat, None)
    assert fields["capture_time"]["value"] == "2003-12-14T18:04:34.61"  # ExifTool: 18:04:34.61


def test_recompressed_is_a_hint_with_reasons() -> None:
    media = {"exif_present": False, "mime": "image/jpeg", "image": {"width": 1600, "height": 1200}}
    hint = hints.recompressed_hint(media, b"/x/IMG-20200101-WA0007.jpg")
    assert hint == {"hint": hints.HINT, "reasons": [
        "no EXIF and a messenger-style file name (IMG-20200101-WA0007.jpg)",
        "no EXIF and a longest side of 1600 px, a size messengers resize photos to"]}
    edited = hints.recompressed_hint({"exif_present": True, "software": "Adobe Photoshop CS5 Windows"}, "a.jpg")
    assert edited is not None and edited["reasons"] == [
        "EXIF Software is 'Adobe Photoshop CS5 Windows', an editor or messenger, not camera firmware"]
    camera = {"exif_present": True, "software": "Ver.1.00", "mime": "image/jpeg", "image": {"width": 1600, "height": 1200}}
    assert hints.recompressed_hint(camera, "IMG-20200101-WA0007.jpg") is None  # EXIF kept: no messenger claim


def test_real_files_hint_and_sizes() -> None:
    """exif-samples' camera JPEGs were shrunk with GIMP (their EXIF Software says so): the hint
    fires with that reason; the size is the SOF's, as ExifTool's File:ImageWidth."""
    from tests.conftest import fkit, testdata

    path = testdata("photos", "cameras", "Canon_40D.jpg")
    oracle = json.loads(Path(str(path) + ".exiftool.json").read_text("utf-8"))[0]
    media = json.loads(fkit("meta", path).stdout)["media"]
    assert media["recompressed_hint"]["reasons"] == [
        "EXIF Software is 'GIMP 2.4.5', an editor or messenger, not camera firmware"]
    assert (media["image"]["width"], media["image"]["height"]) == (oracle["File:ImageWidth"], oracle["File:ImageHeight"])


def test_exif_of_a_photo_stored_in_an_archive_is_not_the_archive_s(tmp_path: Path) -> None:
    """EXIF is looked for inside formats without a reader only when they are media (PSD, RAF,
    X3F...), never in documents or archives: a ZIP that stores a photo does not get its camera."""
    import zipfile

    exif_img = Image.Exif()
    exif_img[0x010F] = "Canon"
    exif_img[0x0132] = "2020:01:02 03:04:05"
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "JPEG", exif=exif_img.tobytes())
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("IMG_0001.jpg", photo.getvalue())
    import os
    fd = os.open(archive, os.O_RDONLY)
    try:
        media = parse_fd(fd, archive.stat().st_size, b"a.zip")
    finally:
        os.close(fd)
    assert media["mime"] == "application/zip" and "make" not in media and "capture_time" not in media
    found = exif.embedded_exif(photo.getvalue()[2:])  # the same bytes where a media format holds them
    assert found is not None and found[0]["make"] == "Canon"


def _riff(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def test_avi_headers_size_codec_duration_idit() -> None:
    from forensic_kit.media import riff

    avih = _riff(b"avih", struct.pack("<10I", 33366, 0, 0, 0, 300, 0, 1, 0, 640, 480) + b"\0" * 16)
    strh = _riff(b"strh", b"vidsXVID" + struct.pack("<IHHIIIII", 0, 0, 0, 0, 1001, 30000, 0, 299) + b"\0" * 20)
    hdrl = _riff(b"LIST", b"hdrl" + avih + _riff(b"LIST", b"strl" + strh))
    idit = _riff(b"IDIT", b"Mon Mar 10 15:04:43 2003\n\0")
    data = b"RIFF" + struct.pack("<I", 4 + len(hdrl) + len(idit)) + b"AVI " + hdrl + idit
    out, warnings = riff.avi_metadata(data)
    assert warnings == []
    assert out["video"] == {"width": 640, "height": 480, "display_width": 640, "display_height": 480, "rotation": 0,
                            "source": "avih", "codec": "XVID"}
    assert out["duration"] == round(299 * 1001 / 30000, 6)  # the video stream's length, as ExifTool
    assert out["capture_time"]["value"] == "2003-03-10T15:04:43" and out["capture_time"]["zone_assumed"] is True
    assert riff.idit_time(b"2009/10/27 12:14:34\0")["value"] == "2009-10-27T12:14:34"  # type: ignore[index]
    assert riff.idit_time(b"garbage") is None
    # cut anywhere: no exception, at most a warning
    for cut in range(12, len(data), 7):
        riff.avi_metadata(data[:cut])
    assert riff.avi_metadata(b"RIFF\xff\xff\xff\xffAVI " + b"LIST\xff\xff\xff\xffhdrl")[1][0]["reason"] == "no avih header in the first bytes"


def _jxl_header(width: int, height: int) -> bytes:
    fields = [(0, 1), (0, 2), (height - 1, 9), (0, 3), (0, 2), (width - 1, 9)]  # small=0, U32 selector 0
    bits, pos = 0, 0
    for value, n in fields:
        bits |= value << pos
        pos += n
    return b"\xff\x0a" + bits.to_bytes(10, "little")


@pytest.mark.parametrize("data,expected", [
    (b"8BPS\0\x01" + b"\0" * 6 + b"\0\x03" + struct.pack(">II", 45, 123) + b"\0\x08\0\x03", (123, 45, "PSD header")),
    (b"gimp xcf v011\0" + struct.pack(">II", 123, 45) + b"\0" * 8, (123, 45, "XCF header")),
    (b"\xff\x4f\xff\x51\0\x29\0\0" + struct.pack(">IIII", 133, 55, 10, 10) + b"\0" * 24, (123, 45, "JPEG 2000 SIZ")),
    (_jxl_header(200, 130), (200, 130, "JPEG XL SizeHeader")),
    (b"P6\n# a comment\n123 45\n255\n", (123, 45, "PNM header")),
    (b"\0\0\1\0\1\0\0\0", (256, 256, "ICO directory")),
    (b"\0MRM\0\0\x0a\x0c\0PRD\0\0\0\x18" + b"27200001" + struct.pack(">HHHH", 2456, 3272, 2448, 3264), (3264, 2448, "MRW PRD")),
])
def test_other_sizes_from_fixed_headers(data: bytes, expected: tuple[int, int, str]) -> None:
    assert dimensions.other_size(data) == expected


def test_other_sizes_made_by_pillow() -> None:
    assert dimensions.other_size(_img("PCX", (123, 45))) == (123, 45, "PCX header")
    assert dimensions.other_size(_img("PPM", (123, 45))) == (123, 45, "PNM header")
    assert dimensions.other_size(_img("ICO", (48, 32), sizes=[(48, 32)])) == (48, 32, "ICO directory")
    assert dimensions.other_size(b"\x0a\x05\x01\x08" + struct.pack("<HHHH", 5, 0, 2, 9)) is None  # xmax < xmin
    assert dimensions.other_size(b"8BPS" + b"\0" * 18) is None


def test_cr3_exif_from_cmt_boxes() -> None:
    ifd0 = Image.Exif()
    ifd0[0x010F], ifd0[0x0110] = "Canon", "Canon EOS R5"
    exif_ifd = Image.Exif()
    exif_ifd[0x9003], exif_ifd[0x9291], exif_ifd[0x9011] = "2024:05:06 07:08:09", "25", "+03:00"
    cmt1 = _atom(b"CMT1", ifd0.tobytes()[6:])  # tobytes() starts with Exif\0\0: the box holds the TIFF
    cmt2 = _atom(b"CMT2", exif_ifd.tobytes()[6:])
    uuid = _atom(b"uuid", bytes.fromhex("85c0b687820f11e08111f4ce462b6a48") + cmt1 + cmt2)
    data = _moov_file(b"")
    moov_at = data.index(b"moov") - 4
    moov = data[moov_at:]
    new_moov = struct.pack(">I", len(moov) + len(uuid)) + moov[4:] + uuid
    out, warnings = _video(data[:moov_at] + new_moov)
    assert warnings == []
    assert (out["kind"], out["make"], out["model"]) == ("image", "Canon", "Canon EOS R5")
    assert out["capture_time"]["value"] == "2024-05-06T07:08:09.25+03:00"
    # a damaged CMT2 is a warning, the rest still read
    bad = _atom(b"uuid", bytes.fromhex("85c0b687820f11e08111f4ce462b6a48") + cmt1 + _atom(b"CMT2", b"II*\0\xff\xff\xff\xff"))
    out, warnings = _video(data[:moov_at] + struct.pack(">I", len(moov) + len(bad)) + moov[4:] + bad)
    assert out["make"] == "Canon"


def test_phaseone_iiq_size_from_its_own_directory() -> None:
    """An IIQ's IFD0 may be a 1x1 placeholder: the size is in PhaseOne's directory (0x10C/0x10D)."""
    ifd0 = struct.pack("<H", 2) + struct.pack("<HHII", 0x100, 4, 1, 1) + struct.pack("<HHII", 0x101, 4, 1, 1) + b"\0" * 4
    entries = [(0x10F, 2, 4, 0), (0x108, 4, 4, 7372), (0x10C, 4, 4, 7320), (0x10D, 4, 4, 5484)]
    directory = struct.pack("<II", len(entries), 0) + b"".join(struct.pack("<IIII", *e) for e in entries)
    at = 64  # where the directory starts; the header holds it minus 8
    data = b"II*\0" + struct.pack("<I", 20) + b"IIII" + b"CwaR" + struct.pack("<I", at - 8) + ifd0
    data += b"\0" * (at - len(data)) + directory
    assert dimensions.image_size(data, "tiff") == (7320, 5484, "PhaseOne IIQ directory", 0)
    # a damaged directory (a width of 0, or entries past the end) falls back to the TIFF IFD0
    broken = data[:at] + struct.pack("<II", 40, 0) + directory[8:40]
    assert dimensions.image_size(broken, "tiff") == (1, 1, "TIFF IFD0", 0)


def test_pentax_udta_tags_give_the_make_with_its_source() -> None:
    tags = _atom(b"TAGS", b"PENTAX DIGITAL CAMERA\0\0\0" + b"\x01\x00" * 20)
    out, _warnings = _video(_moov_file(tags))
    assert out["make"] == "PENTAX DIGITAL CAMERA"
    assert out["parsers"]["make"] == "fkit-atoms 1 (udta/TAGS, Pentax maker data)"  # type: ignore[index]
    # a TAGS atom of another maker says nothing about the make
    out, _warnings = _video(_moov_file(_atom(b"TAGS", b"SOMEONE ELSE\0" + b"\0" * 20)))
    assert "make" not in out


def test_djvu_size_from_the_first_page_info_chunk() -> None:
    info = b"INFO" + struct.pack(">I", 10) + struct.pack(">HHBBHBB", 2550, 3300, 24, 0, 300, 22, 1)
    page = b"FORM" + struct.pack(">I", 4 + len(info)) + b"DJVU" + info
    bundled = b"AT&TFORM" + struct.pack(">I", 4 + 8 + len(page)) + b"DJVM" + b"DIRM" + struct.pack(">I", 0) + page
    assert dimensions.other_size(bundled) == (2550, 3300, "DjVu INFO")
    assert dimensions.other_size(bundled.replace(struct.pack(">HH", 2550, 3300), b"\0\0\0\0")) is None
