"""The tamper matrix of issue 13: every file of a sealed case with custody events × ten attacks.

Each cell copies the sealed case, applies one attack to one file and runs ``verify_case``
in-process (one worker) under a 60-second alarm. A cell passes when verification returns (no
hang), raises nothing (no internal error), exits 1, and names the attacked file with the right
verdict: MODIFIED for a content change or a file replaced by a folder, link or FIFO (never
followed or opened), MISSING (or "manifest.json missing", "signature missing", "ledger
missing") for a deletion, the new path as NEW (or MOVED) for a rename or a planted neighbour.

``FKIT_ATTACK_DOC=1`` writes the measured table to ``docs/seal-attacks.md``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from forensic_kit.exitcodes import ExitCode
from tests.manifest.attackworld import Hang, World, copy_case, make_world, package_files, timed_verify

MUTATIONS = ("flip a byte", "append", "truncate", "delete", "rename", "add a file beside it",
             "swap contents", "replace by folder", "replace by symlink", "replace by FIFO")
CONTENT = {"flip a byte", "append", "truncate", "swap contents"}
SPECIAL = {"replace by folder", "replace by symlink", "replace by FIFO"}
GONE = {"file.MISSING", "manifest.missing", "signature.missing", "custody.missing"}
CHANGED_CODES = ("file.MODIFIED", "signature.bad", "merkle.mismatch", "tagmanifest.mismatch", "list.bad_line",
                 "custody.", "manifest.unreadable", "file.MOVED")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("attack"))


def _partner(files: list[str], rel: str) -> str:
    """Another file to swap contents with: the next payload file for payload, else the next tag file."""
    pool = [f for f in files if f.startswith("data/") == rel.startswith("data/") and f != rel
            and (f.startswith("data/") or (f != "fkit/manifest.json.sshsig"))]
    nonempty = [f for f in pool if not f.endswith("empty.bin")]
    return sorted(nonempty, key=lambda f: (f < rel, f))[0]


def _attack(case: Path, rel: str, mutation: str, files: list[str], outside: Path) -> str | None:
    """Apply ``mutation`` to ``case/rel``; returns the other path it involves (rename, beside, swap) or None."""
    p = case / rel
    data = p.read_bytes()
    if mutation == "flip a byte":
        b = bytearray(data)
        b[len(b) // 2] ^= 0x01
        p.write_bytes(bytes(b))
    elif mutation == "append":
        p.write_bytes(data + b"\x00")
    elif mutation == "truncate":
        p.write_bytes(data[:-1])
    elif mutation == "delete":
        p.unlink()
    elif mutation == "rename":
        new = p.with_name("renamed-" + p.name)
        p.rename(new)
        return new.relative_to(case).as_posix()
    elif mutation == "add a file beside it":
        new = p.with_name("planted.bin")
        new.write_bytes(b"planted")
        return new.relative_to(case).as_posix()
    elif mutation == "swap contents":  # both files change: the partner is returned to be named too
        partner = _partner(files, rel)
        other = case / partner
        od = other.read_bytes()
        other.write_bytes(data)
        p.write_bytes(od)
        return partner
    elif mutation == "replace by folder":
        p.unlink()
        p.mkdir()
    elif mutation == "replace by symlink":  # to a copy outside the package with the very same bytes
        twin = outside / ("twin-" + rel.replace("/", "_"))
        twin.write_bytes(data)
        p.unlink()
        p.symlink_to(twin)
    elif mutation == "replace by FIFO":
        p.unlink()
        os.mkfifo(p)
    else:  # pragma: no cover - the list above is closed
        raise AssertionError(mutation)
    return None


def _names(path: str | None, rel: str) -> bool:
    return path is not None and (path == rel or path.startswith(rel + " ("))


def _judge(rel: str, mutation: str, new: str | None, codes: list[tuple[str, str | None]]) -> str | None:
    """None when the findings give the right verdict for the cell; else why not."""
    mine = [c for c, p in codes if _names(p, rel)]
    theirs = [c for c, p in codes if new is not None and _names(p, new)]
    if mutation in SPECIAL:
        return None if "file.MODIFIED" in mine else f"expected file.MODIFIED for {rel}, got {codes}"
    if mutation == "delete":
        return None if any(c in GONE for c in mine) else f"expected a MISSING verdict for {rel}, got {codes}"
    if mutation == "rename":
        if rel.startswith("data/"):
            return None if ("file.MOVED" in theirs) else f"expected file.MOVED for {new}, got {codes}"
        if not any(c in GONE for c in mine):
            return f"expected a MISSING verdict for {rel}, got {codes}"
        return None if theirs else f"expected {new} to be reported, got {codes}"
    if mutation == "add a file beside it":
        return None if "file.NEW" in theirs else f"expected file.NEW for {new}, got {codes}"
    if mutation == "swap contents":  # either file of the pair may be the one a check names first
        mine = mine + theirs
    if rel.startswith("data/"):
        return None if "file.MODIFIED" in mine else f"expected file.MODIFIED for {rel}, got {codes}"
    return None if any(c.startswith(CHANGED_CODES) for c in mine) else f"expected a change verdict for {rel}, got {codes}"


def test_matrix(world: World, tmp_path: Path) -> None:
    """Every file × every attack: detected with the right verdict, exit 1, no hang, no internal error."""
    files = package_files(world.case)
    assert len(files) == 22  # 5 payload files + 17 outside data/ (see the table in docs/seal-attacks.md)
    baseline, _ = timed_verify(world.case, world.trust_text)
    assert baseline.exit_code == ExitCode.OK, [f.message for f in baseline.findings]
    rows: list[tuple[str, str, str, str, float]] = []
    failures: list[str] = []
    slowest = 0.0
    n = 0
    for rel in files:
        for mutation in MUTATIONS:
            n += 1
            if (world.case / rel).stat().st_size == 0 and mutation in ("flip a byte", "truncate"):
                rows.append((rel, mutation, "n/a (empty file)", "", 0.0))
                continue
            case = copy_case(world.case, tmp_path / f"c{n}")
            outside = tmp_path / f"o{n}"
            outside.mkdir()
            new = _attack(case, rel, mutation, files, outside)
            try:
                report, seconds = timed_verify(case, world.trust_text)
            except Hang:
                failures.append(f"{rel} / {mutation}: HANG")
                continue
            except Exception as exc:  # noqa: BLE001 - an internal error is a failed cell, reported
                failures.append(f"{rel} / {mutation}: internal error {type(exc).__name__}: {exc}")
                continue
            slowest = max(slowest, seconds)
            codes = [(f.code, f.path) for f in report.findings]
            why = _judge(rel, mutation, new, codes)
            if report.exit_code != ExitCode.CHECK_FAILED:
                why = f"exit {int(report.exit_code)}, expected 1 ({codes})"
            if why:
                failures.append(f"{rel} / {mutation}: {why}")
            named = [c for c, p in codes if _names(p, rel) or (new is not None and _names(p, new))]
            rows.append((rel, mutation, ", ".join(dict.fromkeys(named or [c for c, _ in codes])),
                         str(int(report.exit_code)), seconds))
            shutil.rmtree(case)
    MATRIX_ROWS[:] = rows
    assert not failures, "\n".join(failures)
    assert slowest < 60


MATRIX_ROWS: list[tuple[str, str, str, str, float]] = []


def write_doc(rows: list[tuple[str, str, str, str, float]], whole: list[tuple[str, str, str]]) -> None:
    """docs/seal-attacks.md from the measured rows."""
    doc = Path(__file__).resolve().parents[2] / "docs" / "seal-attacks.md"
    cells = [r for r in rows if r[3]]
    out = ["# Seal attack matrix (issue 13)", "",
           "Generated by `FKIT_ATTACK_DOC=1 pytest tests/manifest/test_attack_matrix.py "
           "tests/manifest/test_attack_package.py` from what the tests measure. The case: 5 payload files "
           "(one empty, Arabic and French names), 3 custody events (seizure and bag seal by the officer, "
           "hand-over to the clerk signed by both), sealed; the trust list with person lines is kept outside "
           "the package. Each cell: a fresh copy, one attack, `verify_case` in-process, one worker, "
           "60-second alarm.", "",
           f"**{len(cells)} attacked cells: {len(cells)} detected with the right verdict, exit 1; "
           f"0 hangs (slowest verify {max(r[4] for r in cells) * 1000:.0f} ms); 0 internal errors.** "
           f"{len(rows) - len(cells)} cells do not apply (no byte to flip or cut in an empty file).", "",
           "## Every file × every attack", "",
           "| file | attack | findings naming the file | exit |", "|---|---|---|---|"]
    for rel, mutation, codes, code, _s in rows:
        out.append(f"| `{rel}` | {mutation} | {codes} | {code} |")
    out += ["", "## Whole-package attacks", "", "| attack | findings | exit |", "|---|---|---|"]
    for name, codes, code in whole:
        out.append(f"| {name} | {codes} | {code} |")
    doc.write_text("\n".join(out) + "\n", encoding="utf-8")
