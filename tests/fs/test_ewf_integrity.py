"""E01 integrity: fkit's verdict equals ``ewfverify``'s on every flipped-byte variant of
``disk/ewf-corrupt/`` (SUMMARY.tsv, with ewfverify's own output beside each file), for
``fs ls``, ``fs cat``, ``acquire --physical`` and ``acquire --extract``."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from tests.conftest import TESTDATA, fkit, testdata

SUMMARY = TESTDATA / "disk" / "ewf-corrupt" / "SUMMARY.tsv"
EXIT_OF = {"SUCCESS": 0, "FAILURE": 1, "OPEN_ERROR": 4}


def _variants() -> list[dict[str, str]]:
    if not SUMMARY.is_file():
        return []
    with open(SUMMARY, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _needs_c_library() -> None:
    from forensic_kit.evidence.ewf import c_library

    if c_library() is None:
        pytest.skip("libewf C library (Debian libewf2) not installed: chunk checksums cannot be checked")


def _first_segment(row: dict[str, str]) -> Path:
    name = row["corrupted_file"]
    return testdata("disk", "ewf-corrupt", name[:-4] + ".E01")


def _sectors(row: dict[str, str]) -> list[str]:
    """'1024 - 1087 (number: 64)' -> ['1024-1087']"""
    text = row["sector_errors"].strip()
    if not text:
        return []
    first, rest = text.split(" - ", 1)
    return [f"{first}-{rest.split(' ', 1)[0]}"]


VARIANTS = _variants()
IDS = [v["variant"] for v in VARIANTS] or ["no-testdata"]


@pytest.fixture(params=VARIANTS or [None], ids=IDS)
def variant(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param is None:
        pytest.skip(f"shared test data not available: {SUMMARY}")
    _needs_c_library()
    row: dict[str, str] = request.param
    # the oracle beside the file says the same as the summary
    oracle = testdata("disk", "ewf-corrupt", row["variant"] + ".ewfverify.txt").read_text("utf-8")
    if row["ewfverify_verdict"] != "OPEN_ERROR":
        assert f"ewfverify: {row['ewfverify_verdict']}" in oracle
    return row


def test_fs_ls_verdict_equals_ewfverify(variant: dict[str, str]) -> None:
    r = fkit("fs", "ls", _first_segment(variant), "-f", "jsonl")
    assert r.returncode == EXIT_OF[variant["ewfverify_verdict"]], r.stderr
    if variant["ewfverify_verdict"] == "OPEN_ERROR":
        assert len(r.stderr.strip().splitlines()) == 1
        return
    if r.returncode == 0 or not r.stdout:
        return
    image = json.loads(r.stdout.splitlines()[0])
    if "ewf_verify" not in image:  # a header so damaged that no media is left (size 0)
        assert b"no media data" in r.stderr
        return
    check = image["ewf_verify"]
    assert check["verdict"] == "failed"
    assert [e["sector_range"] for e in check["checksum_errors"]] == _sectors(variant)
    if variant["md5_stored"] not in ("", "N/A"):
        assert check["stored"]["md5"] == variant["md5_stored"]
    for rng in _sectors(variant):
        assert f"sectors {rng}".encode() in r.stderr


def test_acquire_physical_verdict_equals_ewfverify(variant: dict[str, str], tmp_path: Path) -> None:
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", _first_segment(variant), "--into", case, "--exhibit", "EX-01", "--physical")
    assert r.returncode == EXIT_OF[variant["ewfverify_verdict"]], r.stderr
    sheet_path = case / "fkit" / "exhibits" / "EX-01.json"
    if variant["ewfverify_verdict"] == "OPEN_ERROR" or not sheet_path.exists():
        return
    sheet = json.loads(sheet_path.read_text("utf-8"))
    assert sheet["ewf"]["verdict"] == ("ok" if r.returncode == 0 else "failed")
    assert [e["sector_range"] for e in sheet["ewf"]["checksum_errors"]] == _sectors(variant)
    assert sheet["source"]["ewf_stored_hashes"]["md5"] == variant["md5_stored"]
    assert sheet["status"] == ("complete" if r.returncode == 0 else "incomplete")


def test_clean_e01_stored_hashes_in_exhibit_sheet(tmp_path: Path) -> None:
    _needs_c_library()
    image = testdata("disk", "ext2.split.E01")
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--physical")
    assert r.returncode == 0, r.stderr
    sheet = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text("utf-8"))
    assert sheet["source"]["ewf_stored_hashes"] == {"md5": "196066add11fb71c4c49cf1bb50d6d24"}
    assert sheet["ewf"]["verdict"] == "ok"
    assert sheet["ewf"]["computed"] == {"md5": "196066add11fb71c4c49cf1bb50d6d24"}
    assert sheet["image"]["hashes"]["md5"] == "196066add11fb71c4c49cf1bb50d6d24"


@pytest.mark.parametrize("name", ["e01_chunk_passwords_data", "e01_chunk_last_data", "e01_done_type"])
def test_extract_and_cat_report_the_damage(name: str, tmp_path: Path) -> None:
    _needs_c_library()
    image = testdata("disk", "ewf-corrupt", name + ".E01")
    case = tmp_path / "C"
    assert fkit("case", "init", case, "--case-id", "T", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", image, "--into", case, "--exhibit", "EX-01", "--extract")
    assert r.returncode == 1, r.stderr
    sheet = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text("utf-8"))
    assert sheet["ewf"]["verdict"] == "failed"
    cat = fkit("fs", "cat", image, "/passwords.txt")
    assert cat.returncode == 1
    assert b"E01 integrity" in cat.stderr


def test_without_c_library_says_checksums_unchecked() -> None:
    image = testdata("disk", "ext2.E01")
    r = fkit("fs", "ls", image, "-f", "jsonl", env={"FKIT_NO_LIBEWF_C": "1"})
    assert r.returncode == 0, r.stderr
    check = json.loads(r.stdout.splitlines()[0])["ewf_verify"]
    assert check["checksums_checked"] is False
    assert b"chunk checksums not checked" in r.stderr
    assert os.environ.get("FKIT_NO_LIBEWF_C") is None
