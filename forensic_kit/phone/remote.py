"""``fkit phone --cluster``: one phone source triaged on a Dask worker, one task per source.

A source (extraction folder, archive, backup, disk image) is read where it lies on the mount every
worker sees; the worker answers the JSON Lines a local run writes (compressed) and the run's
summary, so the client writes the same bytes. A Joint Action Day runs one ``fkit phone`` per phone,
all sharing the lab's workers.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit import jsonl
from forensic_kit.phone.triage import Summary, Triage


def triage_task(source: str, exhibit: str | None, region: str | None, watchlist: Any, extract_to: str | None,
                backup_password: str | None, hash_media: tuple[str, ...] = ()) -> tuple[bytes, Summary]:
    """A cluster task: the triage of ``source`` as zlib-compressed JSON Lines, and its summary."""
    run = Triage(Path(source), exhibit=exhibit, region=region, watchlist=watchlist,
                 extract_to=Path(extract_to) if extract_to else None, backup_password=backup_password,
                 hash_media=hash_media)
    comp = zlib.compressobj(1)
    parts = [comp.compress(jsonl.fast_dump_bytes(rec)) for rec in run.records()]
    parts.append(comp.flush())
    return b"".join(parts), run.summary


def triage_on(client: Any, source: Path, exhibit: str | None, region: str | None, watchlist: Any,
              extract_to: Path | None, backup_password: str | None,
              hash_media: tuple[str, ...] = ()) -> tuple[Iterator[bytes], Summary]:
    """The record lines of ``source`` triaged on the cluster, and the run's summary."""
    from forensic_kit.lab.cluster import absolute, ordered_map

    absolute(source)
    if extract_to is not None:
        absolute(extract_to)
    args = (str(source), exhibit, region, watchlist, str(extract_to) if extract_to else None, backup_password,
            hash_media)
    (_who, (blob, summary)), = list(ordered_map(client, triage_task, [args], "fkit-phone"))

    def lines() -> Iterator[bytes]:
        d = zlib.decompressobj()
        rest = b""
        for i in range(0, len(blob), 1 << 20):
            rest += d.decompress(blob[i:i + (1 << 20)])
            *whole, rest = rest.split(b"\n")
            for line in whole:
                yield line + b"\n"
        rest += d.flush()
        if rest:
            yield rest

    return lines(), summary
