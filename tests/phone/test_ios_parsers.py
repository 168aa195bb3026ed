"""One test per iOS parser: plaso/iLEAPP test data with their recorded values, or generated files."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

from tests.conftest import testdata
from tests.phone.helpers import extraction_folder, make_db, of, triage, write_plist

ILEAPP = ("corpus", "mobile", "ios", "ileapp")



def test_ios_sms_plaso_oracle(tmp_path: Path) -> None:
    recs = triage(extraction_folder(tmp_path, testdata("phone", "ios", "sms.db")))
    msgs = of(recs, "phone.message", "ios_sms")
    assert len(msgs) == 10
    eighth = msgs[7]
    assert eighth["address"] == {"raw": "xxxxxx2015@icloud.com", "e164": None}
    assert (eighth["service"], eighth["app"], eighth["body"]) == ("iMessage", "imessage", "Did you try to send me a message?")
    assert eighth["time"] == {"utc": "2015-11-30T10:48:40Z", "raw": 470573320, "format": "cocoa_seconds"}
    assert eighth["read"] == 1
    assert recs[0]["platform"] == "ios"


def test_ios_accounts3_plaso_oracle(tmp_path: Path) -> None:
    recs = of(triage(extraction_folder(tmp_path, testdata("phone", "ios", "Accounts3.sqlite"))), "phone.account")
    assert len(recs) == 18
    icloud = [r for r in recs if r["identifier"] == "1589F4EC-8F6C-4F37-929F-C6F121B36A59"]
    assert len(icloud) == 1
    a = icloud[0]
    assert (a["account"], a["type_description"], a["owning_bundle_id"]) == (
        "thisisdfir@gmail.com", "iCloud", "com.apple.purplebuddy")
    assert a["created"]["utc"] == "2020-03-21T21:47:57.068197Z" and a["created"]["format"] == "cocoa_seconds"


def test_ios_ipod_plist(tmp_path: Path) -> None:
    recs = of(triage(extraction_folder(tmp_path, testdata("phone", "ios", "com.apple.iPod.plist"))), "phone.device")
    assert len(recs) == 4
    dev = {r["device_id"]: r for r in recs}["0DEADBEEF00F0A20"]
    assert (dev["device_class"], dev["os_version"], dev["serial"]) == ("iPhone", "7.0.3", "ADALTHING012")
    assert dev["imei"] == {"raw": "005550123044440", "imei": "005550123044440", "luhn_ok": False}
    assert dev["last_connected"]["utc"] == "2014-04-30T17:50:22Z"
    assert dev["locator"]["key_path"] == "Devices/0DEADBEEF00F0A20"


def test_ios_commcenter(tmp_path: Path) -> None:
    recs = of(triage(extraction_folder(tmp_path, testdata("phone", "ios", "com.apple.commcenter.data.plist"))), "phone.device")
    assert len(recs) == 1
    assert recs[0]["iccid"] == "8901260971148676693" and recs[0]["phone_number"]["e164"] == "+19195794674"
    assert recs[0]["locator"]["key_path"] == "PersonalWallet/8901260971148676693/info"


def test_ios_known_networks_ileapp_oracle() -> None:
    recs = triage(testdata(*ILEAPP, "testdata.appleWifiPlist.appleWifiKnownNetworks.mvs_ios_2023.zip"))
    wifi = of(recs, "phone.wifi", "ios_wifi_known_networks")
    assert len(wifi) == 5  # iLEAPP: 5 known networks
    by = {w["ssid"]: w for w in wifi}
    assert by["Hotel Bonaventure"]["bssid"] == "92:2a:a8:4b:fd:6e"
    assert by["NETGEAR-345"]["add_reason"] == "Cloud Sync" and by["Spinner Place"]["bssid"] == "44:1e:98:43:cd:c"
    assert of(recs, "error") == []


def test_ios_known_networks_phone_testdata(tmp_path: Path) -> None:
    wifi = of(triage(extraction_folder(tmp_path, testdata("phone", "ios", "com.apple.wifi.known-networks.plist"))),
              "phone.wifi", "ios_wifi_known_networks")
    assert [(w["ssid"], w["bssid"]) for w in wifi] == [("Matt_Foley", "6a:22:32:98:f4:df")]
    assert wifi[0]["joined_by_user"]["utc"] == "2023-04-15T13:53:47.472469Z" and len(wifi[0]["bssids_seen"]) == 8


def test_ios_addressbook_ileapp_oracle() -> None:
    recs = triage(testdata(*ILEAPP, "testdata.addressBook.addressBook.josh_ios15_ffs.zip"))
    contacts = of(recs, "phone.contact", "ios_addressbook")
    assert len(contacts) == 9  # iLEAPP: 9 rows
    first = contacts[0]
    assert (first["first"], first["last"], first["emails"]) == ("This Is", "DFIR Two", ["thisisdfirtwo@gmail.com"])
    assert first["numbers"] == [{"raw": "(919) 888-7386", "e164": "+19198887386", "valid": True, "country": "US"}]
    assert first["created"]["raw"] == 1681567229 - 978307200 and first["created"]["utc"] == "2023-04-15T14:00:29Z"
    assert "-wal" in first["locator"]["db"]["sidecars"]
    assert of(recs, "error") == []


def test_ios_whatsapp_ileapp_oracle() -> None:
    recs = triage(testdata(*ILEAPP, "testdata.whatsApp.whatsAppMessages.josh_ios15_ffs.zip"))
    msgs = of(recs, "phone.message", "ios_whatsapp_messages")
    assert len(msgs) == 32  # iLEAPP: 32 messages
    times = sorted(m["time"]["raw"] + 978307200 for m in msgs)
    assert 1654390010 in times and 1648316646 in times  # iLEAPP's first rows (Unix seconds)
    groups = {m["chat"]["raw"]: m["chat_name"] for m in msgs if m["chat"] and m["chat"]["type"] == "group"}
    assert groups["120363044520422953@g.us"] == "Med Report Review"


def test_ios_call_history_storedata(tmp_path: Path) -> None:
    db = make_db(tmp_path / "CallHistoryDB" / "CallHistory.storedata", """
        CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER,
          ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER, ZNUMBER_AVAILABILITY INTEGER,
          ZORIGINATED INTEGER, ZREAD INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS VARCHAR, ZDEVICE_ID VARCHAR,
          ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR);
        """, {"ZCALLRECORD": [
        (1, 2, 1, 1, 1, 0, None, 0, 1, 1, 721692800.5, 65.0, "0021655123456", None, "tn", "Tunisia", None,
         "com.apple.Telephony", "U1"),
        (2, 2, 1, 0, 16, 0, None, 0, 0, 1, 721692900.0, 0.0, b"+33612345678", None, "fr", None, "Paul",
         "com.apple.FaceTime", "U2")]})
    calls = of(triage(db.parent, region="TN"), "phone.call", "ios_call_history")
    assert len(calls) == 2
    c1, c2 = calls
    assert c1["number"]["e164"] == "+21655123456" and (c1["originated"], c1["type_label"]) == (1, "outgoing")
    assert c1["time"] == {"utc": "2023-11-14T22:13:20.500000Z", "raw": 721692800.5, "format": "cocoa_seconds"}
    assert c2["number"]["raw"] == "+33612345678" and c2["call_type_label"] == "facetime_audio"
    assert c2["app"] == "com.apple.FaceTime" and c2["answered"] == 0


def test_ios_call_history_db_legacy(tmp_path: Path) -> None:
    db = make_db(tmp_path / "x" / "call_history.db",
                 "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, "
                 "duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, network_code TEXT, read INTEGER);",
                 {"call": [(1, "+201001234567", 1400000000, 30, 5, -1, None, "602", "02", 1)]})
    calls = of(triage(db.parent), "phone.call", "ios_call_history_db")
    assert len(calls) == 1
    assert calls[0]["number"]["e164"] == "+201001234567" and calls[0]["number"]["country"] == "EG"
    assert calls[0]["type_label"] == "outgoing" and calls[0]["time"]["utc"] == "2014-05-13T16:53:20Z"


def test_ios_data_ark(tmp_path: Path) -> None:
    write_plist(tmp_path / "root" / "Library" / "Lockdown" / "data_ark.plist",
                {"-DeviceName": "iPhone de Sami", "-TimeZone": "Africa/Tunis", "-ActivationState": "Activated",
                 "com.apple.international-Locale": "fr_TN"})
    dev = of(triage(tmp_path), "phone.device", "ios_lockdown_data_ark")
    assert len(dev) == 1
    assert (dev[0]["device_name"], dev[0]["timezone"], dev[0]["locale"]) == ("iPhone de Sami", "Africa/Tunis", "fr_TN")


def _backup(tmp_path: Path, encrypted: bool = False) -> Path:
    """A small iTunes/Finder backup: Info.plist, Manifest.plist, Manifest.db and one hashed file."""
    root = tmp_path / "00008101-000A"
    root.mkdir()
    sms_id = hashlib.sha1(b"HomeDomain-Library/SMS/sms.db").hexdigest()
    (root / sms_id[:2]).mkdir()
    shutil.copy(testdata("phone", "ios", "sms.db"), root / sms_id[:2] / sms_id)
    make_db(root / "Manifest.db",
            "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);",
            {"Files": [(sms_id, "HomeDomain", "Library/SMS/sms.db", 1, b""),
                       ("aa" * 20, "AppDomain-net.whatsapp.WhatsApp", "Library/x", 1, b""),
                       ("bb" * 20, "AppDomain-net.whatsapp.WhatsApp", "Documents", 2, b""),
                       ("cc" * 20, "AppDomain-org.telegram.Telegram", "Library/y", 1, b"")]})
    write_plist(root / "Manifest.plist", {
        "IsEncrypted": encrypted, "WasPasscodeSet": True, "Date": datetime(2024, 1, 2, 3, 4, 5),
        "Lockdown": {"DeviceName": "Sami", "ProductType": "iPhone13,2", "ProductVersion": "17.2",
                     "BuildVersion": "21C62", "SerialNumber": "F2LXXXXXX", "UniqueDeviceID": "00008101-000A"},
        "Applications": {"net.whatsapp.WhatsApp": {"CFBundleVersion": "23.25.85"}}})
    write_plist(root / "Info.plist", {
        "Device Name": "Sami", "Product Type": "iPhone13,2", "Product Version": "17.2", "IMEI": "356938035643809",
        "ICCID": "89216030000000000000", "Phone Number": "+216 20 123 456", "Serial Number": "F2LXXXXXX",
        "Installed Applications": ["net.whatsapp.WhatsApp", "org.telegram.Telegram"],
        "Last Backup Date": datetime(2024, 1, 2, 3, 4, 5)}, binary=False)
    return root


def test_ios_backup_info_manifest_and_manifest_db(tmp_path: Path) -> None:
    recs = triage(_backup(tmp_path), region=None)
    src = of(recs, "phone.source")[0]
    assert (src["source_kind"], src["platform"]) == ("ios_backup", "ios")
    info = of(recs, "phone.device", "ios_backup_info")[0]
    assert info["imei"] == {"raw": "356938035643809", "imei": "356938035643809", "luhn_ok": True}
    assert info["phone_number"]["e164"] == "+21620123456" and info["iccid"] == "89216030000000000000"
    assert info["last_backup"]["utc"] == "2024-01-02T03:04:05Z"
    man = of(recs, "phone.device", "ios_manifest_plist")[0]
    assert (man["product_type"], man["os_version"], man["backup_encrypted"]) == ("iPhone13,2", "17.2", False)
    apps = of(recs, "phone.app")
    assert sorted((a["producer"]["parser"], a["bundle_id"]) for a in apps) == [
        ("ios_backup_info", "net.whatsapp.WhatsApp"), ("ios_backup_info", "org.telegram.Telegram"),
        ("ios_manifest_db_apps", "net.whatsapp.WhatsApp"), ("ios_manifest_db_apps", "org.telegram.Telegram"),
        ("ios_manifest_plist", "net.whatsapp.WhatsApp")]
    msgs = of(recs, "phone.message", "ios_sms")
    assert len(msgs) == 10 and msgs[0]["locator"]["path"] == "HomeDomain/Library/SMS/sms.db"


def test_ios_encrypted_backup_is_said(tmp_path: Path) -> None:
    recs = triage(_backup(tmp_path, encrypted=True), region=None)
    warn = of(recs, "warning")
    assert len(warn) == 1 and "encrypted backup" in warn[0]["warning"]["reason"]
    assert of(recs, "phone.message") == [] and len(of(recs, "phone.device")) == 2


def test_ios_whatsapp_calls_and_contacts_ileapp_oracle() -> None:
    recs = triage(testdata(*ILEAPP, "testdata.whatsApp.whatsAppCallHistory.josh_ios15_ffs.zip"))
    assert of(recs, "phone.source")[0]["platform"] == "ios"
    calls = of(recs, "phone.call", "ios_whatsapp_calls")
    # iLEAPP: 4 calls, start/end in Unix seconds, Outgoing/Incoming alternating, all with 19198887386
    expected = [(1683043930, 1683044025, "outgoing"), (1683044106, 1683044207, "incoming"),
                (1683044445, 1683044550, "outgoing"), (1683044661, 1683044765, "incoming")]
    from datetime import datetime, timezone

    got = [(int(c["time"]["raw"]) + 978307200,
            int(datetime.fromisoformat(c["end_utc"].replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()),
            c["type_label"]) for c in calls]
    assert got == expected
    assert {c["number"]["e164"] for c in calls} == {"+19198887386"}
    contacts = of(recs, "phone.contact", "ios_whatsapp_contacts")
    assert len(contacts) == 9  # iLEAPP: 9 WhatsApp contacts
    two = [c for c in contacts if c["name"] == "This Is DFIR Two"][0]
    assert two["jid"]["raw"] == "19198887386@s.whatsapp.net" and two["status_text"] == "Hey there! I am using WhatsApp."
    assert int(two["status_time"]["raw"]) + 978307200 == 1683042855


def test_ios_installation_plist(tmp_path: Path) -> None:
    write_plist(tmp_path / "mobile" / "Library" / "Caches" / "com.apple.mobile.installation.plist", {
        "User": {"net.whatsapp.WhatsApp": {"CFBundleIdentifier": "net.whatsapp.WhatsApp", "CFBundleDisplayName": "WhatsApp",
                                           "CFBundleShortVersionString": "2.13.21", "ApplicationType": "User",
                                           "Container": "/private/var/mobile/Applications/1A2B"}},
        "System": {"com.apple.MobileSMS": {"CFBundleIdentifier": "com.apple.MobileSMS", "CFBundleName": "Messages",
                                           "Path": "/Applications/MobileSMS.app"}}})
    apps = of(triage(tmp_path), "phone.app", "ios_applications_plist")
    assert [(a["bundle_id"], a["name"], a["app_type"]) for a in apps] == [
        ("net.whatsapp.WhatsApp", "WhatsApp", "User"), ("com.apple.MobileSMS", "Messages", "System")]
    assert apps[0]["version"] == "2.13.21" and apps[0]["locator"]["key_path"] == "User/net.whatsapp.WhatsApp"
    assert apps[1]["bundle_path"] == "/Applications/MobileSMS.app"
