"""Benchmarks for ``fkit acquire`` and ``fkit fs ls`` (issue 3).

1. Logical acquisition of a small-file set (durable, verified) ≤ 1.0 × (``cp -a`` + ``sync`` +
   ``hashdeep -r -c sha256`` on the copy), on the issue's 50,000 files (200 B – 64 KB each;
   ``--files`` for another count).
2. Physical acquisition of a 2 GiB image file (sha256 + blake3, durable, read back)
   ≤ 0.5 × (``dc3dd hash=sha256`` + ``sync``) on the same file.
3. ``fkit fs ls`` of an ext4 image holding the file set ≤ 1.5 × ``fls -r -p``.

Every round writes afresh (new destinations, both sides); ``fkit case init`` and the deletion of
earlier outputs are done before a round, untimed, as ``cp`` and ``dc3dd`` get an existing folder.

Usage: python bench/bench_acquire.py [--workdir DIR] [--files 50000] [--image-gib 2] [--rounds 3]
       [--only logical,physical,fsls[,floor]]   (floor: the disk's own cost, not a target)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
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


def fkit_acquire(source: Path, case: Path, *extra: str) -> list[str]:
    """fkit's side: the acquisition into ``case`` (made beforehand by :func:`init_case`, untimed)."""
    flags = "".join(f" {x}" for x in extra)
    return sh(f"{fkit_sh()} acquire {source} --into {case} --exhibit EX-01{flags} >/dev/null")


def init_case(case: Path) -> None:
    """``fkit case init``: the destination, as ``cp`` and ``dc3dd`` get an existing folder."""
    subprocess.run([*FKIT, "case", "init", str(case), "--case-id", "B", "--agency", "a", "--officer", "o"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fresh(work: Path, *names: str) -> None:
    """Remove earlier outputs (untimed), then wait for the deletion to reach the disk."""
    for name in names:
        subprocess.run(["rm", "-rf", str(work / name)], check=True)
    subprocess.run(["sync"], check=True)


def bench_logical(work: Path, files: int, rounds: int) -> dict[str, float]:
    """Every round writes new folders; all are deleted after the last round.

    Not in between: on an ext4 without a journal (this machine's root file system) the kernel
    will not reuse an inode for 60-360 s after it was freed, and each new file then costs a scan
    over the recently freed ones (``recently_deleted`` in ``ext4_create``, seen with ``perf``):
    creating 10,000 files right after deleting 10,000 took 9 s instead of 0.5 s, for either
    side, whichever happened to land in those block groups.
    """
    src = work / "smallset"
    make_small_files(src, files)
    outputs = [f"{side}-l{i}" for i in range(rounds) for side in ("case", "copy")]
    fresh(work, *outputs)

    def prepare(i: int) -> None:
        init_case(work / f"case-l{i}")

    try:
        return compare(f"logical acquisition, {files} files (durable, verified) vs cp -a + sync + hashdeep",
                       lambda i: fkit_acquire(src, work / f"case-l{i}"),
                       lambda i: sh(f"cp -a {src} {work / f'copy-l{i}'} && sync && "
                                    f"hashdeep -r -c sha256 {work / f'copy-l{i}'} >/dev/null"),
                       rounds, before=prepare)
    finally:
        fresh(work, *outputs)


def bench_physical(work: Path, gib: float, rounds: int) -> dict[str, float]:
    img = work / "big.img"
    make_big(img, gib)
    fresh(work, "case-p", "dc3dd.img")

    def prepare(_i: int) -> None:
        fresh(work, "case-p", "dc3dd.img")
        init_case(work / "case-p")

    try:
        return compare(f"physical acquisition of a {gib:g} GiB image (sha256+blake3, durable, read back) vs dc3dd hash=sha256 + sync",
                       fkit_acquire(img, work / "case-p", "--physical"),
                       sh(f"dc3dd if={img} of={work / 'dc3dd.img'} hash=sha256 log=/dev/null >/dev/null 2>&1 && sync"),
                       rounds, before=prepare)
    finally:
        fresh(work, "case-p", "dc3dd.img")


def bench_floor(work: Path, gib: float, rounds: int) -> None:
    """Not a target: what the disk alone costs for a physical acquisition here (``--only floor``).

    Writing the image durably with O_DIRECT and reading it back with O_DIRECT is what fkit must
    at least do; ``dd`` + ``sync`` through the page cache and dc3dd (hash-bound) for comparison.
    """
    img = work / "big.img"
    make_big(img, gib)
    out = work / "floor.img"
    cmds = {
        "dd bs=32M oflag=direct + sync": sh(f"rm -f {out} && dd if={img} of={out} bs=32M oflag=direct status=none && sync"),
        "dd bs=32M iflag=direct (read back)": sh(f"dd if={out} of=/dev/null bs=32M iflag=direct status=none"),
        "dd bs=8M (page cache) + sync": sh(f"rm -f {out} && dd if={img} of={out} bs=8M status=none && sync"),
        "dc3dd hash=sha256 + sync": sh(f"rm -f {out} && dc3dd if={img} of={out} hash=sha256 log=/dev/null >/dev/null 2>&1 && sync"),
        "sha256sum (hash only, page cache)": sh(f"sha256sum {img} >/dev/null"),
    }
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True)
            walls[name].append(time.perf_counter() - start)
    out.unlink(missing_ok=True)
    for name, values in walls.items():
        print(f"floor: {name}: median {statistics.median(values):.2f} s (rounds {', '.join(f'{v:.2f}' for v in values)})")


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
    compare("fs ls --format bodyfile of the same image vs fls -r -p", ours_b, peer, rounds)
    # CPU time (user + system) does not depend on how busy the shared machine is.
    tiny = work / "ext4-tiny.img"
    if not tiny.exists():
        (work / "tiny").mkdir(exist_ok=True)
        (work / "tiny" / "one.txt").write_bytes(b"one\n")
        subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(work / "tiny"), str(tiny), "4M"], check=True,
                       stdout=subprocess.DEVNULL)
    cpu = cpu_medians({"fls": peer, "jsonl": ours, "bodyfile": ours_b,
                       "start-up": sh(f"{fkit_sh()} fs ls {tiny} --format bodyfile >/dev/null")}, rounds)
    print(f"fs ls CPU time (user+sys, median of {rounds}): fls -r -p {cpu['fls']:.3f} s; fkit jsonl "
          f"{cpu['jsonl']:.3f} s ({cpu['jsonl'] / cpu['fls']:.2f} x), bodyfile {cpu['bodyfile']:.3f} s "
          f"({cpu['bodyfile'] / cpu['fls']:.2f} x); fkit fs ls of a 1-file image (start-up) {cpu['start-up']:.3f} s")
    return r1


def cpu_medians(cmds: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median CPU seconds (user + system of the command and its children) of each command, alternating."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--files", type=int, default=50_000)
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
    if "floor" in only:
        bench_floor(work, args.image_gib, args.rounds)
    targets = {"logical": 1.0, "physical": 0.5, "fsls": 1.5}
    for name, res in results.items():
        verdict = "PASS" if res["ratio"] <= targets[name] else "FAIL"
        print(f"{name}: ratio {res['ratio']:.3f} (target ≤ {targets[name]}) {verdict}")


if __name__ == "__main__":
    main()
