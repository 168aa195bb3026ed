"""People and keys at the command line: key new person blocks, weak passphrases, open key files,
future times, identical events, the missing trust list, and terminal-safe text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from forensic_kit.display import safe_text
from forensic_kit.signing.people import TrustList
from tests.conftest import fkit
from tests.manifest.helpers import make_case

GOOD = "a long enough passphrase"


def _key(tmp_path: Path, key_id: str, name: str, *extra: str) -> dict[str, str]:
    r = fkit("key", "new", "--id", key_id, "--name", name, "--out", tmp_path / "keys", *extra,
             env={"FKIT_PASSPHRASE": GOOD})
    assert r.returncode == 0, r.stderr
    rec: dict[str, str] = json.loads(r.stdout)
    return rec


def test_key_new_writes_a_person_block(tmp_path: Path) -> None:
    rec = _key(tmp_path, "amina@dgsn.ma", "Amina El Idrissi", "--person-id", "DGSN-4471", "--org", "DGSN Fes")
    block = Path(rec["person_block_path"]).read_text(encoding="utf-8")
    pub = Path(rec["public_key_path"]).read_text().split()
    assert block == ('# fkit-person: {"principal":"amina@dgsn.ma","name":"Amina El Idrissi","id":"DGSN-4471",'
                     '"org":"DGSN Fes"}\n'
                     f'amina@dgsn.ma namespaces="fkit-manifest,fkit-custody" {pub[0]} {pub[1]}\n')
    person = TrustList(block).persons[0]
    assert (person.name, person.person_id, person.org, person.fingerprint) == (
        "Amina El Idrissi", "DGSN-4471", "DGSN Fes", rec["fingerprint"])


def test_weak_passphrase_refused_for_new_keys(tmp_path: Path) -> None:
    r = fkit("key", "new", "--id", "a@x", "--name", "A", "--out", tmp_path, env={"FKIT_PASSPHRASE": "short pass"})
    assert r.returncode == 2
    assert r.stderr.decode().strip() == ("fkit: error: the passphrase has 10 characters; a signing key needs at least "
                                         "12 (a few words work well). --weak-passphrase-ok is allowed only with --training")
    r = fkit("key", "new", "--id", "a@x", "--name", "A", "--out", tmp_path, "--weak-passphrase-ok",
             env={"FKIT_PASSPHRASE": "short pass"})
    assert r.returncode == 2 and b"only with --training" in r.stderr
    r = fkit("key", "new", "--id", "a@x", "--name", "A", "--out", tmp_path, "--weak-passphrase-ok", "--training",
             env={"FKIT_PASSPHRASE": "short pass"})
    assert r.returncode == 0, r.stderr


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    rec = _key(tmp_path, "k@x", "K")
    case = make_case(tmp_path / "case")
    os.chmod(rec["private_key_path"], 0o644)
    r = fkit("manifest", "build", case, "--sign", rec["private_key_path"], env={"FKIT_PASSPHRASE": GOOD})
    assert r.returncode == 4
    assert b"is readable by other users (mode 0644); OpenSSH refuses such keys too: run chmod 600" in r.stderr
    assert not (case / "fkit/manifest.json").exists()


def test_custody_add_refusals(tmp_path: Path) -> None:
    rec = _key(tmp_path, "amina@dgsn.ma", "Amina El Idrissi", "--person-id", "DGSN-4471")
    case = make_case(tmp_path / "case")
    env = {"FKIT_PASSPHRASE": GOOD}
    base = ["custody", "add", case, "--action", "seized", "--exhibits", "EX-01", "--sign", rec["private_key_path"]]
    r = fkit(*base, "--by", "Amina El Idrissi", "--at", "2999-01-01T00:00Z", env=env)
    assert r.returncode == 2 and b"--at 2999-01-01T00:00Z: that is in the future" in r.stderr
    r = fkit(*base, "--by", "Mohamed Haddad", "--at", "2026-01-02T09:00", env=env)
    assert r.returncode == 2
    assert (b"--by Mohamed Haddad is not the holder of the --sign key " + rec["fingerprint"].encode()
            + b": the key's own description (no --trust given) binds it to Amina El Idrissi (DGSN-4471)") in r.stderr
    r = fkit(*base, "--by", "Amina El Idrissi", "--at", "2026-01-02T09:00", env=env)
    assert r.returncode == 0, r.stderr
    assert b"note: no --trust given" in r.stderr and b"ledger head: 1:" in r.stderr
    head = json.loads(r.stdout)["head"]
    r = fkit(*base, "--by", "Amina El Idrissi", "--at", "2026-01-02T09:00", env=env)
    assert r.returncode == 2 and b"event 1 of the ledger is identical" in r.stderr and b"--again" in r.stderr
    r = fkit(*base, "--by", "Amina El Idrissi", "--at", "2026-01-02T09:00", "--again", env=env)
    assert r.returncode == 0, r.stderr
    r = fkit(*base, "--by", "Amina El Idrissi", "--to", "Karim Tazi", "--at", "2026-01-02T10:00", env=env)
    assert r.returncode == 2 and b"(--cosign KEY)" in r.stderr
    # custody verify: the missing trust list is named in one line; the first head still holds
    r = fkit("custody", "verify", case, "--expect-head", head, env={"FKIT_TRUST": ""})
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == (b"no trust list: give --trust ALLOWED_SIGNERS (your unit's list, kept outside "
                                        b"the package) or set FKIT_TRUST; without one no signature can be trusted")
    r = fkit("custody", "verify", case, "--expect-head", "2:" + "0" * 64, "--trust-package")
    assert r.returncode == 1 and b"Event 2 is not the event --expect-head records" in r.stderr
    r = fkit("custody", "verify", case, "--expect-head", "nonsense", "--trust-package")
    assert r.returncode == 2 and b"--expect-head 'nonsense': expected SEQ:SHA256" in r.stderr


def test_prosecutor_checks_a_custody_signature_without_fkit(tmp_path: Path) -> None:
    """The README's stock-tool route: jq makes the signed bytes, ssh-keygen names and checks the signer."""
    import shutil
    import subprocess

    if not (shutil.which("jq") and shutil.which("ssh-keygen")):
        pytest.skip("jq or ssh-keygen not installed")
    rec = _key(tmp_path, "amina@dgsn.ma", "Amina El Idrissi", "--person-id", "DGSN-4471")
    case = make_case(tmp_path / "case")
    r = fkit("custody", "add", case, "--action", "seized", "--exhibits", "EX-01", "--by", "Amina El Idrissi",
             "--at", "2026-01-02T09:00", "--note", "sac scellé n° 7 — محضر", "--sign", rec["private_key_path"],
             "--trust", rec["person_block_path"], env={"FKIT_PASSPHRASE": GOOD})
    assert r.returncode == 0, r.stderr
    sh = f"sed -n 1p {case}/fkit/custody.jsonl"
    subprocess.run(f"{sh} | jq -cjS 'del(.signatures)' > ev; {sh} | jq -r '.signatures[0].sshsig' > ev.sig",
                   shell=True, cwd=tmp_path, check=True)
    found = subprocess.run(["ssh-keygen", "-Y", "find-principals", "-f", rec["person_block_path"], "-s", "ev.sig"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert found.stdout.strip() == "amina@dgsn.ma"
    with open(tmp_path / "ev", "rb") as ev:
        ok = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", rec["person_block_path"], "-I", "amina@dgsn.ma",
                             "-n", "fkit-custody", "-s", "ev.sig"], cwd=tmp_path, stdin=ev, capture_output=True,
                            text=True)
    assert ok.returncode == 0 and ok.stdout.startswith('Good "fkit-custody" signature for amina@dgsn.ma')


def test_acquire_refuses_a_sealed_case(tmp_path: Path) -> None:
    rec = _key(tmp_path, "k@x", "K")
    case = make_case(tmp_path / "case")
    assert fkit("manifest", "build", case, "--sign", rec["private_key_path"],
                env={"FKIT_PASSPHRASE": GOOD}).returncode == 0
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("a")
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-02")
    assert r.returncode == 2
    assert r.stderr.decode().strip().endswith(
        "is sealed (revision 1): acquiring EX-02 would change it; add --new-revision to start revision 2, then "
        "seal it with fkit manifest build --reason TEXT")
    assert not (case / "data/EX-02").exists()


@pytest.mark.parametrize("raw,shown", [
    ("plain name.txt", "plain name.txt"),
    ("\x1b[2Jfake OK", "\\x1b[2Jfake OK"),
    ("photo\u202egpj.exe", "photo\\u202egpj.exe"),
    ("two\nlines\r", "two\\x0alines\\x0d"),
    ("محضر حجز.txt", "محضر حجز.txt"),
    ("zero\u200bwidth", "zero\\u200bwidth"),
    (b"bad \xff byte", "bad \\xff byte"),
])
def test_safe_text(raw: str | bytes, shown: str) -> None:
    assert safe_text(raw) == shown


HOSTILE_EVENTS = [
    {"seq": 1, "prev": None, "time": 5, "action": "seized", "exhibits": "EX-01", "released_by": "x",
     "signatures": "nope"},
    {"seq": "2", "prev": [], "time": "2026-01-01T00:00:00Z", "action": None, "exhibits": [["EX-01"]],
     "released_by": {"name": 7}, "received_by": [1], "recheck": {"changed": 3, "result": "failed"},
     "seal": "SC-1", "signatures": [{"role": "releaser", "sshsig": 12}, "x", {"role": "receiver"}]},
    {"seq": 3, "action": "sealed", "exhibits": ["EX-01"], "seal": {"number": ["a"]}, "time": "not a time",
     "released_by": {"name": "A"}, "signatures": [{"role": "releaser", "sshsig": "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----"}]},
]


def test_hostile_events_are_findings_not_crashes(tmp_path: Path) -> None:
    from forensic_kit.custody import verify_custody
    from forensic_kit.package import Case

    case = make_case(tmp_path / "case")
    lines = [json.dumps(e).encode() + b"\n" for e in HOSTILE_EVENTS]
    (case / "fkit/custody.jsonl").write_bytes(b"".join(lines) + b"[1]\n" + b"\xff\n")
    result = verify_custody(Case.open(case), None)
    assert not result.ok and len(result.findings) >= 5
    r = fkit("custody", "verify", case, "--trust-package")
    assert r.returncode == 1 and b"internal error" not in r.stderr
    r = fkit("custody", "show", case)
    assert b"internal error" not in r.stderr
