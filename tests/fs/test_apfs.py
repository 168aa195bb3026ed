"""APFS through libfsapfs: fs ls equals ``fls -r -m / -P apfs -B 107`` (the listing dfvfs's own
tests expect: passwords.txt 18, a_directory/a_file 17, another_file 19, a link), fs cat by path
and identifier, --extract."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import fkit, testdata


def test_listing_equals_fls_with_the_pool_options() -> None:
    image = testdata("disk", "apfs.raw")
    twin = testdata("corpus", "disk_images", "raw", "dfvfs_apfs.raw")
    assert hashlib.sha256(image.read_bytes()).digest() == hashlib.sha256(twin.read_bytes()).digest()
    oracle = testdata("corpus", "disk_images", "raw", "dfvfs_apfs.raw.apsb107.fls_bodyfile.txt").read_bytes()
    assert b"Cannot determine file system type" in testdata("disk", "apfs.raw.bodyfile.txt").read_bytes()
    r = fkit("fs", "ls", image, "-f", "bodyfile", env={"TZ": "UTC"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle
    recs = [json.loads(x) for x in fkit("fs", "ls", image, "-f", "jsonl").stdout.splitlines()]
    by_path = {x["path"]: x for x in recs if x["kind"] == "fs.entry"}
    assert (by_path["/passwords.txt"]["inode"], by_path["/a_directory/a_file"]["inode"],
            by_path["/a_directory/another_file"]["inode"]) == (18, 17, 19)
    assert by_path["/passwords.txt"]["times"]["modified"] == "2022-01-14T07:19:41.213333494Z"


def test_cat_and_extract(tmp_path: Path) -> None:
    image = testdata("disk", "apfs.raw")
    by_path = fkit("fs", "cat", image, "/a_directory/another_file")
    assert (by_path.returncode, by_path.stdout) == (0, b"This is another file.\n")
    assert fkit("fs", "cat", image, "19").stdout == by_path.stdout
    missing = fkit("fs", "cat", image, "/nope")
    assert missing.returncode == 4 and missing.stderr.count(b"\n") == 1
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--extract")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(recs) == 7 and {x["locator"]["fs"] for x in recs} == {"apfs"}
    assert (case / "data" / "EX-01" / "fs-0" / "apfs_test" / "a_directory" / "another_file").read_bytes() == by_path.stdout
