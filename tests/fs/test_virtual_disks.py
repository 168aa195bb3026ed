"""VHD, VMDK and QCOW images through the libyal bindings: the disk's contents are those
``qemu-img convert -O raw`` gives (the MD5 beside each image), for acquire --physical, fs cat,
acquire --extract; a differencing disk without its parent is a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import fkit, testdata

MEDIA = ["ext2.vhd", "ext2.vmdk", "plaso/image.vmdk", "ext2.qcow2", "plaso/image.qcow2", "windows_volume.qcow2"]


@pytest.mark.parametrize("name", MEDIA)
def test_physical_acquisition_images_the_virtual_disk_contents(name: str, tmp_path: Path) -> None:
    image = testdata("disk", "virtual", name)
    want = testdata("disk", "virtual", name + ".media.md5.txt").read_text().split()[0]
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--physical", "--algo", "sha256,md5")
    assert r.returncode == 0, r.stderr
    sheet = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text("utf-8"))
    assert sheet["image"]["hashes"]["md5"] == want
    assert sheet["source"]["type"] == "image:" + {"vhd": "vhd", "vmdk": "vmdk", "qcow2": "qcow"}[name.rsplit(".", 1)[1]]


@pytest.mark.parametrize("name", ["ext2.vhd", "ext2.vmdk", "ext2.qcow2"])
def test_cat_and_extract_from_a_virtual_disk(name: str, tmp_path: Path) -> None:
    image = testdata("disk", "virtual", name)
    raw = testdata("disk", "ext2.splitraw.000")
    cat = fkit("fs", "cat", image, "/passwords.txt")
    assert cat.returncode == 0, cat.stderr
    assert cat.stdout == fkit("fs", "cat", raw, "/passwords.txt").stdout
    assert len(cat.stdout) == 116
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-02", "--extract")
    assert r.returncode == 0, r.stderr
    assert (case / "data" / "EX-02" / "fs-0" / "passwords.txt").read_bytes() == cat.stdout


def test_differencing_disk_without_followed_parent_is_one_line_error() -> None:
    r = fkit("fs", "ls", testdata("disk", "virtual", "fat-differential.vhd"))
    assert r.returncode == 4
    assert r.stderr.count(b"\n") == 1 and b"differencing disk" in r.stderr
