"""Records → one graph in which the same identifier on two exhibits is one node.

Node ids are ``type:value`` with values normalised by :mod:`forensic_kit.phone.identifiers`
(E.164 numbers, lower-case e-mails, 14-digit IMEIs...) and by the money rules (IBAN compact,
EIP-55 addresses). Each seized handset is an ``exhibit`` node; its own numbers, accounts, SIMs and
IMEIs hang on it with ``uses`` edges, so two phones that talk to one number meet at that node.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from forensic_kit.phone.identifiers import identifiers
from forensic_kit.records import Record

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_LOCATORS = 10
"""Locators kept per edge (the count is always complete)."""

_OWN_KINDS = {"phone.account", "phone.device"}
_SKIP_KINDS = {"phone.link", "phone.watchlist_hit", "phone.source", "error", "warning", "timeline.event"}


@dataclass
class Node:
    """An identifier or an exhibit."""

    id: str
    type: str
    value: str
    labels: set[str] = field(default_factory=set)
    exhibits: set[str] = field(default_factory=set)
    count: int = 0


@dataclass
class Edge:
    """Every fact joining two nodes with one relation, counted, with first/last time and locators."""

    source: str
    target: str
    relation: str
    count: int = 0
    first: str | None = None
    last: str | None = None
    exhibits: set[str] = field(default_factory=set)
    locators: list[dict[str, Any]] = field(default_factory=list)
    amounts: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Graph:
    """Nodes and edges by id; :meth:`add` feeds one record."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    records: int = 0
    used: int = 0

    def node(self, typ: str, value: str, exhibit: str | None, label: str | None = None) -> str:
        nid = f"{typ}:{value}"
        n = self.nodes.get(nid)
        if n is None:
            n = self.nodes[nid] = Node(nid, typ, value)
        n.count += 1
        if exhibit:
            n.exhibits.add(exhibit)
        if label:
            n.labels.add(label)
        return nid

    def edge(self, src: str, dst: str, relation: str, rec: Record, when: str | None,
             amount: tuple[str, str] | None = None) -> None:
        key = (src, dst, relation)
        e = self.edges.get(key)
        if e is None:
            e = self.edges[key] = Edge(src, dst, relation)
        e.count += 1
        if when:
            e.first = when if e.first is None or when < e.first else e.first
            e.last = when if e.last is None or when > e.last else e.last
        if rec.get("exhibit"):
            e.exhibits.add(str(rec["exhibit"]))
        if len(e.locators) < MAX_LOCATORS:
            loc = rec.get("locator") or (rec.get("source") or {}).get("locator")
            e.locators.append({"exhibit": rec.get("exhibit"), "kind": rec.get("kind"), "locator": loc})
        if amount:
            try:
                e.amounts[amount[1]] = e.amounts.get(amount[1], Decimal(0)) + Decimal(amount[0])
            except InvalidOperation:
                pass

    def add(self, rec: Record) -> None:
        """Add the nodes and edges one record gives (records without exhibit or identifiers add none)."""
        self.records += 1
        kind = str(rec.get("kind") or "")
        exhibit = rec.get("exhibit")
        if not exhibit or kind in _SKIP_KINDS or not (kind.startswith("phone.") or kind.startswith("money.")):
            return
        ex = self.node("exhibit", str(exhibit), str(exhibit), _device_label(rec))
        when = _when(rec)
        if kind == "money.transaction":
            self._money(rec, ex, str(exhibit), when)
            return
        if kind == "money.identifier":
            ident = rec.get("identifier") or {}
            if ident.get("type") and ident.get("value"):
                nid = self.node(str(ident["type"]), str(ident["value"]), str(exhibit))
                self.edge(ex, nid, "payment_id", rec, when)
                self.used += 1
            return
        found = list(identifiers(rec))
        if kind == "phone.device" and rec.get("serial"):
            found.append(("device_serial", str(rec["serial"]), "serial"))
        if rec.get("document_number"):
            found.append(("document", str(rec["document_number"]), "document_number"))
        if not found:
            return
        self.used += 1
        name = rec.get("name") if kind == "phone.contact" else None
        group = next((v for t, v, _ in found if t == "whatsapp_group"), None)
        outgoing = rec.get("type_label") in ("outgoing", "sent") or rec.get("from_me") == 1
        relation = {"phone.call": "call", "phone.message": "message", "phone.contact": "contact",
                    "phone.wifi": "wifi"}.get(kind, "uses" if kind in _OWN_KINDS else "seen")
        seen: set[str] = set()
        for typ, value, fld in found:
            if typ == "account" and _E164.match(value):
                typ = "phone"  # a messenger account named by its number is that number
            nid = self.node(typ, value, str(exhibit), str(name) if name else None)
            if typ == "whatsapp_group":
                if nid not in seen:
                    self.edge(ex, nid, "group_member", rec, when)
                    if relation == "message" and outgoing:
                        self.edge(ex, nid, "group_message", rec, when)
                seen.add(nid)
                continue
            if group and fld == "sender" and relation == "message":
                self.edge(nid, f"whatsapp_group:{group}", "group_message", rec, when)
                continue
            if nid in seen:
                continue
            seen.add(nid)
            if relation in ("call", "message"):
                src, dst = (ex, nid) if outgoing else (nid, ex)
                self.edge(src, dst, relation, rec, when)
            else:
                self.edge(ex, nid, relation, rec, when)

    def _money(self, rec: Record, ex: str, exhibit: str, when: str | None) -> None:
        cp = rec.get("counterparty") or {}
        number = cp.get("number") if isinstance(cp, dict) else None
        if not number:
            return
        digits = "".join(c for c in str(number) if c.isdigit())
        value = ("+" + digits) if str(number).startswith("+") else digits
        nid = self.node("phone" if str(number).startswith("+") else "money_party", value, exhibit,
                        cp.get("name") if isinstance(cp, dict) else None)
        src, dst = (ex, nid) if rec.get("direction") == "out" else (nid, ex)
        amount = (str(rec.get("amount")), str(rec.get("currency") or "?")) if rec.get("amount") else None
        self.edge(src, dst, "money", rec, when, amount)
        self.used += 1

    @property
    def cross_exhibit(self) -> list[Node]:
        """Identifier nodes seen on two or more exhibits (the point of the graph)."""
        return sorted((n for n in self.nodes.values() if n.type != "exhibit" and len(n.exhibits) >= 2),
                      key=lambda n: n.id)


def _when(rec: Record) -> str | None:
    t = rec.get("time")
    if isinstance(t, dict) and t.get("utc"):
        return str(t["utc"])
    return None


def _device_label(rec: Record) -> str | None:
    if rec.get("kind") == "phone.device" and rec.get("model"):
        return f"{rec.get('manufacturer') or ''} {rec['model']}".strip()
    return None


def build(records: Iterable[Record]) -> Graph:
    """The graph of a stream of records."""
    g = Graph()
    for rec in records:
        g.add(rec)
    return g


def locators_json(e: Edge) -> str:
    """An edge's locators as compact JSON (graph formats take strings)."""
    return json.dumps(e.locators, ensure_ascii=False, separators=(",", ":"))
