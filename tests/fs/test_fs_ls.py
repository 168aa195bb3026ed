"""``fkit fs ls`` / ``fkit fs cat`` against The Sleuth Kit (fls, icat) and the shared oracles."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import fkit, testdata

DISK = ("ext2.E01", "ext2.split.E01", "ext2.splitraw.000", "ímynd.dd")

needs_tsk = pytest.mark.skipif(shutil.which("fls") is None, reason="The Sleuth Kit (fls) not installed")


def _records(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("name", DISK)
def test_bodyfile_matches_fls_oracle(name: str) -> None:
    image = testdata("disk", name)
    oracle = testdata("disk", name + ".bodyfile.txt").read_bytes()
    r = fkit("fs", "ls", image, "--format", "bodyfile")
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle


# The FAT32 (fatcat) images are compared with fls in tests/fs/test_fls_oracles.py, with every other
# public image: fls 4.11 drops a second of FAT's 10 ms field at exactly 100 (a named, pinned bug).


@needs_tsk
def test_bodyfile_matches_fls_on_ntfs_partition(tmp_path: Path) -> None:
    gz = testdata("disk", "ntfs", "ntfs-lastaccess.raw.gz")
    oracle = testdata("disk", "ntfs", "ntfs-lastaccess.raw.p128.bodyfile.txt").read_bytes()
    image = tmp_path / "ntfs.raw"
    with gzip.open(gz) as src, open(image, "wb") as dst:
        shutil.copyfileobj(src, dst)
    r = fkit("fs", "ls", image, "-f", "bodyfile", "--offset", "128")
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle
    assert b"($FILE_NAME)" in r.stdout
    # without --offset fkit finds the partition itself (mmls), with the same result
    assert fkit("fs", "ls", image, "-f", "bodyfile").stdout == oracle
    recs = _records(fkit("fs", "ls", image, "-f", "jsonl").stdout)
    parts = [r for r in recs if r["kind"] == "fs.partition"]
    assert [(p["start"], p["end"], p["length"], p["description"]) for p in parts] == [
        (0, 0, 1, "Primary Table (#0)"), (0, 127, 128, "Unallocated"),
        (128, 518271, 518144, "NTFS / exFAT (0x07)"), (518272, 524287, 6016, "Unallocated")]
    entries = [r for r in recs if r["kind"] == "fs.entry"]
    assert all(e["partition_offset"] == 65536 and e["fs"] == "ntfs" for e in entries)
    # NTFS keeps 100 ns precision: the record shows sub-second digits
    assert any(e["times"]["modified"] and not e["times"]["modified"].endswith(":00Z")
               and "." in e["times"]["modified"] for e in entries)


def _mke2fs_image(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    (tree / "docs").mkdir(parents=True)
    (tree / "docs" / "keep.txt").write_bytes(b"keep me\n")
    (tree / "docs" / "gone.txt").write_bytes(b"delete me\n" * 100)
    (tree / "تقرير.txt").write_text("عربي\n", encoding="utf-8")
    (tree / "pipe|and\ttab.txt").write_bytes(b"odd name\n")
    (tree / "link").symlink_to("docs/keep.txt")
    image = tmp_path / "ext4.img"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(tree), "-E", "root_owner=0:0", str(image), "4M"],
                   check=True, capture_output=True, env={"E2FSPROGS_FAKE_TIME": "1700000000", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    subprocess.run(["debugfs", "-w", "-R", "rm /docs/gone.txt", str(image)], check=True, capture_output=True)
    return image


@needs_tsk
def test_generated_ext4_with_deleted_file_matches_fls(tmp_path: Path) -> None:
    image = _mke2fs_image(tmp_path)
    fls = subprocess.run(["fls", "-r", "-m", "/", "-p", str(image)], check=True, capture_output=True).stdout
    assert b"gone.txt (deleted)" in fls
    r = fkit("fs", "ls", image, "--format", "bodyfile")
    assert r.returncode == 0, r.stderr
    assert r.stdout == fls
    recs = _records(fkit("fs", "ls", image, "--deleted").stdout)
    deleted = [e for e in recs if e["kind"] == "fs.entry"]
    assert [e["path"] for e in deleted] == ["/docs/gone.txt"]
    assert deleted[0]["deleted"] is True and deleted[0]["allocated"] is False
    everything = {e["path"]: e for e in _records(fkit("fs", "ls", image).stdout) if e["kind"] == "fs.entry"}
    keep = everything["/docs/keep.txt"]
    assert keep["size"] == 8 and keep["type"] == "file" and keep["deleted"] is False
    # ext4 has nanoseconds and a birth time
    assert keep["times"]["born"] is not None and keep["times"]["modified"].startswith("20")
    assert "/تقرير.txt" in everything


@needs_tsk
def test_generated_fat_with_deleted_file_matches_fls(tmp_path: Path) -> None:
    if shutil.which("mkfs.fat") is None or shutil.which("mcopy") is None:
        pytest.skip("dosfstools/mtools not installed")
    image = tmp_path / "fat.img"
    subprocess.run(["mkfs.fat", "-C", "-n", "CARD", str(image), "2048"], check=True, capture_output=True)
    for name, data in (("KEEP.TXT", b"keep\n"), ("GONE.TXT", b"gone\n" * 50), ("Longer name é.txt", b"x")):
        src = tmp_path / "src.bin"
        src.write_bytes(data)
        subprocess.run(["mcopy", "-i", str(image), str(src), f"::{name}"], check=True, capture_output=True)
    subprocess.run(["mdel", "-i", str(image), "::GONE.TXT"], check=True, capture_output=True)
    fls = subprocess.run(["fls", "-r", "-m", "/", "-p", str(image)], check=True, capture_output=True,
                         env={"TZ": "UTC"}).stdout
    assert b"(deleted)" in fls
    r = fkit("fs", "ls", image, "--format", "bodyfile", env={"TZ": "UTC"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == fls
    recs = [e for e in _records(fkit("fs", "ls", image, env={"TZ": "UTC"}).stdout) if e["kind"] == "fs.entry"]
    gone = [e for e in recs if e["deleted"] and e["path"].upper().endswith("ONE.TXT")]  # FAT blanks the first letter
    assert len(gone) == 1
    assert all(e["times_zone_assumed"] == "UTC" for e in recs)


def test_fs_cat_by_path_and_inode_matches_icat() -> None:
    image = testdata("disk", "ext2.E01")
    by_path = fkit("fs", "cat", image, "/passwords.txt")
    by_inode = fkit("fs", "cat", image, "14")
    assert by_path.returncode == 0 and by_inode.returncode == 0
    assert by_path.stdout == by_inode.stdout
    assert by_path.stdout.startswith(b"place,user,password\n") and len(by_path.stdout) == 116
    if shutil.which("icat"):
        assert by_path.stdout == subprocess.run(["icat", str(image), "14"], capture_output=True).stdout


def test_e01_stored_hash_is_verified() -> None:
    image = testdata("disk", "ext2.E01")
    recs = _records(fkit("fs", "ls", image).stdout)
    assert recs[0]["kind"] == "fs.image"
    check = recs[0]["ewf_verify"]
    assert (check["verdict"], check["stored"], check["computed"], check["hashes_match"]) == (
        "ok", {"md5": "196066add11fb71c4c49cf1bb50d6d24"}, {"md5": "196066add11fb71c4c49cf1bb50d6d24"}, True)
    assert (check["checksum_errors"], check["segment_files_corrupted"], check["bytes_read"]) == ([], False, 4194304)
    assert "196066add11fb71c4c49cf1bb50d6d24" in testdata("disk", "ext2.E01.ewfverify.txt").read_text()


def test_e01_hash_mismatch_exits_1(tmp_path: Path) -> None:
    if shutil.which("ewfacquire") is None:
        pytest.skip("ewf-tools not installed")
    raw = tmp_path / "src.dd"
    import hashlib

    noise = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(2048))  # 64 KiB after the FS
    raw.write_bytes(testdata("disk", "ímynd.dd").read_bytes() + noise)
    subprocess.run(["ewfacquire", "-u", "-t", str(tmp_path / "img"), "-c", "none", "-f", "encase6", str(raw)],
                   check=True, capture_output=True)
    good = tmp_path / "img.E01"
    assert fkit("fs", "ls", good).returncode == 0
    data = bytearray(good.read_bytes())
    src = raw.read_bytes()
    pos = -1
    for off in range(102400, len(src) - 64, 512):  # in the noise, far from the superblock
        window = src[off:off + 64]
        if len(set(window)) > 8 and data.count(window) == 1:
            pos = data.find(window)
            break
    assert pos > 0
    data[pos + 10] ^= 0xFF
    bad = tmp_path / "bad.E01"
    bad.write_bytes(bytes(data))
    ewfverify = subprocess.run(["ewfverify", "-q", str(bad)], capture_output=True)
    assert ewfverify.returncode != 0  # the peer tool agrees: FAILURE
    r = fkit("fs", "ls", bad)
    assert r.returncode == 1, r.stderr
    assert b"E01 integrity: chunk checksum error at sectors" in r.stderr
    rec = _records(r.stdout)[0]
    assert rec["ewf_verify"]["verdict"] == "failed"


def test_unknown_file_system_is_one_line_error() -> None:
    r = fkit("fs", "ls", testdata("disk", "bogus.001"))
    assert r.returncode == 4
    assert r.stderr.count(b"\n") == 1 and b"no file system" in r.stderr
    assert b"Traceback" not in r.stderr


def test_truncated_image_is_one_line_error(tmp_path: Path) -> None:
    cut = tmp_path / "cut.dd"
    cut.write_bytes(testdata("disk", "ímynd.dd").read_bytes()[:1024])
    r = fkit("fs", "ls", cut)
    assert r.returncode == 4
    assert r.stderr.count(b"\n") == 1 and b"Traceback" not in r.stderr


def test_e01_missing_segment(tmp_path: Path) -> None:
    first = testdata("disk", "ext2.split.E01")
    (tmp_path / "ext2.split.E01").write_bytes(first.read_bytes())  # E02 left out
    r = fkit("fs", "ls", tmp_path / "ext2.split.E01")
    assert r.returncode == 4, r.stderr
    assert r.stderr.count(b"\n") == 1 and b"E01" in r.stderr and b"Traceback" not in r.stderr


def test_missing_image() -> None:
    r = fkit("fs", "ls", "/nonexistent/x.dd")
    assert r.returncode == 4 and b"no such image" in r.stderr


def _odd_names_ext4(tmp_path: Path) -> Path:
    """An ext4 image whose names exercise every path encoding rule, plus a link, a FIFO, a deleted file."""
    tree = tmp_path / "odd"
    (tree / "sub").mkdir(parents=True)
    for raw in (b"bad\xff\xfe.bin", "e\u0301-nfd.txt".encode(), b"ctl\x01\x1f.txt", b'quote"back\\slash.txt',
                "تقرير.txt".encode(), b"tab\there.txt", b"gone.txt"):
        (tree / "sub").joinpath(raw.decode("utf-8", "surrogateescape")).write_bytes(raw * 10)
    (tree / "link").symlink_to("sub/gone.txt")
    os.mkfifo(tree / "fifo")
    image = tmp_path / "odd.ext4"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(tree), str(image), "4M"], check=True, capture_output=True)
    subprocess.run(["debugfs", "-w", "-R", "rm /sub/gone.txt", str(image)], check=True, capture_output=True)
    return image


def _disk_images(tmp_path: Path) -> list[tuple[Path, int]]:
    images = [(testdata("disk", "ext2.E01"), 0), (testdata("disk", "ímynd.dd"), 0), (_odd_names_ext4(tmp_path), 0)]
    for gz, offset in ((testdata("disk", "fat32", "deleted.img.gz"), 0),
                       (testdata("disk", "ntfs", "ntfs-lastaccess.raw.gz"), 128 * 512)):
        image = tmp_path / gz.name[:-3]
        with gzip.open(gz) as src, open(image, "wb") as dst:
            shutil.copyfileobj(src, dst)
        images.append((image, offset))
    return images


def test_direct_json_equals_record_encoding(tmp_path: Path) -> None:
    """``fs ls`` builds each entry's JSON text directly; it must be exactly what json.dumps writes."""
    from forensic_kit.evidence import disk
    from forensic_kit.names import path_fields

    seen = 0
    for image, offset in _disk_images(tmp_path):
        src = disk.open_source(image)
        try:
            fsys = disk.open_fs(disk.TskImg(src), offset)
            for entry in disk.walk(fsys):
                expected = json.dumps({**path_fields(b"/" + entry.path), **disk.entry_fields(entry)},
                                      ensure_ascii=False, separators=(",", ":"))
                assert "{" + disk.entry_json_members(entry) + "}" == expected, (image, entry.path)
                seen += 1
        finally:
            src.close()
    assert seen > 100


@needs_tsk
def test_jsonl_lines_equal_records_and_bodyfile_equals_fls_with_odd_names(tmp_path: Path) -> None:
    from forensic_kit import jsonl
    from forensic_kit.evidence import disk
    from forensic_kit.names import path_fields
    from forensic_kit.records import new_record

    image = _odd_names_ext4(tmp_path)
    fls = subprocess.run(["fls", "-r", "-m", "/", "-p", str(image)], check=True, capture_output=True).stdout
    assert b"gone.txt (deleted)" in fls and b"ctl^^.txt" in fls
    assert fkit("fs", "ls", image, "-f", "bodyfile").stdout == fls
    lines = fkit("fs", "ls", image, "-f", "jsonl").stdout.splitlines()
    src = disk.open_source(image)
    try:
        fsys = disk.open_fs(disk.TskImg(src), 0)
        expected = [jsonl.dumps(new_record("fs.entry", "fs", "1", image=str(image), partition_offset=0, fs=fsys.ftype,
                                           **path_fields(b"/" + e.path), **disk.entry_fields(e))).encode()
                    for e in disk.walk(fsys) if e.name not in (b".", b"..")]
    finally:
        src.close()
    entries = [line for line in lines if b'"kind":"fs.entry"' in line]
    assert entries == expected
    recs = {r["path"]: r for r in map(json.loads, entries)}
    assert recs["/sub/bad\ufffd\ufffd.bin"]["path_hex"] == b"/sub/bad\xff\xfe.bin".hex()
    assert recs["/sub/\u00e9-nfd.txt"]["path_hex"] == "/sub/e\u0301-nfd.txt".encode().hex()
    assert recs["/sub/gone.txt"]["deleted"] is True


def test_split_raw_reads_across_segments(tmp_path: Path) -> None:
    """Reads inside one segment, across segments, over an empty segment and past the end."""
    import random

    from forensic_kit.evidence.images import RawSource

    rng = random.Random(3)
    data = rng.randbytes(300_000)
    cuts = [0, 100_000, 100_000, 250_000, 300_000]  # the second segment is empty
    for i in range(len(cuts) - 1):
        (tmp_path / f"img.{i:03d}").write_bytes(data[cuts[i]:cuts[i + 1]])
    src = RawSource(tmp_path / "img.000")
    try:
        assert src.kind == "split-raw" and len(src.segments) == 4 and src.size == len(data)
        for offset, length in [(0, 65536), (99_990, 20), (99_000, 200_000), (249_999, 2), (299_990, 100),
                               (300_000, 10), (0, 400_000)]:
            assert src.pread(offset, length) == data[offset:offset + length], (offset, length)
        for _ in range(2000):
            offset, length = rng.randrange(0, 310_000), rng.randrange(0, 70_000)
            assert src.pread(offset, length) == data[offset:offset + length], (offset, length)
    finally:
        src.close()


def test_fstype_forces_or_refuses_and_only_deleted_alias() -> None:
    image = testdata("disk", "ímynd.dd")
    auto = fkit("fs", "ls", image, "-f", "bodyfile")
    forced = fkit("fs", "ls", image, "-f", "bodyfile", "--fstype", "ext2")
    assert forced.returncode == 0 and forced.stdout == auto.stdout
    wrong = fkit("fs", "ls", image, "-f", "bodyfile", "--fstype", "ntfs")
    assert wrong.returncode == 4 and b"as ntfs" in wrong.stderr and wrong.stderr.count(b"\n") == 1
    assert fkit("fs", "ls", image, "--fstype", "nosuchfs").returncode == 2
    only = fkit("fs", "ls", image, "-f", "bodyfile", "--only-deleted")
    assert only.returncode == 0 and only.stdout and all(b"(deleted" in line for line in only.stdout.splitlines())
    assert fkit("fs", "ls", image, "-f", "bodyfile", "--deleted").stdout == only.stdout
    assert b"--deleted" not in fkit("fs", "ls", "--help").stdout.replace(b"--only-deleted", b"")


def _body_both_ways(image: Path) -> tuple[bytes, bytes, int, int, list[str]]:
    """(write_body's lines, walk + body_writer's lines, their entry counts, write_body's problems)."""
    from forensic_kit.evidence import disk

    src = disk.open_source(image)
    try:
        img = disk.TskImg(src)
        found, _ = disk.filesystems(img, disk.volumes(img))
        fast: list[bytes] = []
        n_fast = sum(disk.write_body(f, lambda data, _n: fast.append(data), batch=3) for f in found)
        problems = [p for f in found for p in f.problems]
        found, _ = disk.filesystems(img, disk.volumes(img))
        slow: list[bytes] = []
        n_slow = 0
        for f in found:
            lines = disk.body_writer(f.ftype)
            for entry in disk.walk(f):
                slow += lines(entry)
                n_slow += 1
        return b"".join(fast), b"".join(slow), n_fast, n_slow, problems
    finally:
        src.close()


@pytest.mark.parametrize("parts", [("disk", "ímynd.dd"), ("disk", "ext2.E01"), ("disk", "fat32", "deleted.img.gz"),
                                   ("disk", "fat32", "directory-loop.img.gz"), ("disk", "virtual", "ext2.qcow2"),
                                   ("corpus", "disk_images", "dftt", "ext3-img-kw-1.dd"),
                                   ("corpus", "disk_images", "dftt", "6-fat-undel.dd"),
                                   ("corpus", "disk_images", "raw", "dfvfs_hfsplus.raw"),
                                   ("corpus", "disk_images", "dftt", "iso-dirtree1.iso")], ids=lambda p: p[-1])
def test_fast_body_file_equals_the_walk(parts: tuple[str, ...], tmp_path: Path) -> None:
    """The listing's fast path (no Entry per entry) writes exactly what walk + body_writer write:
    deleted names, links, loops and every file system type but NTFS included."""
    image = testdata(*parts)
    if image.suffix == ".gz":
        plain = tmp_path / image.stem
        plain.write_bytes(gzip.decompress(image.read_bytes()))
        image = plain
    fast, slow, n_fast, n_slow, problems = _body_both_ways(image)
    assert fast == slow and n_fast == n_slow and fast.count(b"\n") > 2
    assert problems == []


def test_fast_body_file_passes_on_write_errors(tmp_path: Path) -> None:
    """A broken pipe while writing is the writer's error, never an unreadable directory."""
    from forensic_kit.evidence import disk

    src = disk.open_source(testdata("disk", "ímynd.dd"))
    try:
        img = disk.TskImg(src)
        [fsys], _ = disk.filesystems(img, disk.volumes(img))

        def emit(_data: bytes, _n: int) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        with pytest.raises(BrokenPipeError):
            disk.write_body(fsys, emit, batch=1)
        assert fsys.problems == []
    finally:
        src.close()


def test_pytsk3_gives_plain_ints() -> None:
    """write_body reads name.type, name.flags and name.meta_addr without int(): pytsk3 gives ints."""
    import pytsk3

    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(testdata("disk", "ímynd.dd"))))
    for f in fs.open_dir(path="/"):
        name, meta = f.info.name, f.info.meta
        assert {type(name.type), type(name.flags), type(name.meta_addr)} == {int}
        if meta is not None:
            assert {type(meta.type), type(meta.mode), type(meta.flags)} == {int}
