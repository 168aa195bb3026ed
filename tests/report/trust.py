"""A verifier's trust list for the sample cases: every sample key bound to a person."""

from __future__ import annotations

from pathlib import Path

from forensic_kit.signing.allowed_signers import line_for
from forensic_kit.signing.people import person_block
from tests.custody.casefactory import Sample

IDS = {"ben.salah@mock": ("4471", "Mock Unit"), "trabelsi@mock": ("3310", "Mock Unit"),
       "jaziri@mock": ("2208", "Evidence room"), "haddad@mock": ("5120", "Mock Lab")}
NAMESPACES = ("fkit-manifest", "fkit-custody", "fkit-case")


def write_trust(sample: Sample, path: Path, skip: tuple[str, ...] = ()) -> Path:
    """``allowed_signers`` with a ``# fkit-person:`` line above each key (keys in ``skip`` left out)."""
    blocks = []
    for kid, key in sample.keys.items():
        if kid in skip:
            continue
        pid, org = IDS.get(kid, (None, None))
        blocks.append(person_block(kid, key.name, pid, org, line_for(key, NAMESPACES)))
    path.write_text("".join(blocks), encoding="utf-8")
    return path
