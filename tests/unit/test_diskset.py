"""``DiskSet``: a set of byte strings on disk (the custody annex's left-over payload paths)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from forensic_kit.diskset import DiskSet


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=20)), st.lists(st.binary(min_size=0, max_size=20)))
def test_it_behaves_as_a_python_set(added: list[bytes], removed: list[bytes]) -> None:
    model = set(added)
    with DiskSet(added) as ds:
        assert len(ds) == len(model) and bool(ds) == bool(model)
        for item in removed + added[:3]:
            assert (item in ds) == (item in model)
            assert ds.discard(item) == (item in model)
            model.discard(item)
            assert len(ds) == len(model)
        ds.add(b"x")
        ds.add(b"x")
        model.add(b"x")
        assert len(ds) == len(model) and b"x" in ds


def test_memory_does_not_grow_with_the_set() -> None:
    """A million 16-byte keys (a Python set would take ~75 MB) leave peak RSS within a few MB; run
    in a fresh process, so the peak is this set's and not an earlier test's."""
    code = """
import os, resource
from forensic_kit.diskset import DiskSet
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with DiskSet(os.urandom(16) for _ in range(1_000_000)) as ds:
    assert len(ds) == 1_000_000
    assert sum(ds.discard(os.urandom(16)) for _ in range(1000)) == 0
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
    grown_kb = int(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True).stdout)
    assert grown_kb < 8 * 1024, grown_kb
