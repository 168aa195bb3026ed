"""Known-file hash sets: build and open an index of N SHA-256 digests, then time batched lookups.

The set is a plain list of N random SHA-256 hex digests, one per line (``sha256sum`` without names).
The peer for the build is ``LC_ALL=C sort -u`` of the same lines (what a shell user would do).
Peak memory (max RSS) from ``/usr/bin/time -v``. Usage: ``python bench/bench_known.py [--hashes 50000000]``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HEXDIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def make_set(path: Path, n: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        left = n
        while left:
            k = min(left, 2_000_000)
            raw = rng.integers(0, 256, size=(k, 32), dtype=np.uint8)
            hexed = np.empty((k, 65), dtype=np.uint8)
            hexed[:, 0:64:2] = HEXDIGITS[raw >> 4]
            hexed[:, 1:64:2] = HEXDIGITS[raw & 15]
            hexed[:, 64] = ord("\n")
            f.write(hexed.tobytes())
            left -= k


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, env=env)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {res.stderr.decode()[-800:]}")
    rss = int(re.search(rb"Maximum resident set size \(kbytes\): (\d+)", res.stderr).group(1))  # type: ignore[union-attr]
    return wall, rss, res.stdout.decode()


PROBE = r"""
import sys, time, numpy as np
from pathlib import Path
from forensic_kit import knownfiles
t0 = time.perf_counter()
sets = knownfiles.open_set(Path(sys.argv[1]))
idx = sets["sha256"]
opened = time.perf_counter() - t0
f = dict(l.split(":", 1) for l in open("/proc/self/status") if l.startswith(("RssAnon", "RssFile")))
built_mem = "/".join(str(int(f[k].split()[0]) // 1024) for k in ("RssAnon", "RssFile"))
rng = np.random.default_rng(9)
n = int(sys.argv[2])
half = idx.digests[rng.integers(0, idx.count, n // 2)]
q = np.concatenate([np.asarray(half), rng.integers(0, 256, size=(n - n // 2, 32), dtype=np.uint8)])
t1 = time.perf_counter()
hits = idx.contains_many(q)
took = time.perf_counter() - t1
def mem():
    f = dict(l.split(":", 1) for l in open("/proc/self/status") if l.startswith(("RssAnon", "RssFile")))
    return "/".join(str(int(f[k].split()[0]) // 1024) for k in ("RssAnon", "RssFile"))
print(f"{opened:.2f} {took:.3f} {int(hits.sum())} {idx.count} {built_mem} {mem()}")
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hashes", type=int, default=5_000_000, help="50000000 for the issue-20 measurement")
    ap.add_argument("--lookups", type=int, default=2_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fkit-bench-known-") as d:
        tmp = Path(d)
        src = tmp / "set.sha256"
        t0 = time.perf_counter()
        make_set(src, args.hashes)
        print(f"{args.hashes} digests, {src.stat().st_size / 1e9:.2f} GB, made in {time.perf_counter() - t0:.0f} s; "
              f"load: {os.getloadavg()[0]:.2f}", flush=True)
        env = dict(os.environ, FKIT_CACHE=str(tmp / "cache"), LC_ALL="C")
        ts, rs, _ = timed(["sort", "-u", "-S", "500M", "-T", d, "-o", str(tmp / "sorted"), str(src)], env)
        print(f"peer: LC_ALL=C sort -u: {ts:.1f} s, {rs / 1024:.0f} MB max RSS; load: {os.getloadavg()[0]:.2f}", flush=True)
        (tmp / "sorted").unlink()
        probe = [sys.executable, "-c", PROBE, str(src), str(args.lookups)]
        tb, rb, out = timed(probe, env)
        opened, took, hits, count, m1, m2 = out.split()
        print(f"fkit first open (build index + open + {args.lookups} lookups): {tb:.1f} s (build+open {float(opened):.1f} s), "
              f"{rb / 1024:.0f} MB max RSS; anon/file-backed MB after build {m1}, after lookups {m2}; "
              f"ratio to sort -u: {tb / ts:.2f}; load: {os.getloadavg()[0]:.2f}", flush=True)
        tw, rw, out = timed(probe, env)
        opened, took, hits, count, m1, m2 = out.split()
        rate = args.lookups / float(took)
        print(f"fkit cached open: {float(opened):.2f} s; {args.lookups} lookups in {float(took):.2f} s = "
              f"{rate / 1e6:.2f} M/s ({hits} hits, expected {args.lookups // 2}); whole run {tw:.1f} s, "
              f"{rw / 1024:.0f} MB max RSS (anon/file-backed MB after open {m1}, after lookups {m2}); {count} digests; load: {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
