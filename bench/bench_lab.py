"""Issue 21 benchmark: the cost of running on a Dask cluster instead of locally.

Hashes the same tree locally (fkit's own forked workers) and through a scheduler with two
one-thread workers on this machine, alternating, and reports the ratio and the measured overhead
per task (``(cluster - local) / tasks``, tasks of 256 files), from which docs/lab.md derives the
throughput to expect on N machines. Usage: ``python bench/bench_lab.py [FILES] [ROUNDS]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FKIT, timed  # noqa: E402


def main() -> None:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        for i in range(files):
            d = root / f"d{i // 1000:03d}"
            if i % 1000 == 0:
                d.mkdir(parents=True)
            (d / f"f{i:06d}.bin").write_bytes(i.to_bytes(4, "little") * 256)
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, host="127.0.0.1") as cluster:
            local, remote = [], []
            for _ in range(rounds):
                local.append(timed([*FKIT, "hash", str(root), "--quiet"])[0])
                remote.append(timed([*FKIT, "hash", str(root), "--quiet", "--cluster", cluster.scheduler_address])[0])
        tasks = -(-files // 256)
        lm, rm = statistics.median(local), statistics.median(remote)
        print(f"files {files}, tasks {tasks}, rounds {rounds}")
        print(f"local   median {lm:.2f} s  rounds {', '.join(f'{x:.2f}' for x in local)}")
        print(f"cluster median {rm:.2f} s  rounds {', '.join(f'{x:.2f}' for x in remote)}")
        print(f"ratio cluster/local {rm / lm:.3f}; overhead per task {(rm - lm) / tasks * 1000:.1f} ms")


if __name__ == "__main__":
    main()
