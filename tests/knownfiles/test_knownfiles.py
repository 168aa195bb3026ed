"""Known-file hash sets: every set format, the index file, marking, and hashdeep -m/-x as oracle."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest

from forensic_kit import knownfiles
from forensic_kit.errors import FormatError
from tests.conftest import fkit


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FKIT_CACHE", str(tmp_path / "cache"))


def _h(algo: str, i: int) -> str:
    return hashlib.new(algo, b"%d" % i).hexdigest()


def test_index_lookups_exact(tmp_path: Path) -> None:
    listed = [_h("sha256", i) for i in range(0, 5000, 2)]
    (tmp_path / "set.txt").write_text("".join(f"{h}  f{i}\n" for i, h in enumerate(listed)) + "not-a-hash  x\n")
    made, stats = knownfiles.build(tmp_path / "set.txt", tmp_path / "idx")
    assert stats.refused == 1 and stats.unique == {"sha256": 2500}
    idx = knownfiles.Index(made["sha256"])
    q = np.frombuffer(b"".join(bytes.fromhex(_h("sha256", i)) for i in range(5000)), dtype=np.uint8).reshape(-1, 32)
    assert idx.contains_many(q).tolist() == [i % 2 == 0 for i in range(5000)]
    # a digest whose last byte is zero, and one sharing the 8-byte prefix of a listed digest
    zero_tail = listed[0][:-2] + "00"
    assert not idx.contains(zero_tail)
    (tmp_path / "z.txt").write_text(zero_tail + "\n" + listed[0][:16] + "f" * 48 + "\n")
    z = knownfiles.Index(knownfiles.build(tmp_path / "z.txt", tmp_path / "idx2")[0]["sha256"])
    assert z.contains(zero_tail) and z.contains(listed[0][:16] + "f" * 48) and not z.contains(listed[0])


def test_set_formats(tmp_path: Path) -> None:
    nsrl = tmp_path / "NSRLFile.txt"
    nsrl.write_text('"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
                    + "".join(f'"{_h("sha1", i).upper()}","{_h("md5", i).upper()}","00000000","f{i}.dll",{i},1,"WIN",""\n'
                              for i in range(10)))
    sets = knownfiles.open_set(nsrl)
    assert sorted(sets) == ["md5", "sha1"] and sets["sha1"].count == 10 and sets["md5"].contains(_h("md5", 3))
    assert sets["sha1"].contains(_h("sha1", 7)) and not sets["sha1"].contains(_h("sha1", 70))
    hd = tmp_path / "k.hashdeep"
    hd.write_text("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## x\n##\n"
                  + "".join(f"1,{_h('md5', i)},{_h('sha256', i)},/p/a,b{i}\n" for i in range(7)))
    sets = knownfiles.open_set(hd)
    assert sets["sha256"].count == 7 and sets["sha256"].contains(_h("sha256", 6))
    fk = tmp_path / "k.jsonl"
    fk.write_text("".join(json.dumps({"kind": "file", "hashes": {"sha256": _h("sha256", i), "blake3": "ab" * 32}}) + "\n"
                          for i in range(4)))
    sets = knownfiles.open_set(fk)
    assert sets["sha256"].count == 4 and sets["blake3"].count == 1
    rds3 = tmp_path / "rds3.db"
    con = sqlite3.connect(rds3)
    con.execute("CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, file_name TEXT)")
    con.executemany("INSERT INTO FILE VALUES (?,?,?,?)", [(_h("sha256", i).upper(), _h("sha1", i), _h("md5", i), "x") for i in range(5)])
    con.commit()
    con.close()
    sets = knownfiles.open_set(rds3)
    assert sets["sha256"].contains(_h("sha256", 4)) and sets["md5"].count == 5
    bsd = tmp_path / "bsd.txt"
    bsd.write_text(f"SHA256 (a b) = {_h('sha256', 1)}\n")
    assert knownfiles.open_set(bsd)["sha256"].contains(_h("sha256", 1))


def test_bad_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("hello\n")
    with pytest.raises(FormatError):
        knownfiles.open_set(tmp_path / "empty.txt")
    (tmp_path / "s.txt").write_text(_h("sha256", 1) + "\n")
    made, _ = knownfiles.build(tmp_path / "s.txt", tmp_path / "i")
    data = made["sha256"].read_bytes()
    (tmp_path / "cut.fkidx").write_bytes(data[:-3])
    with pytest.raises(FormatError, match="truncated"):
        knownfiles.open_set(tmp_path / "cut.fkidx")
    assert knownfiles.open_set(made["sha256"])["sha256"].contains(_h("sha256", 1))  # an index given directly


def test_marking_bad_wins(tmp_path: Path) -> None:
    (tmp_path / "k.txt").write_text(_h("sha256", 1) + "\n" + _h("sha256", 2) + "\n")
    (tmp_path / "b.txt").write_text(_h("sha256", 2) + "\n")
    m = knownfiles.Marker.open([tmp_path / "k.txt"], [tmp_path / "b.txt"])
    recs = [{"hashes": {"sha256": _h("sha256", i)}} for i in (1, 2, 3)] + [{"hashes": {"blake3": "00" * 32}}, {"kind": "error"}]
    out = [m.mark(dict(r)) for r in recs]
    assert [(r.get("known"), r.get("known_sets")) for r in out] == [
        ("ignorable", ["k.txt"]), ("bad", ["k.txt", "b.txt"]), (None, None), (None, None), (None, None)]
    assert m.counts == {"ignorable": 1, "bad": 1, "not_comparable": 1}


@pytest.mark.skipif(shutil.which("hashdeep") is None, reason="hashdeep not installed")
def test_hash_cli_agrees_with_hashdeep_matching(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    for i in range(12):
        (ev / f"f{i}.bin").write_bytes(b"content %d" % i)
    known = tmp_path / "known.hashdeep"
    listed = sorted(ev.glob("f[0-5].bin"))
    res = subprocess.run(["hashdeep", "-c", "sha256", *map(str, listed)], capture_output=True, check=True)
    known.write_bytes(res.stdout)
    matched = subprocess.run(["hashdeep", "-c", "sha256", "-m", "-k", str(known), "-r", str(ev)], capture_output=True)
    unmatched = subprocess.run(["hashdeep", "-c", "sha256", "-x", "-k", str(known), "-r", str(ev)], capture_output=True)
    want_known = {Path(p).name for p in matched.stdout.decode().split()}
    want_unknown = {Path(p).name for p in unmatched.stdout.decode().split()}
    r = fkit("hash", ev, "--known", known, "-f", "jsonl", env={"FKIT_CACHE": str(tmp_path / "c")})
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    got_known = {Path(x["path"]).name for x in recs if x.get("known") == "ignorable"}
    got_unknown = {Path(x["path"]).name for x in recs if "known" not in x}
    assert got_known == want_known == {f"f{i}.bin" for i in range(6)}
    assert got_unknown == want_unknown
    assert b"known sets: 6 ignorable, 0 bad" in r.stderr
    bad = fkit("hash", ev, "--known-bad", known, "-a", "blake3", env={"FKIT_CACHE": str(tmp_path / "c")})
    assert b"12 records had no digest the sets list (sha256)" in bad.stderr


def test_meta_marks_known(tmp_path: Path) -> None:
    ev = tmp_path / "a.txt"
    ev.write_bytes(b"x")
    rec = {"schema": "fkit.record/1", "kind": "file", "path": str(ev), "type": "regular", "size": 1,
           "hashes": {"sha256": hashlib.sha256(b"x").hexdigest()}}
    (tmp_path / "bad.txt").write_text(hashlib.sha256(b"x").hexdigest() + "\n")
    r = fkit("meta", "-", "--known-bad", tmp_path / "bad.txt", input=(json.dumps(rec) + "\n").encode(),
             env={"FKIT_CACHE": str(tmp_path / "c")})
    assert r.returncode == 0, r.stderr
    (out,) = [json.loads(x) for x in r.stdout.splitlines()]
    assert out["known"] == "bad" and out["known_sets"] == ["bad.txt"]


@pytest.mark.parametrize("named", [False, True])
def test_many_blocks_and_batches_keep_every_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: bool) -> None:
    # regression: a second block once re-created the bucket files and lost the first blocks' digests
    monkeypatch.setattr(knownfiles, "_BLOCK", 65 * 300)
    monkeypatch.setattr(knownfiles, "_BATCH", 250)
    listed = [_h("sha256", i) for i in range(3000)]
    text = "".join(f"{h}  n{i}\n" if named else f"{h}\n" for i, h in enumerate(listed))
    if named:
        text = "# a comment sends blocks down the line-by-line path\n" + text
    (tmp_path / "s.txt").write_text(text)
    made, stats = knownfiles.build(tmp_path / "s.txt", tmp_path / "i")
    assert stats.unique == {"sha256": 3000}
    idx = knownfiles.Index(made["sha256"])
    q = np.frombuffer(b"".join(bytes.fromhex(h) for h in listed), dtype=np.uint8).reshape(-1, 32)
    assert bool(idx.contains_many(q).all())
    rows = np.asarray(idx.digests)
    assert [bytes(r) for r in rows] == sorted(bytes.fromhex(h) for h in listed)
