"""Reading command inputs: path arguments, or ``-`` for paths / fkit records on stdin."""

from __future__ import annotations

import os
from collections.abc import Iterator

from forensic_kit import jsonl, names
from forensic_kit.cli import console
from forensic_kit.filehash import WorkItem, walk


def _stdin_items(nul: bool, follow: bool) -> Iterator[WorkItem]:
    stream = console.stdin_bytes()
    if nul:
        data = stream.read()
        for part in data.split(b"\0"):
            if part:
                yield from walk([part], follow)
        return
    for lineno, line in enumerate(stream, 1):
        line = line.rstrip(b"\n")
        if not line.strip():
            continue
        if jsonl.is_record_line(line):
            rec = jsonl.loads(line, "stdin", lineno)
            try:
                path = names.raw_path(rec)
            except ValueError:
                path = b""  # a record without a path (a phone contact...) passes through untouched
            yield WorkItem(path, os.path.dirname(path) or b".", record=rec)
        else:
            yield from walk([line], follow)


def work_items(paths: list[str], nul: bool = False, follow: bool = False) -> Iterator[WorkItem]:
    """Work items for the given path arguments; ``-`` reads stdin (paths, NUL-separated paths,
    or fkit JSON records)."""
    for p in paths:
        if p == "-":
            yield from _stdin_items(nul, follow)
        else:
            yield from walk([os.fsencode(p)], follow)
