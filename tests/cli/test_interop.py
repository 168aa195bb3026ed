"""Interop proven with the peer tools: their checkers accept fkit's lists, fkit audits theirs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import fkit


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (make test installs it as root)")


def tree(root: Path) -> Path:
    (root / "مجلد").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha\n")
    (root / "مجلد" / "صورة الشاطئ.jpg").write_bytes(b"\xff\xd8" + b"j" * 5000)
    (root / "Procès-verbal été.txt").write_bytes("déclaration\n".encode())
    (root / "back\\slash").write_bytes(b"b\n")
    return root


def run(cmd: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True)


def test_sha256sum_checks_fkit_output(tmp_path: Path) -> None:
    need("sha256sum")
    tree(tmp_path / "ev")
    with open(os.fsencode(tmp_path / "ev") + b"/bad\xffname", "wb") as f:
        f.write(b"not utf-8 name\n")
    res = fkit("hash", "-f", "sha256sum", "ev", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    (tmp_path / "list.sha256").write_bytes(res.stdout)
    check = run(["sha256sum", "-c", "list.sha256"], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(b": OK") == 5


def test_b3sum_checks_fkit_output(tmp_path: Path) -> None:
    need("b3sum")
    tree(tmp_path / "ev")
    res = fkit("hash", "-f", "b3sum", "ev", cwd=tmp_path)
    (tmp_path / "list.b3").write_bytes(res.stdout)
    check = run(["b3sum", "-c", "list.b3"], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(b": OK") == 4


def test_hashdeep_audits_fkit_output(tmp_path: Path) -> None:
    need("hashdeep")
    tree(tmp_path / "ev")
    res = fkit("hash", "-f", "hashdeep", "-a", "md5,sha256", "ev", cwd=tmp_path)
    assert res.stdout.startswith(b"%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n")
    (tmp_path / "known.hashdeep").write_bytes(res.stdout)
    # fkit writes paths as given (like sha256sum): relative paths audit with hashdeep -l ...
    check = run(["hashdeep", "-c", "md5,sha256", "-l", "-a", "-k", "known.hashdeep", "-r", "ev"], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert b"Audit passed" in check.stdout
    # ... and absolute paths (hashdeep's own default) audit with plain hashdeep -a.
    res = fkit("hash", "-f", "hashdeep", "-a", "sha256", str(tmp_path / "ev"), cwd=tmp_path)
    (tmp_path / "abs.hashdeep").write_bytes(res.stdout)
    check = run(["hashdeep", "-c", "sha256", "-a", "-k", "abs.hashdeep", "-r", str(tmp_path / "ev")], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert b"Audit passed" in check.stdout


def test_hashdeep_format_needs_a_hashdeep_algorithm(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"1")
    res = fkit("hash", "-f", "hashdeep", "-a", "blake3", "f", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == b"fkit: error: hashdeep format needs md5, sha1 or sha256 among the algorithms (--algo)"


@pytest.mark.parametrize("tool", ["sha256sum", "b3sum", "hashdeep", "fkit"])
def test_fkit_audits_peer_lists(tmp_path: Path, tool: str) -> None:
    ev = tree(tmp_path / "ev")
    if tool == "sha256sum":
        need(tool)
        files = sorted(str(p.relative_to(tmp_path)) for p in ev.rglob("*") if p.is_file())
        (tmp_path / "known").write_bytes(run(["sha256sum", *files], tmp_path).stdout)
    elif tool == "b3sum":
        need(tool)
        files = sorted(str(p.relative_to(ev)) for p in ev.rglob("*") if p.is_file())
        (tmp_path / "known").write_bytes(run(["b3sum", *files], ev).stdout)
    elif tool == "hashdeep":
        need(tool)
        (tmp_path / "known").write_bytes(run(["hashdeep", "-c", "sha256", "-r", "ev"], tmp_path).stdout)
    else:
        (tmp_path / "known").write_bytes(fkit("hash", "ev", cwd=tmp_path).stdout)
    ok = fkit("audit", "known", "ev", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    verdicts = [json.loads(l)["verdict"] for l in ok.stdout.splitlines()]
    assert verdicts == ["OK"] * 4
    target = ev / "مجلد" / "صورة الشاطئ.jpg"
    data = bytearray(target.read_bytes())
    data[2500] ^= 0x80
    target.write_bytes(bytes(data))
    bad = fkit("audit", "known", "ev", cwd=tmp_path)
    assert bad.returncode == 1
    out = {json.loads(l)["path"]: json.loads(l)["verdict"] for l in bad.stdout.splitlines()}
    assert sorted(out.values()) == ["MODIFIED", "OK", "OK", "OK"]
    assert [p for p, v in out.items() if v == "MODIFIED"] == ["ev/مجلد/صورة الشاطئ.jpg"]
    assert b"MODIFIED 1" in bad.stderr and b"DIFFERENCES FOUND" in bad.stderr
