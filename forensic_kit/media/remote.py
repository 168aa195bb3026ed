"""``fkit meta --cluster``: a batch of files parsed on a Dask worker, exactly as a local run does.

The local run's guarantees (a time budget per file by ``SIGALRM``, a memory limit per parsing
process, a native crash confined to its file) need a process of fkit's own: a Dask worker runs
tasks in threads, where neither a signal nor an address-space limit can be set for one task, and a
nanny's worker may not fork. So each task starts ``python -m forensic_kit.media.remote`` (a fresh
process, never a fork of the threaded worker), which runs :func:`media_records` on the batch and
answers its records; the task costs that process's start (measured in docs/lab.md).
"""

from __future__ import annotations

import pickle
from collections import deque
import subprocess
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from forensic_kit.errors import FkitError
from forensic_kit.filehash import WorkItem
from forensic_kit.lab.spot import SpotChecker
from forensic_kit.media.runner import MetaOptions, media_records
from forensic_kit.records import Record

CLUSTER_BATCH = 256
"""Files per cluster task: the start of a parsing process is spread over many files."""


def meta_batch(items: list[WorkItem], options: MetaOptions) -> list[Record]:
    """A cluster task: the records of ``items`` (:func:`media_records` in a fresh process)."""
    budget = options.timeout_s * (len(items) + 1) * 2 + 120
    try:
        done = subprocess.run([sys.executable, "-m", "forensic_kit.media.remote"], input=pickle.dumps((items, options)),
                              capture_output=True, timeout=budget, check=False)
    except subprocess.TimeoutExpired:
        raise FkitError(f"a cluster worker's metadata batch ran past {budget:.0f} s") from None
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise FkitError(f"a cluster worker's metadata process failed (exit {done.returncode}): {tail[0]}")
    records: list[Record] = pickle.loads(done.stdout)
    return records


def media_records_on(client: Any, items: Iterable[WorkItem], options: MetaOptions,
                     spot: SpotChecker | None = None) -> Iterator[Record]:
    """:func:`media_records` on a Dask cluster: the same records, in the same order. ``spot``
    keeps a sample of each worker's answers, to parse again here (``SpotChecker.check_meta``)."""
    from forensic_kit.lab.cluster import absolute_items, batched, ordered_map

    sent: deque[list[WorkItem]] = deque()

    def tasks() -> Iterator[tuple[list[WorkItem], MetaOptions]]:
        for batch in batched(absolute_items(items), CLUSTER_BATCH):
            sent.append(batch)
            yield batch, options

    for who, recs in ordered_map(client, meta_batch, tasks(), "fkit-meta"):
        batch = sent.popleft()
        if spot is not None and len(recs) == len(batch):  # one record per item
            spot.add_pairs(who, list(zip(batch, recs)))
        yield from recs


def main() -> None:
    """The parsing process: a pickled ``(items, options)`` on stdin, the pickled records on stdout."""
    items, options = pickle.loads(sys.stdin.buffer.read())
    records = list(media_records(items, options, 1))
    sys.stdout.buffer.write(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
