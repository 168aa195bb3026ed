"""VERIFY.txt commands run literally, with fkit absent from PATH, on hostile file names."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit.manifest.build import build
from forensic_kit.manifest.verify_text import render_subset_verify_text
from tests.custody.casefactory import Sample, make_case, standard_chain

NAMES = ("رسائل_واتساب.db", "two\nlines.txt", "back\\slash.txt", "pct%0A%25.txt", "cr\rname.txt")


def commands(section: str) -> list[str]:
    """Command lines ("   $ ...") with their continuation lines ("     ...")."""
    out: list[str] = []
    for line in section.splitlines():
        if line.startswith("   $ "):
            out.append(line[5:])
        elif line.startswith("     ") and out and out[-1].count("'") % 2 == 1:
            out[-1] += "\n" + line[5:]
    return out


def sections(text: str) -> dict[str, str]:
    parts = re.split(r"(?m)^=== ", text)
    return {("en" if "English" in p[:80] else "fr" if "Français" in p[:80] else "ar"): p for p in parts if p.strip()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    s = make_case(tmp_path_factory.mktemp("vt") / "case", names=NAMES, files_per_exhibit=2, seal=False)
    raw = os.path.join(os.fsencode(s.case.data_dir / "EX-01"), b"caf\xe9-latin1.bin")
    with open(raw, "wb") as f:
        f.write(b"not utf-8 name")
    s.case.update_bag()
    build(s.case, s.keys["ben.salah@mock"])
    standard_chain(s)
    return s


def run(cmd: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(cwd)}
    assert shutil.which("fkit", path=env["PATH"]) is None
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          errors="replace", timeout=120)


@pytest.mark.skipif(shutil.which("ssh-keygen") is None or shutil.which("python3", path="/usr/bin:/bin") is None,
                    reason="needs ssh-keygen and python3")
def test_every_command_works_without_fkit(sample: Sample) -> None:
    text = (sample.case.root / "VERIFY.txt").read_text("utf-8")
    secs = sections(text)
    assert set(secs) == {"ar", "fr", "en"}
    cmds = commands(secs["en"])
    assert commands(secs["fr"]) == cmds == commands(secs["ar"])  # the same commands in every language
    assert len(cmds) >= 9
    custody_good = 0
    for cmd in cmds:
        r = run(cmd, sample.case.root)
        assert r.returncode == 0, (cmd, r.stdout, r.stderr)
        assert "BAD" not in r.stdout and "FAILED" not in r.stdout, (cmd, r.stdout)
        custody_good += (r.stdout + r.stderr).count('Good "fkit-custody" signature')
    assert custody_good == 7  # 4 events: 4 releaser + 3 receiver signatures
    # the ledger head the commands print is the one on the papers
    from forensic_kit.report.custody_report import ledger_head

    head_cmd = next(c for c in cmds if "tail -n 1 fkit/custody.jsonl" in c)
    seq, digest = ledger_head(sample.case).split(":")  # type: ignore[union-attr]
    assert run(head_cmd, sample.case.root).stdout.startswith(f"{seq}:{digest}")


def test_payload_command_catches_a_changed_file_with_a_newline_name(sample: Sample, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(sample.case.root, copy, symlinks=True)
    (copy / "data" / "EX-01" / "two\nlines.txt").write_bytes(b"changed")
    cmd = next(c for c in commands(sections((copy / "VERIFY.txt").read_text("utf-8"))["en"]) if "sha256sum -c --quiet" in c)
    r = run(cmd, copy)
    assert r.returncode == 1 and "FAILED" in r.stdout
    # an added file is noticed too
    (copy / "data" / "EX-02" / "extra.bin").write_bytes(b"x")
    added = next(c for c in commands(sections((copy / "VERIFY.txt").read_text("utf-8"))["en"]) if "find data" in c)
    assert run(added, copy).returncode == 1


def test_subset_text_checks_hostile_names(sample: Sample, tmp_path: Path) -> None:
    import hashlib
    import json

    manifest = json.loads((sample.case.fkit_dir / "manifest.json").read_bytes())
    names = [b"data/EX-01/two\nlines.txt", b"data/EX-01/back\\slash.txt", b"data/EX-01/caf\xe9-latin1.bin",
             "data/EX-01/رسائل_واتساب.db".encode()]
    files = [(n, hashlib.sha256(open(os.path.join(os.fsencode(sample.case.root), n), "rb").read()).hexdigest())
             for n in names]
    text = render_subset_verify_text(manifest, files).decode("utf-8")
    cmds = [c for c in commands(sections(text)["en"]) if "sha256sum -c" in c]
    assert len(cmds) == 4
    for c in cmds:
        r = run(c, sample.case.root)
        assert r.returncode == 0 and r.stdout.rstrip().endswith(": OK"), (c, r.stdout, r.stderr)
