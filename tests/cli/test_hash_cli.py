"""``fkit hash`` driven as a user would: argv, piped stdin, stdout data, stderr messages."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import blake3
import pytest

from tests.conftest import fkit, testdata


def tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"hello\n")
    (root / "sub" / "ملف عربي.txt").write_bytes("نص\n".encode())
    (root / "sub" / "été.txt").write_bytes(b"ete\n")
    os.symlink("a.txt", root / "link")
    os.mkfifo(root / "fifo")
    with open(os.fsencode(root) + b"/bad\xffname", "wb") as f:
        f.write(b"raw\n")
    return root


def records(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode().splitlines()]


def test_jsonl_records_in_a_pipe(tmp_path: Path) -> None:
    d = tree(tmp_path / "d")
    res = fkit("hash", "d", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    recs = records(res.stdout)
    by = {r["path"]: r for r in recs}
    assert [r["path"] for r in recs] == ["d/a.txt", "d/bad\ufffdname", "d/fifo", "d/link", "d/sub/été.txt", "d/sub/ملف عربي.txt"]
    a = by["d/a.txt"]
    assert a["kind"] == "file" and a["type"] == "regular" and a["size"] == 6
    assert a["hashes"] == {"sha256": hashlib.sha256(b"hello\n").hexdigest(), "blake3": blake3.blake3(b"hello\n").hexdigest()}
    assert a["times"]["mtime"].endswith("Z") and len(a["times"]["mtime"]) == 30
    assert a["times"]["btime"] is None
    assert a["producer"]["tool"] == "fkit" and a["producer"]["parser"] == "hash"
    assert by["d/bad\ufffdname"]["path_hex"] == (b"d/bad\xffname").hex()
    assert by["d/link"]["type"] == "symlink" and by["d/link"]["target"] == "a.txt" and by["d/link"]["hashes"] == {}
    assert by["d/fifo"]["type"] == "fifo" and by["d/fifo"]["skipped"] == "fifo is not hashed"
    assert b"4 files, 19 bytes hashed" in res.stderr
    assert b"2 not hashed" in res.stderr


def test_follow_symlinks(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_bytes(b"x")
    os.symlink("a", tmp_path / "d" / "l")
    res = fkit("hash", "--follow", "d", cwd=tmp_path)
    by = {r["path"]: r for r in records(res.stdout)}
    assert by["d/l"]["type"] == "regular" and by["d/l"]["hashes"] == by["d/a"]["hashes"]


def test_a_root_that_links_to_a_folder_is_entered(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_bytes(b"x")
    os.symlink("d", tmp_path / "mnt")
    os.symlink("gone", tmp_path / "dangling")
    res = fkit("hash", "mnt", "dangling", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    recs = records(res.stdout)
    assert [(r["path"], r["type"]) for r in recs] == [("mnt/a", "regular"), ("dangling", "symlink")]
    assert recs[0]["hashes"]["sha256"] == hashlib.sha256(b"x").hexdigest()


def test_algorithms_in_one_pass(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    res = fkit("hash", "-a", "md5,sha1,sha256,sha512,sha3-256,blake3", "f", cwd=tmp_path)
    (rec,) = records(res.stdout)
    assert rec["hashes"] == {
        "md5": hashlib.md5(b"abc").hexdigest(), "sha1": hashlib.sha1(b"abc").hexdigest(),
        "sha256": hashlib.sha256(b"abc").hexdigest(), "sha512": hashlib.sha512(b"abc").hexdigest(),
        "sha3-256": hashlib.sha3_256(b"abc").hexdigest(), "blake3": blake3.blake3(b"abc").hexdigest(),
    }


def test_stdin_paths_nul_and_records(tmp_path: Path) -> None:
    d = tree(tmp_path / "d")
    by_lines = fkit("hash", "-", input=b"d/a.txt\nd/sub\n", cwd=tmp_path)
    assert [r["path"] for r in records(by_lines.stdout)] == ["d/a.txt", "d/sub/été.txt", "d/sub/ملف عربي.txt"]
    by_nul = fkit("hash", "-0", "-", input=b"d/bad\xffname\0d/a.txt\0", cwd=tmp_path)
    assert [r.get("path_hex") for r in records(by_nul.stdout)] == [(b"d/bad\xffname").hex(), None]
    upstream = {"kind": "phone.photo", "path": "d/a.txt", "exhibit": "EX-01", "custom": {"keep": [1, None]}}
    nopath = {"kind": "phone.contact", "name": "R. Jaziri"}
    res = fkit("hash", "-", "-a", "md5", input=(json.dumps(upstream) + "\n" + json.dumps(nopath) + "\n").encode(), cwd=tmp_path)
    first, second = records(res.stdout)
    assert first["custom"] == {"keep": [1, None]} and first["kind"] == "phone.photo" and first["exhibit"] == "EX-01"
    assert first["hashes"] == {"md5": hashlib.md5(b"hello\n").hexdigest()}
    assert second == nopath
    assert d.exists()


def test_missing_path_is_an_error_record_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "ok").write_bytes(b"1")
    res = fkit("hash", "ok", "gone", cwd=tmp_path)
    assert res.returncode == 3
    ok, err = records(res.stdout)
    assert ok["kind"] == "file"
    assert err["kind"] == "error" and err["path"] == "gone"
    assert err["error"] == {"stage": "stat", "reason": "No such file or directory", "errno": "ENOENT"}
    assert b"Traceback" not in res.stderr


def test_read_error_from_the_kernel(tmp_path: Path) -> None:
    # /proc/self/mem fails with EIO at offset 0: a real unreadable file, even for root.
    res = fkit("hash", "/proc/self/mem")
    assert res.returncode == 3
    (err,) = records(res.stdout)
    assert err["kind"] == "error" and err["error"]["stage"] == "read" and err["error"]["errno"] == "EIO"


def test_changed_while_read_is_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from forensic_kit import filehash

    target = tmp_path / "growing"
    target.write_bytes(b"a" * 1000)
    real = filehash.read_and_hash

    def appending(fd: int, size: int, algos: object) -> object:
        with open(target, "ab") as f:
            f.write(b"more")
        return real(fd, size, algos)  # type: ignore[arg-type]

    monkeypatch.setattr(filehash, "read_and_hash", appending)
    item = filehash.WorkItem(os.fsencode(target), os.fsencode(tmp_path))
    rec = filehash.hash_one(item, ("sha256",))
    assert rec["changed_during_read"] is True and rec["bytes_read"] == 1004
    assert rec["warnings"][0]["stage"] == "read"
    stats = filehash.HashStats()
    list(filehash.tally([rec], stats))
    assert stats.changed == 1


def test_source_times_unchanged(tmp_path: Path) -> None:
    f = tmp_path / "evidence.bin"
    f.write_bytes(os.urandom(3 * 1024 * 1024))
    os.utime(f, ns=(1_500_000_000_123_456_789, 1_400_000_000_987_654_321))
    before = os.stat(f)
    res = fkit("hash", str(f))
    assert res.returncode == 0
    after = os.stat(f)
    assert (after.st_atime_ns, after.st_mtime_ns) == (before.st_atime_ns, before.st_mtime_ns)
    (rec,) = records(res.stdout)
    assert rec["times"]["atime"] == "2017-07-14T02:40:00.123456789Z"
    assert rec["times"]["mtime"] == "2014-05-13T16:53:20.987654321Z"


def test_many_files_use_the_pool_and_keep_order(tmp_path: Path) -> None:
    d = tmp_path / "many"
    d.mkdir()
    for i in range(300):
        (d / f"{i:04d}").write_bytes(str(i).encode() * (i % 7))
    res = fkit("hash", "-a", "sha256", "-f", "sha256sum", "many", cwd=tmp_path)
    lines = res.stdout.decode().splitlines()
    assert len(lines) == 300
    assert lines[123] == f"{hashlib.sha256(b'123' * (123 % 7)).hexdigest()}  many/0123"


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    d = tmp_path / "many"
    d.mkdir()
    for i in range(2000):
        (d / f"{i:05d}").write_bytes(b"x")
    res = subprocess.run(f"{sys.executable} -m forensic_kit hash many | head -1; exit ${{PIPESTATUS[0]}}",
                         shell=True, executable="/bin/bash", cwd=tmp_path, capture_output=True)
    assert res.returncode == 0
    assert len(res.stdout.splitlines()) == 1
    assert b"Traceback" not in res.stderr and b"Broken pipe" not in res.stderr


def test_hashes_equal_the_testdata_manifest() -> None:
    folder = testdata("photos", "gps")
    res = fkit("hash", "-a", "sha256", str(folder))
    assert res.returncode == 0
    prov = {}
    for line in testdata("PROVENANCE.tsv").read_text().splitlines()[1:]:
        name, sha = line.split("\t")[:2]
        prov[name] = sha
    checked = 0
    for rec in records(res.stdout):
        rel = os.path.relpath(rec["path"], testdata())
        if rel in prov:
            assert rec["hashes"]["sha256"] == prov[rel], rel
            checked += 1
    assert checked >= 3


def test_workers_and_one_process_write_the_same_bytes(tmp_path: Path) -> None:
    d = tree(tmp_path / "d")
    for i in range(300):
        name = (f"{i:04d} é \"q\"\\" if i % 3 else f"{i:04d}").encode() + (b"\xfe" if i % 7 == 0 else b"")
        with open(os.fsencode(d) + b"/sub/" + name, "wb") as f:
            f.write(os.urandom(i * 13))
    fkit("hash", "-q", "d", cwd=tmp_path)  # settles link atimes (readlink updates them once)
    pooled = fkit("hash", "-q", "-j", "2", "d", cwd=tmp_path)
    single = fkit("hash", "-q", "-j", "1", "d", cwd=tmp_path)
    assert pooled.returncode == single.returncode == 0
    assert pooled.stdout == single.stdout
    assert len(records(pooled.stdout)) == 306
