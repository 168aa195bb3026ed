"""``fkit meta --into CASE --exhibit EX``: media records kept in the case, a rerun replaces its own,
a sealed case needs --new-revision, derived records are never counted as payload files."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from forensic_kit.package import Case
from forensic_kit.report.custody_report import payload_keys, payload_records
from tests.conftest import fkit
from tests.manifest.helpers import SAMPLE_FILES, make_case, make_key, seal, trust_file

ACQUIRED = len(SAMPLE_FILES)


def _photos(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        exif = Image.Exif()
        exif[0x010F] = "Canon"
        exif[0x0132] = f"2020:01:0{i + 1} 03:04:05"
        Image.new("RGB", (8 + i, 8), (200, 10 * i, 10)).save(folder / f"IMG_{i:04d}.jpg", "JPEG", exif=exif.tobytes())
    return folder


def _meta(case: Path, *args: str | Path, cwd: Path | None = None) -> tuple[int, list[bytes], list[str]]:
    r = fkit("meta", *args, "--into", case, "--exhibit", "EX-01", cwd=cwd)
    return r.returncode, r.stdout.splitlines(keepends=True), r.stderr.decode().splitlines()


def _lines(case: Path) -> list[bytes]:
    return (case / "fkit/records.jsonl").read_bytes().splitlines(keepends=True)


def test_meta_into_adds_then_reruns_identically_then_replaces(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    photos = _photos(tmp_path / "photos", 3)
    code, out, err = _meta(case, "photos", cwd=tmp_path)
    assert code == 0, err
    assert err[-1] == f"fkit meta: 3 records of EX-01 from 'photos' added to {case}/fkit/records.jsonl"
    lines = _lines(case)
    assert lines[ACQUIRED:] == out and len(lines) == ACQUIRED + 3
    recs = [json.loads(x) for x in out]
    assert [(r["kind"], r["exhibit"], r["media"]["make"], r["run"]) for r in recs] == [
        ("file", "EX-01", "Canon", {"command": "meta", "exhibit": "EX-01", "sources": ["photos"],
                                    "source_kind": "folder"})] * 3
    first = (case / "fkit/records.jsonl").read_bytes()
    code, _, err = _meta(case, "photos", cwd=tmp_path)
    assert code == 0
    assert err[-1] == (f"fkit meta: EX-01 from 'photos' is already in {case}/fkit/records.jsonl with the same 3 "
                       f"records; nothing written")
    assert (case / "fkit/records.jsonl").read_bytes() == first
    _photos(photos, 4)  # one more photo in the same folder
    code, out, err = _meta(case, "photos", cwd=tmp_path)
    assert code == 0
    assert err[-1] == (f"fkit meta: the records of EX-01 from 'photos' differ from its earlier run: its 3 earlier "
                       f"records in {case}/fkit/records.jsonl were replaced by these 4")
    assert _lines(case)[ACQUIRED:] == out and len(_lines(case)) == ACQUIRED + 4
    assert _lines(case)[:ACQUIRED] == first.splitlines(keepends=True)[:ACQUIRED]


def test_meta_of_the_case_payload_is_not_counted_as_files(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    code, out, err = _meta(case, case / "data" / "EX-01")
    assert code == 0, err
    assert len(out) == ACQUIRED
    assert json.loads(out[0])["run"]["sources"] == ["data/EX-01"]
    c = Case.open(case)
    keys, pay = payload_keys(c)
    assert pay.per_exhibit == {"EX-01": ACQUIRED} and len(list(payload_records(c, keys))) == ACQUIRED
    key, passfile = make_key(tmp_path / "keys")
    assert seal(case, key, passfile).returncode == 0
    r = fkit("verify", case, "--trust", trust_file(tmp_path, key))
    assert r.returncode == 0, r.stderr


def test_meta_into_a_sealed_case(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    key, passfile = make_key(tmp_path / "keys")
    assert seal(case, key, passfile).returncode == 0
    photos = _photos(tmp_path / "photos", 2)
    before = {p: p.read_bytes() for p in sorted(case.rglob("*")) if p.is_file()}
    code, out, err = _meta(case, photos)
    assert code == 2 and out == []
    assert err == [f"fkit: error: {case} is sealed (revision 1): meta --into would change it; add --new-revision to "
                   f"start revision 2, then seal it with fkit manifest build --reason TEXT"]
    assert {p: p.read_bytes() for p in sorted(case.rglob("*")) if p.is_file()} == before
    code, out, err = _meta(case, photos, "--new-revision")
    assert code == 0 and len(out) == 2, err
    r = seal(case, key, passfile, "--reason", "media metadata of the photos")
    assert r.returncode == 0, r.stderr
    r = fkit("verify", case, "--trust", trust_file(tmp_path, key))
    assert r.returncode == 0, r.stderr
    assert "  seal: revision 2, manifest sha256 " in r.stderr.decode()


def test_meta_into_usage(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    photos = _photos(tmp_path / "photos", 1)
    r = fkit("meta", photos, "--into", case)
    assert r.returncode == 2 and r.stderr.decode().splitlines() == [
        "fkit: error: --into needs --exhibit (the exhibit the meta records belong to)"]
    r = fkit("meta", "-", "--into", case, "--exhibit", "EX-01", input=str(photos).encode())
    assert r.returncode == 2 and "--into needs PATH arguments, not -" in r.stderr.decode()
    r = fkit("meta", photos, "--exhibit", "EX-01")
    assert r.returncode == 2 and r.stderr.decode().splitlines() == [
        "fkit: error: --exhibit and --new-revision go with --into CASE"]
    r = fkit("meta", photos, "--into", case, "--exhibit", "EX-77")
    assert r.returncode == 4 and "EX-77" in r.stderr.decode()
    assert (case / "fkit/records.jsonl").read_bytes().count(b"\n") == ACQUIRED
