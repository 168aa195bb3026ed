#!/usr/bin/env python3
"""Benchmark: ``fkit meta`` vs ``exiftool -json -n`` over 1,000 real photos, same run.

The photos are the real ones in ../shared/testdata/photos (JPEG from 19 camera models, GPS
photos, phone JPEG/HEIC/HEIF, broken and hostile JPEGs), replicated by hard links (copies when
the temp dir is on another file system) into a temp dir until there are ``--count`` files.
Each round runs both tools over the same folder, one batch process each (ExifTool is given the
folder, as an investigator would), output to /dev/null; wall time, CPU time of the whole process
tree, and peak RSS summed over the whole process tree (sampled from /proc every 5 ms; pages that
forked workers share with their parent are counted once per process, so this over-states). Run: ``.venv/bin/python bench/bench_media.py [--count 1000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("FKIT_TESTDATA", REPO.parent / "shared" / "testdata"))
EXTS = {".jpg", ".jpeg", ".heic", ".heif"}
# --set mixed: every media file with an ExifTool oracle in photos/, corpus/photos, corpus/video
# (JPEG, HEIC, WebP, PNG, GIF, BMP, TIFF, RAW, MP4/MOV/3GP/M4A)
MIXED_EXTS = EXTS | {".webp", ".png", ".gif", ".bmp", ".tif", ".tiff", ".dng", ".nef", ".cr2", ".cr3", ".rw2",
                     ".mp4", ".mov", ".3gp", ".3g2", ".m4a", ".jxl"}
SET = "camera"


def photos() -> list[Path]:
    if SET == "mixed":
        out = sorted(p for d in ("photos", "corpus/photos", "corpus/video") for p in (TESTDATA / d).rglob("*")
                     if p.suffix.lower() in MIXED_EXTS and p.is_file() and Path(str(p) + ".exiftool.json").is_file())
    else:
        src = TESTDATA / "photos"
        out = sorted(p for p in src.rglob("*") if p.suffix.lower() in EXTS and p.is_file())
    if not out:
        sys.exit(f"no photos under {TESTDATA}")
    return out


def populate(dest: Path, count: int) -> int:
    srcs = photos()
    total = 0
    for i in range(count):
        s = srcs[i % len(srcs)]
        d = dest / f"{i // 100:02d}" / f"{i:04d}_{s.name}"
        d.parent.mkdir(exist_ok=True)
        try:
            os.link(s, d)
        except OSError:
            shutil.copyfile(s, d)
        total += s.stat().st_size
    return total


def _tree_rss_kb(pid: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return total


def run(cmd: list[str]) -> tuple[float, int, int, float]:
    """(wall seconds, exit code, peak tree RSS KiB, CPU seconds of the whole tree)."""
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = [0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.005)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return wall, code, peak[0], cpu


def cmds_for(fkit: str, root: Path) -> dict[str, list[str]]:
    """The two commands compared: each one batch process over the same folder, output discarded."""
    return {
        "fkit meta": [fkit, "meta", "-q", str(root)],
        "exiftool -json -n": ["exiftool", "-json", "-n", "-r", "-q", str(root)],
    }


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fkit", default=str(REPO / ".venv" / "bin" / "fkit"))
    ap.add_argument("--set", choices=("camera", "mixed"), default="camera",
                    help="camera: JPEG/HEIC of photos/; mixed: every media file with an ExifTool oracle (JPEG, HEIC, "
                         "WebP, PNG, TIFF, RAW, MP4/MOV/3GP)")
    args = ap.parse_args()
    global SET
    SET = args.set
    if not shutil.which("exiftool"):
        sys.exit("exiftool not found (apt-get install libimage-exiftool-perl)")
    exiftool_version = subprocess.run(["exiftool", "-ver"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="fkit-bench-media-") as tmp:
        root = Path(tmp) / "photos"
        root.mkdir()
        nbytes = populate(root, args.count)
        print(f"{args.count} files, set {SET} ({nbytes / 1e6:.1f} MB, {len(photos())} distinct) in {root}; "
              f"{os.cpu_count()} cores; ExifTool {exiftool_version}; load average {_load()}")
        cmds = cmds_for(args.fkit, root)
        for name, cmd in cmds.items():
            print(f"  {name}: {shlex.join(cmd)}")
        results: dict[str, list[tuple[float, int, int, float]]] = {k: [] for k in cmds}
        ratios = []
        for rnd in range(args.rounds):
            for name, cmd in cmds.items():  # alternate, same files, same round
                wall, code, tree, cpu = run(cmd)
                results[name].append((wall, code, tree, cpu))
                print(f"round {rnd + 1}: {name:<18} {wall:7.3f} s wall  {cpu:6.2f} s CPU  exit {code}  "
                      f"peak RSS tree {tree / 1024:6.1f} MB")
            ratios.append(results["exiftool -json -n"][-1][0] / results["fkit meta"][-1][0])
            print(f"round {rnd + 1}: speed-up {ratios[-1]:.1f}x")
        med = {k: statistics.median(r[0] for r in v) for k, v in results.items()}
        cpu = {k: statistics.median(r[3] for r in v) for k, v in results.items()}
        tree = {k: max(r[2] for r in v) for k, v in results.items()}
        print()
        for name in cmds:
            print(f"{name:<18} median {med[name]:7.3f} s wall, {cpu[name]:6.2f} s CPU  ({args.count / med[name]:6.0f} files/s)  "
                  f"peak RSS (whole process tree) {tree[name] / 1024:6.1f} MB")
        print(f"per-round speed-ups: {', '.join(f'{r:.1f}x' for r in ratios)}; best {max(ratios):.1f}x; "
              f"CPU-time ratio {cpu['exiftool -json -n'] / cpu['fkit meta']:.1f}x")
        print(f"speed-up fkit vs exiftool (ratio of medians): {med['exiftool -json -n'] / med['fkit meta']:.1f}x "
              f"(target >= 8x); fkit peak RSS {tree['fkit meta'] / 1024:.1f} MB (target < 200 MB); "
              f"load average at the end {_load()}")


if __name__ == "__main__":
    main()
