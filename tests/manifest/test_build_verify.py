"""``fkit manifest build`` + ``fkit verify`` + the stock-tool route (ssh-keygen, sha256sum, minisign)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from forensic_kit.manifest.canonical import is_canonical
from tests.conftest import fkit
from tests.manifest.helpers import EPOCH, PASS, make_case, make_key, need, seal, sh, trust_file


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    base = tmp_path_factory.mktemp("sealed")
    case = make_case(base / "case")
    key, passfile = make_key(base / "keys")
    r = seal(case, key, passfile)
    assert r.returncode == 0, r.stderr
    return case, key, passfile, trust_file(base, key)


def test_manifest_content(sealed: tuple[Path, Path, Path, Path]) -> None:
    case, key, _p, _t = sealed
    data = (case / "fkit/manifest.json").read_bytes()
    assert is_canonical(data)
    m = json.loads(data)
    assert m["format"] == "fkit-manifest" and m["format_version"] == 2 and m["case_id"] == "MA-2026-0042"
    assert m["created"] == {"utc": "2026-01-01T00:00:00Z", "offset": m["created"]["offset"]}
    assert m["payload"] == {"files": 5, "bytes": sum(len(v) for v in __import__(
        "tests.manifest.helpers", fromlist=["SAMPLE_FILES"]).SAMPLE_FILES.values())}
    assert m["bag"]["manifest_sha256"] == hashlib.sha256((case / "manifest-sha256.txt").read_bytes()).hexdigest()
    assert m["records"] == {"path": "fkit/records.jsonl", "count": 5,
                            "bytes": (case / "fkit/records.jsonl").stat().st_size,
                            "sha256": hashlib.sha256((case / "fkit/records.jsonl").read_bytes()).hexdigest()}
    assert m["revision"] == {"number": 1, "previous": None, "reason": None}
    assert m["custody"] == {"ledger": "fkit/custody.jsonl", "head": "0:none"}
    signers = (case / "fkit/allowed_signers").read_bytes()
    assert m["allowed_signers"] == {"path": "fkit/allowed_signers", "bytes": len(signers),
                                    "sha256": hashlib.sha256(signers).hexdigest()}
    assert sorted(m["tag_files"]) == ["VERIFY.txt", "bag-info.txt", "bagit.txt", "fkit/case.json",
                                      "fkit/exhibits/EX-01.json", "fkit/leaf-salts.txt"]
    for rel, digest in m["tag_files"].items():
        assert hashlib.sha256((case / rel).read_bytes()).hexdigest() == digest
    for name in ("manifest.json", "manifest.json.sshsig", "manifest-sha256.txt", "bag-info.txt"):
        kept = case / "fkit/revisions/1" / name
        live = case / (name if name.endswith(".txt") else f"fkit/{name}")
        assert kept.read_bytes() == live.read_bytes()
    assert m["merkle"]["algorithm"] == "rfc9162-sha256" and m["merkle"]["size"] == 5 and len(m["merkle"]["root"]) == 64
    assert m["exhibits"][0]["id"] == "EX-01" and m["exhibits"][0]["seal"] == "SC-118"
    pub = Path(str(key) + ".pub").read_text().split()
    lf = sh(f"ssh-keygen -lf {key}.pub", case).stdout.split()[1]
    assert m["signer"] == {"key_id": "amina@dgsn.ma", "name": "Amina El Idrissi", "fingerprint": lf,
                           "namespace": "fkit-manifest"}
    assert (case / "fkit/allowed_signers").read_text() == (
        '# fkit-person: {"principal":"amina@dgsn.ma","name":"Amina El Idrissi","id":null,"org":null}\n'
        f'amina@dgsn.ma namespaces="fkit-manifest,fkit-custody" {pub[0]} {pub[1]}\n')
    assert "." not in json.dumps(m["payload"])  # no floats anywhere meaningful
    text = (case / "VERIFY.txt").read_text("utf-8")
    assert "طريقة التحقق" in text and "COMMENT VÉRIFIER" in text and "HOW TO CHECK" in text
    assert text.count("ssh-keygen -Y verify -f fkit/allowed_signers -I amina@dgsn.ma -n fkit-manifest "
                      "-s fkit/manifest.json.sshsig < fkit/manifest.json") == 3
    # VERIFY.txt (papers, issue 16): escaped sha256sum route for every name, tag files one by one
    assert text.count("manifest-sha256.txt | sha256sum -c --quiet") == 3
    assert text.count("  fkit/case.json' | sha256sum -c") == 3


def test_stock_tool_route(sealed: tuple[Path, Path, Path, Path]) -> None:
    need("ssh-keygen")
    need("sha256sum")
    case = sealed[0]
    v = sh("ssh-keygen -Y verify -f fkit/allowed_signers -I amina@dgsn.ma -n fkit-manifest "
           "-s fkit/manifest.json.sshsig < fkit/manifest.json", case)
    assert v.returncode == 0, v.stderr
    assert v.stdout.startswith('Good "fkit-manifest" signature for amina@dgsn.ma with ED25519 key SHA256:')
    c = sh("sha256sum -c manifest-sha256.txt", case)
    assert c.returncode == 0 and c.stdout.count(": OK") == 5
    s = sh("sha256sum manifest-sha256.txt", case).stdout.split()[0]
    assert f'"manifest_sha256":"{s}"' in (case / "fkit/manifest.json").read_text()
    t = sh("sha256sum -c tagmanifest-sha256.txt", case)
    assert t.returncode == 0, t.stdout


def test_bagit_validates(sealed: tuple[Path, Path, Path, Path]) -> None:
    bagit = pytest.importorskip("bagit")
    bag = bagit.Bag(str(sealed[0]))
    bag.validate()  # raises on any problem


def test_fkit_verify_ok_and_json(sealed: tuple[Path, Path, Path, Path]) -> None:
    case, _k, _p, trust = sealed
    r = fkit("verify", case, "--trust", trust, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["result"] == "OK" and doc["signature"]["trusted"] is True
    assert doc["signature"]["principals"] == ["amina@dgsn.ma"]
    assert doc["counts"]["OK"] == 5 and doc["findings"] == []
    assert doc["checks"] == {"signature": "ok", "bag_manifest": "ok", "merkle": "ok", "payload": "ok",
                             "revisions": "ok", "custody": "absent", "tagmanifest": "ok"}
    assert doc["revision"] == 1 and [r["number"] for r in doc["revisions"]] == [1]
    r = fkit("verify", case, "--trust", trust, "--json", "--deep")
    assert r.returncode == 0 and json.loads(r.stdout)["checks"]["records"] == "ok"
    assert b"result: OK" in r.stderr


def test_untrusted_or_no_trust_is_exit_1(sealed: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    case = sealed[0]
    r = fkit("verify", case)
    assert r.returncode == 1 and b"no trust list was given: add --trust ALLOWED_SIGNERS" in r.stderr
    other, _ = make_key(tmp_path / "other", "someone@else.example", "Someone Else")
    r = fkit("verify", case, "--trust", trust_file(tmp_path, other), "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["signature"]["valid"] is True and doc["signature"]["trusted"] is False
    assert [f["code"] for f in doc["findings"]] == ["signature.untrusted"]
    # explicitly trusting the package's own list (after an out-of-band fingerprint check) works
    assert fkit("verify", case, "--trust-package").returncode == 0


def test_reproducible_under_source_date_epoch(sealed: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    case, key, passfile, _t = sealed
    copy = tmp_path / "copy"
    shutil.copytree(case, copy)
    shutil.rmtree(copy / "fkit/revisions")  # the same case before it was sealed
    for rel in ("fkit/manifest.json", "fkit/manifest.json.sshsig"):
        (copy / rel).unlink()
    r = seal(copy, key, passfile)
    assert r.returncode == 0, r.stderr
    for rel in ("fkit/manifest.json", "fkit/manifest.json.sshsig", "fkit/leaf-salts.txt", "fkit/allowed_signers",
                "VERIFY.txt"):
        assert (copy / rel).read_bytes() == (case / rel).read_bytes(), rel
    r2 = seal(copy, key, passfile, "--reason", "second revision, nothing changed", epoch=str(int(EPOCH) + 1))
    assert r2.returncode == 0, r2.stderr
    assert (copy / "fkit/manifest.json").read_bytes() != (case / "fkit/manifest.json").read_bytes()
    assert (copy / "fkit/revisions/1/manifest.json").read_bytes() == (case / "fkit/manifest.json").read_bytes()


def test_wrong_passphrase_and_missing_key(sealed: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    case, key, _p, _t = sealed
    bad = tmp_path / "bad"
    bad.write_text("nope\n")
    r = fkit("manifest", "build", case, "--sign", key, "--passphrase-file", bad)
    assert r.returncode == 4 and b"wrong passphrase" in r.stderr and b"nope" not in r.stderr + r.stdout
    r = fkit("manifest", "build", case, "--sign", tmp_path / "nokey", "--passphrase-file", bad)
    assert r.returncode == 4 and b"cannot read signing key" in r.stderr
    r = fkit("manifest", "build", tmp_path, "--sign", key, "--passphrase-file", bad)
    assert r.returncode == 4 and b"not an fkit case" in r.stderr
    r = fkit("verify", tmp_path)
    assert r.returncode == 4


def test_minisign(tmp_path: Path) -> None:
    need("minisign")
    case = make_case(tmp_path / "case", {"a.txt": b"A\n"})
    key, passfile = make_key(tmp_path / "keys")
    mk = sh(f"printf '{PASS}\\n{PASS}\\n' | minisign -G -p {tmp_path}/mini.pub -s {tmp_path}/mini.key", tmp_path)
    assert mk.returncode == 0, mk.stderr
    r = seal(case, key, passfile, "--minisign", str(tmp_path / "mini.key"))
    assert r.returncode == 0, r.stderr
    assert (case / "fkit/minisign.pub").read_bytes() == (tmp_path / "mini.pub").read_bytes()
    v = sh("minisign -V -p fkit/minisign.pub -m fkit/manifest.json -x fkit/manifest.json.minisig", case)
    assert v.returncode == 0 and "Signature and comment signature verified" in v.stdout
    (case / "fkit/manifest.json").write_bytes((case / "fkit/manifest.json").read_bytes().replace(b"A", b"B", 1))
    assert sh("minisign -V -p fkit/minisign.pub -m fkit/manifest.json -x fkit/manifest.json.minisig", case).returncode != 0
    assert "minisign -V -p fkit/minisign.pub" in (case / "VERIFY.txt").read_text()


def test_verify_checks_custody_ledger(tmp_path: Path) -> None:
    pytest.importorskip("forensic_kit.custody")
    case = make_case(tmp_path / "case", {"a.txt": b"A\n"})
    key, passfile = make_key(tmp_path / "keys")
    assert seal(case, key, passfile).returncode == 0
    r = fkit("custody", "add", case, "--action", "seized", "--exhibits", "EX-01", "--by", "Amina El Idrissi,amina@dgsn.ma",
             "--at", "2026-03-12T09:30:00+01:00", "--sign", key, "--passphrase-file", passfile)
    assert r.returncode == 0, r.stderr
    trust = trust_file(tmp_path, key)
    r = fkit("verify", case, "--trust", trust, "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 0, doc["findings"]
    assert doc["checks"]["custody"] == "ok" and doc["custody"]["ok"] is True
    ledger = case / "fkit/custody.jsonl"
    ledger.write_bytes(ledger.read_bytes().replace(b"seized", b"sealed", 1))
    r = fkit("verify", case, "--trust", trust, "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["checks"]["custody"] == "failed"
    assert all(f["code"].startswith("custody.") for f in doc["findings"]) and doc["findings"]


def test_real_acquire_route(tmp_path: Path) -> None:
    """case init + acquire + key new + manifest build, then fkit verify and the stock tools."""
    need("ssh-keygen")
    if fkit("acquire", "--help").returncode != 0:
        pytest.skip("fkit acquire not available")
    src = tmp_path / "usb"
    (src / "DCIM").mkdir(parents=True)
    (src / "DCIM/IMG_0001.JPG").write_bytes(b"\xff\xd8photo one")
    (src / "محضر.txt").write_text("محضر\n", encoding="utf-8")
    case = tmp_path / "CASE"
    assert fkit("case", "init", case, "--case-id", "TN-2026-7", "--agency", "Garde nationale",
                "--officer", "Karim B.", "--profile", "tn").returncode == 0
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-01", "--description", "USB", "--seal", "S-9")
    assert r.returncode == 0, r.stderr
    key, passfile = make_key(tmp_path / "keys", "karim@gn.tn", "Karim B.")
    r = seal(case, key, passfile)
    assert r.returncode == 0, r.stderr
    m = json.loads((case / "fkit/manifest.json").read_bytes())
    assert m["exhibits"][0]["seal"] == "S-9" and m["exhibits"][0]["acquisition"]["status"] == "complete"
    assert m["payload"]["files"] == 2 and m["records"]["count"] == 2
    assert sh("ssh-keygen -Y verify -f fkit/allowed_signers -I karim@gn.tn -n fkit-manifest "
              "-s fkit/manifest.json.sshsig < fkit/manifest.json", case).returncode == 0
    assert sh("sha256sum -c manifest-sha256.txt", case).returncode == 0
    trust = trust_file(tmp_path, key)
    assert fkit("verify", case, "--trust", trust).returncode == 0
    target = case / "data/EX-01/محضر.txt"
    target.write_bytes(target.read_bytes() + b"!")
    r = fkit("verify", case, "--trust", trust, "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and [(f["code"], f["path"]) for f in doc["findings"]] == [
        ("file.MODIFIED", "data/EX-01/محضر.txt")]
    assert "data/EX-01/محضر.txt is MODIFIED" in r.stderr.decode()


def test_verify_report_pdf_hook(sealed: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("forensic_kit.report")
    case, _k, _p, trust = sealed
    pdf = tmp_path / "verify.pdf"
    r = fkit("verify", case, "--trust", trust, "--report", pdf)
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_verify_records_stream(sealed: tuple[Path, Path, Path, Path]) -> None:
    case, _k, _p, trust = sealed
    r = fkit("verify", case, "--trust", trust, "--records")
    assert r.returncode == 0
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["verdict"] for x in recs] == ["OK"] * 5 and all(x["kind"] == "audit" for x in recs)
    assert sorted(x["path"] for x in recs) == sorted(
        f"data/EX-01/{n}" for n in __import__("tests.manifest.helpers", fromlist=["x"]).SAMPLE_FILES)
    assert fkit("verify", case, "--json", "--records").returncode == 2


def test_build_refuses_inconsistent_payload(tmp_path: Path) -> None:
    key, passfile = make_key(tmp_path / "keys")
    case = make_case(tmp_path / "a", {"x.txt": b"x", "y.txt": b"y"})
    (case / "data/EX-01/hand-copied.txt").write_bytes(b"h")
    r = seal(case, key, passfile)
    assert r.returncode == 1 and b"data/EX-01/hand-copied.txt" in r.stderr and b"refusing to seal" in r.stderr
    assert not (case / "fkit/manifest.json").exists()
    case2 = make_case(tmp_path / "b", {"x.txt": b"x", "y.txt": b"y"})
    (case2 / "data/EX-01/y.txt").unlink()
    r = seal(case2, key, passfile)
    assert r.returncode == 1 and b"1 file(s) listed" in r.stderr
    case3 = make_case(tmp_path / "c", {"x.txt": b"x"})
    recs = (case3 / "fkit/records.jsonl").read_text().replace(hashlib.sha256(b"x").hexdigest(), "0" * 64)
    (case3 / "fkit/records.jsonl").write_text(recs)
    r = seal(case3, key, passfile)
    assert r.returncode == 1 and b"differs from its acquisition hash" in r.stderr


def test_seal_with_ssh_keygen_key(tmp_path: Path) -> None:
    need("ssh-keygen")
    case = make_case(tmp_path / "case", {"a.txt": b"A\n"})
    key = tmp_path / "id_ed25519"
    assert sh(f"ssh-keygen -q -t ed25519 -N 'pp 1' -C judge@court.tn -f {key}", tmp_path).returncode == 0
    r = fkit("manifest", "build", case, "--sign", key, env={"FKIT_PASSPHRASE": "pp 1"})
    assert r.returncode == 0, r.stderr
    assert b"pp 1" not in r.stdout + r.stderr
    assert sh("ssh-keygen -Y verify -f fkit/allowed_signers -I judge@court.tn -n fkit-manifest "
              "-s fkit/manifest.json.sshsig < fkit/manifest.json", case).returncode == 0
    assert fkit("verify", case, "--trust", trust_file(tmp_path, key)).returncode == 0
