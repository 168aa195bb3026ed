"""Benchmarks for ``fkit acquire`` and ``fkit fs ls`` (issue 3).

1. Logical acquisition of a small-file set (durable, verified) ≤ 1.0 × (``cp -a`` + ``sync`` +
   ``hashdeep -r -c sha256`` on the copy). The issue names 50,000 files; the default here is
   10,000 (same size distribution, 200 B – 64 KB) to fit the shared machine: ``--files 50000``.
2. Physical acquisition of a 2 GiB image file (sha256 + blake3, durable, read back)
   ≤ 0.5 × (``dc3dd hash=sha256`` + ``sync``) on the same file.
3. ``fkit fs ls`` of an ext4 image holding the file set ≤ 1.5 × ``fls -r -p``.

Each round deletes the previous output first (both sides), so every round writes afresh.

Usage: python bench/bench_acquire.py [--workdir DIR] [--files 10000] [--image-gib 2] [--rounds 3]
       [--only logical,physical,fsls]
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FKIT, compare, load_average, make_big  # noqa: E402


def make_small_files(root: Path, count: int, seed: int = 7) -> int:
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == str(count):
        return count
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    blob = os.urandom(1 << 16)
    for i in range(count):
        d = root / f"d{i // 500:03d}"
        d.mkdir(exist_ok=True)
        size = rng.randint(200, 64 * 1024)
        start = rng.randint(0, (1 << 16) - size)
        (d / f"f{i:05d}.bin").write_bytes(blob[start:start + size])
    marker.write_text(str(count))
    return count


def sh(script: str) -> list[str]:
    return ["bash", "-c", script]


def fkit_sh() -> str:
    return shlex.join(FKIT)


def bench_logical(work: Path, files: int, rounds: int) -> dict[str, float]:
    src = work / "smallset"
    make_small_files(src, files)
    case, copy = work / "case-l", work / "copy-l"
    init = f"{fkit_sh()} case init {case} --case-id B --agency a --officer o >/dev/null"
    ours = sh(f"rm -rf {case} && {init} && {fkit_sh()} acquire {src} --into {case} --exhibit EX-01 >/dev/null")
    peer = sh(f"rm -rf {copy} && cp -a {src} {copy} && sync && hashdeep -r -c sha256 {copy} >/dev/null")
    return compare(f"logical acquisition, {files} files (durable, verified) vs cp -a + sync + hashdeep",
                   ours, peer, rounds)


def bench_physical(work: Path, gib: float, rounds: int) -> dict[str, float]:
    img = work / "big.img"
    make_big(img, gib)
    case, out = work / "case-p", work / "dc3dd.img"
    init = f"{fkit_sh()} case init {case} --case-id B --agency a --officer o >/dev/null"
    ours = sh(f"rm -rf {case} && {init} && {fkit_sh()} acquire {img} --into {case} --exhibit EX-01 --physical >/dev/null")
    peer = sh(f"rm -f {out} && dc3dd if={img} of={out} hash=sha256 log=/dev/null >/dev/null 2>&1 && sync")
    return compare(f"physical acquisition of a {gib:g} GiB image (sha256+blake3, durable, read back) vs dc3dd hash=sha256 + sync",
                   ours, peer, rounds)


def bench_fsls(work: Path, files: int, rounds: int) -> dict[str, float]:
    src = work / "smallset"
    make_small_files(src, files)
    img = work / "ext4.img"
    if not img.exists():
        size_mb = int(sum(p.stat().st_size for p in src.rglob("*") if p.is_file()) / (1 << 20) * 1.6) + 64
        subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(src), str(img), f"{size_mb}M"], check=True)
    ours = sh(f"{fkit_sh()} fs ls {img} --format jsonl >/dev/null")
    peer = sh(f"fls -r -p {img} >/dev/null")
    r1 = compare(f"fs ls (jsonl records) of an ext4 image with {files} files vs fls -r -p", ours, peer, rounds)
    ours_b = sh(f"{fkit_sh()} fs ls {img} --format bodyfile >/dev/null")
    compare(f"fs ls --format bodyfile of the same image vs fls -r -p", ours_b, peer, rounds)
    return r1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--image-gib", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="logical,physical,fsls")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="fkit-bench-acquire-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work dir {work}; load average {load_average()}; {os.cpu_count()} cores")
    only = set(args.only.split(","))
    results = {}
    if "logical" in only:
        results["logical"] = bench_logical(work, args.files, args.rounds)
    if "physical" in only:
        results["physical"] = bench_physical(work, args.image_gib, args.rounds)
    if "fsls" in only:
        results["fsls"] = bench_fsls(work, args.files, args.rounds)
    targets = {"logical": 1.0, "physical": 0.5, "fsls": 1.5}
    for name, res in results.items():
        verdict = "PASS" if res["ratio"] <= targets[name] else "FAIL"
        print(f"{name}: ratio {res['ratio']:.3f} (target ≤ {targets[name]}) {verdict}")


if __name__ == "__main__":
    main()
