"""The JSON Lines fast path and the worker processes of :mod:`forensic_kit.filehash`.

The fast path writes the common record (a regular file that did not change while read) straight
to its JSON line; these tests hold it to byte equality with the careful path (``hash_one`` then
``dump_bytes``) on awkward trees, in the calling process and in forked workers.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from forensic_kit import filehash
from forensic_kit.filehash import HashStats, WorkItem, hash_items, hash_items_jsonl, hash_one, walk
from forensic_kit.workers import WorkerError
from forensic_kit.hashing import SMALL_FILE
from forensic_kit.jsonl import dump_bytes

ODD_NAMES = [
    b"plain.txt", b"with space", b'quote"d', b"back\\slash", b"new\nline", b"tab\there", b"\x01ctl",
    b"bad\xffname", "ملف عربي.txt".encode(), "été.txt".encode(),
    unicodedata.normalize("NFD", "café-nfd").encode(), b"empty",
]


def odd_tree(root: Path, copies: int = 1) -> Path:
    """A tree with every kind of name and entry the records must get exactly right."""
    raw = os.fsencode(root)
    os.makedirs(raw + b"/sub/deeper", exist_ok=True)
    os.makedirs(raw + "/dossier é".encode(), exist_ok=True)
    for i in range(copies):
        for j, name in enumerate(ODD_NAMES):
            for folder in (b"", b"/sub", b"/sub/deeper", "/dossier é".encode()):
                data = b"" if name == b"empty" else bytes([j]) * (i * 37 + j) + name
                with open(raw + folder + b"/" + name + str(i).encode(), "wb") as f:
                    f.write(data)
    with open(raw + b"/big.bin", "wb") as f:
        f.write(os.urandom(SMALL_FILE + 4097))  # above the one-read size: the pumped path
    os.symlink("plain.txt0", raw + b"/link")
    os.symlink("nowhere", raw + b"/sub/dangling")
    os.mkfifo(raw + b"/sub/fifo")
    for item in walk([raw]):  # readlink() sets a new link's atime once (relatime): settle it now
        hash_one(item, ("md5",))
    return root


def careful(items: list[WorkItem], algos: tuple[str, ...]) -> tuple[bytes, HashStats]:
    stats = HashStats()
    out = b"".join(dump_bytes(r) for r in filehash.tally((hash_one(i, algos) for i in items), stats))
    return out, stats


def fast(items: list[WorkItem], algos: tuple[str, ...], workers: int) -> tuple[bytes, HashStats]:
    stats = HashStats()
    blocks = []
    for data, counts in hash_items_jsonl(items, algos, workers=workers):
        blocks.append(data)
        stats.merge(counts)
    return b"".join(blocks), stats


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("algos", [("sha256",), ("sha256", "blake3"), ("md5", "sha1", "sha512", "sha3-256", "blake3")])
def test_fast_jsonl_equals_careful_records(tmp_path: Path, workers: int, algos: tuple[str, ...]) -> None:
    root = odd_tree(tmp_path / "t", copies=4)  # > 128 items: workers=2 really forks
    roots = [os.fsencode(root), os.fsencode(root) + b"/sub/", os.fsencode(root) + b"/plain.txt0", b"gone"]
    items = list(walk(roots))
    assert len(items) > 128
    want, want_stats = careful(items, algos)
    got, got_stats = fast(items, algos, workers)
    assert got == want
    assert got_stats == want_stats
    assert got_stats.records == len(items)


def test_records_from_workers_equal_careful_records(tmp_path: Path) -> None:
    root = odd_tree(tmp_path / "t", copies=4)
    items = list(walk([os.fsencode(root)]))
    assert list(hash_items(items, ("sha256",), workers=2)) == [hash_one(i, ("sha256",)) for i in items]


def test_relative_root_and_single_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd_tree(tmp_path / "t")
    monkeypatch.chdir(tmp_path)
    items = list(walk([b"t", b"t/plain.txt0", b"./t/sub"]))
    assert fast(items, ("sha256",), 1) == careful(items, ("sha256",))


def test_change_while_read_is_flagged_on_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "growing"
    target.write_bytes(b"a" * 1000)
    real_read = os.read

    def appending_read(fd: int, n: int) -> bytes:
        if os.readlink(f"/proc/self/fd/{fd}") == str(target) and target.stat().st_size == 1000:
            with open(target, "ab") as f:
                f.write(b"more")
        return real_read(fd, n)

    monkeypatch.setattr(filehash.os, "read", appending_read)
    items = list(walk([os.fsencode(tmp_path)]))
    assert items[0].regular
    data, stats = fast(items, ("sha256",), 1)
    monkeypatch.undo()
    (rec,) = [__import__("json").loads(line) for line in data.splitlines()]
    assert rec["changed_during_read"] is True and rec["bytes_read"] == 1004 and rec["size"] == 1000
    assert rec["warnings"][0]["stage"] == "read"
    assert stats.changed == 1 and stats.files == 1 and stats.records == 1


def test_a_failing_worker_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd_tree(tmp_path / "t", copies=4)
    items = list(walk([os.fsencode(tmp_path / "t")]))

    def broken(task: filehash.Task) -> tuple[bytes, HashStats]:
        raise RuntimeError("boom")

    monkeypatch.setattr(filehash, "_jsonl_task", broken)
    with pytest.raises(WorkerError, match="a hashing worker failed:(.|\n)*boom"):
        list(hash_items_jsonl(items, ("sha256",), workers=2))


def test_stopping_early_ends_the_workers(tmp_path: Path) -> None:
    odd_tree(tmp_path / "t", copies=30)
    items = list(walk([os.fsencode(tmp_path / "t")]))
    gen = hash_items_jsonl(items, ("sha256",), workers=2)
    next(gen)
    gen.close()  # what a broken pipe does: workers are killed and reaped, nothing left behind
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize("ns", [0, 1, 999_999_999, 1_000_000_000, -1, -1_000_000_001, 1_700_000_000_123_456_789,
                                253_402_300_799_999_999_999, -62_135_596_800_000_000_000])
def test_hot_path_times_equal_ns_to_iso(ns: int) -> None:
    from forensic_kit.timeutil import ns_to_iso

    assert filehash._iso(ns) == ns_to_iso(ns)
    assert filehash._iso(ns) == ns_to_iso(ns)  # cached second


def test_tasks_larger_than_a_pipe_reach_the_workers(tmp_path: Path) -> None:
    # A record passing through can be far bigger than a pipe's buffer: the parent must keep
    # writing it as the worker reads, never block on it (and never deadlock with big results).
    odd_tree(tmp_path / "t", copies=4)
    items = list(walk([os.fsencode(tmp_path / "t")]))
    big = {"kind": "phone.note", "text": "é" * 400_000}
    mixed = items[:60] + [WorkItem(b"", b".", record=big)] * 3 + items[60:]
    got, stats = fast(mixed, ("sha256",), 2)
    want, want_stats = careful(mixed, ("sha256",))
    assert got == want and stats == want_stats
    assert got.count(b'"kind":"phone.note"') == 3
