"""E.164 normalisation, IMEI Luhn, watchlists and cross-exhibit links."""

from __future__ import annotations

from pathlib import Path

import pytest

from forensic_kit.errors import InputError
from forensic_kit.phone import links, numbers
from forensic_kit.phone.identifiers import normalise_bssid
from forensic_kit.phone.watchlist import Watchlist
from forensic_kit.records import new_record


@pytest.mark.parametrize("raw,region,e164,country", [
    ("0612345678", "MA", "+212612345678", "MA"),
    ("0551 23 45 67", "DZ", "+213551234567", "DZ"),
    ("20 123 456", "TN", "+21620123456", "TN"),
    ("0912345678", "LY", "+218912345678", "LY"),
    ("010 0123 4567", "EG", "+201001234567", "EG"),
    ("+227 90 12 34 56", None, "+22790123456", "NE"),  # Niger (Sahel), no default region needed
    ("00223 70 12 34 56", "TN", "+22370123456", "ML"),  # Mali dialled from Tunisia
    ("+235 66 12 34 56", "MA", "+23566123456", "TD"),  # Chad
])
def test_e164_regional(raw: str, region: str | None, e164: str, country: str) -> None:
    got = numbers.normalise(raw, region)
    assert got is not None
    assert (got["raw"], got["e164"], got["country"], got["valid"]) == (raw, e164, country, True)


def test_unparsable_numbers_stay_raw() -> None:
    assert numbers.normalise("BANK-ALERT", "MA") == {"raw": "BANK-ALERT", "e164": None}
    assert numbers.normalise("a@b.c", "MA") == {"raw": "a@b.c", "e164": None}
    assert numbers.normalise("0612345678", None) == {"raw": "0612345678", "e164": None}
    assert numbers.normalise("", "MA") is None and numbers.normalise(None, "MA") is None


def test_imei_luhn() -> None:
    assert numbers.imei("35-693803-564380-9") == {"raw": "35-693803-564380-9", "imei": "356938035643809", "luhn_ok": True}
    assert numbers.imei("356938035643808")["luhn_ok"] is False
    assert numbers.imei("35693803564380")["luhn_ok"] is None  # 14 digits: no check digit
    assert numbers.imei("") is None
    assert numbers.luhn_ok("79927398713") and not numbers.luhn_ok("79927398710")


def _msg(exhibit: str, number: str, body: str = "", region: str = "MA") -> dict:
    return new_record("phone.message", "t", exhibit=exhibit, address=numbers.normalise(number, region), body=body,
                      time={"utc": "2024-01-01T00:00:00Z"}, locator={"path": "mmssms.db", "table": "sms", "rowid": 1})


def test_watchlist_matches(tmp_path: Path) -> None:
    wl_path = tmp_path / "list.txt"
    wl_path.write_text("# Notice 2024/123\n+212 612-345678\nimei,35-693803-564380-9,red notice\n"
                       "Suspect@Example.com\ndocument,AB1234567,passport\n\n")
    wl = Watchlist.load(wl_path, "MA")
    assert [e.type for e in wl.entries] == ["phone", "imei", "account", "document"]
    hits = list(wl.match(_msg("EX-1", "0612345678", "my passport AB1234567 is ready")))
    assert sorted((h["entry"]["type"], h["matched"]["field"]) for h in hits) == [("document", "body"), ("phone", "address")]
    assert hits[0]["kind"] == "phone.watchlist_hit" and hits[0]["locator"]["table"] == "sms"
    assert list(wl.match(_msg("EX-1", "0612345679", "AB12345678 no"))) == []
    dev = new_record("phone.device", "t", exhibit="EX-1", imei=numbers.imei("356938035643809"))
    assert [h["entry"]["note"] for h in wl.match(dev)] == ["red notice"]
    acc = new_record("phone.account", "t", exhibit="EX-1", account="suspect@example.com")
    assert len(list(wl.match(acc))) == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(InputError, match="no entries"):
        Watchlist.load(empty, None)


def test_links_across_exhibits() -> None:
    recs = [_msg("EX-1", "0612345678"), _msg("EX-2", "+212612345678"), _msg("EX-2", "0612345678"),
            _msg("EX-3", "0699999999"),
            new_record("phone.wifi", "t", exhibit="EX-1", bssid="44:1e:98:43:cd:c", locator={"path": "p"}),
            new_record("phone.wifi", "t", exhibit="EX-3", bssid="44:1E:98:43:CD:0C", locator={"path": "q"}),
            new_record("phone.contact", "t", exhibit="EX-3", emails=["A@x.org"], locator={}),
            new_record("phone.contact", "t", exhibit="EX-3", emails=["a@x.org"], locator={})]
    got = list(links.links(recs))
    assert [(r["identifier"]["type"], r["identifier"]["value"], r["exhibits"]) for r in got] == [
        ("bssid", "44:1e:98:43:cd:0c", ["EX-1", "EX-3"]), ("phone", "+212612345678", ["EX-1", "EX-2"])]
    assert [(o["exhibit"], o["count"]) for o in got[1]["occurrences"]] == [("EX-1", 1), ("EX-2", 2)]
    csv_text = links.to_csv(got)
    assert csv_text.splitlines()[2] == "phone,+212612345678,EX-1;EX-2,EX-1=1;EX-2=2,phone.message"
    graph = links.to_graphml(got)
    assert graph.count("<node ") == 5 and graph.count("<edge ") == 4
    import xml.etree.ElementTree as ET

    ET.fromstring(graph)  # well-formed


def test_bssid_normalised() -> None:
    assert normalise_bssid("44:1e:98:43:cd:c") == "44:1e:98:43:cd:0c"
    assert normalise_bssid("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"
