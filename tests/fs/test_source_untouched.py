"""No fkit command changes a source image's access time (or content or modification time):
every read goes through an ``O_NOATIME`` read-only descriptor, libewf's included."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import fkit, testdata

OLD_ATIME = 1_000_000_000  # older than the modification time: relatime would update it on a read


def _copy(tmp_path: Path, *names: str) -> list[Path]:
    out = []
    for name in names:
        dst = tmp_path / "src" / Path(name).name
        dst.parent.mkdir(exist_ok=True)
        shutil.copyfile(testdata("disk", name), dst)
        os.utime(dst, ns=(OLD_ATIME * 10**9, dst.stat().st_mtime_ns))
        out.append(dst)
    return out


def _state(paths: list[Path]) -> list[tuple[int, int, str]]:
    return [(p.stat().st_atime_ns, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths]


def _reads_update_atime(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.write_bytes(b"x")
    os.utime(probe, ns=(OLD_ATIME * 10**9, probe.stat().st_mtime_ns))
    with open(probe, "rb") as fh:
        fh.read()
    return probe.stat().st_atime_ns != OLD_ATIME * 10**9


@pytest.mark.parametrize("names", [("ímynd.dd",), ("ext2.split.E01", "ext2.split.E02"),
                                   ("ext2.splitraw.000", "ext2.splitraw.001")], ids=["raw", "split-e01", "split-raw"])
def test_no_command_changes_the_source_atime(names: tuple[str, ...], tmp_path: Path) -> None:
    if not _reads_update_atime(tmp_path):
        pytest.skip("this file system does not update atime on read (noatime mount): nothing to observe")
    paths = _copy(tmp_path, *names)
    # _state itself reads the files (with atime changes): take the hashes first, then reset atime
    before = _state(paths)
    for p in paths:
        os.utime(p, ns=(OLD_ATIME * 10**9, p.stat().st_mtime_ns))
    before = [(OLD_ATIME * 10**9, m, h) for _a, m, h in before]
    image = paths[0]
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    runs = [
        fkit("fs", "ls", image, "-f", "bodyfile"),
        fkit("fs", "ls", image, "-f", "jsonl"),
        fkit("fs", "cat", image, "/passwords.txt" if "ext2" in names[0] else "15"),
        fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--extract"),
        fkit("acquire", image, "--into", case, "--exhibit", "EX-02", "--physical"),
    ]
    for r in runs:
        assert r.returncode == 0, r.stderr
    after = [(p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in paths]
    assert after == [(a, m) for a, m, _h in before]
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] == [h for _a, _m, h in before]


def test_e01_native_descriptors_carry_noatime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libbfio opens the segments itself (reads in C, no call back into Python per chunk) only once
    fkit has set O_NOATIME on each of its descriptors; the callback path reads the same bytes."""
    import fcntl

    from forensic_kit.evidence import ewf

    if ewf.c_library() is None or not ewf._NATIVE_FILES:
        pytest.skip("libewf C library (with libbfio's file handles) not installed")
    paths = _copy(tmp_path, "ext2.split.E01", "ext2.split.E02")
    fast = ewf.EwfSource(paths[0])
    try:
        assert fast._c is not None and fast._c.native
        ids = {(p.stat().st_dev, p.stat().st_ino) for p in paths}
        mine = [int(n) for n in os.listdir("/proc/self/fd") if n.isdigit() and _on(int(n), ids)]
        assert len(mine) >= 2
        assert all(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NOATIME for fd in mine)
        data = fast.pread(0, fast.size)
    finally:
        fast.close()
    monkeypatch.setenv("FKIT_EWF_CALLBACK_IO", "1")
    slow = ewf.EwfSource(paths[0])
    try:
        assert slow._c is not None and not slow._c.native
        assert slow.pread(0, slow.size) == data
    finally:
        slow.close()
    assert hashlib.md5(data).hexdigest() == "196066add11fb71c4c49cf1bb50d6d24"  # the MD5 the E01 stores


def _on(fd: int, ids: set[tuple[int, int]]) -> bool:
    try:
        st = os.fstat(fd)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in ids
