"""``fkit phone --into``: a rerun replaces its own records, never duplicates them; a sealed case needs
--new-revision and never loses what a revision sealed; a kill -9 leaves the old set or the new one."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from forensic_kit import __version__
from forensic_kit.package import Case
from forensic_kit.report.custody_report import payload_keys, payload_records
from tests.conftest import fkit, testdata
from tests.manifest.helpers import SAMPLE_FILES, make_case, make_key, seal, trust_file


def _android(folder: Path) -> Path:
    src = folder / "android"
    src.mkdir(parents=True)
    for name in ("mmssms.db", "contacts2.db"):
        shutil.copy(testdata("phone", "android", name), src / name)
    (src / "DCIM").mkdir()
    (src / "DCIM" / "IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    return src


def _viber(folder: Path) -> Path:
    src = folder / "viber"
    src.mkdir(parents=True)
    shutil.copy(testdata("phone", "android", "viber_data"), src / "viber_data")
    return src


def _phone(src: Path, case: Path, *extra: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           ) -> tuple[int, list[bytes], list[str]]:
    r = fkit("phone", src, "--into", case, "--exhibit", "EX-01", "--region", "US", *extra, cwd=cwd, env=env)
    return r.returncode, r.stdout.splitlines(keepends=True), r.stderr.decode().splitlines()


def _records(case: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (case / "fkit/records.jsonl").read_bytes().splitlines()]


def _kinds(case: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for rec in _records(case):
        out[rec["kind"]] = out.get(rec["kind"], 0) + 1
    return out


def _bag_consistent(case: Path) -> None:
    """tagmanifest-sha256.txt lists every tag file with its current SHA-256; no temporary file is left."""
    listed = {}
    for line in (case / "tagmanifest-sha256.txt").read_text().splitlines():
        digest, _, rel = line.partition("  ")
        listed[rel] = digest
    assert listed["fkit/records.jsonl"] == hashlib.sha256((case / "fkit/records.jsonl").read_bytes()).hexdigest()
    for rel, digest in listed.items():
        assert hashlib.sha256((case / rel).read_bytes()).hexdigest() == digest, rel
    assert sorted(p.name for p in (case / "fkit").iterdir() if p.name.endswith(".fkit-tmp")) == []


def _payload_count(case: Path) -> tuple[dict[str, int], int]:
    c = Case.open(case)
    keys, pay = payload_keys(c)
    return pay.per_exhibit, len(list(payload_records(c, keys)))


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


ACQUIRED = len(SAMPLE_FILES)


def test_identical_rerun_leaves_records_byte_identical(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    src = _android(tmp_path)
    code, out, err = _phone(Path("android"), case, cwd=tmp_path)
    assert code == 0, err
    assert err[-1] == f"fkit phone: 14 records of EX-01 from 'android' added to {case}/fkit/records.jsonl"
    first = (case / "fkit/records.jsonl").read_bytes()
    counts = _kinds(case)
    assert counts == {"file": ACQUIRED + 1, "phone.source": 1, "phone.call": 3, "phone.message": 9}
    stored = [json.loads(x) for x in first.splitlines()[ACQUIRED:]]
    assert [json.loads(x) for x in out] == stored  # stdout and the case hold the same records
    assert all(r["run"] == {"command": "phone", "exhibit": "EX-01", "sources": ["android"], "source_kind": "folder"}
               for r in stored)
    tags = (case / "tagmanifest-sha256.txt").read_bytes()
    code, _, err = _phone(Path("./android/"), case, cwd=tmp_path)
    assert code == 0
    assert err[-1] == (f"fkit phone: EX-01 from 'android' is already in {case}/fkit/records.jsonl with the same 14 "
                       f"records; nothing written")
    assert (case / "fkit/records.jsonl").read_bytes() == first and _kinds(case) == counts
    assert (case / "tagmanifest-sha256.txt").read_bytes() == tags
    # the same source reached from another working folder is the same source: replaced, not added
    code, _, err = _phone(src.resolve(), case, cwd=tmp_path / "case")
    assert code == 0 and "were replaced by these 14" in err[-1]
    assert _kinds(case) == counts
    _bag_consistent(case)
    # derived records are never counted as payload files
    assert _payload_count(case) == ({"EX-01": ACQUIRED}, ACQUIRED)


def test_changed_source_replaces_its_records(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    src = _android(tmp_path)
    assert _phone(src, case)[0] == 0
    before = _records(case)
    gone = [r for r in before if r["kind"] == "phone.message" and r["locator"]["rowid"] == 1]
    assert len(gone) == 1
    db = sqlite3.connect(src / "mmssms.db")
    db.execute("DELETE FROM sms WHERE _id = 1")
    db.commit()
    db.close()
    code, out, err = _phone(src, case)
    assert code == 0, err
    assert err[-1] == (f"fkit phone: the records of EX-01 from 'android' differ from its earlier run: its 14 "
                       f"earlier records in {case}/fkit/records.jsonl were replaced by these 13")
    after = _records(case)
    assert _kinds(case) == {"file": ACQUIRED + 1, "phone.source": 1, "phone.call": 3, "phone.message": 8}
    assert after[:ACQUIRED] == before[:ACQUIRED]  # the acquisition records are untouched
    assert after[ACQUIRED:] == [json.loads(x) for x in out]
    assert not [r for r in after if r["kind"] == "phone.message" and r["locator"]["rowid"] == 1]
    _bag_consistent(case)


def test_a_second_source_is_kept_beside_the_first(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    android, viber = _android(tmp_path), _viber(tmp_path)
    assert _phone(android, case)[0] == 0
    code, out_v, err = _phone(viber, case)
    assert code == 0, err
    assert err[-1] == (f"fkit phone: {len(out_v)} records of EX-01 from 'viber' added to {case}/fkit/records.jsonl; "
                       f"1 other source of EX-01 kept beside it")
    both = (case / "fkit/records.jsonl").read_bytes()
    assert len(both.splitlines()) == ACQUIRED + 14 + len(out_v)
    code, _, err = _phone(android, case)
    assert code == 0 and err[-1].endswith("with the same 14 records; nothing written; 1 other source of EX-01 kept "
                                          "beside it")
    assert (case / "fkit/records.jsonl").read_bytes() == both
    sources = [r["run"]["sources"] for r in _records(case)[ACQUIRED:]]
    assert sources == [["android"]] * 14 + [["viber"]] * len(out_v)


def test_sealed_case_needs_a_new_revision_and_keeps_what_was_sealed(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    key, passfile = make_key(tmp_path / "keys")
    trust = trust_file(tmp_path, key)
    android, viber = _android(tmp_path), _viber(tmp_path)
    assert _phone(android, case)[0] == 0
    assert seal(case, key, passfile).returncode == 0
    before = _tree(case)
    code, _, err = _phone(viber, case)
    assert code == 2
    assert err == [f"fkit: error: {case} is sealed (revision 1): phone --into would change it; add --new-revision to "
                   f"start revision 2, then seal it with fkit manifest build --reason TEXT"]
    assert _tree(case) == before
    # the sealed run, identical: nothing to do; changed: refused, never removed
    code, _, err = _phone(android, case, "--new-revision")
    assert code == 0 and err[-1].endswith("with the same 14 records; nothing written")
    assert _tree(case) == before
    (android / "DCIM" / "IMG_0002.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(7))
    code, _, err = _phone(android, case, "--new-revision")
    assert code == 2
    assert err[-1] == (f"fkit: error: {case}/fkit/records.jsonl: the 14 earlier phone records of EX-01 from "
                       f"'android' are sealed in revision 1 and are never removed; these 15 records differ from them "
                       f"and were not added (a source under another name is kept beside them)")
    assert _tree(case) == before
    # a new source goes in as revision 2; rerun changed before the re-seal: replaced (it was never sealed)
    code, out_v, err = _phone(viber, case, "--new-revision")
    assert code == 0, err
    shutil.copy(testdata("phone", "android", "contacts2.db"), viber / "contacts2.db")
    code, out_v2, err = _phone(viber, case, "--new-revision")
    assert code == 0 and f"its {len(out_v)} earlier records" in err[-1] and len(out_v2) > len(out_v)
    assert len(_records(case)) == ACQUIRED + 14 + len(out_v2)
    r = seal(case, key, passfile, "--reason", "phone records of the viber folder")
    assert r.returncode == 0, r.stderr
    r = fkit("verify", case, "--trust", trust)
    assert r.returncode == 0, r.stderr
    err_text = r.stderr.decode()
    assert "  seal: revision 2, manifest sha256 " in err_text
    assert "phone records of the viber folder" in err_text
    _bag_consistent(case)


def test_kill_during_the_replace_leaves_old_or_new(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    src = _android(tmp_path)
    assert _phone(src, case)[0] == 0
    old = (case / "fkit/records.jsonl").read_bytes()
    (src / "DCIM" / "IMG_0002.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(7))
    # killed while the new file is being written: the old set, whole
    code, _, _ = _phone(src, case, env={"FKIT_KILL_AT": "derived.write"})
    assert code == -9
    assert (case / "fkit/records.jsonl").read_bytes() == old
    code, _, err = _phone(src, case)
    assert code == 0 and "were replaced by these 15" in err[-1]
    new = (case / "fkit/records.jsonl").read_bytes()
    assert len(new.splitlines()) == ACQUIRED + 15 and new.startswith(old.splitlines(keepends=True)[0])
    _bag_consistent(case)
    # killed after the rename, before the tag manifest: the new set, whole; a rerun completes the bag
    (src / "DCIM" / "IMG_0003.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(9))
    code, out, _ = _phone(src, case, env={"FKIT_KILL_AT": "derived.renamed"})
    assert code == -9
    newest = (case / "fkit/records.jsonl").read_bytes()
    assert newest.splitlines(keepends=True)[ACQUIRED:] == out and len(out) == 16
    code, _, err = _phone(src, case)
    assert code == 0 and err[-1].endswith("with the same 16 records; nothing written")
    assert (case / "fkit/records.jsonl").read_bytes() == newest
    _bag_consistent(case)
    key, passfile = make_key(tmp_path / "keys")
    assert seal(case, key, passfile).returncode == 0
    r = fkit("verify", case, "--trust", trust_file(tmp_path, key))
    assert r.returncode == 0, r.stderr


def _custody_counts(case: Path, out: Path) -> tuple[list[str], list[str]]:
    """The exhibit table's rows and the annex's file rows of ``fkit report custody``, as pdftotext reads them."""
    r = fkit("report", "custody", case, "-o", out, "--lang", "en")
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True).stdout.decode()
    rows = [" ".join(x.split()) for x in text.splitlines() if re.match(r"^(EX-01|Total)\s", x)]
    annex = [x.split()[1] for x in text.splitlines() if re.match(r"^\d+\s+data/", x)]
    return rows, annex


def test_custody_report_counts_stay_true(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "a.txt").write_text("a\n")
    (usb / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(30))
    case = tmp_path / "case"
    assert fkit("case", "init", case, "--case-id", "EU-1", "--agency", "A", "--officer", "O",
                "--profile", "eu").returncode == 0
    assert fkit("acquire", usb, "--into", case, "--exhibit", "EX-01").returncode == 0
    before = _custody_counts(case, tmp_path / "before.pdf")
    a_sha = hashlib.sha256(b"a\n").hexdigest()
    assert before[0][:3] == ["EX-01 logical · complete 2", "Total 2", f"EX-01 data/EX-01/a.txt SHA256 {a_sha} fkit {__version__}"]
    assert len(before[0]) == 4 and before[1] == ["data/EX-01/a.txt", "data/EX-01/b.jpg"]
    assert _phone(_android(tmp_path), case)[0] == 0
    assert fkit("meta", case / "data" / "EX-01", "--into", case, "--exhibit", "EX-01").returncode == 0
    assert len((case / "fkit/records.jsonl").read_bytes().splitlines()) == 2 + 14 + 2
    assert _custody_counts(case, tmp_path / "after.pdf") == before
