"""--extract keeps every item under its own copy name: a name TSK returns as "/" is escaped and
marked, two entries with one name in a folder both kept (the second marked with its inode), and
every item has exactly one record."""

from __future__ import annotations

import hashlib
import json
import lzma
import tarfile
from pathlib import Path

from tests.conftest import fkit, testdata


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    return case


def _records(out: bytes) -> list[dict]:
    return [json.loads(x) for x in out.splitlines()]


def test_duplicated_names_in_one_folder_are_all_kept(tmp_path: Path) -> None:
    archive = testdata("corpus", "malformed", "exfat", "duplicated_name.exfat.img.tar.xz")
    with lzma.open(archive) as xz, tarfile.open(fileobj=xz) as tar:
        tar.extractall(tmp_path / "img", filter="data")
    (image,) = list((tmp_path / "img").rglob("*.img"))
    case = _case(tmp_path)
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--extract")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    dup = [x for x in recs if x["locator"]["path"] == "/duplicated-filename-test"]
    assert sorted((x["locator"]["inode"], x["bag_path"]) for x in dup) == [
        (8197, "data/EX-01/fs-0/duplicated-filename-test"),
        (8205, "data/EX-01/fs-0/duplicated-filename-test~fkit-dup-8205")]
    assert len({x["bag_path"] for x in recs}) == len(recs)
    for x in recs:
        assert hashlib.sha256((case / x["bag_path"]).read_bytes()).hexdigest() == x["hashes"]["sha256"]


def test_a_name_tsk_returns_as_slash_does_not_stop_extraction(tmp_path: Path) -> None:
    image = testdata("corpus", "disk_images", "raw", "exfatprogs_invalid_name_exfat.img")
    body = testdata("corpus", "disk_images", "raw", "exfatprogs_invalid_name_exfat.img.fls_bodyfile.txt")
    files = [line for line in body.read_bytes().splitlines() if b"|r/r" in line and b"(Volume Label Entry)" not in line]
    case = _case(tmp_path)
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--extract")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    assert len(recs) == len(files) == 42  # every file fls lists: one record each
    (slash,) = [x for x in recs if x["locator"]["inode"] == 492]
    assert slash["bag_path"] == "data/EX-01/fs-0/%2F~fkit-" + hashlib.sha256(b"/").hexdigest()[:16]
    assert (slash["locator"]["path"], slash["locator"].get("path_hex")) == ("//", None)
    assert len({x["bag_path"] for x in recs}) == 42
