"""``fkit verify`` of the 50,000-file package vs ``hashdeep -a -k``, wall and CPU time (issue 13).

The package and the known list are those of ``bench_manifest.py`` (same generator, same seed). Rounds
alternate hashdeep then fkit, page cache warm; each side's CPU time is user + sys of its whole
process tree (``RUSAGE_CHILDREN`` deltas), printed beside the wall time because on a loaded machine
the wall ratio mostly measures the scheduler.

Usage: python bench/bench_verify_cpu.py [--workdir DIR] [--files 50000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_manifest import make_key, make_package, reset_seal  # noqa: E402
from common import FKIT  # noqa: E402


def run(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys of the process tree) and exit code of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fkit-bench-manifest")
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    priv, passfile, trust = make_key(work)
    case = work / f"case{args.files}"
    make_package(case, args.files, tiny=False)
    reset_seal(case)
    subprocess.run([*FKIT, "manifest", "build", str(case), "--sign", str(priv), "--passphrase-file", str(passfile)],
                   check=True, capture_output=True)
    known = work / f"known{args.files}.hashdeep"
    if not known.exists():
        with open(known, "wb") as f:
            subprocess.run(["hashdeep", "-c", "sha256", "-r", "data"], cwd=case, stdout=f, check=True)
    for p in (case / "data").rglob("*"):  # warm the page cache for both tools
        if p.is_file():
            p.read_bytes()
    ours = [*FKIT, "verify", "-q", str(case), "--trust", str(trust)]
    peer = ["hashdeep", "-a", "-k", str(known), "-r", "-c", "sha256", "data"]
    print(f"# fkit verify vs hashdeep -a -k, {args.files} files, {os.cpu_count()} cores")
    rows = []
    for i in range(args.rounds):
        load0 = os.getloadavg()[0]
        pw, pc, prc = run(peer, case)
        fw, fc, frc = run(ours, case)
        rows.append((fw, fc, pw, pc))
        print(f"round {i}: fkit {fw:.2f} s wall / {fc:.2f} s CPU (exit {frc}); hashdeep {pw:.2f} s wall / "
              f"{pc:.2f} s CPU (exit {prc}); wall ratio {fw / pw:.3f}, CPU ratio {fc / pc:.3f}; "
              f"load {load0:.2f} -> {os.getloadavg()[0]:.2f}", flush=True)

    def med(k: int) -> float:
        return statistics.median(r[k] for r in rows)

    print(f"median: fkit {med(0):.2f} s wall / {med(1):.2f} s CPU; hashdeep {med(2):.2f} s wall / {med(3):.2f} s CPU; "
          f"wall ratio {med(0) / med(2):.3f} (rounds {', '.join(f'{r[0] / r[2]:.3f}' for r in rows)}); "
          f"CPU ratio {med(1) / med(3):.3f}")


if __name__ == "__main__":
    main()
