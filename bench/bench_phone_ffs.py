"""Benchmark ``fkit phone`` on a generated Android full-file-system extraction (issue 15).

500,000 messages across six apps (SMS, WhatsApp, Viber, IMO, Telegram, Facebook Messenger) in
their published schemas, under ``data/data/<package>/databases/``, plus optional padding files
(``--pad-mb``: photos-sized random files, to approach the issue's 2 GB) — as a folder and as a zip.
Floor: the ``sqlite3`` shell dumping the same tables (``-json``) of the same databases; beside it the
Python floor (the same queries, each row a dict written as one JSON line with orjson, nothing else).
Rounds alternate the variants; medians of wall and CPU time (user + system) and peak RSS from ``wait4``.

    .venv/bin/python bench/bench_phone_ffs.py [--messages 500000] [--pad-mb 0] [--zip] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_phone import MMSSMS, WORDS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FKIT = [sys.executable, "-m", "forensic_kit"]
sys.path.insert(0, str(REPO))
from tests.phone.test_apps import MSYS, TELEGRAM, VIBER_MESSAGES, WA_MSGSTORE  # noqa: E402

SHARES = {"sms": 0.3, "whatsapp": 0.3, "viber": 0.1, "imo": 0.1, "telegram": 0.1, "messenger": 0.1}


def _db(path: Path, script: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(script)
    return conn


def generate(root: Path, messages: int, pad_mb: int, seed: int = 7) -> dict[str, list[str]]:
    """The extraction; returns, per database path, the SELECTs the floor runs."""
    rnd = random.Random(seed)
    dd = root / "data" / "data"
    peers = [f"+2126{rnd.randrange(10**8):08d}" for _ in range(2000)]
    t0 = 1_690_000_000_000
    n = {k: int(messages * v) for k, v in SHARES.items()}
    text = lambda: " ".join(rnd.choice(WORDS) for _ in range(8))  # noqa: E731
    floor: dict[str, list[str]] = {}

    p = dd / "com.android.providers.telephony" / "databases" / "mmssms.db"
    c = _db(p, MMSSMS)
    c.executemany("INSERT INTO sms (_id, thread_id, address, date, type, body, read, seen) VALUES (?,?,?,?,?,?,1,1)",
                  ((i, i % 2000, peers[i % 2000], t0 + i * 1000, 1 + i % 2, text()) for i in range(1, n["sms"] + 1)))
    c.commit(); c.close()
    floor[str(p)] = ["SELECT _id, address, date, type, body, read, seen FROM sms"]

    p = dd / "com.whatsapp" / "databases" / "msgstore.db"
    c = _db(p, WA_MSGSTORE)
    c.executemany("INSERT INTO jid VALUES (?,?,?,0,0,0,?)",
                  ((i + 1, peers[i][1:], "s.whatsapp.net", peers[i][1:] + "@s.whatsapp.net") for i in range(2000)))
    c.executemany("INSERT INTO chat VALUES (?,?,0,NULL,?)", ((i + 1, i + 1, t0) for i in range(2000)))
    c.executemany("INSERT INTO message VALUES (?,?,?,?,NULL,0,?,?,0,?,0)",
                  ((i, 1 + i % 2000, i % 2, f"K{i}", t0 + i * 1000, t0 + i * 1000 + 5, text())
                   for i in range(1, n["whatsapp"] + 1)))
    c.commit(); c.close()
    floor[str(p)] = ["SELECT m._id, m.from_me, m.timestamp, m.text_data, j.raw_string FROM message m "
                     "LEFT JOIN chat c ON c._id = m.chat_row_id LEFT JOIN jid j ON j._id = c.jid_row_id"]

    p = dd / "com.viber.voip" / "databases" / "viber_messages"
    c = _db(p, VIBER_MESSAGES)
    c.executemany("INSERT INTO participants_info VALUES (?,1,?,?,NULL,?,NULL,NULL)",
                  ((i + 1, f"m{i}", peers[i], f"P{i}") for i in range(200)))
    c.executemany("INSERT INTO participants VALUES (?,?,?,0,1)", ((i + 1, 1 + i // 2, i + 1) for i in range(200)))
    c.executemany("INSERT INTO messages VALUES (?,?,?,0,0,?,?,?,?,?,NULL,NULL,0,0)",
                  ((i, t0 + i * 1000, t0 + i * 1000, 1 + (i % 100), 1 + 2 * (i % 100) + i % 2, i, i % 2, text())
                   for i in range(1, n["viber"] + 1)))
    c.commit(); c.close()
    floor[str(p)] = ["SELECT m._id, m.msg_date, m.body, m.send_type, pi.number FROM messages m LEFT JOIN participants p "
                     "ON p._id = m.participant_id LEFT JOIN participants_info pi ON pi._id = p.participant_info_id"]

    p = dd / "com.imo.android.imous" / "databases" / "imofriends.db"
    c = _db(p, "CREATE TABLE messages (_id INTEGER PRIMARY KEY, buid TEXT, last_message TEXT, timestamp INTEGER, "
               "message_type INTEGER, message_read INTEGER, imdata TEXT, author TEXT);")
    c.executemany("INSERT INTO messages VALUES (?,?,?,?,?,1,NULL,NULL)",
                  ((i, str(10**15 + i % 500), text(), (t0 + i * 1000) * 10**6, 1 + i % 2) for i in range(1, n["imo"] + 1)))
    c.commit(); c.close()
    floor[str(p)] = ["SELECT _id, buid, last_message, timestamp, message_type FROM messages"]

    p = dd / "org.telegram.messenger" / "files" / "cache4.db"
    c = _db(p, TELEGRAM)
    c.executemany("INSERT INTO messages_v2 (mid, uid, read_state, send_state, date, data, out) VALUES (?,?,3,0,?,?,?)",
                  ((i, 5000 + i % 300, 1_690_000_000 + i, text().encode() * 3, i % 2) for i in range(1, n["telegram"] + 1)))
    c.commit(); c.close()
    floor[str(p)] = ["SELECT mid, uid, date, out, length(data) FROM messages_v2"]

    p = dd / "com.facebook.orca" / "databases" / "msys_database_100012345"
    c = _db(p, MSYS)
    c.executemany("INSERT INTO contacts (id, name) VALUES (?,?)", ((100000000 + i, f"C{i}") for i in range(300)))
    c.executemany("INSERT INTO messages VALUES (?,?,?,NULL,?,?,0)",
                  ((100000000 + i % 300, t0 + i * 1000, f"mid.{i}", 100000000 + i % 300, text())
                   for i in range(1, n["messenger"] + 1)))
    c.commit(); c.close()
    floor[str(p)] = ["SELECT m.message_id, m.thread_key, m.sender_id, m.text, m.timestamp_ms, c.name FROM messages m "
                     "LEFT JOIN contacts c ON c.id = m.sender_id"]

    media = root / "sdcard" / "DCIM" / "Camera"
    media.mkdir(parents=True)
    for i in range(pad_mb // 4):
        (media / f"IMG_{i:05d}.bin").write_bytes(os.urandom(4 << 20))
    return floor


def run(cmd: list[str], out: Path, env: dict[str, str] | None = None) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + system, ``wait4``), peak RSS in MiB (``/usr/bin/time``: the
    ``wait4`` maximum would count the benchmark's own memory, inherited at fork) and exit code."""
    rss_file = out.with_suffix(".rss")
    with open(out, "wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd], stdout=f,
                                stderr=subprocess.DEVNULL, cwd=REPO if env is None else "/",
                                env=None if env is None else {**os.environ, **env})
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    rss = int(rss_file.read_text().split()[-1]) // 1024
    return wall, usage.ru_utime + usage.ru_stime, rss, os.waitstatus_to_exitcode(status)


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500_000)
    ap.add_argument("--pad-mb", type=int, default=0)
    ap.add_argument("--zip", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--compare", metavar="DIR", help="also run the fkit found in DIR (a folder holding another "
                    "version's forensic_kit package, on PYTHONPATH) in the same rounds")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fkit-bench-ffs-"))
    try:
        root = tmp / "ffs"
        floor = generate(root, args.messages, args.pad_mb)
        (tmp / "floor.json").write_text(json.dumps(floor))
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(f"data: {args.messages} messages in 6 apps; {size / 1e6:.0f} MB on disk; load {os.getloadavg()[0]:.1f}")
        sources = [("folder", root)]
        if args.zip:
            z = tmp / "ffs.zip"
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                for p in sorted(root.rglob("*")):
                    if p.is_file():
                        zf.write(p, p.relative_to(root).as_posix())
            sources.append(("zip", z))
        results: dict[str, list[tuple[float, float, int, int]]] = {}
        kinds: dict[str, int] = {}
        for rnd in range(args.rounds):  # alternating: every variant once per round
            fl = [run(["sqlite3", "-json", db, *queries], tmp / "floor.out") for db, queries in floor.items()]
            results.setdefault("sqlite3", []).append((sum(x[0] for x in fl), sum(x[1] for x in fl),
                                                      max(x[2] for x in fl), max(x[3] for x in fl)))
            results.setdefault("python", []).append(
                run([sys.executable, str(Path(__file__).with_name("phone_python_floor.py")), str(tmp / "floor.json")],
                    tmp / "py.out"))
            for name, src in sources:
                cmd = [*FKIT, "phone", str(src), "-e", "EX", "--region", "MA", "-q"]
                if args.compare:
                    results.setdefault(f"other {name}", []).append(
                        run(cmd, tmp / "other.jsonl", env={"PYTHONPATH": args.compare}))
                results.setdefault(f"fkit {name}", []).append(run(cmd, tmp / "out.jsonl"))
            print(f"round {rnd + 1}: load {os.getloadavg()[0]:.1f}; " + "; ".join(
                f"{k} {v[-1][0]:.2f} s wall / {v[-1][1]:.2f} s CPU" for k, v in results.items()))
        with open(tmp / "out.jsonl", "rb") as f:
            for line in f:
                k = json.loads(line)["kind"]
                kinds[k] = kinds.get(k, 0) + 1
        base_w = _median([x[0] for x in results["sqlite3"]])
        base_c = _median([x[1] for x in results["sqlite3"]])
        print(f"medians of {args.rounds} rounds (ratios to the sqlite3 -json floor, wall / CPU):")
        for k, v in results.items():
            w, c = _median([x[0] for x in v]), _median([x[1] for x in v])
            print(f"  {k:12s} wall {w:7.2f} s  CPU {c:7.2f} s  peak RSS {max(x[2] for x in v):4d} MiB  "
                  f"exit {v[-1][3]}  ratio {w / base_w:5.1f}x wall, {c / base_c:5.1f}x CPU")
        print(f"fkit records: {json.dumps(kinds, sort_keys=True)}")
        print(f"load after: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
