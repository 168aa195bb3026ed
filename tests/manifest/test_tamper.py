"""The tamper matrix: every change to a sealed package is caught by fkit verify (right verdict,
right file, exit 1) and every payload or manifest change also by the stock-tool route."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensic_kit.exitcodes import ExitCode
from forensic_kit.manifest.verify import verify_case
from tests.conftest import fkit
from tests.manifest.helpers import SAMPLE_FILES, make_case, make_key, need, seal, sh, trust_file

PAYLOAD = [f"data/EX-01/{name}" for name in sorted(SAMPLE_FILES)]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("tamper")
    case = make_case(base / "case")
    key, passfile = make_key(base / "keys")
    assert seal(case, key, passfile).returncode == 0
    trust = trust_file(base, key)
    return case, key, trust.read_text()


def _copy(pristine: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "c"
    shutil.copytree(pristine, dst)
    return dst


def _flip(p: Path) -> None:
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 0x01
    p.write_bytes(bytes(b))


def _append(p: Path) -> None:
    with open(p, "ab") as f:
        f.write(b"\x00")


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[:-1])


def _delete(p: Path) -> None:
    p.unlink()


def _rename(p: Path) -> None:
    p.rename(p.with_name("renamed-" + p.name))


MUTATIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "flip": (_flip, "MODIFIED"), "append": (_append, "MODIFIED"), "truncate": (_truncate, "MODIFIED"),
    "delete": (_delete, "MISSING"), "rename": (_rename, "MOVED"),
}


def _stock_payload_ok(case: Path) -> bool:
    c = sh("sha256sum -c --quiet manifest-sha256.txt", case)
    extra = sh("find data -type f | sort > ../found.txt; cut -c67- manifest-sha256.txt | sort | diff - ../found.txt", case)
    return c.returncode == 0 and extra.returncode == 0


@pytest.mark.parametrize("rel", PAYLOAD)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_payload_mutations(pristine: tuple[Path, Path, str], tmp_path: Path, rel: str, mutation: str) -> None:
    need("sha256sum")
    src, _key, trusted = pristine
    case = _copy(src, tmp_path)
    fn, verdict = MUTATIONS[mutation]
    target = case / rel
    if target.stat().st_size == 0 and mutation in ("flip", "truncate"):
        pytest.skip("an empty file has no byte to flip or cut")
    fn(target)
    report = verify_case(case, trusted)
    assert report.exit_code == ExitCode.CHECK_FAILED
    codes = [(f.code, f.path) for f in report.findings]
    if verdict == "MOVED":
        renamed = rel.rsplit("/", 1)
        new = f"{renamed[0]}/renamed-{renamed[1]}"
        assert codes == [("file.MOVED", new)]
        assert f"sealed as {rel}" in report.findings[0].message
    else:
        assert codes == [(f"file.{verdict}", rel)]
    assert report.counts[verdict] == 1 and report.counts["OK"] == len(PAYLOAD) - 1
    assert report.checks["signature"] == "ok"
    assert not _stock_payload_ok(case)


def test_stray_file(pristine: tuple[Path, Path, str], tmp_path: Path) -> None:
    case = _copy(pristine[0], tmp_path)
    (case / "data/EX-01/photos/planted.jpg").write_bytes(b"planted")
    report = verify_case(case, pristine[2])
    assert [(f.code, f.path) for f in report.findings] == [("file.NEW", "data/EX-01/photos/planted.jpg")]
    assert report.exit_code == ExitCode.CHECK_FAILED
    assert not _stock_payload_ok(case)


def test_swap_two_files(pristine: tuple[Path, Path, str], tmp_path: Path) -> None:
    case = _copy(pristine[0], tmp_path)
    a, b = case / PAYLOAD[2], case / PAYLOAD[3]
    da, db = a.read_bytes(), b.read_bytes()
    a.write_bytes(db)
    b.write_bytes(da)
    report = verify_case(case, pristine[2])
    assert sorted((f.code, f.path) for f in report.findings) == sorted(
        [("file.MODIFIED", PAYLOAD[2]), ("file.MODIFIED", PAYLOAD[3])])
    assert not _stock_payload_ok(case)


def test_payload_change_with_list_updated_too(pristine: tuple[Path, Path, str], tmp_path: Path) -> None:
    """An attacker edits a file and fixes manifest-sha256.txt: the sealed hash of the list catches
    it, and the file is still named, from the sealed records."""
    case = _copy(pristine[0], tmp_path)
    _flip(case / PAYLOAD[0])
    fixed = sh("sha256sum data/EX-01/docs/* data/EX-01/empty.bin data/EX-01/photos/* > manifest-sha256.txt", case)
    assert fixed.returncode == 0
    report = verify_case(case, pristine[2])
    codes = sorted((f.code, f.path) for f in report.findings)
    assert ("file.MODIFIED", "manifest-sha256.txt") in codes and ("file.MODIFIED", PAYLOAD[0]) in codes
    assert sh("sha256sum -c --quiet manifest-sha256.txt", case).returncode == 0  # the list alone is fooled...
    s = sh("sha256sum manifest-sha256.txt", case).stdout.split()[0]
    assert s not in (case / "fkit/manifest.json").read_text()  # ...step 2 of VERIFY.txt is not


@pytest.mark.parametrize("rel,code", [
    ("fkit/manifest.json", "signature.bad"),
    ("fkit/manifest.json.sshsig", "signature.bad"),
    ("manifest-sha256.txt", "file.MODIFIED"),
    ("fkit/records.jsonl", "file.MODIFIED"),
    ("fkit/leaf-salts.txt", "merkle.mismatch"),
    ("fkit/exhibits/EX-01.json", "file.MODIFIED"),
    ("fkit/case.json", "file.MODIFIED"),
])
def test_tag_file_flips(pristine: tuple[Path, Path, str], tmp_path: Path, rel: str, code: str) -> None:
    need("ssh-keygen")
    case = _copy(pristine[0], tmp_path)
    p = case / rel
    if rel.endswith(".sshsig"):  # flip inside the base64 body, keeping it valid base64
        lines = p.read_bytes().split(b"\n")
        body = bytearray(lines[3])
        body[10] = ord("A") if body[10] != ord("A") else ord("B")
        lines[3] = bytes(body)
        p.write_bytes(b"\n".join(lines))
    elif rel.endswith(".json") and rel != "fkit/manifest.json":
        doc = json.loads(p.read_bytes())
        doc["seal" if "exhibits" in rel else "officer"] = "changed"
        p.write_text(json.dumps(doc))
    elif rel == "fkit/records.jsonl":
        p.write_bytes(p.read_bytes().replace(b'"size":', b'"size": ', 1))
    elif rel == "fkit/leaf-salts.txt":  # another hex digit (a bit flip can make 'a'/'f' non-hex: a format error)
        b = bytearray(p.read_bytes())
        i = len(b) // 2 if b[len(b) // 2] != ord("\n") else len(b) // 2 + 1
        b[i] = ord("1") if b[i] != ord("1") else ord("2")
        p.write_bytes(bytes(b))
    else:
        _flip(p)
    if rel == "fkit/manifest.json":
        assert (case / rel).read_bytes() != (pristine[0] / rel).read_bytes()
    report = verify_case(case, pristine[2])
    assert report.exit_code == ExitCode.CHECK_FAILED
    found = [(f.code, f.path) for f in report.findings]
    if rel == "fkit/manifest.json.sshsig":  # a changed signature either fails to parse or to match
        assert found[0] in [(code, rel), (code, "fkit/manifest.json")]
    elif code == "merkle.mismatch":
        assert found == [("file.MODIFIED", "fkit/leaf-salts.txt"), ("merkle.mismatch", "fkit/leaf-salts.txt")]
    else:
        assert found[0] == (code, rel) or (code, rel) in found
    if rel in ("fkit/manifest.json", "fkit/manifest.json.sshsig"):
        v = sh("ssh-keygen -Y verify -f fkit/allowed_signers -I amina@dgsn.ma -n fkit-manifest "
               "-s fkit/manifest.json.sshsig < fkit/manifest.json", case)
        assert v.returncode != 0
    if rel == "manifest-sha256.txt":
        s = sh("sha256sum manifest-sha256.txt", case).stdout.split()[0]
        assert s not in (case / "fkit/manifest.json").read_text()
    if rel == "fkit/records.jsonl":
        assert "merkle.mismatch" in [f.code for f in report.findings]
    if rel in ("fkit/records.jsonl", "fkit/exhibits/EX-01.json", "fkit/case.json"):  # VERIFY.txt step 2
        s = sh(f"sha256sum {rel}", case).stdout.split()[0]
        sealed = (case / "fkit/manifest.json").read_text()
        assert s not in sealed and sh(f"sha256sum {rel}", pristine[0]).stdout.split()[0] in sealed


def test_resigned_with_untrusted_key(pristine: tuple[Path, Path, str], tmp_path: Path) -> None:
    """Mallory edits a file and re-seals with her own key, even naming it like the officer's."""
    need("ssh-keygen")
    src, key, trusted = pristine
    case = _copy(src, tmp_path)
    _flip(case / PAYLOAD[1])
    os.unlink(case / "manifest-sha256.txt")
    from forensic_kit.package import Case

    Case.open(case).update_bag(rehash=True)
    mallory, mpass = make_key(tmp_path / "mk", "amina@dgsn.ma", "Amina El Idrissi")
    # her records must agree with her list, so she rewrites the record too
    recs = (case / "fkit/records.jsonl").read_text().splitlines()
    import hashlib

    new_sha = hashlib.sha256((case / PAYLOAD[1]).read_bytes()).hexdigest()
    out = []
    for line in recs:
        r = json.loads(line)
        if r["bag_path"] == PAYLOAD[1]:
            r["hashes"]["sha256"] = new_sha
        out.append(json.dumps(r, ensure_ascii=False, sort_keys=True))
    (case / "fkit/records.jsonl").write_text("\n".join(out) + "\n")
    assert seal(case, mallory, mpass).returncode == 2  # a re-seal verifies revision 1 first (and needs --reason)
    r = seal(case, mallory, mpass, "--reason", "update")
    assert r.returncode == 1 and b"refusing to seal revision 2" in r.stderr
    shutil.rmtree(case / "fkit/revisions")  # so she removes the seal and its history...
    (case / "fkit/manifest.json").unlink()
    assert seal(case, mallory, mpass).returncode == 0  # ...and seals anew, as revision 1
    tfile = tmp_path / "trusted"
    tfile.write_text(trusted)
    r = fkit("verify", case, "--trust", tfile, "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert [f["code"] for f in doc["findings"]] == ["signature.untrusted"]
    assert doc["signature"]["trusted"] is False
    # stock route: ssh-keygen says "Good" for the package's own list, but the fingerprint it prints
    # is not the officer's, which VERIFY.txt says to confirm by another channel
    v = sh("ssh-keygen -Y verify -f fkit/allowed_signers -I amina@dgsn.ma -n fkit-manifest "
           "-s fkit/manifest.json.sshsig < fkit/manifest.json", case)
    real_fp = sh(f"ssh-keygen -lf {key}.pub", case).stdout.split()[1]
    assert real_fp not in v.stdout
    v2 = sh(f"ssh-keygen -Y verify -f {tfile} -I amina@dgsn.ma -n fkit-manifest "
            "-s fkit/manifest.json.sshsig < fkit/manifest.json", case)
    assert v2.returncode != 0


def test_manifest_made_unparsable(pristine: tuple[Path, Path, str], tmp_path: Path) -> None:
    case = _copy(pristine[0], tmp_path)
    (case / "fkit/manifest.json").write_bytes(b"{garbage" + (case / "fkit/manifest.json").read_bytes())
    r = fkit("verify", case, "--trust", _trustfile(tmp_path, pristine[2]))
    assert r.returncode == 1 and b"signature check failed" in r.stderr


def test_signature_deleted(pristine: tuple[Path, Path, str], tmp_path: Path) -> None:
    case = _copy(pristine[0], tmp_path)
    (case / "fkit/manifest.json.sshsig").unlink()
    r = fkit("verify", case, "--trust", _trustfile(tmp_path, pristine[2]), "--json")
    assert r.returncode == 1
    assert [f["code"] for f in json.loads(r.stdout)["findings"]] == ["signature.missing"]
    (case / "fkit/manifest.json").unlink()
    r = fkit("verify", case, "--trust", _trustfile(tmp_path, pristine[2]), "--json")
    assert r.returncode == 1 and b"fkit/manifest.json missing" in r.stderr
    assert [f["code"] for f in json.loads(r.stdout)["findings"]][0] == "manifest.missing"


def _trustfile(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "trusted"
    p.write_text(text)
    return p


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(PAYLOAD) - 1), st.integers(0, 10**6), st.integers(0, 7))
def test_any_flipped_bit_is_detected(pristine: tuple[Path, Path, str], tmp_path_factory: pytest.TempPathFactory,
                                     which: int, pos: int, bit: int) -> None:
    src = pristine[0] / PAYLOAD[which]
    if src.stat().st_size == 0:
        return
    case = tmp_path_factory.mktemp("flip") / "c"
    shutil.copytree(pristine[0], case)
    p = case / PAYLOAD[which]
    b = bytearray(p.read_bytes())
    b[pos % len(b)] ^= 1 << bit
    p.write_bytes(bytes(b))
    report = verify_case(case, pristine[2])
    assert [(f.code, f.path) for f in report.findings] == [("file.MODIFIED", PAYLOAD[which])]
    assert report.exit_code == ExitCode.CHECK_FAILED
