"""Selective disclosure: ``fkit prove`` subsets and their verification."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from forensic_kit.exitcodes import ExitCode
from forensic_kit.manifest.prove import prove
from forensic_kit.manifest.verify import verify_case
from tests.conftest import fkit
from tests.manifest.helpers import make_case, make_key, seal, trust_file

FILES = {f"f{i:02d}-secret-name-{i}.txt": f"content number {i}\n".encode() for i in range(11)}


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("prove")
    case = make_case(base / "case", FILES)
    key, passfile = make_key(base / "keys")
    assert seal(case, key, passfile).returncode == 0
    return case, trust_file(base, key)


def test_prove_cli_and_verify(sealed: tuple[Path, Path], tmp_path: Path) -> None:
    case, trust = sealed
    out = tmp_path / "subset"
    r = fkit("prove", case, "data/EX-01/f03-secret-name-3.txt", str(case / "data/EX-01/f07-secret-name-7.txt"),
             "--out", out)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["bag_path"], x["leaf_index"], x["tree_size"]) for x in recs] == [
        ("data/EX-01/f03-secret-name-3.txt", 3, 11), ("data/EX-01/f07-secret-name-7.txt", 7, 11)]
    listing = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert listing == ["data/EX-01/f03-secret-name-3.txt", "data/EX-01/f07-secret-name-7.txt",
                       "fkit/allowed_signers", "fkit/manifest.json", "fkit/manifest.json.sshsig", "fkit/proofs.jsonl"]
    # nothing about the other files: no name, no content, no record, no salt
    blob = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    salts = (case / "fkit/leaf-salts.txt").read_text().split()
    for i in range(11):
        if i in (3, 7):
            continue
        assert f"secret-name-{i}.".encode() not in blob and f"content number {i}\n".encode() not in blob
        assert salts[i].encode() not in blob
    r = fkit("verify", out, "--trust", trust, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["kind"] == "subset" and doc["counts"]["OK"] == 2 and doc["findings"] == []


def test_subset_tampering(sealed: tuple[Path, Path], tmp_path: Path) -> None:
    case, trust = sealed
    trusted = trust.read_text()
    out = tmp_path / "s"
    prove(case, ["data/EX-01/f00-secret-name-0.txt", "data/EX-01/f10-secret-name-10.txt"], out)
    assert verify_case(out, trusted).exit_code == ExitCode.OK
    # content changed
    t = tmp_path / "t1"
    shutil.copytree(out, t)
    (t / "data/EX-01/f00-secret-name-0.txt").write_bytes(b"content number 9\n")
    rep = verify_case(t, trusted)
    assert [(f.code, f.path) for f in rep.findings] == [("file.MODIFIED", "data/EX-01/f00-secret-name-0.txt")]
    # forged record (changed hash to fit a new content) -> proof fails
    t2 = tmp_path / "t2"
    shutil.copytree(out, t2)
    lines = (t2 / "fkit/proofs.jsonl").read_text().splitlines()
    e = json.loads(lines[0])
    e["record"] = e["record"].replace('"size":', '"size": ')
    lines[0] = json.dumps(e)
    (t2 / "fkit/proofs.jsonl").write_text("\n".join(lines) + "\n")
    rep = verify_case(t2, trusted)
    assert [(f.code, f.path) for f in rep.findings] == [("proof.invalid", "data/EX-01/f00-secret-name-0.txt")]
    # forged sibling, wrong index, swapped salt
    for mutate in ("sibling", "index", "salt", "truncate"):
        t3 = tmp_path / f"t3{mutate}"
        shutil.copytree(out, t3)
        lines = (t3 / "fkit/proofs.jsonl").read_text().splitlines()
        e = json.loads(lines[1])
        if mutate == "sibling":
            e["proof"][0] = "00" * 32
        elif mutate == "index":
            e["leaf_index"] = 9
        elif mutate == "salt":
            e["salt"] = json.loads(lines[0])["salt"]
        else:
            e["proof"] = e["proof"][:-1]
        lines[1] = json.dumps(e)
        (t3 / "fkit/proofs.jsonl").write_text("\n".join(lines) + "\n")
        rep = verify_case(t3, trusted)
        assert [f.code for f in rep.findings] == ["proof.invalid"], mutate
        assert rep.exit_code == ExitCode.CHECK_FAILED
    # stray file and a proof file with nothing in it
    t4 = tmp_path / "t4"
    shutil.copytree(out, t4)
    (t4 / "data/EX-01/extra.txt").write_bytes(b"x")
    assert [(f.code, f.path) for f in verify_case(t4, trusted).findings] == [("file.NEW", "data/EX-01/extra.txt")]
    (t4 / "fkit/proofs.jsonl").write_bytes(b"")
    os.unlink(t4 / "data/EX-01/extra.txt")
    codes = [f.code for f in verify_case(t4, trusted).findings]
    assert codes[0] == "proof.empty" and verify_case(t4, trusted).exit_code == ExitCode.CHECK_FAILED


def test_prove_refuses(sealed: tuple[Path, Path], tmp_path: Path) -> None:
    case, _t = sealed
    r = fkit("prove", case, "data/EX-01/nope.txt", "--out", tmp_path / "x")
    assert r.returncode == 4 and b"not in the sealed records" in r.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full/f").write_text("x")
    r = fkit("prove", case, "data/EX-01/f01-secret-name-1.txt", "--out", tmp_path / "full")
    assert r.returncode == 4 and b"non-empty" in r.stderr
    bad = tmp_path / "bad"
    shutil.copytree(case, bad)
    (bad / "data/EX-01/f01-secret-name-1.txt").write_bytes(b"changed")
    r = fkit("prove", bad, "data/EX-01/f01-secret-name-1.txt", "--out", tmp_path / "y")
    assert r.returncode == 1 and b"no longer matches" in r.stderr
