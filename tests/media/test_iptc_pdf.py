"""Photoshop image resources, IPTC capture times (JPEG APP13), a Photoshop PDF's own EXIF, the FLIR
and Casio QVCI records of JPEGs:
generated fixtures, and a PDF that merely shows a photo, which must not get the photo's camera."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

from PIL import Image

from forensic_kit.media import iptc, irb, pdf
from tests.conftest import fkit


def _block(rid: int, body: bytes, name: bytes = b"") -> bytes:
    pascal = bytes([len(name)]) + name
    pascal += b"\0" * (len(pascal) % 2)
    return b"8BIM" + struct.pack(">H", rid) + pascal + struct.pack(">I", len(body)) + body + b"\0" * (len(body) % 2)


def _iim(*sets: tuple[int, int, bytes]) -> bytes:
    return b"".join(b"\x1c" + bytes([r, n]) + struct.pack(">H", len(v)) + v for r, n, v in sets)


def _exif_tiff() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "FUJIFILM"
    exif[0x0110] = "FinePix2400Zoom"
    exif[0x0132] = "2005:07:18 14:30:45"
    raw = exif.tobytes()
    return raw[6:] if raw.startswith(b"Exif\0\0") else raw


def test_irb_walk_odd_sizes_names_and_damage() -> None:
    data = _block(0x03ED, b"abc", b"x") + _block(irb.IPTC, b"iptc!") + _block(0x0422, b"II*\0")
    assert [rid for rid, _ in irb.resources(data)] == [0x03ED, irb.IPTC, 0x0422]
    assert irb.resource(data, irb.IPTC) == b"iptc!"
    # a block claiming more than there is ends the walk: what came before is kept, nothing is invented
    cut = data[:-3]
    assert [rid for rid, _ in irb.resources(cut)] == [0x03ED, irb.IPTC]
    assert list(irb.resources(b"8BIM\x04\x04\0\0\xff\xff\xff\xff")) == []


def test_iptc_date_and_time_make_one_capture_time() -> None:
    block = iptc.iptc_time(_iim((2, 55, b"20061029"), (2, 60, b"062751-0500")))
    assert block is not None
    assert (block["value"], block["utc"], block["source"]) == ("2006-10-29T06:27:51-05:00", "2006-10-29T11:27:51Z",
                                                                "IPTC:DateCreated+TimeCreated")
    no_zone = iptc.iptc_time(_iim((2, 55, b"20061029"), (2, 60, b"062751")))
    assert no_zone is not None and no_zone["zone_assumed"] is True and no_zone["value"] == "2006-10-29T06:27:51"
    assert iptc.iptc_time(_iim((2, 55, b"20040226"))) is None  # a date alone is not a capture time
    assert iptc.iptc_time(_iim((2, 55, b"20061399"), (2, 60, b"062751"))) is None  # impossible date
    assert iptc.iptc_time(b"\x1c\x02\x37\x80\x04") is None  # extended length: stops, no guess


def test_jpeg_iptc_capture_time_after_exif_and_xmp(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    jpeg = buf.getvalue()
    irbdata = b"Photoshop 3.0\0" + _block(irb.IPTC, _iim((2, 55, b"20061029"), (2, 60, b"062751-0500")))
    app13 = b"\xff\xed" + struct.pack(">H", len(irbdata) + 2) + irbdata
    f = tmp_path / "iptc.jpg"
    f.write_bytes(jpeg[:2] + app13 + jpeg[2:])
    m = json.loads(fkit("meta", f).stdout)["media"]
    assert m["capture_time"]["value"] == "2006-10-29T06:27:51-05:00"
    assert m["capture_time"]["source"] == "IPTC:DateCreated+TimeCreated"
    # with an EXIF DateTimeOriginal, EXIF wins; the IPTC time stays in times
    exif = Image.Exif()
    exif[0x8769] = {0x9003: "2020:01:02 03:04:05"}
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=exif.tobytes())
    both = buf.getvalue()
    g = tmp_path / "both.jpg"
    g.write_bytes(both[:2] + app13 + both[2:])
    m = json.loads(fkit("meta", g).stdout)["media"]
    assert m["capture_time"]["source"] == "EXIF:DateTimeOriginal"
    assert m["times"]["iptc_created"]["value"] == "2006-10-29T06:27:51-05:00"


def _photoshop_pdf(resources: bytes, compress: bool, creator: str = "Adobe Photoshop 7.0") -> bytes:
    """A one-page PDF as Photoshop writes it: the image resources under the page's PieceInfo."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(8, 8))
    stream = pikepdf.Stream(pdf, resources)
    pdf.pages[0].obj.PieceInfo = pikepdf.Dictionary(
        AdobePhotoshop=pikepdf.Dictionary(Private=pikepdf.Dictionary(ImageResources=pdf.make_indirect(stream))))
    pdf.docinfo["/Creator"] = creator
    out = io.BytesIO()
    pdf.save(out, compress_streams=compress, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def test_photoshop_pdf_exif_and_iptc(tmp_path: Path) -> None:
    resources = _block(irb.IPTC, _iim((2, 55, b"20040226"))) + _block(irb.EXIF, _exif_tiff())
    for compress in (False, True):
        f = tmp_path / f"ps{compress}.pdf"
        f.write_bytes(_photoshop_pdf(resources, compress))
        assert (resources in f.read_bytes()) is not compress  # the stream is really (not) deflated
        m = json.loads(fkit("meta", f).stdout)["media"]
        assert (m["make"], m["model"]) == ("FUJIFILM", "FinePix2400Zoom"), compress
        assert m["capture_time"]["value"] == "2005-07-18T14:30:45"
        assert m["exif_in"].startswith("PDF page 1, object ") and m["exif_in"].endswith(
            " (/PieceInfo /AdobePhotoshop /ImageResources), resource 0x0422")
        assert m["kind"] == "other"
    # a damaged copy (cut in the middle) gives nothing and no error
    data = _photoshop_pdf(resources, True)
    assert pdf.photoshop_metadata(data[: len(data) // 3]) == {}


def test_pdf_showing_a_photo_does_not_get_its_camera(tmp_path: Path) -> None:
    """A JPEG with EXIF placed as an image XObject is a photo in the document, not the document's
    EXIF: even in a PDF that names Photoshop (so it is opened), nothing of the photo is reported."""
    import pikepdf

    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0132] = "2020:01:02 03:04:05"
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=exif.tobytes())
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(8, 8))
    image = pikepdf.Stream(doc, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=8,
                           Height=8, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    doc.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=doc.make_indirect(image)))
    doc.docinfo["/Creator"] = "Adobe Photoshop CS6"
    f = tmp_path / "doc.pdf"
    doc.save(f, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    assert b"Canon" in f.read_bytes()
    m = json.loads(fkit("meta", f).stdout)["media"]
    assert m["mime"] == "application/pdf" and "make" not in m and "capture_time" not in m
    # a PieceInfo without image resources, or resources that are not a stream: nothing
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.pages[0].obj.PieceInfo = pikepdf.Dictionary(AdobePhotoshop=pikepdf.Dictionary(Private=pikepdf.Dictionary(
        ImageResources=pikepdf.String("not a stream"))))
    doc.docinfo["/Creator"] = "Adobe Photoshop"
    out = io.BytesIO()
    doc.save(out)
    assert pdf.photoshop_metadata(out.getvalue()) == {}
    assert not pdf.worth_opening(b"%PDF-1.7 a report written by a word processor")


def _jpeg_with(*segments: tuple[int, bytes], exif_original: str | None = None) -> bytes:
    buf = io.BytesIO()
    if exif_original:
        exif = Image.Exif()
        exif[0x8769] = {0x9003: exif_original}
        Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=exif.tobytes())
    else:
        Image.new("RGB", (8, 8)).save(buf, "JPEG")
    jpeg = buf.getvalue()
    extra = b"".join(bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body for marker, body in segments)
    return jpeg[:2] + extra + jpeg[2:]


def _flir_chunks(seconds: int, millis: int, west: int, parts: int = 2) -> list[tuple[int, bytes]]:
    """FLIR APP1 chunks holding a big-endian FFF with a little-endian CameraInfo record (as cameras write)."""
    info = bytearray(0x400)
    info[0:2] = struct.pack("<H", 2)
    info[0x384:0x38E] = struct.pack("<IIh", seconds, millis, west)
    header = bytearray(0x40)
    header[0:4] = b"FFF\0"
    header[0x14:0x20] = struct.pack(">III", 100, 0x40, 1)
    entry = struct.pack(">HHIIII", 0x20, 1, 0x64, 1, 0x60, len(info)) + b"\0" * 12
    fff = bytes(header) + entry + bytes(info)
    size = -(-len(fff) // parts)
    return [(0xE1, b"FLIR\0\x01" + bytes([i, parts - 1]) + fff[i * size:(i + 1) * size]) for i in range(parts)]


def test_flir_record_time_adds_milliseconds_and_zone_to_the_same_second(tmp_path: Path) -> None:
    # FLIR.jpg's values: 2012-02-11 13:17:08 UTC, 253 ms, 60 minutes east (int16 -60)
    chunks = _flir_chunks(1328966228, 253, -60)
    f = tmp_path / "flir.jpg"
    f.write_bytes(_jpeg_with(*chunks, exif_original="2012:02:11 14:17:08"))
    m = json.loads(fkit("meta", f).stdout)["media"]
    assert m["capture_time"]["value"] == "2012-02-11T14:17:08.253+01:00"
    assert m["capture_time"]["source"] == "FLIR:DateTimeOriginal"
    # EXIF and the FLIR record disagree: EXIF stays the capture time, the FLIR time is kept beside it
    g = tmp_path / "flir-other.jpg"
    g.write_bytes(_jpeg_with(*chunks, exif_original="2015:01:01 00:00:00"))
    m = json.loads(fkit("meta", g).stdout)["media"]
    assert m["capture_time"]["source"] == "EXIF:DateTimeOriginal"
    assert m["times"]["flir_original"]["value"] == "2012-02-11T14:17:08.253+01:00"
    # a missing chunk, or an impossible zone: no FLIR time
    h = tmp_path / "flir-cut.jpg"
    h.write_bytes(_jpeg_with(chunks[0]))
    assert "flir_original" not in (json.loads(fkit("meta", h).stdout)["media"].get("times") or {})
    from forensic_kit.media import flir

    fff = b"".join(body[8:] for _m, body in _flir_chunks(1328966228, 253, 20 * 60))
    assert flir.flir_time(fff) is None


def test_casio_qvci_time_when_there_is_no_exif(tmp_path: Path) -> None:
    body = bytearray(b"QVCI\0" + b"\0" * 0x90)
    body[0x4D:0x4D + 20] = b"1998.10.24.12.08.57\0"
    f = tmp_path / "qv.jpg"
    f.write_bytes(_jpeg_with((0xE1, bytes(body))))
    m = json.loads(fkit("meta", f).stdout)["media"]
    assert (m["capture_time"]["value"], m["capture_time"]["source"]) == ("1998-10-24T12:08:57", "Casio QVCI:DateTimeOriginal")
    body[0x4D:0x4D + 20] = b"1998.13.24.12.08.57\0"  # month 13: no time rather than a wrong one
    f.write_bytes(_jpeg_with((0xE1, bytes(body))))
    assert "capture_time" not in json.loads(fkit("meta", f).stdout)["media"]
