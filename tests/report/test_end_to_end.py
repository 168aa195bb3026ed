"""End to end with the real commands: case init, acquire, key new, manifest build, custody add,
report custody, verify --report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import fkit
from tests.custody.casefactory import make_case
import subprocess

ENV = {"FKIT_PASSPHRASE": "correct horse battery staple", "SOURCE_DATE_EPOCH": "1742000000"}


def ok(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    r = fkit(*args, env=ENV)
    assert r.returncode == 0, (args, r.stderr.decode())
    return r


def test_real_pipeline(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "rapport été.txt").write_text("été", encoding="utf-8")
    (src / "رسالة.txt").write_text("مرحبا", encoding="utf-8")
    case = tmp_path / "case"
    ok("case", "init", case, "--case-id", "MOCK-DZ-7", "--agency", "Unité fictive", "--officer", "K. Trabelsi",
       "--profile", "training")
    ok("acquire", src, "--into", case, "--exhibit", "EX-01", "--description", "USB stick", "--seal", "DZ-S-1")
    ok("key", "new", "--id", "k.t@mock", "--name", "K. Trabelsi", "--out", tmp_path / "keys", "--training")
    key = next(p for p in (tmp_path / "keys").iterdir() if p.name.endswith("_ed25519"))
    ok("manifest", "build", case, "--sign", key)
    ok("custody", "add", case, "--action", "seized", "--exhibits", "EX-01", "--by", "K. Trabelsi,3310",
       "--at", "2025-03-14T10:00", "--seal-number", "DZ-S-1", "--seal-state", "new", "--sign", key)
    out = tmp_path / "c.pdf"
    rec = json.loads(ok("report", "custody", case, "-o", out, "--trust", case / "fkit" / "allowed_signers").stdout)
    assert rec["custody_ok"] is True and rec["files"] == 2
    text = subprocess.run(["pdftotext", out, "-"], capture_output=True, check=True).stdout.decode()
    records = [json.loads(x) for x in (case / "fkit" / "records.jsonl").read_bytes().splitlines()]
    for r in records:
        if r["kind"] == "file":
            assert r["hashes"]["sha256"] in text and r["hashes"]["blake3"] in text
    assert hashlib.sha256((case / "fkit" / "manifest.json").read_bytes()).hexdigest() in text
    assert "DZ-S-1" in text and "logical · complete" in text
    r = fkit("verify", case, "--trust-package", "--report", tmp_path / "v.pdf", env=ENV)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "v.pdf").read_bytes().startswith(b"%PDF-")
    # a break in the ledger makes fkit verify fail, with the custody sentence
    key2 = tmp_path / "keys2"
    ok("key", "new", "--id", "m.h@mock", "--name", "M. Haddad", "--out", key2, "--training")
    ok("custody", "add", case, "--action", "examined", "--exhibits", "EX-01", "--by", "M. Haddad",
       "--at", "2025-03-15T10:00", "--sign", next(p for p in key2.iterdir() if p.name.endswith("_ed25519")))
    r = fkit("verify", case, "--trust-package", env=ENV)
    assert r.returncode == 1
    assert (b"EX-01 was seized by K. Trabelsi (3310) on 2025-03-14 09:00, but the next event has it released by "
            b"M. Haddad.") in r.stderr


def test_unsealed_case_still_renders(tmp_path: Path) -> None:
    s = make_case(tmp_path / "case", files_per_exhibit=1, seal=False, case_id="MOCK-1")
    out = tmp_path / "u.pdf"
    rec = json.loads(ok("report", "custody", s.case.root, "-o", out, "--lang", "en").stdout)
    assert rec["manifest_sha256"] is None and rec["custody_ok"] is None
    text = subprocess.run(["pdftotext", out, "-"], capture_output=True, check=True).stdout.decode()
    assert "manifest SHA-256 not sealed (no signed manifest)" in text
    assert "No custody event is recorded." in text
