"""``fkit custody add|verify|show`` run as a user would, with exact exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from forensic_kit.package import Case
from tests.conftest import fkit
from tests.custody.casefactory import PASS, Sample, make_case

ENV = {"FKIT_PASSPHRASE": PASS.decode(), "FKIT_COSIGN_PASSPHRASE": PASS.decode()}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_case(tmp_path_factory.mktemp("cli") / "case", seal=False)


@pytest.fixture
def sample(base: Sample, tmp_path: Path) -> Sample:
    root = tmp_path / "case"
    shutil.copytree(base.case.root, root)
    return Sample(case=Case.open(root), keys=base.keys, key_paths=base.key_paths)


def add(sample: Sample, *args: str) -> "object":
    return fkit("custody", "add", sample.case.root, *args, env=ENV)


def test_add_verify_show(sample: Sample) -> None:
    k = sample.key_paths
    r = add(sample, "--action", "seized", "--exhibits", "EX-01,EX-02,EX-03", "--by", "A. Ben Salah,4471,Mock Unit",
            "--at", "2025-03-14T10:42", "--location", "Sfax", "--seal-number", "TN-S-000913", "--seal-state", "new",
            "--sign", str(k["ben.salah@mock"]))
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["kind"] == "custody.event" and rec["seq"] == 1 and rec["time"] == "2025-03-14T09:42:00Z"
    r = add(sample, "--action", "transferred", "--exhibits", "EX-01,EX-02,EX-03", "--by", "A. Ben Salah,4471",
            "--to", "R. Jaziri,2208", "--at", "2025-03-14T13:20Z", "--purpose", "Storage", "--seal-state", "intact",
            "--note", "locker B-12", "--sign", str(k["ben.salah@mock"]), "--cosign", str(k["jaziri@mock"]))
    assert r.returncode == 0, r.stderr
    r = fkit("custody", "verify", sample.case.root, "--trust-package")
    assert r.returncode == 0, r.stderr
    last = json.loads(r.stdout.splitlines()[-1])
    assert last["kind"] == "custody.verify" and last["ok"] is True and last["events"] == 2
    r = fkit("custody", "show", sample.case.root)
    assert r.returncode == 0
    shown = [json.loads(x) for x in r.stdout.splitlines()]
    assert [e["action"] for e in shown] == ["seized", "transferred"]
    assert shown[1]["received_by"] == {"name": "R. Jaziri", "id": "2208", "org": None}
    # the ledger is a tag file of the bag, so the bag stays valid
    tag = (sample.case.root / "tagmanifest-sha256.txt").read_text()
    assert "fkit/custody.jsonl" in tag


def test_verify_exit_1_with_sentence(sample: Sample) -> None:
    k = sample.key_paths
    assert add(sample, "--action", "transferred", "--exhibits", "EX-01,EX-02,EX-03", "--by", "K. Trabelsi",
               "--to", "R. Jaziri", "--at", "2025-03-14T13:20Z", "--sign", str(k["trabelsi@mock"]),
               "--cosign", str(k["jaziri@mock"])).returncode == 0
    assert add(sample, "--action", "examined", "--exhibits", "EX-02", "--by", "M. Haddad",
               "--at", "2025-03-15T13:20Z", "--sign", str(k["haddad@mock"])).returncode == 0
    r = fkit("custody", "verify", sample.case.root, "--trust-package")
    assert r.returncode == 1
    finding = json.loads(r.stdout.splitlines()[0])
    assert finding["code"] == "continuity" and finding["exhibit"] == "EX-02" and finding["seq"] == 2
    assert finding["message"] == "EX-02 was received by R. Jaziri on 2025-03-14 13:20, but the next event has it released by M. Haddad."
    assert b"EX-02 was received by R. Jaziri" in r.stderr
    # without any trust list the signatures are valid but not trusted: still exit 1
    assert fkit("custody", "verify", sample.case.root, env={"FKIT_TRUST": ""}).returncode == 1


def test_exit_codes(sample: Sample, tmp_path: Path) -> None:
    k = str(sample.key_paths["ben.salah@mock"])
    assert add(sample, "--action", "lost", "--exhibits", "EX-01", "--by", "X", "--sign", k).returncode == 2
    assert add(sample, "--action", "seized", "--exhibits", "EX-01", "--by", "X", "--seal-state", "cracked",
               "--sign", k).returncode == 2
    r = add(sample, "--action", "seized", "--exhibits", "EX-77", "--by", "X", "--sign", k)
    assert r.returncode == 4 and b"EX-77" in r.stderr
    assert fkit("custody", "verify", tmp_path / "nothing").returncode == 4
    r = fkit("custody", "add", sample.case.root, "--action", "seized", "--exhibits", "EX-01", "--by", "X",
             "--sign", k, env={"FKIT_PASSPHRASE": "wrong"})
    assert r.returncode == 4 and b"wrong passphrase" in r.stderr
    assert not (sample.case.root / "fkit" / "custody.jsonl").exists()


def test_add_recheck(sample: Sample) -> None:
    """--recheck records the hash re-check in the event; a failed one still records the event, exits 1."""
    k = str(sample.key_paths["ben.salah@mock"])
    r = add(sample, "--action", "seized", "--exhibits", "EX-01,EX-02,EX-03", "--by", "A. Ben Salah,4471",
            "--at", "2025-03-14T10:42", "--recheck", "--sign", k)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["recheck"]["result"] == "ok"
    assert b"hash re-check: 9 of 9 files OK" in r.stderr
    (sample.case.root / "data" / "EX-02" / "file_00000.bin").write_bytes(b"changed")
    r = add(sample, "--action", "examined", "--exhibits", "EX-02", "--by", "A. Ben Salah,4471",
            "--at", "2025-03-14T11:00", "--recheck", "--sign", k)
    assert r.returncode == 1
    rec = json.loads(r.stdout)
    assert rec["recheck"]["changed"] == ["data/EX-02/file_00000.bin"] and rec["seq"] == 2
    assert b"hash re-check: 2 of 3 files OK; 1 changed" in r.stderr
    r = fkit("custody", "verify", sample.case.root, "--trust-package")
    assert r.returncode == 1
    assert b"The hash re-check recorded at event 2 (EX-02, 2025-03-14 10:00) failed: 1 changed." in r.stderr
