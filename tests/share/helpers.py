"""Fixtures for the hand-over tests: a sealed sender case, persons and trust lists on both sides."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from forensic_kit.signing.people import person_block
from tests.conftest import fkit
from tests.manifest.helpers import PASS, make_case, make_key, seal

FILES = {f"photo-{i}.jpg": bytes([i]) * (1000 + 37 * i) for i in range(5)}
FILES["notes/محضر ✓.txt"] = "محضر حجز\n".encode()
FILES["video.bin"] = bytes(range(256)) * 800  # 200 KiB: several 64 KiB age chunks


@dataclass
class Party:
    key: Path
    passfile: Path
    principal: str
    pub: str


@dataclass
class World:
    base: Path
    case: Path
    sender: Party
    people: dict[str, Party]
    sender_trust: Path
    trust: dict[str, Path]  # each receiver's own trust list


def party(folder: Path, principal: str, name: str) -> Party:
    key, passfile = make_key(folder, principal, name)
    pub = " ".join(Path(str(key) + ".pub").read_text().split()[:2])
    return Party(key, passfile, principal, pub)


def plain_party(folder: Path, principal: str) -> Party:
    """A key made by ssh-keygen without a passphrase (what `age -d -i` reads without a terminal)."""
    key = folder / principal.replace("@", "_")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", str(key)], check=True)
    pub = " ".join(Path(str(key) + ".pub").read_text().split()[:2])
    empty = folder / "empty.pass"
    return Party(key, empty, principal, pub)


def trust_text(entries: list[tuple[Party, str, str, str]]) -> str:
    return "".join(person_block(p.principal, name, pid, org, f'{p.principal} namespaces="fkit-manifest,fkit-custody" {p.pub}')
                   for p, name, pid, org in entries)


def build_world(base: Path) -> World:
    case = make_case(base / "case", FILES)
    sender = party(base / "keys", "amina@dgsn.ma", "Amina El Idrissi")
    assert seal(case, sender.key, sender.passfile).returncode == 0
    r = fkit("custody", "add", case, "--action", "seized", "--exhibits", "EX-01", "--by", "Amina El Idrissi,DGSN-4471,DGSN Fès",
             "--sign", sender.key, "--passphrase-file", sender.passfile, "--at", "2026-01-02T10:00Z")
    assert r.returncode == 0, r.stderr
    people = {"karim": party(base / "keys", "karim@pj.tn", "Karim Trabelsi"),
              "giulia": party(base / "keys", "giulia@europol.eu", "Giulia Rossi"),
              "luca": plain_party(base / "keys", "luca@tribunale.it"),
              "eve": party(base / "keys", "eve@nowhere", "Eve")}
    me = (sender, "Amina El Idrissi", "DGSN-4471", "DGSN Fès")
    others = [(people["karim"], "Karim Trabelsi", "PJ-118", "Police judiciaire Tunis"),
              (people["giulia"], "Giulia Rossi", "EP-2201", "Europol"),
              (people["luca"], "Luca Bianchi", "TR-77", "Tribunale di Palermo")]
    sender_trust = base / "sender_trust"
    sender_trust.write_text(trust_text([me, *others]))
    trust = {}
    for who, entry in zip(("karim", "giulia", "luca"), others):
        t = base / f"{who}_trust"
        t.write_text(trust_text([me, entry]))
        trust[who] = t
    return World(base, case, sender, people, sender_trust, trust)


def share(w: World, out: Path, *to: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    args: list[str] = []
    for t in to:
        args += ["--to", t]
    return fkit("share", w.case, *args, "--exhibits", "EX-01", "--purpose", "MLA request 2026/17",
                "--legal-basis", "Convention d'entraide judiciaire MA-TN, art. 5", "--handling", "H2",
                "--channel", "SIENA", "--sign", w.sender.key, "--passphrase-file", w.sender.passfile,
                "--trust", w.sender_trust, "-o", out, *extra)


def receive(w: World, who: str, file: Path, into: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    p = w.people[who]
    pw = ("--passphrase-file", str(p.passfile)) if p.passfile.name != "empty.pass" else ()
    return fkit("receive", file, "-i", p.key, "--into", into, "--trust", w.trust.get(who, w.trust["karim"]), *pw, *extra)


def last_event(case: Path) -> dict:
    return json.loads((case / "fkit/custody.jsonl").read_text().splitlines()[-1])


__all__ = ["PASS", "World", "build_world", "last_event", "receive", "share"]
