"""Fixtures for the manifest tests: a small case package, keys, and the stock tools."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit.package import Case
from tests.conftest import fkit

PASS = "officer passphrase 42"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

SAMPLE_FILES: dict[str, bytes] = {
    "photos/IMG_0001.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
    "photos/IMG_0002.jpg": b"\xff\xd8\xff\xe1" + b"exif" * 100,
    "docs/rapport d'enquête.txt": "Rapport — Fès, 12 mars\n".encode("utf-8"),
    "docs/محضر.txt": "محضر حجز\n".encode("utf-8"),
    "empty.bin": b"",
}


def need(tool: str) -> None:
    """Skip when a stock tool is missing."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")


def make_case(root: Path, files: dict[str, bytes] | None = None, exhibit: str = "EX-01",
              case_id: str = "MA-2026-0042") -> Path:
    """A case package with one exhibit, built through the Case API (like acquire does)."""
    files = SAMPLE_FILES if files is None else files
    case = Case.init(root, case_id=case_id, agency="DGSN Fès", officer="Amina El Idrissi", profile="ma")
    lines = []
    for name, data in sorted(files.items()):
        dst = case.data_dir / exhibit / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
        bag_path = f"data/{exhibit}/{name}"
        rec = {"schema": "fkit.record/1", "kind": "file", "exhibit": exhibit, "path": str(dst),
               "bag_path": bag_path, "size": len(data),
               "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
               "locator": {"scheme": "file", "root": "/media/usb", "path": name}}
        lines.append(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    case.write_exhibit(exhibit, {"id": exhibit, "description": "USB stick, black, 16 GB", "seal": "SC-118",
                                 "source_hashes": None})
    case.append_records("".join(lines).encode("utf-8"))
    case.update_bag()
    return Path(root)


def make_key(folder: Path, key_id: str = "amina@dgsn.ma", name: str = "Amina El Idrissi") -> tuple[Path, Path]:
    """(private key path, passphrase file) made with ``fkit key new``."""
    passfile = folder / f"{key_id}.pass"
    passfile.parent.mkdir(parents=True, exist_ok=True)
    passfile.write_text(PASS + "\n")
    r = fkit("key", "new", "--id", key_id, "--name", name, "--out", folder, "--passphrase-file", passfile)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    return Path(rec["private_key_path"]), passfile


def seal(case: Path, key: Path, passfile: Path, *extra: str, epoch: str | None = EPOCH) -> subprocess.CompletedProcess[bytes]:
    """``fkit manifest build CASE --sign KEY``."""
    env = {"SOURCE_DATE_EPOCH": epoch} if epoch else {}
    return fkit("manifest", "build", case, "--sign", key, "--passphrase-file", passfile, *extra, env=env)


def trust_file(folder: Path, *keys: Path) -> Path:
    """An allowed_signers file trusting ``keys`` (from their .pub files) for fkit namespaces."""
    out = folder / "trusted_signers"
    lines = []
    for k in keys:
        kt, b64, comment = Path(str(k) + ".pub").read_text().split()[:3]
        lines.append(f'{comment} namespaces="fkit-manifest,fkit-custody" {kt} {b64}\n')
    out.write_text("".join(lines))
    return out


def sh(cmd: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a stock-tool command line in ``cwd``."""
    return subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
