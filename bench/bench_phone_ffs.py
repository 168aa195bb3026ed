"""Benchmark ``fkit phone`` on a generated Android full-file-system extraction (issue 15).

500,000 messages across six apps (SMS, WhatsApp, Viber, IMO, Telegram, Facebook Messenger) in
their published schemas, under ``data/data/<package>/databases/``, plus optional padding files
(``--pad-mb``: photos-sized random files, to approach the issue's 2 GB) — as a folder and as a zip.
Floor: the ``sqlite3`` shell dumping the same tables (``-json``) of the same databases. One round
each (the machine is shared); wall time and peak RSS from ``wait4``.

    .venv/bin/python bench/bench_phone_ffs.py [--messages 500000] [--pad-mb 0] [--zip]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
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


def run(cmd: list[str], out: Path) -> tuple[float, int, int]:
    with open(out, "wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500_000)
    ap.add_argument("--pad-mb", type=int, default=0)
    ap.add_argument("--zip", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fkit-bench-ffs-"))
    try:
        root = tmp / "ffs"
        floor = generate(root, args.messages, args.pad_mb)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(f"data: {args.messages} messages in 6 apps; {size / 1e6:.0f} MB on disk; load {os.getloadavg()[0]:.1f}")
        fl_wall = 0.0
        fl_rss = 0
        for db, queries in floor.items():
            wall, rss, code = run(["sqlite3", "-json", db, *queries], tmp / "floor.json")
            fl_wall += wall
            fl_rss = max(fl_rss, rss)
        print(f"floor sqlite3 -json (6 databases): {fl_wall:.2f} s, peak RSS {fl_rss} MiB")
        sources = [("folder", root)]
        if args.zip:
            z = tmp / "ffs.zip"
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                for p in sorted(root.rglob("*")):
                    if p.is_file():
                        zf.write(p, p.relative_to(root).as_posix())
            sources.append(("zip", z))
        for name, src in sources:
            wall, rss, code = run([*FKIT, "phone", str(src), "-e", "EX", "--region", "MA", "-q"], tmp / "out.jsonl")
            with open(tmp / "out.jsonl", "rb") as f:
                kinds: dict[str, int] = {}
                for line in f:
                    k = json.loads(line)["kind"]
                    kinds[k] = kinds.get(k, 0) + 1
            print(f"fkit phone ({name}): {wall:.2f} s, peak RSS {rss} MiB, exit {code}, "
                  f"ratio to floor {wall / fl_wall:.1f}x; records {json.dumps(kinds, sort_keys=True)}")
        print(f"load after: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
