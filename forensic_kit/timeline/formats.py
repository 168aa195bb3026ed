"""Timeline output besides JSON Lines: CSV, and body files that sleuthkit's ``mactime`` reads.

Body file (TSK 3.x): ``MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime``, times in
whole seconds since 1970 UTC. An ``fs.entry`` record gives one line with its four times, as
``fls -m`` does; a ``file`` record one line with its file-system times; every other event one
line with its time in all four columns (``mactime`` shows ``macb``: "the event's time") and
``[exhibit] event: what`` as the name. Events
whose zone is unknown cannot go into a body file: the caller counts them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from forensic_kit.records import Record
from forensic_kit.timeline import times

CSV_COLUMNS = ("time", "origin", "local", "offset", "zone_assumed", "exhibit", "event", "what", "source")

_FS_COLUMN = {"fs.accessed": 0, "fs.modified": 1, "fs.changed": 2, "fs.born": 3,
              "file.atime": 0, "file.mtime": 1, "file.ctime": 2, "file.btime": 3}


def csv_header() -> str:
    """The CSV header line."""
    return ",".join(CSV_COLUMNS) + "\r\n"


def csv_line(ev: Record) -> str:
    """One event as a CSV line (``source`` as compact JSON)."""
    buf = io.StringIO()
    row: list[Any] = [ev.get(c) for c in CSV_COLUMNS[:-1]]
    row.append(json.dumps(ev.get("source"), ensure_ascii=False, separators=(",", ":")))
    csv.writer(buf).writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _clean(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def body_lines(rec: Record, evs: Iterable[Record]) -> list[str]:
    """Body-file lines for one record and the (already filtered) events made from it."""
    kind = rec.get("kind")
    placed = [e for e in evs if e.get("time")]
    if kind in ("fs.entry", "file"):
        fs_evs = [e for e in placed if e["event"] in _FS_COLUMN]
        other = [e for e in placed if e["event"] not in _FS_COLUMN]
        lines = []
        if fs_evs:
            cols = [0, 0, 0, 0]
            for e in fs_evs:
                cols[_FS_COLUMN[e["event"]]] = times.epoch_seconds(e["time"])
            lines.append(_fs_line(rec, cols))
        return lines + [_event_line(e) for e in other]
    return [_event_line(e) for e in placed]


def _fs_line(rec: Record, cols: list[int]) -> str:
    if rec.get("kind") == "fs.entry":
        name = str(rec.get("path"))
        if rec.get("deleted"):
            name += " (deleted)"
        mode = f"{rec.get('name_type') or '-'}/{rec.get('mode') or '----------'}"
        inode = rec.get("inode") or 0
        uid, gid = rec.get("uid") or 0, rec.get("gid") or 0
        md5 = "0"
    else:
        name = f"[{rec.get('exhibit') or ''}] {rec.get('path')}"
        mode, inode, uid, gid = "r/----------", 0, 0, 0
        md5 = str((rec.get("hashes") or {}).get("md5") or "0")
    size = rec.get("size") or 0
    return f"{md5}|{_clean(name)}|{inode}|{mode}|{uid}|{gid}|{size}|{cols[0]}|{cols[1]}|{cols[2]}|{cols[3]}\n"


def _event_line(e: Record) -> str:
    name = f"[{e.get('exhibit') or ''}] {e.get('event')}: {e.get('what')}"
    t = times.epoch_seconds(e["time"])
    return f"0|{_clean(name)}|0|-/----------|0|0|0|{t}|{t}|{t}|{t}\n"
