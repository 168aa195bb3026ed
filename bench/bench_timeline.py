"""Timeline external sort: N shuffled event lines sorted by ``fkit timeline`` and by ``LC_ALL=C sort``.

Both read the same file and write their sorted output to a file; the outputs must be byte-equal
(event lines sort by time as bytes). Peak memory (max RSS) comes from ``/usr/bin/time -v``.
Usage: ``python bench/bench_timeline.py [--events 5000000] [--memory 192]``.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from forensic_kit import jsonl
from forensic_kit.records import new_record

HERE = Path(__file__).resolve().parent
FKIT = [sys.executable, "-m", "forensic_kit"]


def make_events(path: Path, n: int, seed: int = 1) -> None:
    """``n`` distinct, shuffled, realistic timeline event lines (one template, fields varied)."""
    rng = random.Random(seed)
    template = jsonl.dumps(new_record(
        "timeline.event", "timeline", "1", time="\x01", origin="utc", local="\x02", offset=None, zone_assumed=None,
        exhibit="\x03", event="phone.message.time", what="sms received +2189297\x04: the car is ready tomorrow at five",
        source={"kind": "phone.message", "locator": {"path": "data/data/com.android.providers.telephony/databases/mmssms.db",
                                                      "table": "sms", "rowid": "\x05"}, "field": "time",
                "format": "java_millis", "raw": "\x06"}))
    template = template.replace("{", "{{").replace("}", "}}")
    template = template.replace('"\\u0005"', "{rowid}").replace('"\\u0006"', "{raw}")
    template = re.sub(r"\\u000([1-4])", lambda m: "{" + "tlex"[int(m.group(1)) - 1] + "}", template)
    base = 1_700_000_000
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as f:
        order = list(range(n))
        rng.shuffle(order)
        for i in order:
            sec = base + i * 7 // 3
            t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
            f.write(template.format(t=f"{t}.{(i * 1000003) % 10**9:09d}Z", l=f"{t}Z", e=f"EX-{i % 7:02d}",
                                    x=f"{i % 1000:03d}", rowid=i, raw=sec * 1000) + "\n")


def run(cmd: list[str], out: Path) -> tuple[float, int]:
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        res = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=f, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {res.stderr.decode()[-500:]}")
    rss = int(re.search(rb"Maximum resident set size \(kbytes\): (\d+)", res.stderr).group(1))  # type: ignore[union-attr]
    return wall, rss


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000, help="5000000 for the issue-20 measurement")
    ap.add_argument("--memory", type=int, default=192, help="fkit --memory (MB)")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fkit-bench-timeline-") as d:
        tmp = Path(d)
        src = tmp / "events.jsonl"
        t0 = time.perf_counter()
        make_events(src, args.events)
        size = src.stat().st_size
        print(f"{args.events} event lines, {size / 1e6:.0f} MB, made in {time.perf_counter() - t0:.0f} s; "
              f"load: {os.getloadavg()[0]:.2f}", flush=True)
        for r in range(args.rounds):
            ts, rs = run(["env", "LC_ALL=C", "sort", "-S", "400M", "-T", d, str(src)], tmp / "sort.out")
            tf, rf = run([*FKIT, "timeline", str(src), "--memory", str(args.memory), "-q"], tmp / "fkit.out")
            same = filecmp.cmp(tmp / "sort.out", tmp / "fkit.out", shallow=False)
            print(f"round {r + 1}: sort {ts:.1f} s ({rs / 1024:.0f} MB max RSS); fkit timeline {tf:.1f} s "
                  f"({rf / 1024:.0f} MB max RSS); ratio {tf / ts:.2f}; identical output: {same}; "
                  f"load: {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
