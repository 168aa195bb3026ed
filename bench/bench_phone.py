"""Benchmark ``fkit phone`` on a generated mmssms.db (100,000 SMS) + contacts2.db (20,000 contacts).

Peer: the ``sqlite3`` command-line shell exporting the same rows as JSON (``sqlite3 -json``), the
floor any SQLite-based triage tool has to pay. Each tool runs in a fresh process, several rounds;
wall time and peak RSS (``wait4``) are printed with the ratio. Memory flatness: the same run at
10,000 and 100,000 messages.

    .venv/bin/python bench/bench_phone.py [--rounds 3] [--messages 100000] [--contacts 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FKIT = [sys.executable, "-m", "forensic_kit"]

MMSSMS = """
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER, date INTEGER,
  date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1, type INTEGER,
  reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT, locked INTEGER DEFAULT 0,
  error_code INTEGER DEFAULT 0, seen INTEGER DEFAULT 0);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER, msg_box INTEGER, sub TEXT,
  m_type INTEGER, read INTEGER);
CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, address TEXT, type INTEGER);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, ct TEXT, text TEXT);
"""
CONTACTS2 = """
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL);
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, deleted INTEGER NOT NULL DEFAULT 0,
  times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0,
  display_name TEXT);
CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype_id INTEGER NOT NULL, raw_contact_id INTEGER NOT NULL,
  data1 TEXT, data2 TEXT);
CREATE INDEX data_raw_contact_id ON data (raw_contact_id);
INSERT INTO mimetypes VALUES (1, 'vnd.android.cursor.item/email_v2'), (5, 'vnd.android.cursor.item/phone_v2');
"""
WORDS = ("salam", "demain", "port", "voiture", "ok", "appelle-moi", "la route", "6h", "inchallah", "argent", "bateau")


def generate(folder: Path, messages: int, contacts: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    folder.mkdir(parents=True)
    peers = [f"06{rnd.randrange(10**8):08d}" for _ in range(800)]
    conn = sqlite3.connect(folder / "mmssms.db")
    conn.executescript(MMSSMS)
    t0 = 1_690_000_000_000
    conn.executemany("INSERT INTO sms (_id, thread_id, address, date, date_sent, read, type, body, seen) "
                     "VALUES (?,?,?,?,?,?,?,?,?)",
                     ((i, i % 800, peers[i % 800], t0 + i * 37_000, t0 + i * 37_000 - 900, 1, 1 + i % 2,
                       " ".join(rnd.choice(WORDS) for _ in range(8)), 1) for i in range(1, messages + 1)))
    conn.commit()
    conn.close()
    conn = sqlite3.connect(folder / "contacts2.db")
    conn.executescript(CONTACTS2)
    conn.executemany("INSERT INTO raw_contacts VALUES (?,?,?,?,?,?)",
                     ((i, 0, i % 9, t0 + i, 0, f"Contact {i}") for i in range(1, contacts + 1)))
    rows = []
    for i in range(1, contacts + 1):
        rows.append((5, i, f"+2126{i:08d}", "2"))
        if i % 3 == 0:
            rows.append((5, i, f"0{i % 10}{i:08d}", "1"))
        if i % 2 == 0:
            rows.append((1, i, f"c{i}@example.org", "1"))
    conn.executemany("INSERT INTO data (mimetype_id, raw_contact_id, data1, data2) VALUES (?,?,?,?)", rows)
    conn.commit()
    conn.close()


def run(cmd: list[str], stdout_path: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB) and exit code of one fresh process."""
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def peer_cmd(folder: Path) -> list[str]:
    script = (f"ATTACH '{folder / 'mmssms.db'}' AS m; ATTACH '{folder / 'contacts2.db'}' AS c; "
              "SELECT _id, address, date, date_sent, type, body, read, seen, thread_id FROM m.sms ORDER BY _id; "
              "SELECT r._id, r.display_name, (SELECT group_concat(data1, char(31)) FROM c.data d "
              "WHERE d.raw_contact_id = r._id AND d.mimetype_id = 5), (SELECT group_concat(data1, char(31)) "
              "FROM c.data d WHERE d.raw_contact_id = r._id AND d.mimetype_id = 1) FROM c.raw_contacts r ORDER BY r._id;")
    return ["sqlite3", "-json", ":memory:", script]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--contacts", type=int, default=20_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fkit-bench-phone-"))
    try:
        big = tmp / "big"
        small = tmp / "small"
        generate(big, args.messages, args.contacts)
        generate(small, args.messages // 10, args.contacts // 10)
        print(f"data: {args.messages} SMS + {args.contacts} contacts; "
              f"{sum(p.stat().st_size for p in big.iterdir()) / 1e6:.1f} MB")
        fk_cmd = [*FKIT, "phone", str(big), "--exhibit", "EX-B", "--region", "MA", "--quiet"]
        results: dict[str, list[tuple[float, int]]] = {"fkit": [], "sqlite3 -json": []}
        lines = 0
        for _ in range(args.rounds):
            for name, cmd in (("fkit", fk_cmd), ("sqlite3 -json", peer_cmd(big))):
                wall, rss, code = run(cmd, tmp / "out.jsonl")
                if code not in (0,):
                    raise SystemExit(f"{name} exited {code}")
                results[name].append((wall, rss))
                if name == "fkit":
                    with open(tmp / "out.jsonl", "rb") as f:
                        lines = sum(1 for _ in f)
        fk = min(w for w, _ in results["fkit"])
        peer = min(w for w, _ in results["sqlite3 -json"])
        for name, res in results.items():
            print(f"{name:14s} best {min(w for w, _ in res):6.2f} s  median {sorted(w for w, _ in res)[len(res) // 2]:6.2f} s"
                  f"  peak RSS {max(r for _, r in res) / 1024:7.1f} MiB")
        print(f"fkit records: {lines}; ratio fkit/sqlite3 = {fk / peer:.1f}x; budget 5 s: {'OK' if fk <= 5 else 'OVER'}")
        small_rss = run([*FKIT, "phone", str(small), "-e", "EX-S", "--region", "MA", "-q"], tmp / "s.jsonl")[1]
        big_rss = max(r for _, r in results["fkit"])
        print(f"memory: peak RSS {small_rss / 1024:.1f} MiB at 1/10 size vs {big_rss / 1024:.1f} MiB at full size "
              f"(x{big_rss / small_rss:.2f} for x10 rows)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
