"""Who may receive: persons of the sender's trust list, and what happens with anything else."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from forensic_kit.errors import InputError, UsageError
from forensic_kit.share.disclose import resolve_recipients
from forensic_kit.signing.people import TrustList, person_block


def _key(tmp_path: Path, name: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
    return " ".join((tmp_path / f"{name}.pub").read_text().split()[:2])


def test_persons_unbound_keys_expired_and_unknown(tmp_path: Path) -> None:
    k1, k2, k3 = _key(tmp_path, "a"), _key(tmp_path, "b"), _key(tmp_path, "c")
    text = (person_block("karim@pj.tn", "Karim Trabelsi", "PJ-118", "PJ Tunis", f"karim@pj.tn {k1}")
            + f"bare@x {k2}\n"
            + person_block("old@x", "Old Key", None, None, f'old@x valid-before="20200101" {k3}'))
    trust = TrustList(text, "list")
    from pyrage import x25519

    age_key = str(x25519.Identity.generate().to_public())
    got, warnings = resolve_recipients(["karim@pj.tn", "bare@x", age_key], trust)
    assert [(a.principal, a.person) for a in got] == [
        ("karim@pj.tn", {"name": "Karim Trabelsi", "id": "PJ-118", "org": "PJ Tunis"}), ("bare@x", None), (None, None)]
    assert [a.recipient.kind for a in got] == ["ssh-ed25519", "ssh-ed25519", "x25519"]
    assert len(warnings) == 2 and "not bound to a person" in warnings[0] and "anonymous key" in warnings[1]
    with pytest.raises(InputError, match="has expired"):
        resolve_recipients(["old@x"], trust)
    with pytest.raises(InputError, match="no ssh-ed25519 key for this principal"):
        resolve_recipients(["nobody@x"], trust)
    with pytest.raises(UsageError, match="needs the sender's trust list"):
        resolve_recipients(["karim@pj.tn"], None)
    with pytest.raises(InputError, match="not an age recipient"):
        resolve_recipients(["ssh-rsa AAAA"], trust)
    with pytest.raises(InputError, match="unusable age recipient"):
        resolve_recipients(["age1" + "q" * 58], trust)
