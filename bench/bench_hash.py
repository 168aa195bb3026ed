"""Benchmarks for ``fkit hash`` (issue: foundation).

1. One 2 GiB file, page cache warm, sha256 + blake3: fkit ≤ 1.05 × ``openssl dgst -sha256``.
2. 50,000 small files (200 B – 64 KB, ≈ 900 MB): fkit sha256 ≤ 0.5 × ``hashdeep -r -c sha256``;
   default sha256 + blake3 ≤ 0.7 ×.
3. Peak RSS < 150 MB in both.

Wall-clock ratios on a shared 2-core machine move with the load; for the small files the CPU time
(user + system, all processes) of each side is printed too, from ``--cpu-rounds`` extra runs.

Usage: python bench/bench_hash.py [--workdir DIR] [--big-gib 2] [--files 50000] [--rounds 3] [--cpu-rounds 1]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FKIT, compare, load_average, make_big  # noqa: E402


def make_small_files(root: Path, count: int, seed: int = 7) -> int:
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == str(count):
        return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.name != ".complete")
    rng = random.Random(seed)
    pool = os.urandom(1 << 20)
    total = 0
    for i in range(count):
        d = root / f"d{i // 500:03d}"
        if i % 500 == 0:
            d.mkdir(parents=True, exist_ok=True)
        size = int(rng.uniform(200, 64 * 1024) * rng.uniform(0.3, 1.0)) if rng.random() < 0.5 else rng.randint(200, 65536)
        off = rng.randint(0, len(pool) - size)
        (d / f"f{i:06d}.bin").write_bytes(pool[off:off + size] + i.to_bytes(4, "little"))
        total += size + 4
    marker.write_text(str(count))
    return total


def warm(path: Path) -> None:
    for p in [path] if path.is_file() else path.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                while f.read(1 << 24):
                    pass


def cpu_seconds(cmd: list[str]) -> float:
    """User + system CPU seconds of ``cmd`` and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu_compare(ours: list[str], peer: list[str], rounds: int) -> None:
    """Print the median CPU time of each side (alternating), a load-independent view."""
    if rounds < 1:
        return
    t_ours: list[float] = []
    t_peer: list[float] = []
    for _ in range(rounds):
        t_peer.append(cpu_seconds(peer))
        t_ours.append(cpu_seconds(ours))
    o, p = statistics.median(t_ours), statistics.median(t_peer)
    print(f"  CPU time (user+sys, median of {rounds}): fkit {o:.2f} s, peer {p:.2f} s, ratio {o / p:.3f}")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fkit-bench")
    ap.add_argument("--big-gib", type=float, default=2.0)
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cpu-rounds", type=int, default=1)
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    print(f"# fkit hash benchmarks (load average {load_average()}, {os.cpu_count()} cores)")

    big = work / "big.bin"
    make_big(big, args.big_gib)
    warm(big)
    compare(f"{args.big_gib:g} GiB file, sha256+blake3 vs openssl sha256",
            [*FKIT, "hash", "-q", str(big)], ["openssl", "dgst", "-sha256", str(big)], args.rounds)

    small = work / "small"
    total = make_small_files(small, args.files)
    print(f"# {args.files} small files, {total / 1e6:.0f} MB")
    warm(small)
    peer = ["hashdeep", "-r", "-c", "sha256", str(small)]
    for label, ours in (("sha256", [*FKIT, "hash", "-q", "-a", "sha256", str(small)]),
                        ("sha256+blake3", [*FKIT, "hash", "-q", str(small)])):
        compare(f"{args.files} small files, {label} vs hashdeep -c sha256", ours, peer, args.rounds)
        cpu_compare(ours, peer, args.cpu_rounds)


if __name__ == "__main__":
    main()
