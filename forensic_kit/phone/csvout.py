"""``--csv DIR``: one CSV file per record kind (nested fields flattened with dots)."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import IO, Any

from forensic_kit.records import Record

SKIP = ("schema",)


def flatten(rec: Record, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``; lists become JSON text."""
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if not prefix and key in SKIP:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            out[name] = value
    return out


class CsvWriter:
    """Collects records per kind in spool files, then writes ``<kind>.csv`` with every column seen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._spools: dict[str, IO[str]] = {}
        self._columns: dict[str, dict[str, None]] = {}

    def add(self, rec: Record) -> None:
        """Spool one record."""
        kind = str(rec.get("kind", "unknown"))
        flat = flatten(rec)
        cols = self._columns.setdefault(kind, {})
        for k in flat:
            cols.setdefault(k, None)
        spool = self._spools.get(kind)
        if spool is None:
            spool = self._spools[kind] = tempfile.TemporaryFile("w+", encoding="utf-8")
        spool.write(json.dumps(flat, ensure_ascii=False) + "\n")

    def close(self) -> list[Path]:
        """Write the CSV files; return their paths."""
        self.folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for kind, spool in sorted(self._spools.items()):
            path = self.folder / f"{kind.replace('.', '_')}.csv"
            cols = list(self._columns[kind])
            spool.seek(0)
            with open(path, "w", encoding="utf-8", newline="") as f:
                w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
                w.writeheader()
                for line in spool:
                    w.writerow(json.loads(line))
            spool.close()
            written.append(path)
        return written
