"""A whole timeline run: inputs → events → filters → external sort → JSONL / CSV / body lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from forensic_kit import jsonl
from forensic_kit.records import Record
from forensic_kit.timeline import events, extsort, formats, sources, times
from forensic_kit.timeline.chart import DayCounts

FORMATS = ("jsonl", "csv", "body")
_CANON = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z",')


@dataclass
class Filters:
    """``--from``/``--to`` (canonical UTC texts), ``--exhibit`` and ``--kind`` (event-name prefixes)."""

    start: str | None = None
    end: str | None = None
    exhibits: frozenset[str] = frozenset()
    kinds: tuple[str, ...] = ()

    def keeps(self, ev: Record) -> bool:
        """True if the event passes every filter (zone-unknown events fail any time bound)."""
        t = ev.get("time")
        if self.start or self.end:
            if not isinstance(t, str):
                return False
            if (self.start and t < self.start) or (self.end and t > self.end):
                return False
        if self.exhibits and str(ev.get("exhibit")) not in self.exhibits:
            return False
        if self.kinds:
            name = str(ev.get("event"))
            return any(name == k or name.startswith(k + ".") for k in self.kinds)
        return True

    @property
    def time_only(self) -> bool:
        """True when only time bounds apply (event lines can then be kept without parsing)."""
        return not self.exhibits and not self.kinds


@dataclass
class Summary:
    """What a run did, for the one-line report and the exit code."""

    stats: events.Stats
    sort: extsort.SortStats = field(default_factory=extsort.SortStats)
    bad: list[sources.BadLine] = field(default_factory=list)
    kept: int = 0
    filtered_out: int = 0
    passed_through: int = 0
    body_unplaced: int = 0


class Timeline:
    """One timeline run over ``paths`` (files, ``-``), with filters and an optional assumed zone."""

    def __init__(self, paths: list[str], stdin: IO[bytes] | None, filters: Filters,
                 assume_zone: str | None = None, budget: int = extsort.DEFAULT_BUDGET,
                 tmpdir: str | None = None) -> None:
        self.paths = paths
        self.stdin = stdin
        self.filters = filters
        self.extractor = events.Extractor(assume_zone)
        self.fast = filters.time_only and assume_zone is None
        self.budget = budget
        self.tmpdir = tmpdir
        self.summary = Summary(self.extractor.stats)

    def _event_lines(self) -> Iterator[bytes]:
        prefix = events.LINE_PREFIX
        start = len(prefix)
        f = self.filters
        bounded = bool(f.start or f.end)
        for where, stream in sources.streams(self.paths, self.stdin):
            lineno = 0
            for data in stream:
                lineno += 1
                if (self.fast and data.startswith(prefix) and data.endswith(b"}\n")
                        and (data[start:start + 5] == b"null," or _CANON.match(data, start))):
                    # already an event line: its time is at a fixed place, no JSON parse needed
                    self.summary.passed_through += 1
                    if bounded:
                        t = data[start + 1:start + 31].decode("ascii") if data[start:start + 1] == b'"' else None
                        if t is None or (f.start and t < f.start) or (f.end and t > f.end):
                            self.summary.filtered_out += 1
                            continue
                    self.summary.kept += 1
                    yield data
                    continue
                if not data.strip():
                    continue
                rec = sources.parse(sources.Line(data, where, lineno))
                if isinstance(rec, sources.BadLine):
                    self.summary.bad.append(rec)
                    continue
                if rec.get("kind") == events.KIND and not events.well_formed(rec):
                    self.summary.bad.append(sources.BadLine(where, lineno, "timeline.event without a canonical UTC time"))
                    continue
                for ev in self.extractor.events(rec, where):
                    if f.keeps(ev):
                        self.summary.kept += 1
                        yield jsonl.dump_bytes(ev)
                    else:
                        self.summary.filtered_out += 1

    def jsonl(self, chart: DayCounts | None = None) -> Iterator[bytes]:
        """Sorted event lines (byte order = time order; zone-unknown events last); ``chart`` counts them."""
        lines = extsort.sort_lines(self._event_lines(), self.budget, True, self.tmpdir, self.summary.sort)
        if chart is None:
            return lines
        return _counted(lines, chart)

    def csv(self, chart: DayCounts | None = None) -> Iterator[bytes]:
        """A CSV header, then the sorted events as CSV rows."""
        yield formats.csv_header().encode("utf-8")
        for line in self.jsonl(chart):
            yield formats.csv_line(json.loads(line)).encode("utf-8")

    def body(self) -> Iterator[bytes]:
        """Body-file lines (unsorted: ``mactime`` sorts); events without a UTC time are counted."""
        f = self.filters
        for line in sources.lines(self.paths, self.stdin):
            rec = sources.parse(line)
            if isinstance(rec, sources.BadLine):
                self.summary.bad.append(rec)
                continue
            evs = []
            for ev in self.extractor.events(rec, line.where):
                if not f.keeps(ev):
                    self.summary.filtered_out += 1
                elif not ev.get("time"):
                    self.summary.body_unplaced += 1
                else:
                    evs.append(ev)
            self.summary.kept += len(evs)
            if evs:
                yield "".join(formats.body_lines(rec, evs)).encode("utf-8")


def _counted(lines: Iterator[bytes], chart: DayCounts) -> Iterator[bytes]:
    for line in lines:
        ev = json.loads(line)
        chart.add(ev.get("time"), ev.get("exhibit"))
        yield line


def make_filters(start: str | None, end: str | None, exhibits: list[str] | None,
                 kinds: list[str] | None) -> Filters:
    """Filters from option values (dates or zoned times; ``--to`` a bare date means the whole day)."""
    s = times.bound(start) if start else None
    e = None
    if end:
        e = times.bound(end)
        if len(end.strip()) == 10:
            e = e[:11] + "23:59:59.999999999Z"
    return Filters(s, e, frozenset(exhibits or ()), tuple(kinds or ()))
