"""Keys and SSHSIG against the stock OpenSSH tools (ssh-keygen is the oracle)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit.errors import SigningKeyError, UsageError
from forensic_kit.signing import allowed_signers, keys, sshsig
from forensic_kit.signing.sshsig import SignatureError
from tests.conftest import fkit

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen not installed")
PASS = "correct horse 7"


def _run(cmd: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("keys")
    keys.generate_key("officer@police.example", "Amina El Idrissi", d, PASS.encode())
    return d


def test_key_files_and_fingerprint_match_ssh_keygen(keydir: Path) -> None:
    priv = keydir / "officer_police.example_ed25519"
    assert (priv.stat().st_mode & 0o777) == 0o600
    k = keys.load_private_key(priv, PASS.encode())
    lf = _run(f"ssh-keygen -lf {priv}.pub").stdout.split()
    assert lf[0] == "256" and lf[1] == k.fingerprint and lf[2] == "officer@police.example"
    assert k.key_id == "officer@police.example" and k.name == "Amina El Idrissi"
    # ssh-keygen can use the private key with the passphrase, and refuses a wrong one
    y = _run(f"ssh-keygen -y -P '{PASS}' -f {priv}")
    assert y.returncode == 0 and y.stdout.split()[:2] == k.public_line.split()[:2]
    assert _run(f"ssh-keygen -y -P wrong -f {priv}").returncode != 0
    assert b"ENCRYPTED" not in priv.read_bytes()  # OpenSSH format, not PEM
    assert priv.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")


def test_wrong_or_missing_passphrase(keydir: Path) -> None:
    priv = keydir / "officer_police.example_ed25519"
    with pytest.raises(SigningKeyError) as e:
        keys.load_private_key(priv, b"not-it")
    assert "not-it" not in str(e.value) and "wrong passphrase" in str(e.value)
    with pytest.raises(SigningKeyError, match="passphrase-protected"):
        keys.load_private_key(priv, None)
    with pytest.raises(SigningKeyError, match="not an OpenSSH private key"):
        keys.load_private_key(priv.with_name(priv.name + ".pub"), b"x")
    with pytest.raises(UsageError):
        keys.generate_key("has space", "x", keydir, b"p")


def test_signature_is_byte_identical_to_ssh_keygen_and_verifies(keydir: Path, tmp_path: Path) -> None:
    priv = keydir / "officer_police.example_ed25519"
    k = keys.load_private_key(priv, PASS.encode())
    msg = tmp_path / "m.json"
    msg.write_bytes(b'{"case_id":"MA-2026-001","\xc3\xa9":1}')
    ours = sshsig.sign(msg.read_bytes(), k, "fkit-manifest")
    r = _run(f"ssh-keygen -Y sign -P '{PASS}' -f {priv} -n fkit-manifest {msg}")
    assert r.returncode == 0, r.stderr
    theirs = (tmp_path / "m.json.sig").read_bytes()
    assert ours == theirs  # Ed25519 is deterministic: same key, same bytes, same armored signature
    signers = tmp_path / "allowed"
    signers.write_text(allowed_signers.line_for(k) + "\n")
    (tmp_path / "ours.sig").write_bytes(ours)
    v = _run(f"ssh-keygen -Y verify -f {signers} -I officer@police.example -n fkit-manifest -s {tmp_path}/ours.sig < {msg}")
    assert v.returncode == 0 and v.stdout.startswith('Good "fkit-manifest" signature for officer@police.example')
    res = sshsig.verify(msg.read_bytes(), theirs, "fkit-manifest", signers.read_text())
    assert res.trusted and res.principals == ["officer@police.example"] and res.fingerprint == k.fingerprint


def test_ssh_keygen_made_key_works(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    assert _run(f"ssh-keygen -q -t ed25519 -N 'pp pp' -C judge@court.example -f {key}").returncode == 0
    k = keys.load_private_key(key, b"pp pp")
    assert k.key_id == "judge@court.example"
    assert k.fingerprint == _run(f"ssh-keygen -lf {key}.pub").stdout.split()[1]
    sig = sshsig.sign(b"x", k, "fkit-custody")
    assert sshsig.verify(b"x", sig, "fkit-custody", None).fingerprint == k.fingerprint


def test_forged_wrong_namespace_and_untrusted(keydir: Path, tmp_path: Path) -> None:
    k = keys.load_private_key(keydir / "officer_police.example_ed25519", PASS.encode())
    data = b"manifest bytes"
    sig = sshsig.sign(data, k, "fkit-manifest")
    trust = allowed_signers.line_for(k)
    with pytest.raises(SignatureError, match="namespace"):
        sshsig.verify(data, sig, "fkit-custody", trust)
    with pytest.raises(SignatureError, match="does not match"):
        sshsig.verify(data + b" ", sig, "fkit-manifest", trust)
    blob = bytearray(sshsig.dearmor(sig))
    blob[-5] ^= 1  # inside the Ed25519 signature
    with pytest.raises(SignatureError):
        sshsig.verify(data, sshsig.armor(bytes(blob)), "fkit-manifest", trust)
    with pytest.raises(SignatureError):
        sshsig.verify(data, b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n", "fkit-manifest", trust)
    other = tmp_path / "o"
    keys.generate_key("mallory@x", "M", other, b"m")
    m = keys.load_private_key(other / "mallory_x_ed25519", b"m")
    v = sshsig.verify(data, sshsig.sign(data, m, "fkit-manifest"), "fkit-manifest", trust)
    assert (v.trusted, v.principals) == (False, [])


def test_allowed_signers_options(keydir: Path) -> None:
    k = keys.load_private_key(keydir / "officer_police.example_ed25519", PASS.encode())
    kt, b64 = k.public_line.split()[:2]
    blob = k.public_blob
    text = (
        "# comment\n\n"
        f'a@x,b@x namespaces="fkit-custody" {kt} {b64}\n'
        f'c@x namespaces="fkit-*,!fkit-custody" {kt} {b64} note\n'
        f'd@x valid-before="20000101" {kt} {b64}\n'
        f'e@x cert-authority {kt} {b64}\n'
        f"garbage line\n"
    )
    assert allowed_signers.principals_for(text, blob, "fkit-manifest") == ["c@x"]
    assert allowed_signers.principals_for(text, blob, "fkit-custody") == ["a@x", "b@x"]
    entries = allowed_signers.parse(text)
    assert [e.principals for e in entries] == [["a@x", "b@x"], ["c@x"], ["d@x"], ["e@x"]]
    assert entries[1].comment == "note"


def test_cli_key_new_never_shows_secrets(tmp_path: Path) -> None:
    secret = "S3cret-Passphrase-xyz"
    pf = tmp_path / "pass.txt"
    pf.write_text(secret + "\n")
    r = fkit("key", "new", "--id", "agent@gendarmerie.example", "--name", "Karim B.", "--out", tmp_path / "k",
             "--passphrase-file", pf)
    assert r.returncode == 0, r.stderr
    priv = tmp_path / "k" / "agent_gendarmerie.example_ed25519"
    body = b"".join(priv.read_bytes().splitlines()[1:-1])
    out = r.stdout + r.stderr
    assert secret.encode() not in out and body[:40] not in out and b"PRIVATE KEY" not in out
    lf = _run(f"ssh-keygen -lf {priv}.pub").stdout.split()[1]
    assert f'"fingerprint":"{lf}"'.encode() in r.stdout
    # environment variable route; wrong passphrase at use time: exit 4, no secret echoed
    r2 = fkit("key", "new", "--id", "b@x", "--name", "B", "--out", tmp_path / "k", env={"FKIT_PASSPHRASE": secret})
    assert r2.returncode == 0 and secret.encode() not in r2.stdout + r2.stderr
    r3 = fkit("key", "new", "--id", "b@x", "--name", "B", "--out", tmp_path / "k", env={"FKIT_PASSPHRASE": secret})
    assert r3.returncode == 4 and b"refusing to overwrite" in r3.stderr
    r4 = fkit("key", "new", "--id", "c@x", "--name", "C", "--out", tmp_path / "k", input=b"", env={"FKIT_PASSPHRASE": ""})
    assert r4.returncode == 4 and b"no passphrase" in r4.stderr


def test_training_keys_and_real_cases_do_not_mix(tmp_path: Path) -> None:
    """A training key (derivable from a public seed) cannot seal or sign custody of a real case, and a
    real officer's key cannot lend weight to a mock case."""
    from forensic_kit.package import Case
    from tests.manifest.helpers import make_case

    real = make_case(tmp_path / "real")
    mock = tmp_path / "mock"
    Case.init(mock, "MOCK-1", "Academy", "T", profile="training").write_exhibit("EX-01", {"id": "EX-01"})
    env = {"FKIT_PASSPHRASE": "twelve chars and more"}
    for flag, folder in (("--training", "tk"), (None, "rk")):
        r = fkit("key", "new", "--id", f"{folder}@x", "--name", folder, "--out", tmp_path / folder,
                 *([flag] if flag else []), env=env)
        assert r.returncode == 0, r.stderr
    tkey = tmp_path / "tk" / "tk_x_ed25519"
    rkey = tmp_path / "rk" / "rk_x_ed25519"
    r = fkit("manifest", "build", real, "--sign", tkey, env=env)
    assert r.returncode == 2
    assert r.stderr.decode().strip().endswith(
        "tk@x is a training key: it cannot seal the real case MA-2026-0042; use an officer's own key")
    assert not (real / "fkit" / "manifest.json").exists()
    r = fkit("custody", "add", mock, "--action", "seized", "--exhibits", "EX-01", "--by", "T", "--sign", rkey, env=env)
    assert r.returncode == 2
    assert r.stderr.decode().strip().endswith(
        "MOCK-1 is a training case: it cannot be signed with the real key rk@x; make one with 'fkit key new --training'")
    assert not (mock / "fkit" / "custody.jsonl").exists()
    r = fkit("custody", "add", real, "--action", "seized", "--exhibits", "EX-01", "--by", "T", "--sign", tkey, env=env)
    assert r.returncode == 2 and b"cannot sign custody events of the real case MA-2026-0042" in r.stderr
    assert fkit("manifest", "build", real, "--sign", rkey, env=env).returncode == 0
