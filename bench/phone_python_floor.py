"""The Python floor of ``bench_phone_ffs.py``: the floor's queries, each row made a dict and written as
one JSON line with orjson, nothing else (stdlib and orjson only, so start-up is Python's own).

    python bench/phone_python_floor.py FLOOR_JSON > out.jsonl
"""

from __future__ import annotations

import json
import sqlite3
import sys

import orjson


def main(floor_file: str) -> None:
    """Dump every row of the floor's queries (``{database: [SELECT, ...]}``) as JSON lines to stdout."""
    with open(floor_file, encoding="utf-8") as f:
        floor = json.load(f)
    out = sys.stdout.buffer
    for db, queries in floor.items():
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        for q in queries:
            cur = conn.execute(q)
            cols = [d[0] for d in cur.description]
            for row in cur:
                out.write(orjson.dumps(dict(zip(cols, row))) + b"\n")
        conn.close()


if __name__ == "__main__":
    main(sys.argv[1])
