"""Benchmark: custody PDF of a case with 10,000 files and 100 custody events.

Target (issue 5): ``fkit report custody`` in <= 20 s with peak RSS < 400 MB; issue 16: a 100,000-file
annex in <= 120 s with flat memory (``--files 100000 --events 10 --rounds 1 --no-peer``).
Peer: a plain reportlab table of the same 10,000 rows (Helvetica, no bidi, no PDF/A, no QR):
the ratio shows what fkit's trilingual layout, Arabic shaping and PDF/A-3b cost on top of the
library both use.

    .venv/bin/python bench/bench_report.py [--files 10000] [--events 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WRAP = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode; "
        "dt = time.perf_counter() - t; "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(rc, dt, u.ru_maxrss, u.ru_utime + u.ru_stime)")

PEER = r'''
import json, sys
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, LongTable
rows = [["#", "path", "size", "hashes"]]
for n, line in enumerate(open(sys.argv[1], "rb"), 1):
    r = json.loads(line)
    if r.get("kind") == "file":
        rows.append([str(n), r["bag_path"], str(r["size"]), "\n".join(f"{k} {v}" for k, v in r["hashes"].items())])
doc = SimpleDocTemplate(sys.argv[2], pagesize=A4, invariant=1)
t = LongTable(rows, colWidths=[30, 180, 40, 273], repeatRows=1)
from reportlab.platypus import TableStyle
t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 6), ("LEADING", (0, 0), (-1, -1), 7.5)]))
doc.build([t])
'''


def build_case(root: Path, files: int, events: int) -> None:
    from forensic_kit.custody import LEDGER, new_event, sign_event
    from forensic_kit.manifest.canonical import canonical_bytes
    from forensic_kit.signing import allowed_signers
    from tests.custody.casefactory import make_case

    per = files // 4
    sample = make_case(root, files_per_exhibit=per, exhibits=("EX-01", "EX-02", "EX-03", "EX-04"),
                       seal=True, keys_dir=root.parent / "keys")
    case = sample.case
    people = [("ben.salah@mock", "A. Ben Salah,4471"), ("trabelsi@mock", "K. Trabelsi,3310"),
              ("jaziri@mock", "R. Jaziri,2208"), ("haddad@mock", "M. Haddad,5120")]
    ledger = b""
    for i in range(events):
        (k1, p1), (k2, p2) = people[i % 4], people[(i + 1) % 4]
        action = "seized" if i == 0 else "transferred"
        ev = new_event(case, action=action, exhibits=["EX-01", "EX-02", "EX-03", "EX-04"], by=p1, to=p2,
                       at=f"2025-03-{14 + i // 24:02d}T{i % 24:02d}:05Z", purpose=f"Step {i + 1}", seal_state="intact")
        line = canonical_bytes(sign_event(ev, sample.keys[k1], sample.keys[k2])) + b"\n"
        ledger += line
        case.write_tag_file(LEDGER, ledger)
    for k in sample.keys.values():
        allowed_signers.add(case, k)
    case.update_bag()


def measure(cmd: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (kB) and CPU seconds (user + system) of ``cmd``."""
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, check=True, text=True).stdout.split()
    rc, secs, rss_kb, cpu = int(out[0]), float(out[1]), int(out[2]), float(out[3])
    if rc != 0:
        raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}")
    return secs, rss_kb, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true", help="fkit only (for the 50,000/100,000-file annex)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fkit-bench-report-") as tmp:
        root = Path(tmp) / "case"
        t = time.perf_counter()
        build_case(root, args.files, args.events)
        print(f"case built: {args.files} files, {args.events} events in {time.perf_counter() - t:.1f} s")
        env_fkit = [sys.executable, "-m", "forensic_kit", "report", "custody", str(root), "-o", str(Path(tmp) / "c.pdf"),
                    "--lang", "ar,fr,en"]
        peer = [sys.executable, "-c", PEER, str(root / "fkit" / "records.jsonl"), str(Path(tmp) / "peer.pdf")]
        os.environ["SOURCE_DATE_EPOCH"] = "1742000000"
        fk, pr = [], []
        for r in range(args.rounds):
            load = os.getloadavg()[0]
            fk.append(measure(env_fkit))
            pr.append(measure(peer) if not args.no_peer else (float("nan"), 0, float("nan")))
            print(f"round {r + 1} (load {load:.1f}): fkit {fk[-1][0]:.2f} s wall, {fk[-1][2]:.2f} s CPU, "
                  f"{fk[-1][1] / 1024:.0f} MB | plain reportlab {pr[-1][0]:.2f} s wall, {pr[-1][2]:.2f} s CPU, "
                  f"{pr[-1][1] / 1024:.0f} MB")
        pages = subprocess.run(["pdfinfo", str(Path(tmp) / "c.pdf")], capture_output=True, text=True).stdout
        npages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages:")), "?")
        f_med = statistics.median(x[0] for x in fk)
        p_med = statistics.median(x[0] for x in pr)
        f_rss = max(x[1] for x in fk) / 1024
        f_cpu = statistics.median(x[2] for x in fk)
        p_cpu = statistics.median(x[2] for x in pr)
        print(json.dumps({"files": args.files, "events": args.events, "pages": npages,
                          "fkit_median_s": round(f_med, 2), "peer_median_s": round(p_med, 2),
                          "fkit_median_cpu_s": round(f_cpu, 2), "peer_median_cpu_s": round(p_cpu, 2),
                          "cpu_ratio_fkit_over_peer": round(f_cpu / p_cpu, 2) if p_cpu == p_cpu else None,
                          "ratio_fkit_over_peer": round(f_med / p_med, 2), "fkit_peak_rss_mb": round(f_rss),
                          "peer_peak_rss_mb": round(max(x[1] for x in pr) / 1024),
                          "load_1min": round(os.getloadavg()[0], 1),
                          "target_met": f_med <= 20 and f_rss < 400}))


if __name__ == "__main__":
    main()
