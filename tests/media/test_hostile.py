"""Bad input: truncated JPEGs, fuzzed EXIF (IFD loops, huge counts, offsets past the end),
zero bytes, a 4 GB sparse file, a parser that hangs or dies. No traceback, no hang, a reason."""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from forensic_kit.filehash import WorkItem
from forensic_kit.media import exif, runner, video
from tests.conftest import TESTDATA, fkit, testdata


def _tiff(entries: list[tuple[int, int, int, bytes]], next_ifd: int = 0, extra: bytes = b"") -> bytes:
    """A little-endian TIFF with one IFD at offset 8: entries are (tag, type, count, 4-byte value)."""
    body = struct.pack("<2sHI", b"II", 42, 8) + struct.pack("<H", len(entries))
    for tag, typ, count, val in entries:
        body += struct.pack("<HHI", tag, typ, count) + val.ljust(4, b"\0")[:4]
    return body + struct.pack("<I", next_ifd) + extra


def _jpeg_with_exif(tiff: bytes) -> bytes:
    app1 = b"Exif\0\0" + tiff
    return b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"


def _meta(*paths: Path, args: tuple[str, ...] = ()) -> tuple[int, list[dict[str, Any]], str]:
    proc = fkit("meta", *args, *paths)
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    return proc.returncode, recs, proc.stderr.decode()


def test_hostile_files_give_reasons_not_tracebacks(tmp_path: Path) -> None:
    files = {
        # IFD0's next-IFD pointer points at itself: a loop
        "ifd_loop.jpg": _jpeg_with_exif(_tiff([(0x010F, 2, 4, b"Make")], next_ifd=8)),
        # Make with a count of 2^32-1 bytes at an offset far past the end
        "huge_count.jpg": _jpeg_with_exif(_tiff([(0x010F, 2, 0xFFFFFFFF, struct.pack("<I", 0x7FFFFFF0))])),
        # the Exif sub-IFD and GPS IFD pointers point past the end of the block
        "offsets_past_end.jpg": _jpeg_with_exif(_tiff([(0x8769, 4, 1, struct.pack("<I", 0xFFFFFF00)),
                                                        (0x8825, 4, 1, struct.pack("<I", 0x10000))])),
        # 65535 entries announced, 2 present
        "entry_count.jpg": _jpeg_with_exif(struct.pack("<2sHIH", b"II", 42, 8, 0xFFFF) + b"\x01" * 24),
        "zero.jpg": b"",
        # an MP4 whose moov claims 4 GiB, and one with a zero-size atom inside moov
        "huge_moov.mp4": b"\0\0\0\x14ftypisom\0\0\0\0isom" + struct.pack(">I4sQ", 1, b"moov", 1 << 32),
        "bad_atoms.mp4": b"\0\0\0\x14ftypisom\0\0\0\0isom" + struct.pack(">I4s", 24, b"moov")
                         + struct.pack(">I4s", 0xFFFF, b"trak") + b"\0" * 8,
        "heic_garbage.heic": b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + os.urandom(512),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    real = testdata("photos", "gps", "DSCN0010.jpg").read_bytes()
    for cut in (2, 300, 4000, len(real) // 2):
        (tmp_path / f"truncated_{cut}.jpg").write_bytes(real[:cut])
    sparse = tmp_path / "sparse_4g.jpg"
    with open(sparse, "wb") as fh:
        fh.truncate(4 * 1024**3)  # 4 GiB of holes, no disk used
    started = time.monotonic()
    code, recs, err = _meta(tmp_path)
    assert time.monotonic() - started < 60
    assert code == 0, err
    assert "Traceback" not in err
    by_name = {os.path.basename(r["path"]): r["media"] for r in recs}
    assert len(by_name) == len(files) + 5
    assert by_name["zero.jpg"]["kind"] == "empty"
    assert by_name["zero.jpg"]["warnings"][0]["reason"] == "empty file (0 bytes): no metadata to read"
    assert by_name["sparse_4g.jpg"]["mime"] == "application/octet-stream"
    assert by_name["sparse_4g.jpg"]["extension_mismatch"] is None  # libmagic cannot tell: no claim
    assert by_name["huge_moov.mp4"]["warnings"][0]["reason"].startswith("moov atom of 4294967296 bytes is over")
    for name in ("ifd_loop.jpg", "huge_count.jpg", "offsets_past_end.jpg", "entry_count.jpg"):
        media = by_name[name]
        assert media["kind"] == "image"
        assert "errors" not in media
    # the IFD loop is read once: Make is there, nothing repeats forever
    assert by_name["ifd_loop.jpg"]["make"] == "Make"
    assert "make" not in by_name["huge_count.jpg"]
    assert by_name["truncated_4000.jpg"]["make"] == "NIKON"  # the EXIF block ends before the cut


def test_unreadable_file_is_exit_3(tmp_path: Path) -> None:
    ok = tmp_path / "ok.jpg"
    ok.write_bytes(_jpeg_with_exif(_tiff([(0x010F, 2, 4, b"Make")])))
    gone = {"schema": "fkit.record/1", "kind": "file", "path": str(tmp_path / "gone.jpg"), "exhibit": "EX-01",
            "custom": {"kept": [1, 2]}}
    upstream = {"schema": "fkit.record/1", "kind": "error", "path": str(ok), "error": {"stage": "open", "reason": "x"}}
    stdin = (json.dumps(gone) + "\n" + str(ok) + "\n" + json.dumps(upstream) + "\n").encode()
    proc = fkit("meta", "-", input=stdin)
    assert proc.returncode == 3, proc.stderr
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert recs[2] == upstream  # an earlier step's error record passes on untouched
    assert recs[0]["custom"] == {"kept": [1, 2]} and recs[0]["exhibit"] == "EX-01"
    assert recs[0]["errors"] == [{"stage": "stat", "reason": "No such file or directory", "errno": "ENOENT", "parser": "meta"}]
    assert recs[0]["media"] == {"unreadable": True}
    assert recs[1]["media"]["make"] == "Make"
    assert "2 unreadable" in proc.stderr.decode()
    if os.geteuid() != 0:
        locked = tmp_path / "locked.jpg"
        locked.write_bytes(b"\xff\xd8\xff")
        locked.chmod(0)
        code, recs, _err = _meta(locked)
        assert code == 3
        assert recs[0]["kind"] == "error"
        assert recs[0]["error"] == {"stage": "open", "reason": "Permission denied", "errno": "EACCES"}


def _items(tmp_path: Path, n: int) -> list[WorkItem]:
    out = []
    for i in range(n):
        p = tmp_path / f"f{i}.jpg"
        p.write_bytes(b"\xff\xd8\xff\xe0" + bytes([i]))
        out.append(WorkItem(os.fsencode(p), os.fsencode(tmp_path)))
    return out


def test_hanging_parser_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_parse = runner.parse_fd

    def slow(fd: int, size: int, name: bytes) -> dict[str, Any]:
        if name.endswith(b"f1.jpg"):
            time.sleep(30)
        return real_parse(fd, size, name)

    monkeypatch.setattr(runner, "parse_fd", slow)  # workers are forked: they see the patch
    started = time.monotonic()
    recs = list(runner.media_records(_items(tmp_path, 3), runner.MetaOptions(timeout_s=0.5), workers=1))
    assert time.monotonic() - started < 10
    assert [r["media"].get("errors") for r in recs] == [
        None, [{"parser": "meta", "stage": "parse", "reason": "gave up after 0.5 s (time budget per file)"}], None]
    assert recs[0]["media"]["mime"] == "image/jpeg"


def test_dying_parser_breaks_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_parse = runner.parse_fd

    def crash(fd: int, size: int, name: bytes) -> dict[str, Any]:
        if name.endswith(b"f40.jpg"):
            os._exit(139)  # what a segfault in a native parser looks like to the pool
        return real_parse(fd, size, name)

    monkeypatch.setattr(runner, "parse_fd", crash)
    recs = list(runner.media_records(_items(tmp_path, 80), runner.MetaOptions(timeout_s=5), workers=2))
    assert [os.path.basename(r["path"]) for r in recs] == [f"f{i}.jpg" for i in range(80)]
    died = [r for r in recs if r["media"].get("errors")]
    assert [os.path.basename(r["path"]) for r in died] == ["f40.jpg"]
    assert died[0]["media"]["errors"][0]["reason"].startswith("the parser process died")


_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # no timing luck: a hang is caught by the time budget tests


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # each may walk 65,535 entries
@given(st.binary(max_size=600))
def test_random_exif_blocks_never_raise(body: bytes) -> None:
    for data in (_jpeg_with_exif(b"II*\0\x08\0\0\0" + body), _jpeg_with_exif(b"MM\0*\0\0\0\x08" + body), body):
        fields, warnings = exif.image_metadata(data, "jpeg")
        assert isinstance(fields["thumbnail"]["present"], bool)
        assert all(set(w) == {"parser", "stage", "reason"} for w in warnings)


@_FUZZ
@given(st.binary(max_size=600), st.sampled_from([b"heic", b"mif1", b"avif"]))
def test_random_heif_never_raises(body: bytes, brand: bytes) -> None:
    data = b"\0\0\0\x18ftyp" + brand + b"\0\0\0\0mif1heic" + body
    fields, _warnings = exif.image_metadata(data, "heif")
    assert "exif_present" in fields


@_FUZZ
@given(st.binary(max_size=800))
def test_random_mp4_never_raises(body: bytes) -> None:
    data = b"\0\0\0\x14ftypisom\0\0\0\0isom" + struct.pack(">I4s", len(body) + 8, b"moov") + body
    import io

    def read(off: int, n: int) -> bytes:
        return data[off:off + n]

    out, warnings = video.video_metadata(read, len(data), lambda: io.BytesIO(data))  # type: ignore[arg-type,return-value]
    assert out["kind"] in ("video", "audio")
    assert all(set(w) == {"parser", "stage", "reason"} for w in warnings)


_REAL = TESTDATA / "photos" / "gps" / "DSCN0010.jpg"


@_FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=12000), st.integers(min_value=0, max_value=255)),
                min_size=1, max_size=40))
def test_mutated_real_exif_never_raises(flips: list[tuple[int, int]]) -> None:
    """Random byte changes inside a real camera's EXIF block (IFD counts, offsets, types)."""
    if not _REAL.exists():
        pytest.skip("shared test data not available")
    data = bytearray(_REAL.read_bytes()[:16384])
    for pos, val in flips:
        data[pos] = val
    fields, warnings = exif.image_metadata(bytes(data), "jpeg")
    assert isinstance(fields["exif_present"], bool)
    assert all(set(w) == {"parser", "stage", "reason"} for w in warnings)
    gps = fields.get("gps") or {}
    if "latitude" in gps:
        assert -90 <= gps["latitude"] <= 90 and -180 <= gps["longitude"] <= 180


# Real files that exercise the newer readers: FLIR, IPTC, QVCI, CIFF records in JPEG; a CRW raw file;
# a Photoshop PDF; an XMP
# sidecar and an ExifTool RDF dump; BigTIFF, PhaseOne IIQ and DjVu sizes; formats named by signature.
_NEWER = ("FLIR.jpg", "PhotoMechanic.jpg", "CasioQVCI.jpg", "ExifTool.jpg", "CanonRaw.crw", "PDF.pdf", "XMP.xmp",
          "XMP.xml", "BigTIFF.btf",
          "PhaseOne.iiq", "DjVu.djvu", "MIE.mie", "MRC.mrc", "PFM.pfm")


@_FUZZ
@given(st.sampled_from(_NEWER),
       st.lists(st.tuples(st.integers(min_value=0, max_value=12000), st.integers(min_value=0, max_value=255)),
                min_size=1, max_size=40),
       st.integers(min_value=0, max_value=12000))
def test_mutated_newer_formats_never_raise(name: str, flips: list[tuple[int, int]], cut: int) -> None:
    """Random byte changes and truncation in real files, through ``parse_fd`` as ``fkit meta`` runs it."""
    import tempfile

    src = TESTDATA / "corpus" / "photos" / "exiftool" / name
    if not src.exists():
        pytest.skip("shared test data not available")
    data = bytearray(src.read_bytes()[:16384])
    for pos, val in flips:
        if pos < len(data):
            data[pos] = val
    body = bytes(data[:cut] if cut and cut < len(data) else data)
    with tempfile.TemporaryFile() as fh:
        fh.write(body)
        fh.flush()
        media = runner.parse_fd(fh.fileno(), len(body), name.encode())
    assert "errors" not in media
    assert all(set(w) == {"parser", "stage", "reason"} for w in media.get("warnings", []))
    cap = media.get("capture_time")
    assert cap is None or isinstance(cap["value"], str)


@_FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["application/octet-stream", "text/plain", "image/tiff", "image/jpeg"]),
       st.sampled_from([None, "pict", "pmp", "ram", "nef", "dng", "jps", "btf"]))
def test_random_bytes_through_signatures_pdf_sidecar_never_raise(body: bytes, mime: str, ext: str | None) -> None:
    from forensic_kit.media import dimensions, flir, iptc, pdf, qvci, signatures, xmpsidecar

    assert isinstance(signatures.refine(mime, "", body, ext)[0], str)
    for prefix in (b"", b"II+\0\x08\0\0\0\x10\0\0\0\0\0\0\0", b"II*\0\x08\0\0\0IIII", b"AT&TFORM\0\0\0\0DJVM"):
        dimensions.image_size(prefix + body, "tiff")
        dimensions.other_size(prefix + body)
    pdf.photoshop_metadata(b"%PDF-1.3\n<< /AdobePhotoshop << /ImageResources 8 0 R >> >>\n8 0 obj\n" + body)
    xmpsidecar.description_fields(b"<?xpacket begin='' id=''?><x:xmpmeta>" + body)
    iptc.iptc_time(body)
    flir.flir_time(b"FFF\0" + body)
    jpeg = b"\xff\xd8" + body
    iptc.jpeg_iptc_time(jpeg, len(jpeg))
    qvci.qvci_time(jpeg, len(jpeg))
    flir.fff_from_jpeg(jpeg, len(jpeg))
