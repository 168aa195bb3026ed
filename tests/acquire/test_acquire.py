"""``fkit acquire``: logical, physical and image extraction into a case; failures and interrupts."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.acquire.test_package import bagit_validate, sha256sum_check
from tests.conftest import REPO, default_sigint, fkit, testdata


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "CASE"
    r = fkit("case", "init", case, "--case-id", "C-1", "--agency", "Agency", "--officer", "Officer")
    assert r.returncode == 0, r.stderr
    return case


def _records(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _consistent(case: Path) -> None:
    """The package validates with both independent tools, and lists nothing partial."""
    v = bagit_validate(case)
    assert v.returncode == 0, v.stderr[-2000:]
    if (case / "manifest-sha256.txt").stat().st_size:  # sha256sum refuses an empty list
        c = sha256sum_check(case)
        assert c.returncode == 0, c.stdout[-2000:]
    assert not [p for p in (case / "data").rglob("*") if p.name.endswith((".fkit-part", ".fkit-tmp"))]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "stick"
    (src / "DCIM" / "100CANON").mkdir(parents=True)
    (src / "DCIM" / "100CANON" / "IMG_0001.JPG").write_bytes(b"\xff\xd8" + os.urandom(50_000))
    (src / "وثائق").mkdir()
    (src / "وثائق" / "تقرير سري.txt").write_text("نص عربي\n", encoding="utf-8")
    (src / "empty.bin").write_bytes(b"")
    (src / "50% off.txt").write_bytes(b"promo")
    os.utime(src / "50% off.txt", ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    return src


def test_logical_folder(tmp_path: Path, source: Path) -> None:
    case = _case(tmp_path)
    r = fkit("acquire", source, "--into", case, "--exhibit", "EX-01", "--description", "USB stick",
             "--seal", "S-77")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    assert len(recs) == 4 and all(x["kind"] == "file" and x["exhibit"] == "EX-01" for x in recs)
    by_rel = {x["bag_path"]: x for x in recs}
    arabic = by_rel["data/EX-01/وثائق/تقرير سري.txt"]
    assert arabic["hashes"]["sha256"] == hashlib.sha256("نص عربي\n".encode()).hexdigest()
    assert arabic["path"] == f"{case}/data/EX-01/وثائق/تقرير سري.txt"
    assert Path(arabic["path"]).read_text("utf-8") == "نص عربي\n"
    promo = by_rel["data/EX-01/50% off.txt"]
    assert promo["times"]["mtime"] == "2017-07-14T02:40:00.987654321Z"
    assert os.stat(case / "data" / "EX-01" / "50% off.txt").st_mtime_ns == 1_500_000_000_987_654_321
    assert promo["locator"]["scheme"] == "file" and promo["locator"]["relpath"] == "50% off.txt"
    assert all(x["verified"]["ok"] for x in recs)
    assert _tree(case / "data" / "EX-01") == _tree(source)
    _consistent(case)
    info = (case / "bag-info.txt").read_text()
    assert f"Payload-Oxum: {sum(len(v) for v in _tree(source).values())}.4\n" in info
    ex = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text())
    assert ex["status"] == "complete" and ex["seal"] == "S-77" and ex["description"] == "USB stick"
    assert ex["source"]["type"] == "folder" and ex["items"] == 4 and ex["errors"] == []
    assert ex["host"] and ex["user"] and ex["started"]["utc"].endswith("Z") and ex["ended"]["local_offset"]
    stored = _records((case / "fkit" / "records.jsonl").read_bytes())
    assert [x["hashes"] for x in stored] == [x["hashes"] for x in recs]
    assert not (case / "fkit" / "work" / "EX-01").exists()
    # the same exhibit twice: refused, nothing changed
    before = _tree(case)
    again = fkit("acquire", source, "--into", case, "--exhibit", "EX-01")
    assert again.returncode == 4 and b"already acquired" in again.stderr
    assert _tree(case) == before


def test_logical_single_file_and_pipe_to_hash(tmp_path: Path, source: Path) -> None:
    case = _case(tmp_path)
    r = fkit("acquire", source / "DCIM" / "100CANON" / "IMG_0001.JPG", "--into", case, "--exhibit", "EX-02")
    assert r.returncode == 0, r.stderr
    (rec,) = _records(r.stdout)
    assert rec["bag_path"] == "data/EX-02/IMG_0001.JPG"
    # the records are usable by the next step: fkit hash re-hashes the copies from stdin
    h = fkit("hash", "-", input=r.stdout)
    assert h.returncode == 0, h.stderr
    assert _records(h.stdout)[0]["hashes"]["sha256"] == rec["hashes"]["sha256"]
    _consistent(case)


def test_non_utf8_name_is_kept_in_the_record(tmp_path: Path) -> None:
    src = tmp_path / "latin1"
    src.mkdir()
    with open(os.fsencode(src) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"latin-1 name")
    case = _case(tmp_path)
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-13")
    assert r.returncode == 0, r.stderr
    (rec,) = _records(r.stdout)
    name = "caf%E9~fkit-" + hashlib.sha256(b"caf\xe9.txt").hexdigest()[:16] + ".txt"
    assert rec["bag_path"] == "data/EX-13/" + name
    assert rec["locator"]["relpath_hex"] == b"caf\xe9.txt".hex()
    assert (case / "data" / "EX-13" / name).read_bytes() == b"latin-1 name"
    _consistent(case)


def test_escaped_name_never_collides_with_a_real_one(tmp_path: Path) -> None:
    """\xff.txt and a literal %FF.txt in one folder: two copies, two records, a clean case."""
    src = tmp_path / "both"
    src.mkdir()
    with open(os.fsencode(src) + b"/\xff.txt", "wb") as fh:
        fh.write(b"raw byte name")
    (src / "%FF.txt").write_bytes(b"percent name")
    case = _case(tmp_path)
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-14")
    assert r.returncode == 0, r.stderr
    recs = sorted(_records(r.stdout), key=lambda x: x["bag_path"])
    assert [x["bag_path"] for x in recs] == [
        "data/EX-14/%FF.txt", "data/EX-14/%FF~fkit-" + hashlib.sha256(b"\xff.txt").hexdigest()[:16] + ".txt"]
    assert [(case / x["bag_path"]).read_bytes() for x in recs] == [b"percent name", b"raw byte name"]
    assert "relpath_hex" not in recs[0]["locator"] and recs[1]["locator"]["relpath_hex"] == "ff2e747874"
    _consistent(case)


def test_not_a_case(tmp_path: Path, source: Path) -> None:
    r = fkit("acquire", source, "--into", tmp_path, "--exhibit", "EX-01")
    assert r.returncode == 4 and b"not an fkit case" in r.stderr


def test_bad_exhibit_id(tmp_path: Path, source: Path) -> None:
    r = fkit("acquire", source, "--into", _case(tmp_path), "--exhibit", "../x")
    assert r.returncode == 2 and b"invalid exhibit id" in r.stderr


def test_extract_from_e01_matches_fs_cat(tmp_path: Path) -> None:
    case = _case(tmp_path)
    image = testdata("disk", "ext2.E01")
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-03", "--extract", "--include", "*.txt")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    assert [x["locator"]["path"] for x in recs] == ["/passwords.txt"]
    loc = recs[0]["locator"]
    assert loc == {"scheme": "image", "image": str(image), "image_sha256": loc["image_sha256"],
                   "partition_offset": 0, "fs": "ext2", "inode": 14, "path": "/passwords.txt", "deleted": False}
    assert (case / "data" / "EX-03" / "fs-0" / "passwords.txt").read_bytes() == fkit("fs", "cat", image, "14").stdout
    _consistent(case)


def _fat_with_deleted(tmp_path: Path) -> Path:
    if shutil.which("mkfs.fat") is None or shutil.which("mcopy") is None:
        pytest.skip("dosfstools/mtools not installed")
    image = tmp_path / "card.img"
    subprocess.run(["mkfs.fat", "-C", "-n", "CARD", str(image), "2048"], check=True, capture_output=True)
    for name, data in (("KEEP.TXT", b"keep\n"), ("GONE.TXT", b"gone but recoverable\n" * 20)):
        src = tmp_path / "src.bin"
        src.write_bytes(data)
        subprocess.run(["mcopy", "-i", str(image), str(src), f"::{name}"], check=True, capture_output=True)
    subprocess.run(["mdel", "-i", str(image), "::GONE.TXT"], check=True, capture_output=True)
    return image


def test_extract_deleted_from_fat(tmp_path: Path) -> None:
    image = _fat_with_deleted(tmp_path)
    case = _case(tmp_path)
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-04", "--extract", "--deleted", env={"TZ": "UTC"})
    assert r.returncode == 0, r.stderr
    recs = {x["locator"]["path"]: x for x in _records(r.stdout)}
    gone = recs["/_ONE.TXT"]
    assert gone["locator"]["deleted"] is True and gone["times_zone_assumed"] == "UTC"
    assert Path(gone["path"]).read_bytes() == b"gone but recoverable\n" * 20
    assert recs["/KEEP.TXT"]["locator"]["deleted"] is False
    ex = json.loads((case / "fkit" / "exhibits" / "EX-04.json").read_text())
    assert ex["file_systems"][0]["times_zone_assumed"] == "UTC"
    assert ex["image_sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
    _consistent(case)
    # without --deleted only the allocated file comes out
    r2 = fkit("acquire", image, "--into", case, "--exhibit", "EX-05", "--extract")
    assert [x["locator"]["path"] for x in _records(r2.stdout)] == ["/KEEP.TXT"]


def test_extract_unknown_fs(tmp_path: Path) -> None:
    case = _case(tmp_path)
    r = fkit("acquire", testdata("disk", "bogus.001"), "--into", case, "--exhibit", "EX-06", "--extract")
    assert r.returncode == 4
    assert r.stderr.count(b"\n") == 1 and b"no file system" in r.stderr
    assert _records(r.stdout)[0]["kind"] == "error"
    ex = json.loads((case / "fkit" / "exhibits" / "EX-06.json").read_text())
    assert ex["status"] == "failed"
    _consistent(case)


def test_physical_image_split_and_reread(tmp_path: Path) -> None:
    case = _case(tmp_path)
    image = testdata("disk", "ímynd.dd")
    data = image.read_bytes()
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-07", "--physical", "--split", "40K", "--reread")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    assert [x["bag_path"] for x in recs] == ["data/EX-07/image.000", "data/EX-07/image.001", "data/EX-07/image.002"]
    joined = b"".join((case / x["bag_path"]).read_bytes() for x in recs)
    assert joined == data
    ex = json.loads((case / "fkit" / "exhibits" / "EX-07.json").read_text())
    assert ex["image"]["hashes"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert ex["image"]["readback"]["ok"] is True and ex["reread"]["stable"] is True
    assert ex["bad_ranges"] == [] and ex["status"] == "complete"
    _consistent(case)
    # the image of an E01 is its media data, and fkit fs ls reads the copy like the original
    r2 = fkit("acquire", testdata("disk", "ext2.E01"), "--into", case, "--exhibit", "EX-08", "--physical")
    assert r2.returncode == 0, r2.stderr
    copy = case / "data" / "EX-08" / "image.raw"
    assert hashlib.md5(copy.read_bytes()).hexdigest() == "196066add11fb71c4c49cf1bb50d6d24"  # ewfverify's MD5
    assert fkit("fs", "ls", copy, "-f", "bodyfile").stdout == testdata("disk", "ext2.E01.bodyfile.txt").read_bytes()


def test_physical_read_errors_zero_filled_and_recorded(tmp_path: Path) -> None:
    case = _case(tmp_path)
    image = testdata("disk", "ímynd.dd")
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-09", "--physical",
             env={"FKIT_FAULT_READ": "4096-5000,20480-20481"})
    assert r.returncode == 3, r.stderr
    assert b"unreadable" in r.stderr
    ex = json.loads((case / "fkit" / "exhibits" / "EX-09.json").read_text())
    assert ex["status"] == "incomplete"
    assert ex["bad_ranges"] == [{"offset": 4096, "length": 1024, "sectors": "8-9"},
                                {"offset": 20480, "length": 512, "sectors": "40-40"}]
    copy = (case / "data" / "EX-09" / "image.raw").read_bytes()
    orig = image.read_bytes()
    assert copy[4096:5120] == bytes(1024) and copy[20480:20992] == bytes(512)
    assert copy[:4096] == orig[:4096] and copy[5120:20480] == orig[5120:20480] and copy[20992:] == orig[20992:]
    _consistent(case)


def test_source_vanishing_mid_read(tmp_path: Path) -> None:
    """An injected reader whose source disappears after 8 KiB: one error, a record, a consistent case."""
    from forensic_kit.acquire.core import Acquisition
    from forensic_kit.acquire.physical import acquire_image
    from forensic_kit.package import Case

    case = Case.open(_case(tmp_path))
    acq = Acquisition(case, "EX-10", "physical", tmp_path / "gone.dd")
    acq.begin({"path": "gone.dd", "size": 65536})

    def pread(off: int, n: int) -> bytes:
        if off >= 8192:
            return b""  # the device went away: reads return nothing
        return bytes(min(n, 8192 - off))

    with pytest.raises(OSError, match="source ended early: 8192 of 65536"):
        acquire_image(acq, pread, 65536, None, False)
    acq.abort("failed", "source vanished")
    assert json.loads((case.root / "fkit" / "exhibits" / "EX-10.json").read_text())["status"] == "failed"
    assert not (case.root / "data" / "EX-10").exists()
    _consistent(case.root)


def test_destination_full(tmp_path: Path, source: Path) -> None:
    case = _case(tmp_path)
    r = fkit("acquire", source, "--into", case, "--exhibit", "EX-11", env={"FKIT_FAULT_WRITE_AFTER": "10000"})
    assert r.returncode == 4, r.stderr
    assert r.stderr.count(b"\n") == 1 and b"No space left on device" in r.stderr
    assert _records(r.stdout)[0]["kind"] == "error"
    assert json.loads((case / "fkit" / "exhibits" / "EX-11.json").read_text())["status"] == "failed"
    assert not (case / "data" / "EX-11").exists()
    _consistent(case)
    # space freed: the same command finishes the exhibit
    r2 = fkit("acquire", source, "--into", case, "--exhibit", "EX-11")
    assert r2.returncode == 0, r2.stderr
    assert _tree(case / "data" / "EX-11") == _tree(source)
    _consistent(case)


def _big_source(tmp_path: Path, files: int = 60) -> Path:
    src = tmp_path / "big"
    src.mkdir()
    for i in range(files):
        (src / f"f{i:03d}.bin").write_bytes(os.urandom(256 * 1024))
    return src


def _fkit_processes(case: Path) -> list[int]:
    """Processes (fkit and any worker it forked) whose command line names ``case``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.fsencode(case) in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _start(case: Path, src: Path, exhibit: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, FKIT_BATCH_FILES="4")
    return subprocess.Popen([sys.executable, "-m", "forensic_kit", "acquire", str(src), "--into", str(case),
                             "--exhibit", exhibit], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
                            preexec_fn=default_sigint)


def _wait_for_journal(case: Path, exhibit: str, proc: subprocess.Popen[bytes], lines: int = 3) -> None:
    journal = case / "fkit" / "work" / f"{exhibit}.journal.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_bytes().count(b"\n") >= lines:
            return
        if proc.poll() is not None:
            pytest.fail(f"acquisition ended before it could be interrupted: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        time.sleep(0.005)
    pytest.fail("journal never grew")


@pytest.mark.parametrize("files", [60, 300], ids=["in-process", "copy-workers"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_interrupted_then_resumed(tmp_path: Path, sig: signal.Signals, files: int) -> None:
    """60 files are copied by fkit itself; 300 (over PARALLEL_MIN) by forked copy workers."""
    case = _case(tmp_path)
    src = _big_source(tmp_path, files)
    proc = _start(case, src, "EX-12")
    _wait_for_journal(case, "EX-12", proc)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130, err
        assert b"interrupted" in err
        assert json.loads((case / "fkit" / "exhibits" / "EX-12.json").read_text())["status"] == "interrupted"
    else:
        assert proc.returncode == -9
    # no copy worker outlives fkit (none goes on writing into the case)
    deadline = time.monotonic() + 10
    while _fkit_processes(case) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _fkit_processes(case) == []
    # consistent right now: nothing of EX-12 is listed as acquired
    assert not (case / "data" / "EX-12").exists()
    assert "EX-12" not in (case / "manifest-sha256.txt").read_text()
    assert not (case / "fkit" / "records.jsonl").exists() or b"EX-12" not in (case / "fkit" / "records.jsonl").read_bytes()
    _consistent(case)
    # the same command again resumes and finishes
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-12")
    assert r.returncode == 0, r.stderr
    assert _tree(case / "data" / "EX-12") == _tree(src)
    ex = json.loads((case / "fkit" / "exhibits" / "EX-12.json").read_text())
    assert ex["status"] == "complete" and ex["resumed"] is True and ex["items"] == files
    stored = [x for x in _records((case / "fkit" / "records.jsonl").read_bytes()) if x["exhibit"] == "EX-12"]
    assert sorted(x["bag_path"] for x in stored) == [f"data/EX-12/f{i:03d}.bin" for i in range(files)]
    for x in stored:
        assert hashlib.sha256((case / x["bag_path"]).read_bytes()).hexdigest() == x["hashes"]["sha256"]
    _consistent(case)


@pytest.mark.parametrize("point", ["records", "manifest", "status", "tags"])
@pytest.mark.parametrize("kind", ["logical", "physical"])
def test_kill_while_finishing_is_repaired_by_a_rerun(tmp_path: Path, point: str, kind: str) -> None:
    """kill -9 at each step of finishing (even right after the sheet says "complete"): the same
    command run again finishes or repairs the exhibit, nothing duplicated or lost."""
    case = _case(tmp_path)
    src = _big_source(tmp_path, 5)
    if kind == "physical":
        src = src / "f000.bin"
    extra = ["--physical"] if kind == "physical" else []
    args = ["acquire", src, "--into", case, "--exhibit", "EX-20", *extra]
    r = fkit(*args, env={"FKIT_KILL_AT": point})
    assert r.returncode == -9, r.stderr
    again = fkit(*args)
    assert again.returncode == 0, again.stderr
    ex = json.loads((case / "fkit" / "exhibits" / "EX-20.json").read_text())
    assert ex["status"] == "complete"
    assert not (case / "fkit" / "work" / "EX-20.journal.jsonl").exists()
    manifest = (case / "manifest-sha256.txt").read_text()
    expected = ["data/EX-20/image.raw"] if kind == "physical" else [f"data/EX-20/f{i:03d}.bin" for i in range(5)]
    assert sorted(line.split("  ", 1)[1] for line in manifest.splitlines()) == expected
    stored = [x for x in _records((case / "fkit" / "records.jsonl").read_bytes()) if x["exhibit"] == "EX-20"]
    assert sorted(x["bag_path"] for x in stored) == expected
    if kind == "physical":  # what the acquisition found is kept through the crash
        assert ex["image"]["hashes"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    _consistent(case)
    # and a third run refuses: the exhibit is acquired
    assert fkit(*args).returncode == 4


def test_physical_onto_a_full_destination(tmp_path: Path) -> None:
    """A real full file system (a small tmpfs): exit 4, an error record, a "failed" sheet and no
    partial image; after space is freed the same command redoes the exhibit."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        src = tmp_path / "disk.raw"
        src.write_bytes(os.urandom(40 << 20))
        case = _case(mnt)
        r = fkit("acquire", src, "--into", case, "--exhibit", "EX-30", "--physical")
        assert r.returncode == 4, r.stderr
        assert r.stderr.count(b"\n") == 1 and b"No space left on device" in r.stderr
        (rec,) = _records(r.stdout)
        assert (rec["kind"], rec["error"]["stage"], rec["exhibit_sheet_updated"]) == ("error", "write", True)
        ex = json.loads((case / "fkit" / "exhibits" / "EX-30.json").read_text())
        assert ex["status"] == "failed" and "No space left" in ex["reason"]
        assert not (case / "fkit" / "work" / "EX-30").exists() and not (case / "data" / "EX-30").exists()
        subprocess.run(["mount", "-o", "remount,size=128m", str(mnt)], check=True)
        again = fkit("acquire", src, "--into", case, "--exhibit", "EX-30", "--physical")
        assert again.returncode == 0, again.stderr
        assert (case / "data" / "EX-30" / "image.raw").read_bytes() == src.read_bytes()
        _consistent(case)
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
