"""Shared helpers for the benchmarks: timing a command with its peak RSS, medians, ratios.

Every benchmark runs fkit and the peer tool in the same run, alternating, several rounds, and
reports the median ratio: this machine is shared and noisy, single timings mean little.
"""

from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Callable, Union

REPO = Path(__file__).resolve().parents[1]
FKIT = [sys.executable, "-m", "forensic_kit"]


def timed(cmd: list[str], cwd: Path | None = None, stdout: int | None = subprocess.DEVNULL) -> tuple[float, int]:
    """Run ``cmd``; return (wall seconds, peak RSS in MiB of the largest process in its tree).

    A small wrapper process runs the command, times it itself (so the wrapper's own Python start-up
    is not counted against either side) and reports ``RUSAGE_CHILDREN.ru_maxrss``, which covers every
    descendant it waited for (pool workers included).
    """
    wall, rss, _cpu = timed_cpu(cmd, cwd)
    return wall, rss


def timed_cpu(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, float]:
    """:func:`timed`, plus the CPU seconds (user + system) of the command and all its descendants."""
    wrapper = (
        "import resource,subprocess,sys,time;"
        "t=time.perf_counter();r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
        "w=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(w, u.ru_maxrss, u.ru_utime+u.ru_stime);sys.exit(r.returncode)"
    )
    res = subprocess.run([sys.executable, "-c", wrapper, *cmd], cwd=cwd, capture_output=True, text=True)
    if res.returncode not in (0,):
        raise SystemExit(f"benchmark command failed ({res.returncode}): {shlex.join(cmd)}\n{res.stderr}")
    wall, rss, cpu = res.stdout.strip().splitlines()[-1].split()
    return float(wall), int(rss) // 1024, float(cpu)


Command = Union[list[str], Callable[[int], list[str]]]
"""A command line, or a function of the round number (0, 1, ...) that gives one."""


def _for_round(cmd: Command, i: int) -> list[str]:
    return cmd(i) if callable(cmd) else cmd


def compare(name: str, ours: Command, peer: Command, rounds: int = 3, cwd: Path | None = None,
            peer_post: list[str] | None = None, before: Callable[[int], None] | None = None,
            after: Callable[[int], None] | None = None, swap_order: bool = False) -> dict[str, float]:
    """Alternate ``ours`` and ``peer`` for ``rounds``; print and return median times and ratio.

    ``before(i)``, untimed, prepares round ``i`` (a fresh destination for each side, say);
    ``after(i)``, untimed, cleans up after it. ``swap_order``: the peer runs first in even rounds,
    fkit first in odd ones (neither side always finds the other's caches or leftovers).
    """
    t_ours: list[float] = []
    t_peer: list[float] = []
    c_ours: list[float] = []
    c_peer: list[float] = []
    loads: list[float] = []
    rss = 0
    for i in range(rounds):
        if before is not None:
            before(i)
        loads.append(os.getloadavg()[0])
        for side in (("peer", "ours") if not swap_order or i % 2 == 0 else ("ours", "peer")):
            if side == "peer":
                w, _r, c = timed_cpu(_for_round(peer, i), cwd)
                if peer_post:
                    w2, _, c2 = timed_cpu(peer_post, cwd)
                    w, c = w + w2, c + c2
                t_peer.append(w)
                c_peer.append(c)
            else:
                w, r, c = timed_cpu(_for_round(ours, i), cwd)
                t_ours.append(w)
                c_ours.append(c)
                rss = max(rss, r)
        if after is not None:
            after(i)
    mo, mp = statistics.median(t_ours), statistics.median(t_peer)
    co, cp = statistics.median(c_ours), statistics.median(c_peer)
    ratios = [o / p for o, p in zip(t_ours, t_peer)]
    result = {"fkit_s": mo, "peer_s": mp, "ratio": mo / mp, "ratio_min": min(ratios),
              "ratio_max": max(ratios), "fkit_peak_rss_mib": rss, "fkit_cpu_s": co, "peer_cpu_s": cp,
              "cpu_ratio": co / cp if cp else float("nan")}
    print(f"{name}: fkit {mo:.2f} s, peer {mp:.2f} s, ratio {mo / mp:.3f} "
          f"(rounds {', '.join(f'{x:.3f}' for x in ratios)}), fkit peak RSS {rss} MiB")
    print(f"  CPU (user+sys, medians): fkit {co:.2f} s, peer {cp:.2f} s, ratio {result['cpu_ratio']:.3f}; "
          f"load average at each round {', '.join(f'{x:.1f}' for x in loads)}")
    print(f"  fkit: {shlex.join(_for_round(ours, 0))}")
    print(f"  peer: {shlex.join(_for_round(peer, 0))}" + (f" && {shlex.join(peer_post)}" if peer_post else ""))
    sys.stdout.flush()
    return result


def load_average() -> str:
    """The 1-minute load average, to print beside results (a loaded machine skews ratios)."""
    return f"{os.getloadavg()[0]:.2f}"


def make_big(path: Path, gib: float) -> None:
    """A file of ``gib`` GiB of random bytes (kept when it already has that size)."""
    size = int(gib * (1 << 30))
    if path.exists() and path.stat().st_size == size:
        return
    block = os.urandom(1 << 24)
    with open(path, "wb") as f:
        written = 0
        while written < size:
            n = min(len(block), size - written)
            f.write(block[:n])
            written += n
