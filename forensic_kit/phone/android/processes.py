"""``ps`` output (androidqf ``ps.txt``, ``ps -A``): one record per running process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.phone.xmlutil import UnsupportedFormat
from forensic_kit.records import Record

HEADER = ("USER", "PID", "PPID")


def _int(text: str) -> int | str:
    return int(text) if text.isdigit() else text


class Processes(FileParser):
    """``USER PID PPID VSZ RSS WCHAN ADDR S NAME`` rows → ``phone.process``."""

    NAME = "android_processes"
    VERSION = "1"
    KIND = "phone.process"
    PLATFORM = "android"
    FILENAMES = ("ps.txt",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        with open_evidence(path, text=True) as f:
            header = f.readline().split()
            if tuple(header[:3]) != HEADER:
                raise UnsupportedFormat(f"{logical}: first line is not a 'USER PID PPID ...' ps header")
            for n, line in enumerate(f, 2):
                cols = line.split(None, len(header) - 1)
                if len(cols) < len(header):
                    continue
                row = dict(zip(header, cols))
                yield self.record(ctx, {"path": logical, "line": n}, user=row["USER"], pid=_int(row["PID"]),
                                  ppid=_int(row["PPID"]), vsz=_int(row.get("VSZ", "")), rss=_int(row.get("RSS", "")),
                                  state=row.get("S"), command=cols[-1].strip())
