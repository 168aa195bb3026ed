"""The case package: a BagIt 1.0 bag that independent tools (bagit.py, sha256sum) accept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from forensic_kit.errors import CaseExistsError, NotACaseError
from forensic_kit.package import Case, decode_bag_path, encode_bag_path
from tests.conftest import fkit


def bagit_validate(root: Path) -> subprocess.CompletedProcess[bytes]:
    """The independent validator from PyPI (LoC bagit.py), as a separate process."""
    return subprocess.run([sys.executable, "-m", "bagit", "--validate", str(root)], capture_output=True)


def sha256sum_check(root: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["sha256sum", "--strict", "-c", "manifest-sha256.txt"], cwd=root, capture_output=True)


def test_case_init_creates_a_valid_bag(tmp_path: Path) -> None:
    case = tmp_path / "CASE"
    r = fkit("case", "init", case, "--case-id", "2026-RABAT-0042", "--agency", "DGSN Rabat",
             "--officer", "Amina El Idrissi", "--profile", "eu", env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["kind"] == "case" and rec["case_id"] == "2026-RABAT-0042"
    assert (case / "bagit.txt").read_bytes() == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    info = (case / "bag-info.txt").read_text("utf-8")
    assert "Payload-Oxum: 0.0\n" in info and "Bagging-Date: 2026-09-21\n" in info
    assert "External-Identifier: 2026-RABAT-0042\n" in info and "Source-Organization: DGSN Rabat\n" in info
    header = json.loads((case / "fkit" / "case.json").read_text("utf-8"))
    assert header["created"] == "2026-09-21T14:13:20Z" and header["training"] is False
    assert (case / "data").is_dir()
    assert bagit_validate(case).returncode == 0
    tags = (case / "tagmanifest-sha256.txt").read_text()
    assert "  fkit/case.json\n" in tags and "  bag-info.txt\n" in tags and "  manifest-sha256.txt\n" in tags


def test_case_init_refuses_to_overwrite(tmp_path: Path) -> None:
    case = tmp_path / "CASE"
    assert fkit("case", "init", case, "--case-id", "A", "--agency", "x", "--officer", "y").returncode == 0
    before = (case / "fkit" / "case.json").read_bytes()
    r = fkit("case", "init", case, "--case-id", "B", "--agency", "x", "--officer", "y")
    assert r.returncode == 4
    assert r.stderr.count(b"\n") == 1 and b"refusing to overwrite" in r.stderr
    assert (case / "fkit" / "case.json").read_bytes() == before
    other = tmp_path / "notempty"
    other.mkdir()
    (other / "x").write_text("x")
    with pytest.raises(CaseExistsError):
        Case.init(other, "C", "a", "o")


def test_open_non_case(tmp_path: Path) -> None:
    with pytest.raises(NotACaseError):
        Case.open(tmp_path)


def test_update_bag_with_arabic_percent_and_newline_names(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "c", "C-1", "Agency", "Officer")
    payload = case.data_dir / "EX-01"
    payload.mkdir()
    (payload / "صورة الهاتف.jpg").write_bytes(b"\xff\xd8 arabic")
    (payload / "100% sure.txt").write_bytes(b"percent")
    case.update_bag()
    manifest = (case.root / "manifest-sha256.txt").read_text("utf-8")
    assert "data/EX-01/100% sure.txt" in manifest
    info = (case.root / "bag-info.txt").read_text()
    assert f"Payload-Oxum: {len(b'arabic') + 3 + 7}.2\n" in info
    assert bagit_validate(case.root).returncode == 0, bagit_validate(case.root).stderr
    check = sha256sum_check(case.root)
    assert check.returncode == 0, check.stdout
    assert "صورة الهاتف.jpg: OK" in check.stdout.decode()
    # a newline in a name: BagIt percent-encodes it; bagit.py decodes it back
    (payload / "two\nlines.txt").write_bytes(b"nl")
    case.update_bag()
    assert "data/EX-01/two%0Alines.txt" in (case.root / "manifest-sha256.txt").read_text()
    assert bagit_validate(case.root).returncode == 0


def test_literal_percent_sequence_is_encoded_as_rfc8493(tmp_path: Path) -> None:
    # A name that contains "%0A" literally: RFC 8493 readers decode %0A, so fkit writes %250A.
    # (bagit.py 1.9 decodes %0A but never %25, so it cannot express this name at all.)
    case = Case.init(tmp_path / "c", "C-1", "Agency", "Officer")
    (case.data_dir / "EX-01").mkdir()
    (case.data_dir / "EX-01" / "odd%0Aname.txt").write_bytes(b"looks encoded")
    case.update_bag()
    manifest = (case.root / "manifest-sha256.txt").read_text("utf-8")
    assert manifest.endswith("  data/EX-01/odd%250Aname.txt\n")
    assert list(case.read_manifest()) == ["data/EX-01/odd%0Aname.txt"]


def test_bag_path_encoding_round_trip() -> None:
    for name in ("a\nb", "c\rd", "100%", "x%0Ay", "%25", "plain"):
        assert decode_bag_path(encode_bag_path(name)) == name


def test_write_tag_file_is_listed_and_atomic(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "c", "C-1", "Agency", "Officer")
    case.write_tag_file("fkit/manifest.json", b"{}")
    case.update_bag()
    assert "  fkit/manifest.json\n" in (case.root / "tagmanifest-sha256.txt").read_text()
    assert not [p for p in case.root.rglob("*.fkit-tmp")]
    with pytest.raises(Exception):
        case.write_tag_file("data/x", b"no")
    assert bagit_validate(case.root).returncode == 0


def test_case_init_profiles(tmp_path: Path) -> None:
    r = fkit("case", "init", tmp_path / "t", "--case-id", "MOCK-1", "--agency", "a", "--officer", "o",
             "--profile", "training")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "t" / "fkit" / "case.json").read_text())["training"] is True
    assert "Internal-Sender-Description: TRAINING CASE" in (tmp_path / "t" / "bag-info.txt").read_text()
    bad = fkit("case", "init", tmp_path / "u", "--case-id", "X", "--agency", "a", "--officer", "o", "--profile", "xx")
    assert bad.returncode == 2 and b"unknown profile" in bad.stderr
    assert not (tmp_path / "u").exists()


def test_training_profile_refuses_ids_without_mock_prefix(tmp_path: Path) -> None:
    res = fkit("case", "init", "x", "--case-id", "2025-RABAT-1", "--agency", "A", "--officer", "O",
               "--profile", "training", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == b"fkit: error: profile 'training' requires case ids starting with 'MOCK-'; got '2025-RABAT-1'"
    assert not (tmp_path / "x").exists()
    ok = fkit("case", "init", "x", "--case-id", "MOCK-2025-1", "--agency", "A", "--officer", "O",
              "--profile", "training", cwd=tmp_path)
    assert ok.returncode == 0
    assert json.loads((tmp_path / "x" / "fkit" / "case.json").read_text())["training"] is True
