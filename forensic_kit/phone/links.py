"""Identifiers that appear on more than one exhibit: JSON Lines, CSV and GraphML (Gephi, yEd)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from forensic_kit.phone.identifiers import identifiers
from forensic_kit.records import Record, new_record

NAME = "phone_links"
VERSION = "1"
MAX_LOCATORS = 25
"""Locators kept per identifier and exhibit (the count is always complete)."""


@dataclass
class _Seen:
    count: int = 0
    kinds: set[str] = field(default_factory=set)
    locators: list[dict[str, Any]] = field(default_factory=list)


def collect(records: Iterable[Record]) -> dict[tuple[str, str], dict[str, _Seen]]:
    """(identifier type, value) → exhibit → where it was seen."""
    index: dict[tuple[str, str], dict[str, _Seen]] = {}
    for rec in records:
        kind = str(rec.get("kind", ""))
        if not kind.startswith("phone.") or kind == "phone.watchlist_hit":
            continue
        exhibit = rec.get("exhibit")
        if not exhibit:
            continue
        for typ, value, fld in identifiers(rec):
            seen = index.setdefault((typ, value), {}).setdefault(str(exhibit), _Seen())
            seen.count += 1
            seen.kinds.add(kind)
            if len(seen.locators) < MAX_LOCATORS:
                loc = rec.get("locator") or {}
                seen.locators.append({"kind": kind, "field": fld, "path": loc.get("path"), "table": loc.get("table"),
                                      "rowid": loc.get("rowid"), "key_path": loc.get("key_path")})
    return index


def links(records: Iterable[Record]) -> Iterator[Record]:
    """One ``phone.link`` record per identifier seen on two or more exhibits (sorted)."""
    index = collect(records)
    for (typ, value), by_ex in sorted(index.items()):
        if len(by_ex) < 2:
            continue
        yield new_record(
            "phone.link", NAME, VERSION, identifier={"type": typ, "value": value}, exhibits=sorted(by_ex),
            occurrences=[{"exhibit": ex, "count": s.count, "kinds": sorted(s.kinds), "where": s.locators}
                         for ex, s in sorted(by_ex.items())])


def to_csv(link_records: Iterable[Record]) -> str:
    """``type,value,exhibits,occurrences,kinds`` one line per identifier."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["type", "value", "exhibits", "occurrences", "kinds"])
    for rec in link_records:
        occ = rec["occurrences"]
        w.writerow([rec["identifier"]["type"], rec["identifier"]["value"], ";".join(rec["exhibits"]),
                    ";".join(f"{o['exhibit']}={o['count']}" for o in occ),
                    ";".join(sorted({k for o in occ for k in o["kinds"]}))])
    return buf.getvalue()


def to_graphml(link_records: Iterable[Record]) -> str:
    """A bipartite graph: exhibit nodes, identifier nodes, an edge per (identifier, exhibit) with the count."""
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str, int]] = []
    for rec in link_records:
        ident = f"{rec['identifier']['type']}:{rec['identifier']['value']}"
        nodes[ident] = ("identifier", rec["identifier"]["type"])
        for o in rec["occurrences"]:
            ex = f"exhibit:{o['exhibit']}"
            nodes.setdefault(ex, ("exhibit", "exhibit"))
            edges.append((ex, ident, int(o["count"])))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
           '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
           '  <key id="role" for="node" attr.name="role" attr.type="string"/>',
           '  <key id="idtype" for="node" attr.name="type" attr.type="string"/>',
           '  <key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
           '  <graph id="fkit-phone-links" edgedefault="undirected">']
    for node_id, (role, typ) in sorted(nodes.items()):
        label = node_id.split(":", 1)[1]
        out.append(f"    <node id={quoteattr(node_id)}><data key=\"label\">{_esc(label)}</data>"
                   f"<data key=\"role\">{role}</data><data key=\"idtype\">{_esc(typ)}</data></node>")
    for n, (a, b, count) in enumerate(edges):
        out.append(f"    <edge id=\"e{n}\" source={quoteattr(a)} target={quoteattr(b)}>"
                   f"<data key=\"weight\">{count}</data></edge>")
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out)


def _esc(text: str) -> str:
    return quoteattr(text)[1:-1]
