"""Logical acquisition with copy worker processes (many files): the same copies, records and
failures as a copy in the calling process, in walk order."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import blake3
import pytest

from forensic_kit.acquire.core import WriteFailed
from forensic_kit.acquire.logical import PARALLEL_MIN, Copied, copy_files
from tests.acquire.test_acquire import _case, _consistent, _records, _tree
from tests.conftest import fkit

ALGOS = ("sha256", "blake3")


def _many(root: Path, files: int = PARALLEL_MIN + 72) -> Path:
    """Small files in a few folders, one over the small-file limit, a non-UTF-8 name, a link."""
    for i in range(files):
        d = root / f"d{i // 50}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i:04d}.bin").write_bytes(os.urandom(i * 37 % 5000))
    (root / "d0" / "large.bin").write_bytes(os.urandom(5 << 20))  # over copy.SMALL: threaded pump
    with open(os.fsencode(root / "d1") + b"/caf\xe9.txt", "wb") as f:
        f.write(b"latin-1 name\n")
    (root / "d2" / "link").symlink_to("f0100.bin")
    return root


def _jobs(src: Path, dest: Path) -> list[tuple[bytes, str]]:
    out = []
    for dirpath, _dirs, names in sorted(os.walk(os.fsencode(src))):
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                out.append((path, os.fsdecode(os.path.join(os.fsencode(dest), os.path.relpath(path, os.fsencode(src))))))
    return out


def _summary(results: list[Copied], dest: Path) -> list[tuple[str, dict[str, str] | None, int, bool, object]]:
    return [(os.path.relpath(c.dest, dest), c.hashes, c.size, c.changed, c.error) for c in results]


def test_workers_copy_exactly_what_one_process_copies(tmp_path: Path) -> None:
    src = _many(tmp_path / "src")
    jobs = _jobs(src, tmp_path / "one")
    jobs.insert(5, (os.fsencode(src / "vanished.bin"), os.fspath(tmp_path / "one" / "vanished.bin")))
    for dest in ("one", "two"):
        for d in sorted({os.path.dirname(j) for _p, j in _jobs(src, tmp_path / dest)}):
            os.makedirs(d, exist_ok=True)
    one = list(copy_files(jobs, ALGOS, workers=1))
    two_jobs = [(p, d.replace(os.fspath(tmp_path / "one"), os.fspath(tmp_path / "two"), 1)) for p, d in jobs]
    forked: list[bool] = []
    two = list(copy_files(two_jobs, ALGOS, workers=2, before_workers=lambda: forked.append(True)))
    assert forked == [True]  # the workers were used
    assert _summary(two, tmp_path / "two") == _summary(one, tmp_path / "one")
    assert len(two) == len(jobs) == PARALLEL_MIN + 72 + 3
    gone = two[5]
    assert gone.hashes is None and gone.stage == "stat" and gone.error == (errno.ENOENT, "No such file or directory")
    for (path, dest), copied in zip(two_jobs, two):
        if copied.hashes is None:
            continue
        data = Path(os.fsdecode(path)).read_bytes()
        assert Path(dest).read_bytes() == data
        assert copied.hashes == {"sha256": hashlib.sha256(data).hexdigest(), "blake3": blake3.blake3(data).hexdigest()}
        assert copied.before is not None and os.stat(dest).st_mtime_ns == copied.before.st_mtime_ns


def test_a_full_destination_in_a_worker_is_raised_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _many(tmp_path / "src")
    jobs = _jobs(src, tmp_path / "out")
    for d in sorted({os.path.dirname(j) for _p, j in jobs}):
        os.makedirs(d, exist_ok=True)
    monkeypatch.setenv("FKIT_FAULT_WRITE_AFTER", "100000")
    with pytest.raises(WriteFailed, match="cannot write to the case: No space left on device") as info:
        list(copy_files(jobs, ALGOS, workers=2))
    assert info.value.errno == errno.ENOSPC


def test_acquire_many_files(tmp_path: Path) -> None:
    src = _many(tmp_path / "src")
    case = _case(tmp_path)
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-01")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    files = [p for p in _tree(src) if not (src / p).is_symlink()]
    assert len(recs) == len(files) == PARALLEL_MIN + 72 + 2
    # walk order (bytes, folder by folder), each record's hashes those of its source
    rels = [bytes.fromhex(x["locator"]["relpath_hex"]) if "relpath_hex" in x["locator"]
            else os.fsencode(x["locator"]["relpath"]) for x in recs]
    assert rels == sorted(os.fsencode(p) for p in files)
    assert b"d1/caf\xe9.txt" in rels
    for x, rel in zip(recs, rels):
        data = Path(os.fsdecode(os.fsencode(src) + b"/" + rel)).read_bytes()
        assert x["hashes"]["sha256"] == hashlib.sha256(data).hexdigest() and x["size"] == len(data)
        assert x["verified"]["ok"] is True
    ex = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text())
    assert ex["status"] == "complete" and ex["items"] == len(files)
    assert ex["not_copied"] == [{"relpath": "d2/link", "type": "symlink", "target": "f0100.bin"}]
    _consistent(case)
    # a second exhibit prints its own records only; the case keeps both, each as printed
    r2 = fkit("acquire", src / "d1", "--into", case, "--exhibit", "EX-02")
    assert r2.returncode == 0, r2.stderr
    assert {x["exhibit"] for x in _records(r2.stdout)} == {"EX-02"} and len(_records(r2.stdout)) == 51
    assert (case / "fkit" / "records.jsonl").read_bytes() == r.stdout + r2.stdout


def test_destination_full_with_copy_workers(tmp_path: Path) -> None:
    src = _many(tmp_path / "src")
    case = _case(tmp_path)
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-02", env={"FKIT_FAULT_WRITE_AFTER": "200000"})
    assert r.returncode == 4, r.stderr
    # exactly one clean line: no traceback from the read-back helper's exit, no doubled prefix
    assert r.stderr == (b"fkit: error: acquisition of EX-02 stopped: cannot write to the case: "
                        b"No space left on device; nothing partial was recorded; free space and run the same "
                        b"command again\n")
    assert json.loads((case / "fkit" / "exhibits" / "EX-02.json").read_text())["status"] == "failed"
    assert not (case / "data" / "EX-02").exists()
    _consistent(case)
    r2 = fkit("acquire", src, "--into", case, "--exhibit", "EX-02")
    assert r2.returncode == 0, r2.stderr
    assert len(_records(r2.stdout)) == PARALLEL_MIN + 72 + 2
    _consistent(case)
