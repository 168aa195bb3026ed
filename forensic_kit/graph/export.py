"""Graph exports: GraphML and GEXF (networkx; Gephi, yEd), i2 Analyst's Notebook CSV with its
import specification, a STIX 2.1 bundle of indicators (``stix2``), and JSON Lines records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import networkx as nx

from forensic_kit.graph.model import Edge, Graph, Node, locators_json
from forensic_kit.records import Record, new_record

NAME = "graph"
VERSION = "1"


def _label(n: Node) -> str:
    if n.labels:
        return f"{n.value} ({'; '.join(sorted(n.labels))})"
    return n.value


def _amounts(e: Edge) -> str:
    return "; ".join(f"{v} {c}" for c, v in sorted(e.amounts.items()))


def to_networkx(g: Graph) -> nx.MultiDiGraph:
    """A networkx multigraph with scalar attributes only (what GraphML and GEXF can hold)."""
    G = nx.MultiDiGraph()
    for n in sorted(g.nodes.values(), key=lambda n: n.id):
        G.add_node(n.id, label=_label(n), type=n.type, value=n.value, names="; ".join(sorted(n.labels)),
                   exhibits=",".join(sorted(n.exhibits)), exhibit_count=len(n.exhibits), count=n.count)
    for (s, t, rel), e in sorted(g.edges.items()):
        G.add_edge(s, t, key=rel, label=rel, relation=rel, weight=e.count, count=e.count, first=e.first or "",
                   last=e.last or "", exhibits=",".join(sorted(e.exhibits)), amounts=_amounts(e),
                   locators=locators_json(e))
    return G


def graphml(g: Graph) -> str:
    """GraphML text."""
    return "\n".join(nx.generate_graphml(to_networkx(g))) + "\n"


def gexf(g: Graph) -> str:
    """GEXF 1.2 text."""
    return "\n".join(nx.generate_gexf(to_networkx(g), version="1.2draft")) + "\n"


I2_COLUMNS = ("Entity1 Type", "Entity1 Identity", "Entity1 Label", "Entity1 Exhibits",
              "Entity2 Type", "Entity2 Identity", "Entity2 Label", "Entity2 Exhibits",
              "Link Type", "Link Direction", "Link Count", "First Time UTC", "Last Time UTC", "Amounts",
              "Link Exhibits", "Source Locators")

I2_SPEC = """\
fkit → i2 Analyst's Notebook: import specification for {csv}
(set this up once in the Import Wizard and save it as an .ximp specification)

File: {csv}; UTF-8; comma-delimited; first row is column headings; text qualifier: double quote.
Import design: "Link with two entities" (one row = two entities and one link between them).

Entity 1                         Entity 2
  Type      <- Entity1 Type        Type      <- Entity2 Type
  Identity  <- Entity1 Identity    Identity  <- Entity2 Identity
  Label     <- Entity1 Label       Label     <- Entity2 Label
  Attribute "Exhibits" (text) <- Entity1 Exhibits / Entity2 Exhibits

Link
  Type       <- Link Type  (call, message, contact, group_member, group_message, money, uses, wifi, payment_id, seen)
  Direction  <- Link Direction ("Arrow on head" = from Entity1 to Entity2)
  Strength/Attribute "Count" (number)  <- Link Count
  Date & time  <- First Time UTC (ISO 8601, UTC); attribute "Last Time UTC" <- Last Time UTC
  Attributes (text): Amounts, Link Exhibits, Source Locators (JSON: exhibit, record kind, locator)

Entity types used: exhibit (a seized device), phone, email, account, imei, iccid, device_serial,
whatsapp_group, bssid, document, iban, card, card_masked, mtcn, moneygram_ref, btc, eth, tron,
money_party. Merge entities on Identity: the same number on two exhibits is one entity.
"""


def i2_csv(g: Graph) -> str:
    """The i2 CSV: one row per edge, both entities on it."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(I2_COLUMNS)
    for (s, t, rel), e in sorted(g.edges.items()):
        a, b = g.nodes[s], g.nodes[t]
        w.writerow([a.type, a.id, _label(a), ",".join(sorted(a.exhibits)), b.type, b.id, _label(b),
                    ",".join(sorted(b.exhibits)), rel, "Arrow on head", e.count, e.first or "", e.last or "",
                    _amounts(e), ",".join(sorted(e.exhibits)), locators_json(e)])
    return buf.getvalue()


_STIX_PATTERNS = {
    "email": "[email-addr:value = {v}]",
    "phone": "[user-account:account_type = 'phone-number' AND user-account:user_id = {v}]",
    "account": "[user-account:user_id = {v}]",
    "imei": "[user-account:account_type = 'imei' AND user-account:user_id = {v}]",
    "iban": "[user-account:account_type = 'iban' AND user-account:user_id = {v}]",
    "btc": "[user-account:account_type = 'bitcoin-wallet' AND user-account:user_id = {v}]",
    "eth": "[user-account:account_type = 'ethereum-wallet' AND user-account:user_id = {v}]",
    "tron": "[user-account:account_type = 'tron-wallet' AND user-account:user_id = {v}]",
    "mtcn": "[user-account:account_type = 'western-union-mtcn' AND user-account:user_id = {v}]",
    "moneygram_ref": "[user-account:account_type = 'moneygram-reference' AND user-account:user_id = {v}]",
}


def _quote(v: str) -> str:
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def stix_bundle(g: Graph, case_name: str = "fkit case", min_exhibits: int = 1) -> str:
    """A STIX 2.1 bundle: one indicator per number, account, IMEI, IBAN, wallet, MTCN or MoneyGram
    reference seen on at least ``min_exhibits`` exhibits, and a grouping of them. Cards are left out
    (only masked numbers are kept). Built with, and so validated by, the ``stix2`` library."""
    import stix2

    now = datetime.now(timezone.utc)
    indicators = []
    for n in sorted(g.nodes.values(), key=lambda n: n.id):
        tmpl = _STIX_PATTERNS.get(n.type)
        if tmpl is None or len(n.exhibits) < min_exhibits:
            continue
        indicators.append(stix2.Indicator(
            name=f"{n.type} {n.value}", description=f"seen on exhibits {', '.join(sorted(n.exhibits))}"
            + (f"; names: {'; '.join(sorted(n.labels))}" if n.labels else ""),
            pattern=tmpl.format(v=_quote(n.value)), pattern_type="stix", valid_from=now,
            indicator_types=["attribution"], labels=[n.type]))
    objects: list[Any] = list(indicators)
    if indicators:
        objects.append(stix2.Grouping(name=case_name, context="suspicious-activity",
                                      object_refs=[i.id for i in indicators]))
    bundle = stix2.Bundle(objects=objects) if objects else stix2.Bundle()
    return str(bundle.serialize(pretty=True)) + "\n"


def records(g: Graph) -> Iterator[Record]:
    """``graph.node`` then ``graph.edge`` records."""
    for n in sorted(g.nodes.values(), key=lambda n: n.id):
        yield new_record("graph.node", NAME, VERSION, id=n.id, type=n.type, value=n.value, names=sorted(n.labels),
                         exhibits=sorted(n.exhibits), count=n.count)
    for (s, t, rel), e in sorted(g.edges.items()):
        yield new_record("graph.edge", NAME, VERSION, source=s, target=t, relation=rel, count=e.count, first=e.first,
                         last=e.last, exhibits=sorted(e.exhibits),
                         amounts={c: str(v) for c, v in sorted(e.amounts.items())}, locators=e.locators)


def dumps(value: Any) -> str:
    """Compact JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
