"""Trust-list persons: the ``# fkit-person:`` comment binds the key line below it (and only it)."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from forensic_kit.signing.keys import fingerprint_of_blob, public_blob, public_line_of
from forensic_kit.signing.people import TrustList, person_block, same_person


def _key_line(principal: str) -> tuple[str, bytes]:
    pub = Ed25519PrivateKey.generate().public_key()
    kt, b64 = public_line_of(pub).split()[:2]
    return f'{principal} namespaces="fkit-manifest,fkit-custody" {kt} {b64}', public_blob(pub)


def test_person_bound_to_the_key_below() -> None:
    line_a, blob_a = _key_line("amina@dgsn.ma")
    line_b, blob_b = _key_line("clerk@court.ma")
    text = person_block("amina@dgsn.ma", "Amina Benali", "DGSN-4471", "DGSN Rabat", line_a) + line_b + "\n"
    trust = TrustList(text)
    amina = trust.person_for(blob_a)
    assert amina is not None
    assert (amina.name, amina.person_id, amina.org) == ("Amina Benali", "DGSN-4471", "DGSN Rabat")
    assert amina.fingerprint == fingerprint_of_blob(blob_a)
    assert amina.label() == "Amina Benali (DGSN-4471, DGSN Rabat)"
    assert trust.person_for(blob_b) is None  # listed, but no person bound
    assert trust.principals_for(blob_b, "fkit-custody") == ["clerk@court.ma"]


def test_comment_for_another_principal_binds_nothing() -> None:
    line, blob = _key_line("mallory@x")
    text = '# fkit-person: {"principal":"amina@dgsn.ma","name":"Amina Benali"}\n' + line + "\n"
    assert TrustList(text).person_for(blob) is None


def test_comment_does_not_skip_over_a_key_line() -> None:
    line_a, blob_a = _key_line("amina@dgsn.ma")
    line_b, blob_b = _key_line("amina@dgsn.ma")
    text = '# fkit-person: {"principal":"amina@dgsn.ma","name":"Amina Benali"}\n' + line_a + "\n" + line_b + "\n"
    trust = TrustList(text)
    assert trust.person_for(blob_a) is not None and trust.person_for(blob_b) is None


def test_same_person() -> None:
    line, blob = _key_line("amina@dgsn.ma")
    p = TrustList(person_block("amina@dgsn.ma", "Amina Benali", "DGSN-4471", None, line)).person_for(blob)
    assert same_person({"name": "amina  BENALI", "id": "dgsn-4471", "org": None}, p)
    assert same_person({"name": "Amina Benali", "id": None, "org": None}, p)
    assert not same_person({"name": "Mohamed Haddad", "id": None, "org": None}, p)
    assert not same_person({"name": "Amina Benali", "id": "OTHER-1", "org": None}, p)
    assert not same_person(None, p)


def test_expired_key() -> None:
    line, blob = _key_line("old@x")
    line = line.replace('namespaces=', 'valid-before="20200101",namespaces=')
    trust = TrustList(line + "\n")
    assert trust.expired(blob)
    assert trust.principals_for(blob, "fkit-custody") == []


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is not installed")
def test_ssh_keygen_reads_a_list_with_person_comments(tmp_path: Path) -> None:
    """The stock tool accepts the trust list as fkit writes it and names the principal."""
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    kt, b64 = (tmp_path / "k.pub").read_text().split()[:2]
    trust = tmp_path / "allowed_signers"
    trust.write_text(person_block("amina@dgsn.ma", "Amina Benali", "DGSN-4471", "DGSN Rabat",
                                  f'amina@dgsn.ma namespaces="fkit-custody" {kt} {b64}'))
    msg = tmp_path / "m"
    msg.write_bytes(b"hello")
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-f", str(key), "-n", "fkit-custody", str(msg)], check=True)
    sig = tmp_path / "m.sig"
    r = subprocess.run(["ssh-keygen", "-Y", "find-principals", "-s", str(sig), "-f", str(trust)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "amina@dgsn.ma"
    blob = base64.b64decode(b64)
    assert TrustList.load(trust).person_for(blob) is not None
