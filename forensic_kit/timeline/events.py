"""fkit records → ``timeline.event`` records: one per timed fact, with origin and source locator.

Families read here: ``file`` records (file-system times of ``hash``/``acquire``, and the
``media`` block of ``meta``: capture/digitised/modified times and the GPS time), ``fs.entry``
records of ``fs ls`` (MACB), every ``phone.*`` record (any top-level field holding a decoded time
``{"utc", "raw", "format"}``: messages, calls, app installs, Wi-Fi, browser visits...), custody
ledger events (``fkit.custody/1``), money records and existing ``timeline.event`` records
(merged as they are). A time text the source left undecoded is counted, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from forensic_kit.records import Record, new_record
from forensic_kit.timeline import times

NAME = "timeline"
VERSION = "1"
KIND = "timeline.event"
LINE_PREFIX = b'{"schema":"fkit.record/1","kind":"timeline.event","time":'
"""Every event line starts with these bytes, so byte order of lines is time order."""

_FILE_TIMES = ("mtime", "atime", "ctime", "btime")
_FS_TIMES = {"modified": "m", "accessed": "a", "changed": "c", "born": "b"}
_SKIP_KINDS = {"phone.link", "phone.watchlist_hit", "phone.source", "error", "warning", "audit"}
_MAX_TEXT = 120


@dataclass
class Stats:
    """What an extraction saw: events made, records without any time, undecoded time texts."""

    events: int = 0
    records: int = 0
    undated_records: int = 0
    undecoded: dict[str, int] = field(default_factory=dict)
    unknown_zone: int = 0


def _short(text: Any) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= _MAX_TEXT else s[: _MAX_TEXT - 1] + "…"


def _event(time_value: str | None, origin: str, local: str | None, offset: str | None,
           zone_assumed: str | None, exhibit: Any, event: str, what: str, source: dict[str, Any],
           **extra: Any) -> Record:
    return new_record(KIND, NAME, VERSION, time=time_value, origin=origin, local=local, offset=offset,
                      zone_assumed=zone_assumed, exhibit=exhibit, event=event, what=what, source=source, **extra)


def _from_text(text: str, assumed: str | None, zone: tzinfo | None, zone_name: str | None
               ) -> tuple[str | None, str, str | None, str | None] | None:
    """(time, origin, offset, zone_assumed) of a time text; ``assumed``: a zone the producer assumed."""
    p = times.parse(text)
    if p is None:
        return None
    if p.offset is not None:
        utc = times.to_utc(p)
        if assumed:
            return utc, times.ASSUMED_ZONE, None, assumed
        if p.offset.total_seconds() == 0 and text.rstrip().endswith("Z"):
            return utc, times.UTC, None, None
        off = text.strip()[-6:] if text.strip()[-6] in "+-" else None
        return utc, times.RECORDED_OFFSET, off, None
    if zone is not None:
        return times.to_utc(p, zone), times.ASSUMED_ZONE, None, zone_name
    return None, times.UNKNOWN_ZONE, None, None


_CANON = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


def well_formed(ev: Record) -> bool:
    """True if a ``timeline.event`` record's time is null or canonical UTC (so it sorts right)."""
    t = ev.get("time")
    return t is None or (isinstance(t, str) and bool(_CANON.match(t)))


class Extractor:
    """Turns records into events; ``assume_zone`` (``±HH:MM``, IANA name) places zone-less times."""

    def __init__(self, assume_zone: str | None = None) -> None:
        self.zone = times.zone(assume_zone) if assume_zone else None
        self.zone_name = assume_zone
        self.stats = Stats()

    def events(self, rec: Record, where: str | None = None) -> Iterator[Record]:
        """The events of one record (``where``: the file it came from, for custody lines)."""
        self.stats.records += 1
        before = self.stats.events
        for ev in self._events(rec, where):
            if ev.get("origin") == times.UNKNOWN_ZONE:
                self.stats.unknown_zone += 1
            self.stats.events += 1
            yield ev
        if self.stats.events == before:
            self.stats.undated_records += 1

    def _events(self, rec: Record, where: str | None) -> Iterator[Record]:
        kind = str(rec.get("kind") or "")
        if kind == KIND:
            yield self._rezone(rec)
        elif str(rec.get("schema") or "").startswith("fkit.custody/"):
            yield from self._custody(rec, where)
        elif kind == "file":
            yield from self._file(rec)
        elif kind == "fs.entry":
            yield from self._fs_entry(rec)
        elif kind.startswith("money."):
            yield from self._money(rec)
        elif kind not in _SKIP_KINDS:
            yield from self._decoded_times(rec, kind)

    def _text_event(self, text: Any, assumed: str | None, exhibit: Any, event: str, what: str,
                    source: dict[str, Any], **extra: Any) -> Iterator[Record]:
        if not isinstance(text, str) or not text:
            return
        got = _from_text(text, assumed, self.zone, self.zone_name)
        if got is None:
            self.stats.undecoded[event] = self.stats.undecoded.get(event, 0) + 1
            return
        utc, origin, off, zassumed = got
        yield _event(utc, origin, text, off, zassumed, exhibit, event, what, source, **extra)

    def _rezone(self, ev: Record) -> Record:
        ev = {"schema": ev.get("schema"), "kind": KIND, "time": ev.get("time"),
              **{k: v for k, v in ev.items() if k not in ("schema", "kind", "time")}}
        if ev.get("origin") == times.UNKNOWN_ZONE and self.zone is not None and isinstance(ev.get("local"), str):
            p = times.parse(ev["local"])
            if p is not None and p.offset is None:
                out = dict(ev)
                out["time"] = times.to_utc(p, self.zone)
                out["origin"] = times.ASSUMED_ZONE
                out["zone_assumed"] = self.zone_name
                return out
        return ev

    def _file(self, rec: Record) -> Iterator[Record]:
        path = rec.get("path")
        source = {"kind": "file", "path": path, "locator": rec.get("locator")}
        ft = rec.get("times") or {}
        if isinstance(ft, dict):
            for name in _FILE_TIMES:
                yield from self._text_event(ft.get(name), None, rec.get("exhibit"), f"file.{name}",
                                            _short(path), {**source, "field": f"times.{name}"})
        media = rec.get("media")
        if isinstance(media, dict):
            yield from self._media(rec, media, source)

    def _media(self, rec: Record, media: dict[str, Any], source: dict[str, Any]) -> Iterator[Record]:
        path = rec.get("path")
        mt = media.get("times") or {}
        if isinstance(mt, dict):
            for name, t in mt.items():
                if not isinstance(t, dict):
                    continue
                label = "capture" if name == "original" else name
                src = {**source, "field": f"media.times.{name}", "tag": t.get("source")}
                text = t.get("value")
                if t.get("utc") and t.get("zone_assumed"):
                    # meta placed a zone-less time with a zone it assumed: keep that said
                    p = times.parse(str(t["utc"]))
                    if p is not None and p.offset is not None:
                        yield _event(times.to_utc(p), times.ASSUMED_ZONE, t.get("value"), None,
                                     str(t.get("offset") or "?"), rec.get("exhibit"), f"media.{label}",
                                     _short(path), src)
                        continue
                yield from self._text_event(t.get("value"), None, rec.get("exhibit"), f"media.{label}",
                                            _short(path), src)
        gps = media.get("gps")
        if isinstance(gps, dict) and gps.get("datetime_utc"):
            yield from self._text_event(
                gps.get("datetime_utc"), None, rec.get("exhibit"), "media.gps_time", _short(path),
                {**source, "field": "media.gps.datetime_utc", "tag": gps.get("source")},
                latitude=gps.get("latitude"), longitude=gps.get("longitude"))

    def _fs_entry(self, rec: Record) -> Iterator[Record]:
        assumed = rec.get("times_zone_assumed")
        path = rec.get("path")
        what = _short(f"{path} (deleted)" if rec.get("deleted") else path)
        source = {"kind": "fs.entry", "image": rec.get("image"), "partition_offset": rec.get("partition_offset"),
                  "inode": rec.get("inode"), "path": path}
        ft = rec.get("times") or {}
        if isinstance(ft, dict):
            for name in _FS_TIMES:
                yield from self._text_event(ft.get(name), str(assumed) if assumed else None, rec.get("exhibit"),
                                            f"fs.{name}", what, {**source, "field": f"times.{name}"})

    def _custody(self, rec: Record, where: str | None) -> Iterator[Record]:
        action = rec.get("action")
        rel = (rec.get("released_by") or {}).get("name") if isinstance(rec.get("released_by"), dict) else None
        rcv = (rec.get("received_by") or {}).get("name") if isinstance(rec.get("received_by"), dict) else None
        parts = [str(action)]
        if rel:
            parts.append(f"released by {rel}")
        if rcv:
            parts.append(f"received by {rcv}")
        if rec.get("location"):
            parts.append(f"at {rec['location']}")
        what = _short(", ".join(parts))
        source = {"kind": "custody", "ledger": where, "seq": rec.get("seq"), "case_id": rec.get("case_id")}
        exhibits = rec.get("exhibits") or [None]
        for ex in exhibits if isinstance(exhibits, list) else [exhibits]:
            yield from self._text_event(rec.get("time"), None, ex, f"custody.{action}", what,
                                        {**source, "field": "time"}, recorded_offset=rec.get("offset"))

    def _money(self, rec: Record) -> Iterator[Record]:
        t = rec.get("time")
        if isinstance(t, dict) and t.get("utc"):
            amount = rec.get("amount")
            what = _short(f"{rec.get('direction') or ''} {amount if amount is not None else ''} "
                          f"{rec.get('currency') or ''} {rec.get('counterparty') or ''} ref {rec.get('reference') or '-'}")
            yield from self._text_event(t["utc"], None, rec.get("exhibit"), str(rec.get("kind")), what,
                                        {"kind": rec.get("kind"), "locator": rec.get("locator"), "field": "time",
                                         "rule": rec.get("rule")})

    def _decoded_times(self, rec: Record, kind: str) -> Iterator[Record]:
        what = _phone_what(rec, kind)
        for key, value in rec.items():
            if isinstance(value, dict) and "utc" in value and "format" in value:
                utc = value.get("utc")
                if not utc:
                    continue
                src = {"kind": kind, "locator": rec.get("locator"), "field": key, "format": value.get("format"),
                       "raw": value.get("raw")}
                yield from self._text_event(utc, None, rec.get("exhibit"), f"{kind}.{key}", what, src)


def _num(value: Any) -> str:
    if isinstance(value, dict):
        inner = value.get("number")
        if isinstance(inner, dict) and (inner.get("e164") or inner.get("raw")):
            return str(inner.get("e164") or inner.get("raw"))
        return str(value.get("e164") or value.get("raw") or "")
    return "" if value is None else str(value)


def _phone_what(rec: Record, kind: str) -> str:
    app = rec.get("app") or ""
    if kind == "phone.message":
        who = _num(rec.get("address") or rec.get("sender") or rec.get("chat"))
        return _short(f"{app} {rec.get('type_label') or ''} {who}: {rec.get('body') or rec.get('text') or ''}")
    if kind == "phone.call":
        return _short(f"{app} call {rec.get('type_label') or ''} {_num(rec.get('number'))} {rec.get('duration_s') or 0}s")
    if kind == "phone.contact":
        return _short(f"contact {rec.get('name') or ''}")
    if kind == "phone.app":
        return _short(f"app {rec.get('package') or rec.get('bundle_id') or rec.get('name') or ''}")
    if kind == "phone.wifi":
        return _short(f"wifi {rec.get('ssid') or ''} {rec.get('bssid') or ''}")
    if kind == "phone.account":
        return _short(f"account {rec.get('account') or ''} ({rec.get('account_type') or ''})")
    for key in ("url", "title", "name", "model"):
        if rec.get(key):
            return _short(f"{kind} {rec[key]}")
    return kind
