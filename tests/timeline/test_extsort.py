"""External sort: same answer as an in-memory sort, with spills, duplicates counted."""

from __future__ import annotations

import os
import random
from pathlib import Path

from forensic_kit.timeline import extsort


def test_spilled_runs_merge_to_the_sorted_order(tmp_path: Path) -> None:
    rng = random.Random(5)
    lines = [f"{rng.randrange(10**6):07d} {'x' * rng.randrange(40)}\n".encode() for _ in range(20000)]
    st = extsort.SortStats()
    out = list(extsort.sort_lines(iter(lines), budget=64 * 1024, unique=False, tmpdir=str(tmp_path), stats=st))
    assert out == sorted(lines)
    assert st.runs > 10 and st.written == 20000
    assert os.listdir(tmp_path) == []  # spill files removed


def test_duplicates_dropped_and_counted(tmp_path: Path) -> None:
    lines = [b"b\n", b"a\n", b"b\n", b"c\n", b"a\n"]
    st = extsort.SortStats()
    assert list(extsort.sort_lines(lines, budget=10, tmpdir=str(tmp_path), stats=st)) == [b"a\n", b"b\n", b"c\n"]
    assert (st.lines, st.written, st.duplicates) == (5, 3, 2)


def test_spill_folder_removed_on_error(tmp_path: Path) -> None:
    def boom():  # type: ignore[no-untyped-def]
        yield from (b"%d\n" % i for i in range(1000))
        raise OSError("disk gone")

    try:
        list(extsort.sort_lines(boom(), budget=1024, tmpdir=str(tmp_path)))
    except OSError:
        pass
    assert os.listdir(tmp_path) == []
