"""``fkit fs cat`` is ``icat``: same addresses (INODE, INODE-TYPE, INODE-TYPE-ID, path:stream), same
bytes, on the DFTT images with their published answer keys; a missing address is an error."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from tests.conftest import fkit, testdata

needs_icat = pytest.mark.skipif(shutil.which("icat") is None, reason="The Sleuth Kit (icat) not installed")


def _answer_rows() -> list[tuple[str, str, str, str, str, str]]:
    path = testdata("corpus", "disk_images", "dftt", "deleted_files.icat_vs_answerkey.txt")
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        image, inode, name, icat_md5, expected, verdict = (c.strip() for c in line.split("|"))
        rows.append((image, inode, name, icat_md5, expected, verdict))
    return rows


def test_every_answer_key_file_icat_recovers_fkit_recovers_identically() -> None:
    rows = _answer_rows()
    assert len(rows) == 15
    matched = 0
    for image, inode, name, icat_md5, expected, verdict in rows:
        r = fkit("fs", "cat", testdata("corpus", "disk_images", "dftt", image), inode)
        assert r.returncode == 0, (image, inode, r.stderr)
        got = hashlib.md5(r.stdout).hexdigest()
        assert got == icat_md5, (image, inode, name)
        if verdict == "MATCH":
            assert got == expected, (image, inode, name)
            matched += 1
    assert matched == 12  # the 3 others are fragmented deleted FAT files: the answer key's "naive" MD5s


@pytest.mark.parametrize("target", ["32-128-6", "/mult1.dat:ADS"])
def test_alternate_data_stream_by_address_and_by_name(target: str) -> None:
    r = fkit("fs", "cat", testdata("corpus", "disk_images", "dftt", "7-ntfs-undel.dd"), target)
    assert r.returncode == 0, r.stderr
    assert hashlib.md5(r.stdout).hexdigest() == "ba1b9eedb1c091ddca253d35dde8f616"  # answer key


def test_type_without_id_is_the_lowest_id_of_that_type() -> None:
    image = testdata("corpus", "disk_images", "dftt", "7-ntfs-undel.dd")
    r = fkit("fs", "cat", image, "32-128")
    assert r.returncode == 0 and hashlib.md5(r.stdout).hexdigest() == "ffd27bd782bdce67750b6b9ee069d2ef"


@pytest.mark.parametrize("target,why", [("32-999-9", b"no attribute 999-9"), ("32-128-9", b"no attribute 128-9"),
                                        ("/mult1.dat:NOPE", b"no stream named 'NOPE'"), ("999999", b"no inode 999999"),
                                        ("/no/such/file", b"no such file")])
def test_missing_address_is_one_line_exit_4(target: str, why: bytes) -> None:
    r = fkit("fs", "cat", testdata("corpus", "disk_images", "dftt", "7-ntfs-undel.dd"), target)
    assert (r.returncode, r.stdout) == (4, b"")
    assert r.stderr.count(b"\n") == 1 and why in r.stderr


@needs_icat
@pytest.mark.parametrize("image", ["7-ntfs-undel.dd", "6-fat-undel.dd"])
def test_every_listed_stream_equals_icat(image: str) -> None:
    """Every address fls prints (per-attribute NTFS addresses included) gives icat's bytes."""
    path = testdata("corpus", "disk_images", "dftt", image)
    body = testdata("corpus", "disk_images", "dftt", image + ".fls_bodyfile.txt").read_text("utf-8", "replace")
    addresses = sorted({line.split("|")[2] for line in body.splitlines()
                        if line.split("|")[3].startswith("r/") and "($FILE_NAME)" not in line})
    assert len(addresses) >= 7
    for addr in addresses:
        want = subprocess.run(["icat", str(path), addr], capture_output=True)
        got = fkit("fs", "cat", path, addr)
        if want.returncode != 0:
            assert got.returncode == 4, (addr, got.stderr)
            continue
        assert got.returncode == 0, (addr, got.stderr)
        assert hashlib.md5(got.stdout).hexdigest() == hashlib.md5(want.stdout).hexdigest(), addr
