"""Audit verdicts, both sides' counts, and a flipped byte in every position class."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from forensic_kit.audit import run_audit
from forensic_kit.errors import FormatError
from forensic_kit.exitcodes import ExitCode
from forensic_kit.hashlists import read_known


def make_tree(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    for i in range(1, 5):
        (root / f"f{i}.txt").write_bytes(f"file {i}\n".encode())
    (root / "sub" / "ملف.txt").write_bytes("عربي\n".encode())


def sha_list(root: Path, out: Path) -> None:
    import hashlib

    lines = []
    for p in sorted(root.rglob("*")):
        if p.is_file():
            lines.append(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p}\n")
    out.write_text("".join(lines), encoding="utf-8")


def audit(known: Path, root: Path) -> tuple[dict[str, str], object]:
    records, summary = run_audit(read_known(os.fsencode(known)), [os.fsencode(root)], workers=1)
    verdicts = {r["path"]: r["verdict"] for r in records}
    return verdicts, summary


def test_all_ok(tmp_path: Path) -> None:
    make_tree(tmp_path / "e")
    sha_list(tmp_path / "e", tmp_path / "known.sha256")
    verdicts, summary = audit(tmp_path / "known.sha256", tmp_path / "e")
    assert set(verdicts.values()) == {"OK"}
    assert len(verdicts) == 5
    assert summary.exit_code == ExitCode.OK
    assert summary.balanced()


def test_every_verdict(tmp_path: Path) -> None:
    e = tmp_path / "e"
    make_tree(e)
    sha_list(e, tmp_path / "known.sha256")
    (e / "f1.txt").write_bytes(b"changed\n")
    (e / "f2.txt").rename(e / "moved.txt")
    (e / "f3.txt").unlink()
    (e / "new.txt").write_bytes(b"new\n")
    (e / "copy.txt").write_bytes((e / "f4.txt").read_bytes())
    verdicts, summary = audit(tmp_path / "known.sha256", e)
    assert verdicts == {
        f"{e}/copy.txt": "NEW",
        f"{e}/f1.txt": "MODIFIED",
        f"{e}/f4.txt": "OK",
        f"{e}/moved.txt": "MOVED",
        f"{e}/new.txt": "NEW",
        f"{e}/sub/ملف.txt": "OK",
        f"{e}/f3.txt": "MISSING",
    }
    assert summary.counts == {"OK": 2, "MODIFIED": 1, "MOVED": 1, "NEW": 2, "MISSING": 1, "UNREADABLE": 0}
    assert summary.found_files == 6 and summary.known_entries == 5
    assert summary.balanced()
    assert summary.exit_code == ExitCode.CHECK_FAILED


@pytest.mark.parametrize("offset", [0, 1, 4, -1])
def test_flipped_byte_is_modified(tmp_path: Path, offset: int) -> None:
    e = tmp_path / "e"
    make_tree(e)
    sha_list(e, tmp_path / "known.sha256")
    target = e / "sub" / "ملف.txt"
    data = bytearray(target.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))
    verdicts, summary = audit(tmp_path / "known.sha256", e)
    assert verdicts[str(target)] == "MODIFIED"
    assert [v for v in verdicts.values() if v != "OK"] == ["MODIFIED"]
    assert summary.exit_code == ExitCode.CHECK_FAILED


def test_unreadable_file_gives_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from forensic_kit import filehash

    e = tmp_path / "e"
    make_tree(e)
    sha_list(e, tmp_path / "known.sha256")
    real = filehash.read_and_hash

    def faulty(fd: int, size: int, algos: object) -> object:
        if os.readlink(f"/proc/self/fd/{fd}").endswith("f2.txt"):
            raise OSError(5, "Input/output error")
        return real(fd, size, algos)  # type: ignore[arg-type]

    monkeypatch.setattr(filehash, "read_and_hash", faulty)
    verdicts, summary = audit(tmp_path / "known.sha256", e)
    assert verdicts[f"{e}/f2.txt"] == "UNREADABLE"
    assert summary.counts["UNREADABLE"] == 1 and summary.counts["OK"] == 4
    assert summary.balanced()
    assert summary.exit_code == ExitCode.PARTIAL


def test_duplicate_listing_and_duplicate_content(tmp_path: Path) -> None:
    e = tmp_path / "e"
    e.mkdir()
    (e / "a").write_bytes(b"same\n")
    (e / "b").write_bytes(b"same\n")
    import hashlib

    h = hashlib.sha256(b"same\n").hexdigest()
    (tmp_path / "k").write_text(f"{h}  {e}/a\n{h}  {e}/a\n{h}  {e}/b\n")
    verdicts, summary = audit(tmp_path / "k", e)
    assert verdicts == {f"{e}/a": "OK", f"{e}/b": "OK"}
    assert summary.known_entries == 2
    assert summary.balanced()


def test_empty_list_is_refused(tmp_path: Path) -> None:
    (tmp_path / "k").write_text("")
    with pytest.raises(FormatError, match="empty known list"):
        read_known(os.fsencode(tmp_path / "k"))


def test_garbage_list_is_refused(tmp_path: Path) -> None:
    (tmp_path / "k").write_text("this is not a hash list\n")
    with pytest.raises(FormatError, match="not a checksum line"):
        read_known(os.fsencode(tmp_path / "k"))
