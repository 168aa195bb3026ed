"""fkit graph: one node per identifier across exhibits; exports read back by networkx and stix2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import stix2

from forensic_kit import jsonl
from forensic_kit.graph import export, model
from forensic_kit.records import new_record
from tests.conftest import fkit


def _num(e164: str) -> dict:
    return {"raw": e164, "e164": e164, "valid": True}


def _records() -> list[dict]:
    t = lambda s: {"utc": s, "raw": 0, "format": "java_millis"}  # noqa: E731
    return [
        new_record("phone.account", "a", exhibit="EX-01", account_type="com.whatsapp", account="+218949603082",
                   locator={"path": "accounts_ce.db", "table": "accounts", "rowid": 2}),
        new_record("phone.device", "d", exhibit="EX-01", model="SM-A546B", manufacturer="samsung", serial="R58W1",
                   imei={"imei": "356938035643809"}, locator={"path": "build.prop"}),
        new_record("phone.call", "c", exhibit="EX-01", type_label="outgoing", number=_num("+21620895559"),
                   time=t("2025-02-24T16:58:12Z"), locator={"path": "contacts2.db", "table": "calls", "rowid": 1}),
        new_record("phone.call", "c", exhibit="EX-01", type_label="outgoing", number=_num("+21620895559"),
                   time=t("2025-02-20T10:00:00Z"), locator={"path": "contacts2.db", "table": "calls", "rowid": 2}),
        new_record("phone.message", "s", exhibit="EX-02", type_label="received", address=_num("+21620895559"),
                   time=t("2025-02-25T08:00:00Z"), locator={"path": "mmssms.db", "table": "sms", "rowid": 4}),
        new_record("phone.contact", "k", exhibit="EX-02", name="Salem", numbers=[_num("+218949603082")],
                   locator={"path": "contacts2.db", "table": "raw_contacts", "rowid": 3}),
        new_record("phone.message", "w", exhibit="EX-02", type_label="received", from_me=0,
                   chat={"raw": "123-456@g.us", "type": "group"},
                   sender={"raw": "21620895559@s.whatsapp.net", "type": "user", "number": _num("+21620895559")},
                   time=t("2025-02-26T08:00:00Z"), locator={"path": "msgstore.db", "table": "message", "rowid": 9}),
        new_record("money.transaction", "money", exhibit="EX-02", amount="500", currency="EGP", direction="out",
                   counterparty={"name": None, "number": "+201012345678"}, time=t("2025-02-27T08:00:00Z"),
                   source={"locator": {"path": "mmssms.db", "table": "sms", "rowid": 5}}),
        new_record("money.transaction", "money", exhibit="EX-02", amount="250.5", currency="EGP", direction="out",
                   counterparty={"name": None, "number": "+201012345678"}, time=t("2025-02-28T08:00:00Z"),
                   source={"locator": {"path": "mmssms.db", "table": "sms", "rowid": 6}}),
        new_record("money.identifier", "money", exhibit="EX-01", identifier={"type": "btc", "value": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
                   source={"locator": {"path": "msgstore.db", "table": "message", "rowid": 3}}),
    ]


def test_one_node_per_identifier_across_exhibits() -> None:
    g = model.build(_records())
    assert [n.id for n in g.cross_exhibit] == ["phone:+21620895559", "phone:+218949603082"]
    assert g.nodes["phone:+218949603082"].labels == {"Salem"}
    call = g.edges[("exhibit:EX-01", "phone:+21620895559", "call")]
    assert (call.count, call.first, call.last) == (2, "2025-02-20T10:00:00Z", "2025-02-24T16:58:12Z")
    assert [loc["locator"]["rowid"] for loc in call.locators] == [1, 2]
    assert ("phone:+21620895559", "exhibit:EX-02", "message") in g.edges
    assert ("phone:+21620895559", "whatsapp_group:123-456@g.us", "group_message") in g.edges
    assert ("exhibit:EX-02", "whatsapp_group:123-456@g.us", "group_member") in g.edges
    assert ("exhibit:EX-01", "imei:35693803564380", "uses") in g.edges
    assert ("exhibit:EX-01", "device_serial:R58W1", "uses") in g.edges
    money = g.edges[("exhibit:EX-02", "phone:+201012345678", "money")]
    assert (money.count, {c: str(v) for c, v in money.amounts.items()}) == (2, {"EGP": "750.5"})
    assert ("exhibit:EX-01", "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "payment_id") in g.edges


def test_graphml_and_gexf_load_in_networkx() -> None:
    g = model.build(_records())
    for text, reader in ((export.graphml(g), nx.read_graphml), (export.gexf(g), nx.read_gexf)):
        G = reader(io.StringIO(text))
        assert G.number_of_nodes() == len(g.nodes) and G.number_of_edges() == len(g.edges)
        assert G.nodes["phone:+218949603082"]["exhibits"] == "EX-01,EX-02"
        data = [d for _, _, d in G.edges(data=True) if d.get("relation") == "money"]
        assert len(data) == 1 and data[0]["amounts"] == "750.5 EGP" and int(data[0]["count"]) == 2


def test_i2_csv_rows() -> None:
    g = model.build(_records())
    rows = list(csv.DictReader(io.StringIO(export.i2_csv(g))))
    assert len(rows) == len(g.edges)
    call = next(r for r in rows if r["Link Type"] == "call")
    assert (call["Entity1 Identity"], call["Entity2 Identity"], call["Link Count"], call["First Time UTC"]) == (
        "exhibit:EX-01", "phone:+21620895559", "2", "2025-02-20T10:00:00Z")
    assert json.loads(call["Source Locators"])[0]["locator"]["table"] == "calls"


def test_stix_bundle_validates() -> None:
    g = model.build(_records())
    bundle = stix2.parse(export.stix_bundle(g, "MOCK"), allow_custom=False)
    names = sorted(o.name for o in bundle.objects if o.type == "indicator")
    assert "phone +218949603082" in names and "btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2" in names
    assert "imei 35693803564380" in names
    grouping = [o for o in bundle.objects if o.type == "grouping"][0]
    assert len(grouping.object_refs) == len(names)
    only_cross = stix2.parse(export.stix_bundle(g, "MOCK", min_exhibits=2))
    assert sorted(o.name for o in only_cross.objects if o.type == "indicator") == [
        "phone +21620895559", "phone +218949603082"]
    # a quote in a value cannot break the pattern (stix2 refuses a bad pattern)
    g.node("account", "o'brien", "EX-01")
    assert any("o\\'brien" in o.pattern for o in stix2.parse(export.stix_bundle(g)).objects if o.type == "indicator")
    with pytest.raises(Exception):
        stix2.Indicator(pattern="[user-account:user_id = 'x'", pattern_type="stix", valid_from="2025-01-01T00:00:00Z")


def test_cli(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"".join(jsonl.dump_bytes(r) for r in _records()))
    r = fkit("graph", path, "--graphml", tmp_path / "g.graphml", "--gexf", tmp_path / "g.gexf",
             "--i2", tmp_path / "i2", "--stix", tmp_path / "s.json")
    assert r.returncode == 0, r.stderr
    kinds = [json.loads(x)["kind"] for x in r.stdout.splitlines()]
    assert kinds.count("graph.edge") == 10 and kinds.count("graph.node") == 9
    assert b"2 identifiers on two or more exhibits" in r.stderr
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_edges() == 10
    assert (tmp_path / "i2" / "import-spec.txt").read_text().startswith("fkit → i2")
    stix2.parse((tmp_path / "s.json").read_text())
