"""Every list format fkit writes reads back, by fkit's own ``audit``, to the exact name bytes,
for every name a file system can hold (hypothesis over arbitrary bytes), and the peer tools
(sha256sum -c, hashdeep) read fkit's lists too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensic_kit import hashlists, jsonl, names
from forensic_kit.package import encode_bag_path
from tests.conftest import fkit

# a file name: any bytes but NUL and "/", not "." or ".."; a path: 1-3 of them
component = st.binary(min_size=1, max_size=24).filter(lambda b: b"\0" not in b and b"/" not in b and b not in (b".", b".."))
paths = st.lists(component, min_size=1, max_size=3).map(lambda parts: b"/".join(parts))
DIGEST = "ab" * 32


def _read(tmp_path: Path, name: str, data: bytes) -> list[bytes]:
    p = tmp_path / name
    p.write_bytes(data)
    return [e.path for e in hashlists.read_known(os.fsencode(p)).entries]


@settings(max_examples=300, deadline=None)
@given(paths=st.lists(paths, min_size=1, max_size=4))
def test_every_format_reads_back_every_name(tmp_path_factory: pytest.TempPathFactory, paths: list[bytes]) -> None:
    tmp = tmp_path_factory.mktemp("lists")
    sums = b"".join(hashlists.checksum_line(DIGEST, p) for p in paths)
    assert _read(tmp, "list.sha256", sums) == paths
    deep = hashlists.hashdeep_header(("sha256",), "/", "fkit hash") + b"".join(
        hashlists.hashdeep_line(7, {"sha256": DIGEST}, ("sha256",), p) for p in paths)
    assert _read(tmp, "list.hashdeep", deep) == paths
    records = b"".join(jsonl.dump_bytes({"kind": "file", **names.path_fields(p), "hashes": {"sha256": DIGEST}})
                       for p in paths)
    assert _read(tmp, "list.jsonl", records) == paths
    bag = "".join(f"{DIGEST}  {encode_bag_path(os.fsdecode(b'data/' + p))}\n" for p in paths)
    assert _read(tmp, "manifest-sha256.txt", bag.encode("utf-8", "surrogateescape")) == [b"data/" + p for p in paths]


NASTY = [b"cr\rname.txt", b"lf\nname.txt", b"back\\slash.txt", b"\xff.txt", b"%FF.txt", b"trail\r", b" lead.txt"]


@pytest.mark.parametrize("fmt", ["jsonl", "sha256sum", "b3sum", "hashdeep"])
def test_audit_reads_fkits_own_lists_of_nasty_names(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "ev"
    root.mkdir()
    for i, name in enumerate(NASTY):
        with open(os.fsencode(root) + b"/" + name, "wb") as fh:
            fh.write(b"content %d\n" % i)
    algo = {"b3sum": "blake3", "hashdeep": "sha256,md5"}.get(fmt, "sha256")
    made = fkit("hash", root, "--format", fmt, "--algo", algo)
    assert made.returncode == 0, made.stderr
    listing = tmp_path / f"list.{fmt}"
    listing.write_bytes(made.stdout)
    r = fkit("audit", listing, root)
    assert r.returncode == 0, (r.stderr, r.stdout[-2000:])
    verdicts = [json.loads(x) for x in r.stdout.splitlines() if b'"verdict"' in x]
    assert sorted(names.raw_path(v).rsplit(b"/", 1)[1] for v in verdicts) == sorted(NASTY)
    assert {v["verdict"] for v in verdicts} == {"OK"}


def test_peer_tools_read_fkits_lists(tmp_path: Path) -> None:
    root = tmp_path / "ev"
    root.mkdir()
    for i, name in enumerate(NASTY):
        with open(os.fsencode(root) + b"/" + name, "wb") as fh:
            fh.write(b"content %d\n" % i)
    if shutil.which("sha256sum"):
        made = fkit("hash", "ev", "--format", "sha256sum", cwd=tmp_path)
        (tmp_path / "l.sha256").write_bytes(made.stdout)
        c = subprocess.run(["sha256sum", "-c", "l.sha256"], cwd=tmp_path, capture_output=True)
        assert c.returncode == 0, c.stdout + c.stderr
    if shutil.which("hashdeep"):  # hashdeep reads fkit's list (the escaped-name comments are ## lines)
        made = fkit("hash", "ev", "--format", "hashdeep", "--algo", "sha256,md5", cwd=tmp_path)
        assert made.stdout.count(hashlists.HASHDEEP_ESCAPED) == 3  # CR, LF and the trailing CR
        (tmp_path / "l.hd").write_bytes(made.stdout)
        c = subprocess.run(["hashdeep", "-l", "-r", "-m", "-k", "l.hd", "ev"], cwd=tmp_path, capture_output=True)
        assert c.returncode == 0, c.stdout + c.stderr
        for plain in (b"ev/back\\slash.txt", b"ev/\xff.txt", b"ev/%FF.txt", b"ev/ lead.txt"):
            assert plain + b"\n" in c.stdout  # every file matched by content
