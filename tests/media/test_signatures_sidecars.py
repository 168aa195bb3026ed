"""Formats named by their own signatures (media/signatures.py), XMP sidecars and ExifTool RDF dumps
(media/xmpsidecar.py), BigTIFF sizes: generated fixtures, and the attempts to make them lie."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from forensic_kit.media import dimensions, signatures, xmpsidecar
from tests.conftest import fkit


def _tiff(tags: list[tuple[int, int, int, int]], order: str = "<") -> bytes:
    """A classic TIFF with one IFD of SHORT/LONG tags (values inline)."""
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(order + "I", 8)
    ifd = struct.pack(order + "H", len(tags))
    for tag, typ, n, value in tags:
        ifd += struct.pack(order + "HHI", tag, typ, n) + (struct.pack(order + "HH", value, 0) if typ == 3 else struct.pack(order + "I", value))
    return head + ifd + b"\0\0\0\0"


def _bigtiff(width: int, height: int) -> bytes:
    head = b"II+\0" + struct.pack("<HHQ", 8, 0, 16)
    ifd = struct.pack("<Q", 2)
    ifd += struct.pack("<HHQ", 0x100, 4, 1) + struct.pack("<Q", width)  # LONG, inline in the 8-byte field
    ifd += struct.pack("<HHQ", 0x101, 3, 1) + struct.pack("<HHHH", height, 0, 0, 0)
    return head + ifd + b"\0" * 8


def test_bigtiff_size_and_mime() -> None:
    data = _bigtiff(7000, 5000)
    assert dimensions.tiff_size(data) == (7000, 5000, "IFD0")
    assert signatures.refine("image/tiff", "TIFF image data", data, "btf")[0] == "image/x-tiff-big"
    # a BigTIFF header whose offset size is not 8 is not BigTIFF: no size rather than a wrong one
    bad = data[:4] + struct.pack("<HH", 4, 0) + data[8:]
    assert dimensions.tiff_size(bad) is None
    # an entry count far beyond the data reads nothing past the end
    assert dimensions.tiff_size(data[:16] + struct.pack("<Q", 10 ** 12)) is None


def test_dng_is_named_by_its_dngversion_tag_not_by_the_extension() -> None:
    dng = _tiff([(0x100, 4, 1, 10), (0x101, 4, 1, 10), (0xC612, 1, 4, 0x00000401)])
    plain = _tiff([(0x100, 4, 1, 10), (0x101, 4, 1, 10)])
    assert signatures.refine("image/tiff", "", dng, "tif")[0] == "image/x-adobe-dng"
    assert signatures.refine("image/tiff", "", plain, "dng")[0] == "image/tiff"  # a .dng without DNGVersion: TIFF
    assert signatures.refine("image/tiff", "", plain, "nef")[0] == "image/x-nikon-nef"
    assert signatures.refine("image/tiff", "", plain, "tif")[0] == "image/tiff"
    # the extension names a dialect only of TIFF content, never of what libmagic called something else
    assert signatures.refine("application/zip", "", b"PK\3\4", "nef")[0] == "application/zip"


@pytest.mark.parametrize(("head", "ext", "mime"), [
    (b"FPF Public Image Format\0" + b"\0" * 40, "fpf", "image/x-flir-fpf"),
    (b"\x89LFP\r\n\x1a\n" + b"\0" * 8, "lfp", "image/x-lytro-lfp"),
    (b"ZISRAWFILE" + b"\0" * 22, "czi", "image/x-zeiss-czi"),
    (b"FLIF41" + b"\0" * 8, "flif", "image/flif"),
    (b"\x02dss" + b"\0" * 8, "dss", "audio/x-dss"),
    (b"\0\0\0\x10RED2" + b"\0" * 8, "r3d", "video/x-red-r3d"),
    (b"Paint Shop Pro Image File\n\x1a\0\0\0\0\0" + b"\0" * 8, "psp", "image/x-paintshoppro"),
    (b"\0" * 2048 + b"PCD_IPI\0", "pcd", "image/x-photo-cd"),
    (b"~\x10\x04\xfe0MIE\0\0\0\0~\x20\x05\x040TypeJPEG~", "mie", "image/x-mie-jpeg"),
    (b"\0" * 25 + b"ARECOYK", "raw", "image/x-raw"),
    # too weak alone: only with the format's own extension
    (b"\0" * 10 + b"\x00\x11\x02\xff", "pict", "image/pict"),
    (b"\0" * 10 + b"\x00\x11\x02\xff", "bin", "application/octet-stream"),
])
def test_undecided_binary_signatures(head: bytes, ext: str, mime: str) -> None:
    assert signatures.refine("application/octet-stream", "data", head, ext)[0] == mime


def test_text_headed_formats_and_what_stays_text() -> None:
    assert signatures.refine("text/plain", "", b"PF\n512 768\n-1.000000\n", "pfm")[0] == "image/x-pfm"
    assert signatures.refine("text/plain", "", b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n", "hdr")[0] == "image/vnd.radiance"
    assert signatures.refine("text/plain", "", b"rtsp://media.example/a.rm\n", "ram")[0] == "audio/x-pn-realaudio"
    # a URL in a text file is a RealAudio metafile only under its extension; a specific answer is never replaced
    assert signatures.refine("text/plain", "", b"http://example.org/\n", "txt")[0] == "text/plain"
    assert signatures.refine("image/png", "", b"#?RADIANCE\n", "hdr")[0] == "image/png"


_SIDECAR = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="IMG_0001.JPG" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
  xmlns:exif="http://ns.adobe.com/exif/1.0/" tiff:Make="Canon" tiff:ImageWidth="4000" tiff:ImageLength="3000"
  exif:DateTimeOriginal="2021-04-11T15:47:53.054-05:00">
<tiff:Model>Canon EOS 5D</tiff:Model>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""

_DUMP = b"""<?xml version='1.0' encoding='UTF-8'?>
<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
<rdf:Description rdf:about='t/images/Nikon.jpg'
  xmlns:et='http://ns.exiftool.org/1.0/' xmlns:IFD0='http://ns.exiftool.org/EXIF/IFD0/1.0/'
  xmlns:ExifIFD='http://ns.exiftool.org/EXIF/ExifIFD/1.0/' xmlns:File='http://ns.exiftool.org/File/1.0/'>
 <File:ImageWidth et:id='ImageWidth'>8</File:ImageWidth>
 <IFD0:Make et:id='Make'>NIKON</IFD0:Make>
 <IFD0:Model et:id='Model'>E775</IFD0:Model>
 <ExifIFD:DateTimeOriginal et:id='DateTimeOriginal'>2001:08:01 12:57:23</ExifIFD:DateTimeOriginal>
 <ExifIFD:OffsetTimeOriginal et:id='OffsetTimeOriginal'>+02:00</ExifIFD:OffsetTimeOriginal>
</rdf:Description></rdf:RDF>"""


def test_xmp_sidecar_describes_another_image(tmp_path: Path) -> None:
    f = tmp_path / "IMG_0001.xmp"
    f.write_bytes(_SIDECAR)
    proc = fkit("meta", f)
    assert proc.returncode == 0, proc.stderr.decode()
    m = json.loads(proc.stdout)["media"]
    assert (m["make"], m["model"]) == ("Canon", "Canon EOS 5D")
    assert (m["image"]["width"], m["image"]["height"]) == (4000, 3000)
    assert m["image"]["source"] == "XMP sidecar: tiff:ImageWidth/ImageLength"
    assert m["capture_time"]["value"] == "2021-04-11T15:47:53.054-05:00"
    assert m["describes"] == {"format": "XMP sidecar", "about": "IMG_0001.JPG",
                              "note": "these values describe the image this file goes with, not this file"}
    assert m["kind"] == "other"  # a description, not a photo


def test_exiftool_rdf_dump_fields_with_its_source() -> None:
    out = xmpsidecar.description_fields(_DUMP)
    assert (out["make"], out["model"]) == ("NIKON", "E775")
    assert out["capture_time"]["value"] == "2001-08-01T12:57:23+02:00"
    assert out["capture_time"]["source"] == "ExifTool RDF/XML dump: DateTimeOriginal"
    assert "image" not in out  # File:ImageWidth is the dumped file's, and ExifTool groups it as XML, not EXIF
    assert out["describes"]["about"] == "t/images/Nikon.jpg"


def test_what_is_not_a_description() -> None:
    # tiff:Make text in a file that is not XML (a log, a script) is nobody's camera
    log = b"copied tiff:Make=\"Canon\" from the card\n" + _SIDECAR
    assert not xmpsidecar.is_description(log)
    # an XMP packet whose tiff prefix is bound to no TIFF namespace says nothing about a camera
    odd = _SIDECAR.replace(b"http://ns.adobe.com/tiff/1.0/", b"http://example.org/other/")
    assert xmpsidecar.description_fields(odd) == {}
    # sizes that are not positive integers are left out, not guessed
    zero = _SIDECAR.replace(b'tiff:ImageWidth="4000"', b'tiff:ImageWidth="0"')
    assert "image" not in xmpsidecar.description_fields(zero)
    assert xmpsidecar.description_fields(b"<?xml version='1.0'?><rdf:RDF></rdf:RDF>") == {}
