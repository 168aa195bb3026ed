"""Issue 21 benchmark: the cost of running on a Dask cluster instead of locally.

``verify`` (the issue's measure): ``fkit verify`` of a sealed package of FILES small files (the
set of ``bench_manifest.py``, 200 B – 64 KB), locally (two forked hashing processes) and through a
scheduler with two one-thread workers on this machine, alternating, ``--json`` output compared
byte for byte each round. ``hash``: the same for ``fkit hash`` of a generated tree.

Wall time alone says little on a shared, loaded machine, so each round also measures CPU time:
the fkit process and its children (``wait4``), plus, for the cluster run, what the scheduler and
the two workers spent meanwhile (``psutil`` over this process and its descendants: the
``LocalCluster`` lives here). The idle engine's own CPU (heartbeats) is measured first, so that
what the run itself costs can be told from what the engine costs by the second whatever it does.
The per-task overhead is ``(cluster CPU - local CPU) / tasks``, from which docs/lab.md derives
the throughput to expect on N machines.

Usage: ``python bench/bench_lab.py [--what verify|hash] [--files 50000] [--rounds 5] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FKIT, load_average  # noqa: E402


def run(cmd: list[str], out: Path) -> tuple[float, float]:
    """Run ``cmd`` (stdout to ``out``); return (wall s, CPU s of it and its waited children)."""
    with open(out, "wb") as f:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        _pid, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0,):
        raise SystemExit(f"benchmark command failed ({p.returncode}): {cmd}")
    return wall, ru.ru_utime + ru.ru_stime


def tree_cpu() -> float:
    """CPU seconds of this process and its live descendants (scheduler, nannies, workers)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def make_tree(root: Path, files: int) -> None:
    for i in range(files):
        d = root / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            d.mkdir(parents=True)
        (d / f"f{i:06d}.bin").write_bytes(i.to_bytes(4, "little") * 256)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--what", choices=("verify", "hash"), default="verify")
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fkit-bench-lab")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    if args.what == "verify":
        from bench_manifest import make_key, make_package, reset_seal

        priv, passfile, trust = make_key(work)
        target = work / f"case{args.files}"
        make_package(target, args.files, tiny=False)
        if not (target / "fkit" / "manifest.json").exists():
            reset_seal(target)
            subprocess.run([*FKIT, "manifest", "build", str(target), "--sign", str(priv), "--passphrase-file",
                            str(passfile)], check=True, capture_output=True)
        cmd = [*FKIT, "verify", str(target), "--trust", str(trust), "--json", "-q"]
        from forensic_kit.manifest.payload import _CLUSTER_BATCH as per_task
    else:
        target = work / f"tree{args.files}"
        if not target.exists():
            make_tree(target, args.files)
        cmd = [*FKIT, "hash", str(target), "--quiet"]
        per_task = 256
    tasks = -(-args.files // per_task)
    for p in target.rglob("*"):  # warm the page cache for both sides
        if p.is_file():
            p.read_bytes()
    from distributed import LocalCluster

    rows: list[tuple[float, float, float, float]] = []
    loads = []
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, host="127.0.0.1") as cluster:
        address = cluster.scheduler_address
        time.sleep(2)
        a = tree_cpu()
        time.sleep(10)
        idle = (tree_cpu() - a) / 10  # the engine's own background work (heartbeats), per second
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            lw, lc = run(cmd, work / "local.out")
            before = tree_cpu()
            cw, cc = run([*cmd, "--cluster", address], work / "cluster.out")
            cc_engine = tree_cpu() - before
            if (work / "local.out").read_bytes() != (work / "cluster.out").read_bytes():
                raise SystemExit("the cluster run's output differs from the local run's")
            rows.append((lw, lc, cw, cc + cc_engine))
    lw = statistics.median(r[0] for r in rows)
    lc = statistics.median(r[1] for r in rows)
    cw = statistics.median(r[2] for r in rows)
    cc = statistics.median(r[3] for r in rows)
    print(f"# fkit {args.what} --cluster vs local, {args.files} files, {tasks} cluster tasks of {per_task} files, "
          f"{args.rounds} rounds, load average {statistics.median(loads):.2f} (now {load_average()}), "
          f"{os.cpu_count()} cores; outputs identical every round")
    for i, (a, b, c, d) in enumerate(rows):
        print(f"round {i + 1}: local {a:.2f} s wall / {b:.2f} s CPU; cluster {c:.2f} s wall / {d:.2f} s CPU "
              f"(wall ratio {c / a:.2f}, CPU ratio {d / b:.2f}); load {loads[i]:.2f}")
    print(f"median: local {lw:.2f} s wall, {lc:.2f} s CPU; cluster {cw:.2f} s wall, {cc:.2f} s CPU")
    print(f"ratio cluster/local: wall {cw / lw:.3f} (per-round median "
          f"{statistics.median(r[2] / r[0] for r in rows):.3f}), CPU {cc / lc:.3f} "
          f"(per-round median {statistics.median(r[3] / r[1] for r in rows):.3f})")
    print(f"overhead per task: wall {(cw - lw) / tasks * 1000:.1f} ms, CPU {(cc - lc) / tasks * 1000:.1f} ms")
    net = statistics.median(r[3] - r[1] - idle * r[2] for r in rows)
    print(f"idle scheduler + workers: {idle * 100:.1f} % of a core; cluster CPU beyond local and beyond that idle "
          f"cost: {net:.2f} s per run ({net / tasks * 1000:.1f} ms per task, the client's import of distributed "
          f"and connection included)")


if __name__ == "__main__":
    main()
