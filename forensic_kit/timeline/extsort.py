"""External sort of byte lines: sorted runs spilled to temporary files, then one k-way merge.

Memory stays near ``budget`` bytes whatever the input size (the spill files live in a private
temporary folder removed at the end, even on error). Lines compare as bytes, like
``LC_ALL=C sort``; exact duplicate lines are counted and dropped when ``unique`` is set.
"""

from __future__ import annotations

import heapq
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

DEFAULT_BUDGET = 192 * 1024 * 1024
"""Bytes of lines held in memory before a sorted run is spilled (Python's per-line cost included)."""

_PER_LINE = 57
"""CPython's cost of one ``bytes`` object and its list slot beyond the data itself."""


@dataclass
class SortStats:
    """Lines in, lines out, duplicates dropped, runs spilled."""

    lines: int = 0
    written: int = 0
    duplicates: int = 0
    runs: int = 0


def _spill(chunk: list[bytes], folder: str, n: int) -> str:
    chunk.sort()
    path = os.path.join(folder, f"run-{n:05d}")
    with open(path, "wb", buffering=1 << 20) as f:
        f.writelines(chunk)
    return path


def sort_lines(lines: Iterable[bytes], budget: int = DEFAULT_BUDGET, unique: bool = True,
               tmpdir: str | None = None, stats: SortStats | None = None) -> Iterator[bytes]:
    """``lines`` (each ending in ``\\n``) in byte order, holding at most about ``budget`` bytes."""
    st = stats if stats is not None else SortStats()
    with tempfile.TemporaryDirectory(prefix="fkit-sort-", dir=tmpdir) as folder:
        chunk: list[bytes] = []
        size = 0
        runs: list[str] = []
        for line in lines:
            chunk.append(line)
            size += len(line) + _PER_LINE
            if size >= budget:
                runs.append(_spill(chunk, folder, len(runs)))
                chunk = []
                size = 0
        if not runs:
            chunk.sort()
            merged: Iterator[bytes] = iter(chunk)
            yield from _emit(merged, unique, st)
            return
        if chunk:
            runs.append(_spill(chunk, folder, len(runs)))
            chunk = []
        st.runs = len(runs)
        files: list[IO[bytes]] = [open(r, "rb", buffering=1 << 20) for r in runs]
        try:
            yield from _emit(heapq.merge(*files), unique, st)
        finally:
            for f in files:
                f.close()


def _emit(lines: Iterator[bytes], unique: bool, st: SortStats) -> Iterator[bytes]:
    prev = None
    for line in lines:
        st.lines += 1
        if unique and line == prev:
            st.duplicates += 1
            continue
        prev = line
        st.written += 1
        yield line
