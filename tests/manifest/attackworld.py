"""A sealed case with custody events, made through the library (no subprocess), for the attack matrix.

Three people, each with their own key, bound to them by a trust list kept outside the package
(``# fkit-person:`` lines): Amina (the officer who seizes, seals the bag and seals the package),
Karim (the court clerk who receives) and Mohamed (another officer, used for impersonation).
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensic_kit.custody import append_event, bind_signers, new_event, sign_event
from forensic_kit.manifest.build import build
from forensic_kit.manifest.verify import VerifyReport, verify_case
from forensic_kit.package import Case
from forensic_kit.signing import allowed_signers
from forensic_kit.signing.keys import SigningKey, generate_key, load_private_key
from forensic_kit.signing.people import TrustList, person_block
from tests.manifest.helpers import make_case

PASS = b"attack matrix passphrase"
PEOPLE = {
    "amina": ("amina@dgsn.ma", "Amina El Idrissi", "DGSN-4471", "DGSN Fes"),
    "karim": ("karim@tribunal.ma", "Karim Tazi", "GR-118", "Tribunal de premiere instance de Fes"),
    "mohamed": ("mohamed@dgsn.ma", "Mohamed Haddad", "DGSN-5120", "DGSN Fes"),
}
VERIFY_LIMIT_S = 60


@dataclass
class World:
    case: Path
    trust_text: str
    trust_path: Path
    keys: dict[str, SigningKey]
    key_paths: dict[str, Path]

    @property
    def trust(self) -> TrustList:
        return TrustList(self.trust_text, str(self.trust_path))


def party(who: str) -> str:
    _p, name, pid, org = PEOPLE[who]
    return f"{name},{pid},{org}"


def make_world(base: Path) -> World:
    keys, paths = {}, {}
    blocks = []
    for who, (principal, name, pid, org) in PEOPLE.items():
        p = generate_key(principal, name, base / "keys", PASS, person_id=pid, org=org)
        paths[who] = p
        keys[who] = load_private_key(p, PASS)
        blocks.append(person_block(principal, name, pid, org, allowed_signers.line_for(keys[who])))
    trust_path = base / "trusted_signers"
    trust_path.write_text("".join(blocks), encoding="utf-8")
    root = make_case(base / "case")
    case = Case.open(root)
    world = World(root, trust_path.read_text(), trust_path, keys, paths)
    add(world, "amina", action="seized", exhibits=["EX-01"], by=party("amina"), at="2026-01-02T09:00",
        location="Fes, 12 rue X")
    add(world, "amina", action="sealed", exhibits=["EX-01"], by=party("amina"), at="2026-01-02T09:20",
        seal_number="SC-118", seal_state="new")
    add(world, "amina", "karim", action="transferred", exhibits=["EX-01"], by=party("amina"), to=party("karim"),
        at="2026-01-03T10:00", purpose="deposit at the court registry", seal_state="intact")
    build(case, keys["amina"])
    return world


def add(world: World, signer: str, cosigner: str | None = None, **kw: Any) -> dict[str, Any]:
    """A custody event checked, signed and appended as ``fkit custody add`` does."""
    case = Case.open(world.case)
    event = new_event(case, **kw)
    co = world.keys[cosigner] if cosigner else None
    bind_signers(case, event, world.keys[signer], co, world.trust)
    signed = sign_event(event, world.keys[signer], co)
    append_event(case, signed)
    for k in (world.keys[signer], co):
        if k is not None:
            allowed_signers.add(case, k)
    case.update_tags()
    return signed


def copy_case(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


class Hang(Exception):
    """A verification ran past :data:`VERIFY_LIMIT_S`."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def on_alarm(_sig: int, _frame: Any) -> None:
        raise Hang(f"verify ran past {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def timed_verify(case: Path, trust: str | None, **kw: Any) -> tuple[VerifyReport, float]:
    """``verify_case`` in-process, single worker, under the 60-second limit (Hang past it)."""
    t0 = time.monotonic()
    with time_limit(VERIFY_LIMIT_S):
        report = verify_case(case, trust, workers=1, **kw)
    return report, time.monotonic() - t0


def package_files(root: Path) -> list[str]:
    """Every regular file of the package, as bag-relative paths, sorted."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            out.append((Path(dirpath) / name).relative_to(root).as_posix())
    return sorted(out)


Mutation = Callable[[Path, Path], "str | None"]
