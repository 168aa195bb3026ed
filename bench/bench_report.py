"""Benchmark: custody PDF of a case with 10,000 files and 100 custody events.

Target (issue 5): ``fkit report custody`` in <= 20 s with peak RSS < 400 MB.
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
        "print(rc, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")

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


def measure(cmd: list[str]) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, check=True, text=True).stdout.split()
    rc, secs, rss_kb = int(out[0]), float(out[1]), int(out[2])
    if rc != 0:
        raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}")
    return secs, rss_kb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
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
            fk.append(measure(env_fkit))
            pr.append(measure(peer))
            print(f"round {r + 1}: fkit {fk[-1][0]:.2f} s {fk[-1][1] / 1024:.0f} MB | "
                  f"plain reportlab {pr[-1][0]:.2f} s {pr[-1][1] / 1024:.0f} MB")
        pages = subprocess.run(["pdfinfo", str(Path(tmp) / "c.pdf")], capture_output=True, text=True).stdout
        npages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages:")), "?")
        f_med = statistics.median(x[0] for x in fk)
        p_med = statistics.median(x[0] for x in pr)
        f_rss = max(x[1] for x in fk) / 1024
        print(json.dumps({"files": args.files, "events": args.events, "pages": npages,
                          "fkit_median_s": round(f_med, 2), "peer_median_s": round(p_med, 2),
                          "ratio_fkit_over_peer": round(f_med / p_med, 2), "fkit_peak_rss_mb": round(f_rss),
                          "peer_peak_rss_mb": round(max(x[1] for x in pr) / 1024),
                          "target_met": f_med <= 20 and f_rss < 400}))


if __name__ == "__main__":
    main()
