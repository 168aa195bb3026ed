"""Money rules: published check-digit vectors, the labelled corpus score, and the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from forensic_kit import jsonl
from forensic_kit.money import amounts, cards, crypto, extract, iban, remittance
from forensic_kit.records import new_record
from tests.conftest import fkit
from tests.money import score
from tests.money.corpus import corpus


@pytest.mark.parametrize("text,value", [
    ("IBAN GB82 WEST 1234 5698 7654 32 thanks", "GB82WEST12345698765432"),  # ISO 13616 / registry example
    ("TN59 1000 6035 1835 9847 8831", "TN5910006035183598478831"),
    ("rib MA64011519000001205000534921", "MA64011519000001205000534921"),  # outside the registry: mod 97 only
])
def test_iban_found(text: str, value: str) -> None:
    assert [f.value for f in iban.find(text)] == [value]


def test_iban_rejected() -> None:
    assert iban.find("GB83 WEST 1234 5698 7654 32") == []  # one check digit off
    assert iban.find("MA64011519000001205000534921BEFORE") == []


def test_crypto_vectors() -> None:
    # Bitcoin wiki P2PKH example, BIP-173 P2WPKH vector, EIP-55 vectors, TRON's USDT contract address
    text = ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 "
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed 0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 "
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    assert [(f.type, f.value, f.check) for f in crypto.find(text)] == [
        ("btc", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "base58check"),
        ("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "base58check"),
        ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bech32"),
        ("eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "eip55"),
        ("eth", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "eip55")]
    bad = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T"
    assert crypto.find(bad) == []
    (low,) = crypto.find("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
    assert (low.value, low.confidence) == ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 0.75)


def test_cards_masked_and_checked() -> None:
    (f,) = cards.find("carte 4111 1111 1111 1111")
    assert (f.type, f.value) == ("card", "411111******1111")
    assert cards.find("carte 4111 1111 1111 1112") == []  # Luhn fails
    assert cards.find("order 4111111111111111 shipped") == []  # no card keyword, not grouped
    assert [(f.type, f.value) for f in cards.find("card ending ****1234")] == [("card_masked", "****1234")]


def test_remittance_needs_its_keyword() -> None:
    assert [(f.type, f.value) for f in remittance.find("MTCN: 123-456-7890")] == [("mtcn", "1234567890")]
    assert remittance.find("call 0612345678 at Western Union office") == []


def test_amount_separators() -> None:
    assert [(a.value, a.currency) for a in amounts.find("1.000 DT, 1.000 EUR, 1 000,50 FCFA, ١٢٥ جنيه")] == [
        ("1", "TND"), ("1000", "EUR"), ("1000.5", "XOF"), ("125", "EGP")]
    from forensic_kit.money import text
    assert [(a.value, a.currency) for a in amounts.find(text.normalise("١٢٥ جنيه"))] == [("125", "EGP")]


def test_labelled_corpus_precision_and_recall() -> None:
    items = corpus()
    assert len(items) >= 2000
    assert {i.lang for i in items} == {"en", "fr", "ar"}
    assert sum(1 for i in items if i.family == "near_miss") >= 400
    totals, bad = score.score(items)
    precision = totals["all|tp"] / totals["all|pred"]
    recall = totals["all|tp"] / totals["all|lab"]
    assert precision >= 0.98, bad[:5]
    assert recall >= 0.95, bad[:5]


def test_records_and_cli(tmp_path: Path) -> None:
    msg = new_record("phone.message", "android_sms", exhibit="EX-01", app="sms", type_label="received",
                     address={"e164": "+254700000000"},
                     body="QC34XYZ12A Confirmed. Ksh2,500.00 sent to JANE SMITH 254723456789 on 18/11/2025 at 2:15 PM. "
                          "New M-PESA balance is Ksh12,500.00. Transaction cost, Ksh28.00.",
                     time={"utc": "2025-11-18T11:15:03Z", "raw": 1763464503000, "format": "java_millis"},
                     locator={"path": "mmssms.db", "table": "sms", "rowid": 9})
    (tx,) = list(extract.records(msg))
    assert (tx["kind"], tx["amount"], tx["currency"], tx["direction"], tx["reference"], tx["balance"], tx["fee"]) == (
        "money.transaction", "2500", "KES", "out", "QC34XYZ12A", "12500", "28")
    assert tx["counterparty"] == {"name": "JANE SMITH", "number": "254723456789"}
    assert tx["source"]["locator"]["rowid"] == 9 and tx["time"]["utc"] == "2025-11-18T11:15:03Z"
    assert Decimal(tx["amount"]) == Decimal("2500.00")
    path = tmp_path / "r.jsonl"
    path.write_bytes(jsonl.dump_bytes(msg) + b"not json\n")
    r = fkit("money", path)
    assert r.returncode == 3
    assert [json.loads(x)["kind"] for x in r.stdout.splitlines()] == ["money.transaction"]
    assert b"1 transactions" in r.stderr and b":2: not JSON" in r.stderr
    # money records feed the timeline
    t = fkit("timeline", "-", input=r.stdout)
    (ev,) = map(json.loads, t.stdout.splitlines())
    assert (ev["time"], ev["event"]) == ("2025-11-18T11:15:03.000000000Z", "money.transaction")
