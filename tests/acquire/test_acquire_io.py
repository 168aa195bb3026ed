"""The I/O paths behind ``fkit acquire``: direct reads of raw sources, ``O_DIRECT`` writes and
their buffered fallback, read-back that catches a bad copy, logical copies without temporary
files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import blake3
import pytest

from forensic_kit.acquire import copy as copy_mod
from forensic_kit.acquire import fastio, physical
from forensic_kit.acquire.core import Acquisition
from forensic_kit.acquire.physical import Segments, acquire_image, open_physical
from forensic_kit.package import Case
from tests.acquire.test_package import bagit_validate
from tests.conftest import fkit


def _case(tmp_path: Path) -> Case:
    root = tmp_path / "CASE"
    r = fkit("case", "init", root, "--case-id", "C-1", "--agency", "Agency", "--officer", "Officer")
    assert r.returncode == 0, r.stderr
    return Case.open(root)


def _odd_image(tmp_path: Path) -> tuple[Path, bytes]:
    """More than one fan-out chunk, and a size that is not a multiple of 4096 (nor of 512)."""
    data = os.urandom(physical.CHUNK + 5 * 4096 + 777)
    img = tmp_path / "odd.dd"
    img.write_bytes(data)
    return img, data


def test_segments_read_across_split_raw(tmp_path: Path) -> None:
    data = os.urandom(3 * 10_000 + 17)
    for i in range(4):
        (tmp_path / f"disk.{i:03d}").write_bytes(data[i * 10_000:(i + 1) * 10_000])
    pread, size, ident, close = open_physical(tmp_path / "disk.000")
    try:
        assert isinstance(pread, Segments) and size == len(data) and ident["type"] == "image:split-raw"
        buf = bytearray(25_000)
        assert pread.into(5_000, memoryview(buf)) == 25_000 and bytes(buf) == data[5_000:30_000]
        assert pread.into(29_990, memoryview(buf)) == 27 and bytes(buf[:27]) == data[29_990:]
        assert pread(9_999, 3) == data[9_999:10_002]
        assert pread(len(data), 10) == b""
    finally:
        close()


@pytest.mark.parametrize("direct", [True, False], ids=["o_direct", "buffered"])
def test_physical_odd_size_split_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct: bool) -> None:
    if not direct:
        monkeypatch.setattr(fastio, "O_DIRECT", 0)  # a file system without O_DIRECT
    img, data = _odd_image(tmp_path)
    case = _case(tmp_path)
    acq = Acquisition(case, "EX-01", "physical", img)
    pread, size, ident, close = open_physical(img)
    try:
        acq.begin(ident)
        split = (physical.CHUNK // 3) // 4096 * 4096 + 1536  # a split boundary that is not 4096-aligned
        records, extra = acquire_image(acq, pread, size, split, reread=True)
    finally:
        close()
    segs = sorted(acq.staging.glob("image.*"))
    assert [p.name for p in segs] == [f"image.{i:03d}" for i in range(-(-len(data) // split))]
    assert len(segs) == 4
    assert b"".join(p.read_bytes() for p in segs) == data
    assert extra["image"]["hashes"] == {"sha256": hashlib.sha256(data).hexdigest(),
                                        "blake3": blake3.blake3(data).hexdigest()}
    assert extra["image"]["readback"] == {"algorithm": "blake3", "ok": True}
    assert extra["reread"]["stable"] is True
    assert [r["size"] for r in records] == [p.stat().st_size for p in segs]
    assert [r["hashes"]["sha256"] for r in records] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in segs]
    method = records[0]["verified"]["method"]
    assert ("O_DIRECT" in method) == direct and all(r["verified"]["ok"] for r in records)
    acq.finish("complete", extra)
    assert bagit_validate(case.root).returncode == 0


def test_physical_read_back_catches_a_bad_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the device returns is compared with what was read from the source."""
    img, data = _odd_image(tmp_path)
    real_write = physical.SplitWriter._write

    def corrupting(self: physical.SplitWriter, view: memoryview) -> None:
        if self.written == 0:
            bad = fastio.aligned_buffer(len(view))
            bad[:len(view)] = view
            bad[100] ^= 0xFF
            view = memoryview(bad)[:len(view)]
        real_write(self, view)

    monkeypatch.setattr(physical.SplitWriter, "_write", corrupting)
    case = _case(tmp_path)
    acq = Acquisition(case, "EX-02", "physical", img)
    pread, size, ident, close = open_physical(img)
    try:
        acq.begin(ident)
        records, extra = acquire_image(acq, pread, size, None, reread=False)
    finally:
        close()
    assert extra["image"]["hashes"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert extra["image"]["readback"]["ok"] is False and records[0]["verified"]["ok"] is False


def test_logical_read_back_rejects_a_bad_copy(tmp_path: Path) -> None:
    """A copy whose bytes on disk differ from what was hashed is an error, not an acquired item."""
    case = _case(tmp_path)
    acq = Acquisition(case, "EX-03", "logical", tmp_path)
    acq.begin({"path": str(tmp_path), "type": "folder", "size": None})
    good, bad = acq.staging / "good.bin", acq.staging / "bad.bin"
    copy_mod.copy_bytes(good, b"good bytes", acq.algos)
    digests = copy_mod.copy_bytes(bad, b"bad bytes", acq.algos)
    os.chmod(bad, 0o644)
    bad.write_bytes(b"BAD bytes")  # the copy on disk no longer matches
    batch = copy_mod.Batch(acq)
    for path, size, hashes in ((good, 10, None), (bad, 9, digests)):
        rec = {"kind": "file", "size": size, "path": path.name, "_staged": path.name,
               "hashes": hashes or {"sha256": hashlib.sha256(b"good bytes").hexdigest(),
                                    "blake3": blake3.blake3(b"good bytes").hexdigest()}}
        batch.add(path, rec)
    batch.flush()
    assert acq.done == {"good.bin"}
    assert [(r["bag_path"], r["verified"]["ok"]) for r in acq.journaled()] == [("data/EX-03/good.bin", True)]
    assert not bad.exists() and good.exists()
    assert [e["error"]["stage"] for e in acq.errors] == ["verify"]
    journal = acq.journal.read_text().splitlines()
    assert len(journal) == 2 and json.loads(journal[1])["bag_path"] == "data/EX-03/good.bin"


def test_logical_copies_keep_source_times_without_temporary_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    for i, rel in enumerate(("x.txt", "a/y.bin", "a/b/z.bin")):
        (src / rel).write_bytes(os.urandom(1000 * i + 1))
        os.utime(src / rel, ns=(1_600_000_000_000_000_000 + i, 1_500_000_000_000_000_000 + i))
    big = src / "big.bin"
    big.write_bytes(os.urandom(copy_mod.SMALL + 12345))  # the threaded (pump) path
    os.utime(big, ns=(1_600_000_000_000_000_009, 1_500_000_000_000_000_009))
    case = _case(tmp_path)
    r = fkit("acquire", src, "--into", case.root, "--exhibit", "EX-04")
    assert r.returncode == 0, r.stderr
    out = case.root / "data" / "EX-04"
    for p in src.rglob("*"):
        if p.is_file():
            copy = out / p.relative_to(src)
            st, cst = p.stat(), copy.stat()  # before this test reads them (that may touch atime)
            assert cst.st_mtime_ns == st.st_mtime_ns
            if os.geteuid() == 0 or st.st_uid == os.geteuid():  # O_NOATIME allowed: read-back kept it
                assert cst.st_atime_ns == st.st_atime_ns
            assert copy.read_bytes() == p.read_bytes()
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_logical_batches_read_back_in_a_helper_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Full batches are verified in the helper process and journaled in order, each only once."""
    from forensic_kit.acquire.logical import acquire_files

    monkeypatch.setattr(copy_mod, "BATCH_FILES", 3)
    monkeypatch.setattr(copy_mod, "READBACK_PROCESS", True)
    src = tmp_path / "src"
    src.mkdir()
    for i in range(10):
        (src / f"f{i:02d}.bin").write_bytes(os.urandom(3000 + i))
    case = _case(tmp_path)
    acq = Acquisition(case, "EX-05", "logical", src)
    acq.begin({"path": str(src), "type": "folder", "size": None})
    committed: list[list[str]] = []
    out = acquire_files(acq, src, on_commit=lambda recs: committed.append([r["_staged"] for r in recs]))
    assert out.items == 10 and not acq.errors
    assert committed == [[f"f{i:02d}.bin" for i in range(j, min(j + 3, 10))] for j in range(0, 10, 3)]
    journal = [json.loads(line) for line in acq.journal.read_text().splitlines()[1:]]
    # the journal holds the final records: what finish() copies into fkit/records.jsonl
    assert [r["bag_path"] for r in journal] == [f"data/EX-05/f{i:02d}.bin" for i in range(10)]
    assert [r["path"] for r in journal] == [f"{case.root}/data/EX-05/f{i:02d}.bin" for i in range(10)]
    assert all(r["verified"]["ok"] for r in journal)


def _fake_sysfs(root: Path, major: int, minor: int, partition: bool) -> None:
    """A sysfs tree as the kernel lays it out for a USB disk ``sdb`` (and its partition ``sdb1``)."""
    disk = root / "devices" / "pci0000:00" / "usb2" / "host6" / "block" / "sdb"
    (disk / "device").mkdir(parents=True)
    (disk / "queue").mkdir()
    for name, value in (("model", "Cruzer Blade    \n"), ("vendor", "SanDisk \n"), ("rev", "1.00\n")):
        (disk / "device" / name).write_text(value)
    (disk / "device" / "serial").write_text("")  # present but empty: not recorded
    (disk / "queue" / "logical_block_size").write_text("512\n")
    (disk / "size").write_text("30031872\n")
    target = disk
    if partition:
        target = disk / "sdb1"
        target.mkdir()
        (target / "size").write_text("30029824\n")
    (root / "dev" / "block").mkdir(parents=True)
    (root / "dev" / "block" / f"{major}:{minor}").symlink_to(target)


@pytest.mark.parametrize("partition", [False, True])
def test_block_identity_from_sysfs(tmp_path: Path, partition: bool) -> None:
    """Model, vendor, revision, size and kernel name come from /sys/dev/block/MAJ:MIN (a fake tree here;
    any device node gives the MAJ:MIN to look up)."""
    from forensic_kit.acquire.core import block_identity

    st = os.stat("/dev/null")
    _fake_sysfs(tmp_path / "sys", os.major(st.st_rdev), os.minor(st.st_rdev), partition)
    ident = block_identity(Path("/dev/null"), sysfs=tmp_path / "sys")
    dev = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    assert ident == {"dev": dev, "model": "Cruzer Blade", "vendor": "SanDisk", "rev": "1.00",
                     "sectors": 30029824 if partition else 30031872, "logical_block_size": 512,
                     "kernel_name": "sdb1" if partition else "sdb"}
    assert block_identity(Path("/dev/null"), sysfs=tmp_path / "nothing") == {"dev": dev}


def test_physical_from_a_real_block_device(tmp_path: Path) -> None:
    """A loop device (a real block device node) acquired physically: same bytes, identity from /sys."""
    import shutil
    import subprocess

    if os.geteuid() != 0 or shutil.which("losetup") is None:
        pytest.skip("needs root and losetup to attach a loop device")
    img = tmp_path / "stick.img"
    data = os.urandom(4 << 20)
    img.write_bytes(data)
    attach = subprocess.run(["losetup", "-f", "--show", "--read-only", str(img)], capture_output=True, text=True)
    if attach.returncode != 0:
        pytest.skip(f"cannot attach a loop device here: {attach.stderr.strip()}")
    dev = attach.stdout.strip()
    try:
        from tests.conftest import fkit

        case = tmp_path / "case"
        assert fkit("case", "init", case, "--case-id", "T-1", "--agency", "a", "--officer", "o").returncode == 0
        r = fkit("acquire", dev, "--into", case, "--exhibit", "EX-01", "--seal", "S-1", "--reread")
        assert r.returncode == 0, r.stderr
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)
    rec = json.loads(r.stdout.splitlines()[-1])
    assert rec["hashes"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert rec["locator"] == {"scheme": "device", "source": dev}
    assert (case / "data" / "EX-01" / "image.raw").read_bytes() == data
    sheet = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text("utf-8"))
    assert sheet["source"]["type"] == "block_device" and sheet["source"]["size"] == len(data)
    assert sheet["source"]["kernel_name"] == Path(dev).name and sheet["source"]["sectors"] == len(data) // 512
    assert sheet["source"]["logical_block_size"] in (512, 4096)
    assert sheet["reread"]["stable"] is True


def test_resumed_from_another_folder_names_the_case_as_this_run_does(tmp_path: Path) -> None:
    """The journal holds final record lines; a rerun that names the case differently rewrites them."""
    case = _case(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    info = {"path": str(src), "type": "folder", "size": None}
    first = Acquisition(case, "EX-07", "logical", src, records_prefix="first/CASE")
    first.begin(info)
    digests = copy_mod.copy_bytes(first.staging / "a.bin", b"abc", first.algos)
    first.commit([{"kind": "file", "exhibit": "EX-07", "size": 3, "hashes": digests, "_staged": "a.bin"}])
    assert json.loads(first.journal.read_text().splitlines()[1])["path"] == "first/CASE/data/EX-07/a.bin"
    # interrupted here; the same command from another folder
    again = Acquisition(case, "EX-07", "logical", src, records_prefix="/elsewhere/CASE")
    again.begin(info)
    assert again.resumed and again.done == {"a.bin"} and again.totals.items == 1 and again.totals.bytes == 3
    done = again.finish("complete")
    assert (done.items, done.bytes) == (1, 3)
    (rec,) = [json.loads(line) for line in case.records_path.read_bytes().splitlines()]
    assert rec["path"] == "/elsewhere/CASE/data/EX-07/a.bin" and rec["bag_path"] == "data/EX-07/a.bin"
    assert rec["hashes"] == digests
    assert bagit_validate(case.root).returncode == 0


def test_a_write_error_reported_by_the_sync_stops_the_exhibit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """syncfs(2) reporting EIO means copies may not be on the disk: nothing of the batch is journaled."""
    import errno

    from forensic_kit.acquire.core import WriteFailed

    fastio.syncfs(tmp_path)  # the real call succeeds here

    def failing(path: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(fastio, "syncfs", failing)
    case = _case(tmp_path)
    acq = Acquisition(case, "EX-08", "logical", tmp_path)
    acq.begin({"path": str(tmp_path), "type": "folder", "size": None})
    digests = copy_mod.copy_bytes(acq.staging / "a.bin", b"abc", acq.algos)
    batch = copy_mod.Batch(acq)
    batch.add(acq.staging / "a.bin", {"size": 3, "hashes": digests, "_staged": "a.bin"})
    with pytest.raises(WriteFailed, match="cannot write to the case: Input/output error"):
        batch.flush()
    assert acq.done == set() and len(acq.journal.read_text().splitlines()) == 1
