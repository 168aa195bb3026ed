"""Values fkit used to get wrong (issue 15): Wi-Fi per BSS, iOS message time without a schema
version, one device line per device."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from forensic_kit.phone.triage import Summary
from tests.conftest import fkit, testdata
from tests.phone.helpers import make_db, of, triage, write_plist

PEERS = ("phone", "peers", "ileapp")


def test_wifi_one_record_per_bss_agrees_with_ileapp_bss_list() -> None:
    recs = triage(testdata(*PEERS, "testdata.appleWifiPlist.appleWifiBSSList.mvs_ios_2023.zip"))
    bss = of(recs, "phone.wifi", "ios_wifi_known_network_bss")
    oracle = json.loads(testdata(*PEERS, "results",
                                 "appleWifiPlist.appleWifiBSSList.mvs_ios_2023.20241022183617.json").read_text())
    assert len(bss) == len(oracle["data"]) == 37
    ours = sorted((b["ssid"], b["bssid"], b["channel_flags"], b["channel"],
                   int(datetime.fromisoformat(b["last_associated"]["utc"]).timestamp()),
                   b["location"]["lat"] if b["location"] else "") for b in bss)
    theirs = sorted((r[0], r[1], r[2], r[3], r[4], r[7]) for r in oracle["data"])
    assert ours == theirs
    assert all(b["entry"] == "bss" for b in bss)


def test_wifi_bss_of_the_phone_testdata(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    src.mkdir()
    (src / "com.apple.wifi.known-networks.plist").write_bytes(
        testdata("phone", "ios", "com.apple.wifi.known-networks.plist").read_bytes())
    bss = of(triage(src), "phone.wifi", "ios_wifi_known_network_bss")
    # plaso's ios_wifi_known_networks test: 9 event data; the first one's values
    assert len(bss) == 9
    assert (bss[0]["ssid"], bss[0]["bssid"], bss[0]["channel"], bss[0]["last_associated"]["utc"],
            bss[0]["added"]["utc"]) == ("Matt_Foley", "76:a7:41:e7:7c:9d", 1, "2023-05-14T01:15:45.013600Z",
                                        "2023-04-15T13:53:47.476017Z")


SMS_DB = """CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
  service TEXT NOT NULL, uncanonicalized_id TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
  handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, date_read INTEGER, date_delivered INTEGER,
  is_from_me INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0);"""


def test_ios_sms_without_client_version_gets_its_time(tmp_path: Path) -> None:
    """MVT's test sms.db has no _SqliteDatabaseProperties; MVT gives 2019-08-29 23:13:30 for it."""
    make_db(tmp_path / "ex" / "sms.db", SMS_DB, {
        "handle": [(1, "+33612345678", "fr", "SMS", None)],
        "message": [(1, "G1", "Bonjour", 1, "SMS", 588813210_000_000_000, 0, 0, 0, 1),
                    (2, "G2", "old iOS", 1, "SMS", 588813210, 0, 0, 1, 1)]})
    msgs = of(triage(tmp_path / "ex"), "phone.message", "ios_sms")
    assert [m["time"]["utc"] for m in msgs] == ["2019-08-29T23:13:30Z", "2019-08-29T23:13:30Z"]
    assert [m["time"]["format"] for m in msgs] == ["cocoa_nanoseconds", "cocoa_seconds"]
    assert all(m["time"]["unit_from"] == "magnitude" for m in msgs)


def test_imessage_database_under_another_name_is_found_by_schema(tmp_path: Path) -> None:
    src = tmp_path / "ex" / "private" / "var" / "mobile" / "Library" / "SMS"
    src.mkdir(parents=True)
    (src / "sms-copy.sqlite").write_bytes(testdata("phone", "ios", "sms.db").read_bytes())
    recs = triage(tmp_path / "ex")
    msgs = of(recs, "phone.message", "ios_sms")
    assert len(msgs) == 10 and msgs[0]["locator"]["detected_by"] == "schema"
    assert msgs[7]["time"]["utc"] == "2015-11-30T10:48:40Z"
    assert of(recs, "warning") == [] and of(recs, "phone.unparsed") == []


def test_one_device_line_per_device(tmp_path: Path) -> None:
    write_plist(tmp_path / "ex" / "com.apple.iPod.plist", {"Devices": {
        "a1": {"Device Class": "iPad", "Serial Number": "DMPIPAD0001", "Firmware Version String": "16.1"},
        "b2": {"Device Class": "iPhone", "Serial Number": "F2LPHONE001", "IMEI": "356938035643809"}}})
    s = Summary()
    recs = triage(tmp_path / "ex")
    for r in recs:
        s.add(r)
    assert [(d.get("device_class"), d.get("serial"), d.get("imei")) for d in s.devices] == [
        ("iPad", "DMPIPAD0001", None), ("iPhone", "F2LPHONE001", "356938035643809")]
    res = fkit("phone", tmp_path / "ex")
    lines = res.stderr.decode().splitlines()
    assert "2 devices (below)" in lines[0]
    assert lines[1].startswith("  device 1: ") and "DMPIPAD0001" in lines[1] and "356938035643809" not in lines[1]
    assert lines[2].startswith("  device 2: ") and "F2LPHONE001" in lines[2] and "356938035643809" in lines[2]
